// Static worst-case analysis of backtracking cost for a translated regex.
//
// We build the Glushkov (position) automaton of the pattern, keeping
// multiplicities of structurally different paths (so `(a+)+` and `(a*)*` are
// seen as ambiguous even though their plain Glushkov automata are not), then
// use the classic ambiguity criteria (Weber & Seidl; Allauzen, Mohri & Rastogi)
// which bound the running time of a backtracking matcher (Weideman et al.):
//
//   * EDA (exponential degree of ambiguity): some state has two different
//     cycles on the same word. Detected as an SCC of the product automaton A×A
//     that contains a diagonal pair (p,p) and an off-diagonal pair, or an edge
//     of multiplicity ≥ 2 between diagonal pairs. Worst case: exponential.
//   * IDA of degree d: a chain p1→p2→…→p(d+1) of distinct looping states that
//     can all loop on and move along the same word. Per start position the
//     backtracker explores O(n^(d+1)) paths in the worst case.
//
// Everything is over-approximated (zero-width assertions are ignored, lookaround
// bodies are charged as separate sub-matches at every position, Unicode property
// classes are treated as containing every non-ASCII character, backreferences
// as `[\s\S]*`), so a pattern may be classified worse than it is, never better.

import { type RangeSet, FULL, overlaps } from './charset.ts';
import type { Node } from './java-regex.ts';

export type ComplexityClass = 'constant' | 'linear' | 'polynomial' | 'exponential' | 'unknown';

export interface Complexity {
  class: ComplexityClass;
  /** Exponent e of the worst case O(n^e) for an anchored match attempt (∞ for exponential/unknown). */
  anchoredExponent: number;
  /** Exponent for an unanchored search (tries every start position). */
  searchExponent: number;
  /** Number of Glushkov positions (pattern size measure). */
  positions: number;
  /** For exponential patterns: bound on the branching per character (paths grow like base^n). */
  base: number;
  /** Per-step cost factor: pattern size, or the path count of a loop-free pattern. */
  work: number;
  /** Human-readable reason, for bulletins/debugging. */
  reason: string;
}

const SAT = 1e6; // multiplicities saturate (they only need to show doubling and the branching base)
const EXPAND_LIMIT = 48; // max positions created when expanding a bounded repeat exactly
const MAX_POSITIONS = 20_000;
const MAX_PAIRS = 150_000;

type Counts = Map<number, number>;

interface Frag {
  first: Counts;
  last: Counts;
  nul: number;
  /** Last positions after which the pattern can end with no further condition (no assertion). */
  lastU: Set<number>;
  /** Matches empty without any zero-width condition. */
  nulU: boolean;
}

function unionSet(a: Set<number>, b: Set<number>): Set<number> {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  return new Set([...a, ...b]);
}

class TooBig extends Error {}

class Automaton {
  labels: RangeSet[] = [FULL]; // position 0 = start state
  follow: Counts[] = [new Map()];
  looks: Node[] = [];

  newPos(label: RangeSet): number {
    if (this.labels.length >= MAX_POSITIONS) throw new TooBig('pattern too large to analyse');
    this.labels.push(label);
    this.follow.push(new Map());
    return this.labels.length - 1;
  }

  connect(last: Counts, first: Counts): void {
    for (const [p, c] of last) {
      const f = this.follow[p];
      for (const [q, d] of first) f.set(q, Math.min(SAT, (f.get(q) ?? 0) + c * d));
    }
  }

  static add(a: Counts, b: Counts, mult = 1): Counts {
    if (mult === 0 || b.size === 0) return a;
    const out = new Map(a);
    for (const [k, v] of b) out.set(k, Math.min(SAT, (out.get(k) ?? 0) + v * mult));
    return out;
  }

  eps(conditional = false): Frag {
    return { first: new Map(), last: new Map(), nul: 1, lastU: new Set(), nulU: !conditional };
  }

  seq(a: Frag, b: Frag): Frag {
    this.connect(a.last, b.first);
    return {
      first: Automaton.add(a.first, b.first, a.nul),
      last: Automaton.add(b.last, a.last, b.nul),
      nul: Math.min(SAT, a.nul * b.nul),
      lastU: b.nulU ? unionSet(b.lastU, a.lastU) : b.lastU,
      nulU: a.nulU && b.nulU,
    };
  }

  loop(f: Frag, min: number): Frag {
    this.connect(f.last, f.first);
    return { first: f.first, last: f.last, nul: min === 0 ? 1 : f.nul, lastU: f.lastU, nulU: min === 0 || f.nulU };
  }

  optional(f: Frag): Frag {
    return { first: f.first, last: f.last, nul: Math.min(SAT, f.nul + 1), lastU: f.lastU, nulU: true };
  }

  build(n: Node): Frag {
    switch (n.t) {
      case 'set': {
        const p = this.newPos(n.cls.set ?? n.cls.approx);
        return { first: new Map([[p, 1]]), last: new Map([[p, 1]]), nul: 0, lastU: new Set([p]), nulU: false };
      }
      case 'seq': {
        let acc = this.eps();
        for (const it of n.items) acc = this.seq(acc, this.build(it));
        return acc;
      }
      case 'alt': {
        const first: Counts = new Map();
        const last: Counts = new Map();
        let nul = 0;
        const lastU = new Set<number>();
        let nulU = false;
        for (const a of n.alts) {
          const f = this.build(a);
          for (const [k, v] of f.first) first.set(k, Math.min(SAT, (first.get(k) ?? 0) + v));
          for (const [k, v] of f.last) last.set(k, Math.min(SAT, (last.get(k) ?? 0) + v));
          nul = Math.min(SAT, nul + f.nul);
          for (const k of f.lastU) lastU.add(k);
          nulU = nulU || f.nulU;
        }
        return { first, last, nul, lastU, nulU };
      }
      case 'group':
        return this.build(n.body);
      case 'atomic':
        // The (?=(X))\k emulation runs X inside a lookahead at each arrival; the
        // paths of X modelled inline already bound that work.
        return this.build(n.body);
      case 'look':
        this.looks.push(n.body);
        return this.eps(true);
      case 'assert':
        return this.eps(true);
      case 'backref': {
        const p = this.newPos(FULL);
        this.follow[p].set(p, 1);
        return { first: new Map([[p, 1]]), last: new Map([[p, 1]]), nul: 1, lastU: new Set(), nulU: false };
      }
      case 'quant': {
        const { min, max, body } = n;
        if (max === 0) return this.eps();
        if (min === 0 && max === 1) return this.optional(this.build(body));
        const size = countPositions(body);
        if (max !== Infinity && max * Math.max(1, size) <= EXPAND_LIMIT) {
          let acc = this.eps();
          for (let i = 0; i < min; i++) acc = this.seq(acc, this.build(body));
          // optional tail: (X(X(X)?)?)?
          const tail = (k: number): Frag => {
            if (k === 0) return this.eps();
            return this.optional(this.seq(this.build(body), tail(k - 1)));
          };
          return this.seq(acc, tail(max - min));
        }
        // Unbounded or large: X{n,m} ⊆ X+ (or X*) path-wise, so this over-approximates.
        return this.loop(this.build(body), min);
      }
    }
  }
}

function countPositions(n: Node): number {
  switch (n.t) {
    case 'set':
    case 'backref':
      return 1;
    case 'seq':
      return n.items.reduce((s, i) => s + countPositions(i), 0);
    case 'alt':
      return n.alts.reduce((s, i) => s + countPositions(i), 0);
    case 'group':
    case 'atomic':
      return countPositions(n.body);
    case 'quant':
      if (n.max !== Infinity && n.max * countPositions(n.body) <= EXPAND_LIMIT) return n.max * countPositions(n.body);
      return countPositions(n.body);
    default:
      return 0;
  }
}

interface CoreResult {
  eda: boolean;
  degree: number; // IDA degree (valid when !eda)
  branching: number; // max number of transitions (with multiplicity) out of one state
  loops: number; // number of looping positions
  positions: number;
  /** For loop-free automata: number of paths from the start (per-start work bound). */
  paths: number;
  looks: Node[];
}

/**
 * Work units (edge visits) one analysis may spend. Deterministic (not a clock),
 * keeps compile time to tens of ms; past it we fall back to coarser sound bounds.
 */
const WORK_MAX = 600_000;

class OutOfWork extends Error {}

/** Strongly connected components of a small graph given as adjacency lists (iterative Tarjan). */
function tarjan(V: number, adj: (u: number) => number[], tick: () => void): { comp: Int32Array; comps: number } {
  const index = new Int32Array(V).fill(-1);
  const low = new Int32Array(V);
  const comp = new Int32Array(V).fill(-1);
  const onStack = new Uint8Array(V);
  const stack: number[] = [];
  let counter = 0;
  let comps = 0;
  const callStack: [number, number, number[]][] = [];
  for (let s = 0; s < V; s++) {
    if (index[s] !== -1) continue;
    index[s] = low[s] = counter++;
    stack.push(s);
    onStack[s] = 1;
    callStack.push([s, 0, adj(s)]);
    while (callStack.length) {
      const top = callStack[callStack.length - 1];
      const u = top[0];
      if (top[1] < top[2].length) {
        tick();
        const v = top[2][top[1]++];
        if (index[v] === -1) {
          index[v] = low[v] = counter++;
          stack.push(v);
          onStack[v] = 1;
          callStack.push([v, 0, adj(v)]);
        } else if (onStack[v]) {
          low[u] = Math.min(low[u], index[v]);
        }
      } else {
        callStack.pop();
        if (callStack.length) {
          const parent = callStack[callStack.length - 1][0];
          low[parent] = Math.min(low[parent], low[u]);
        }
        if (low[u] === index[u]) {
          let w: number;
          do {
            w = stack.pop()!;
            onStack[w] = 0;
            comp[w] = comps;
          } while (w !== u);
          comps++;
        }
      }
    }
  }
  return { comp, comps };
}

function analyseCore(root: Node): CoreResult {
  const A = new Automaton();
  const frag = A.build(root);
  A.follow[0] = new Map(frag.first);
  const N = A.labels.length;
  // Positions from which the match is certain to succeed (every reachable
  // position is an unconditional final one) never cause backtracking: the
  // matcher runs straight to success. Make them sinks.
  const sure = new Set(frag.lastU);
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of sure) {
      for (const q of A.follow[p].keys()) {
        if (!sure.has(q)) {
          sure.delete(p);
          changed = true;
          break;
        }
      }
    }
  }
  for (const p of sure) A.follow[p] = new Map();
  const follow = A.follow.map((m) => [...m.entries()]);
  const succ = follow.map((f) => f.map(([q]) => q));

  let work = 0;
  const tick = (): void => {
    if (++work > WORK_MAX) throw new OutOfWork();
  };

  let branching = 1;
  for (let p = 1; p < N; p++) {
    let b = 0;
    for (const [, c] of follow[p]) b += c;
    branching = Math.max(branching, b);
  }
  const base: CoreResult = { eda: false, degree: 0, branching, loops: 0, positions: N - 1, paths: 1, looks: A.looks };

  // Cycles of A itself (cheap): a loop-free automaton has a constant number of
  // paths per start position, counted exactly by dynamic programming.
  const sccA = tarjan(N, (u) => succ[u], () => {});
  const sizeA = new Int32Array(sccA.comps);
  for (let u = 0; u < N; u++) sizeA[sccA.comp[u]]++;
  const loopsA: boolean[] = [];
  for (let u = 0; u < N; u++) loopsA[u] = sizeA[sccA.comp[u]] > 1 || succ[u].includes(u);
  if (!loopsA.some((x) => x)) {
    // Tarjan numbers SCCs in reverse topological order: successors come first.
    const order = Array.from({ length: N }, (_, i) => i).sort((a, b) => sccA.comp[a] - sccA.comp[b]);
    const paths = new Float64Array(N);
    for (const p of order) {
      let n = 1;
      for (const [q, c] of follow[p]) n += c * paths[q];
      paths[p] = Math.min(n, 1e15);
    }
    return { ...base, paths: paths[0] };
  }

  // Coarse, cheap and sound: an IDA chain visits distinct looping SCCs of A in
  // topological order, so the degree is below the longest such chain.
  const coarseDegree = (): number => {
    const compLoops = new Uint8Array(sccA.comps);
    for (let u = 0; u < N; u++) if (loopsA[u]) compLoops[sccA.comp[u]] = 1;
    // Tarjan numbers components successors-first, so chain[] of successors is final.
    const chain = new Int32Array(sccA.comps);
    const byComp: number[][] = Array.from({ length: sccA.comps }, () => []);
    for (let u = 0; u < N; u++) byComp[sccA.comp[u]].push(u);
    for (let c = 0; c < sccA.comps; c++) {
      let m = 0;
      for (const u of byComp[c]) for (const v of succ[u]) if (sccA.comp[v] !== c) m = Math.max(m, chain[sccA.comp[v]]);
      chain[c] = m + compLoops[c];
    }
    let longest = 0;
    for (let c = 0; c < sccA.comps; c++) longest = Math.max(longest, chain[c]);
    return Math.max(0, longest - 1);
  };

  // Interned labels with cached overlap tests.
  const labelId: number[] = [];
  const ids = new Map<string, number>();
  const reps: RangeSet[] = [];
  for (let p = 0; p < N; p++) {
    const k = A.labels[p].join(',');
    let id = ids.get(k);
    if (id === undefined) {
      id = reps.length;
      ids.set(k, id);
      reps.push(A.labels[p]);
    }
    labelId.push(id);
  }
  const L = reps.length;
  const dense = L * L <= 4_000_000;
  const ovDense = dense ? new Uint8Array(L * L) : null; // 0 unknown, 1 no, 2 yes
  const ovMap = dense ? null : new Map<number, boolean>();
  const ov = (a: number, b: number): boolean => {
    const x = labelId[a];
    const y = labelId[b];
    if (x === y) return true;
    const k = x < y ? x * L + y : y * L + x;
    if (ovDense) {
      const v = ovDense[k];
      if (v !== 0) return v === 2;
      const r = overlaps(reps[x], reps[y]);
      ovDense[k] = r ? 2 : 1;
      return r;
    }
    let r = ovMap!.get(k);
    if (r === undefined) {
      r = overlaps(reps[x], reps[y]);
      ovMap!.set(k, r);
    }
    return r;
  };

  // Explore the product automaton A×A from (start,start).
  const idDense = N * N <= 4_000_000 ? new Int32Array(N * N).fill(-1) : null;
  const idMap = idDense ? null : new Map<number, number>();
  const idGet = (key: number): number | undefined => {
    if (idDense) {
      const v = idDense[key];
      return v < 0 ? undefined : v;
    }
    return idMap!.get(key);
  };
  const pairP: number[] = [];
  const pairQ: number[] = [];
  const adj: number[][] = [];
  const divergent: number[] = []; // flat (u, v) pairs of doubled diagonal edges
  const getNode = (p: number, q: number): number => {
    const key = p * N + q;
    let k = idGet(key);
    if (k === undefined) {
      if (pairP.length >= MAX_PAIRS) throw new TooBig('product automaton too large');
      k = pairP.length;
      if (idDense) idDense[key] = k;
      else idMap!.set(key, k);
      pairP.push(p);
      pairQ.push(q);
      adj.push([]);
    }
    return k;
  };
  try {
    getNode(0, 0);
    for (let u = 0; u < pairP.length; u++) {
      const p = pairP[u];
      const q = pairQ[u];
      const fp = follow[p];
      const fq = follow[q];
      for (let i = 0; i < fp.length; i++) {
        const [p2, c1] = fp[i];
        for (let j = 0; j < fq.length; j++) {
          tick();
          const q2 = fq[j][0];
          if (!ov(p2, q2)) continue;
          const v = getNode(p2, q2);
          adj[u].push(v);
          if (p === q && p2 === q2 && c1 >= 2) divergent.push(u, v);
        }
      }
    }
  } catch (e) {
    if (e instanceof OutOfWork) throw new TooBig('pattern too complex to analyse');
    throw e;
  }
  const V = pairP.length;
  const { comp, comps } = tarjan(V, (u) => adj[u], () => {});
  const compSize = new Int32Array(comps);
  const compDiag = new Uint8Array(comps);
  const compOff = new Uint8Array(comps);
  const selfLoop = new Uint8Array(V);
  for (let u = 0; u < V; u++) {
    compSize[comp[u]]++;
    if (pairP[u] === pairQ[u]) compDiag[comp[u]] = 1;
    else compOff[comp[u]] = 1;
    for (const v of adj[u]) if (v === u) selfLoop[u] = 1;
  }
  const cyclic = (u: number): boolean => compSize[comp[u]] > 1 || selfLoop[u] === 1;

  let eda = false;
  for (let c = 0; c < comps; c++) if (compDiag[c] && compOff[c]) eda = true;
  for (let i = 0; i < divergent.length && !eda; i += 2) if (comp[divergent[i]] === comp[divergent[i + 1]]) eda = true;
  const loopPos: number[] = [];
  for (let u = 0; u < V; u++) if (pairP[u] === pairQ[u] && pairP[u] !== 0 && cyclic(u)) loopPos.push(pairP[u]);
  const res: CoreResult = { ...base, eda, loops: loopPos.length };
  if (eda || loopPos.length < 2) return res;

  // The refinement does one product traversal per looping position: skip it
  // when that clearly cannot fit the remaining budget.
  let E = 0;
  for (let u = 0; u < V; u++) E += adj[u].length;
  if (loopPos.length * (V + E) > WORK_MAX - work) {
    res.degree = coarseDegree();
    return res;
  }
  try {
    res.degree = refinedDegree();
  } catch (e) {
    if (!(e instanceof OutOfWork)) throw e;
    res.degree = coarseDegree();
  }
  return res;

  function refinedDegree(): number {
    // IDA candidate p→q: p,q loop, (p,q) lies on a cycle of A×A and (p,p) reaches (p,q).
    const isLoop = new Set(loopPos);
    const cand = new Map<number, number[]>();
    const seen = new Int32Array(V).fill(-1);
    for (const p of loopPos) {
      const startNode = idGet(p * N + p)!;
      const queue = [startNode];
      seen[startNode] = p;
      const out: number[] = [];
      for (let h = 0; h < queue.length; h++) {
        const u = queue[h];
        if (pairP[u] === p && pairQ[u] !== p && isLoop.has(pairQ[u]) && cyclic(u)) out.push(pairQ[u]);
        for (const v of adj[u]) {
          tick();
          if (seen[v] !== p) {
            seen[v] = p;
            queue.push(v);
          }
        }
      }
      cand.set(p, out);
    }
    // Confirm each candidate in the triple product A×A×A: p→p, p→q and q→q must
    // read the SAME word, i.e. (p,p,q) must reach (p,q,q).
    const confirmed = (p: number, q: number): boolean => {
      const key = (a: number, b: number, c: number): number => (a * N + b) * N + c;
      const seen3 = new Set<number>([key(p, p, q)]);
      const queue: number[] = [p, p, q];
      for (let h = 0; h < queue.length; h += 3) {
        const a = queue[h];
        const b = queue[h + 1];
        const c = queue[h + 2];
        for (const a2 of succ[a]) {
          for (const b2 of succ[b]) {
            if (!ov(a2, b2)) continue;
            for (const c2 of succ[c]) {
              tick();
              if (!ov(b2, c2) || !ov(a2, c2)) continue;
              if (a2 === p && b2 === q && c2 === q) return true;
              const k = key(a2, b2, c2);
              if (seen3.has(k)) continue;
              seen3.add(k);
              queue.push(a2, b2, c2);
            }
          }
        }
      }
      return false;
    };
    for (const [p, qs] of cand) cand.set(p, qs.filter((q) => confirmed(p, q)));
    // Longest path in the candidate graph; a cycle there means we cannot bound it.
    const depth = new Map<number, number>();
    const visiting = new Set<number>();
    let cycle = false;
    const longest = (p: number): number => {
      const d = depth.get(p);
      if (d !== undefined) return d;
      if (visiting.has(p)) {
        cycle = true;
        return 0;
      }
      visiting.add(p);
      let best = 0;
      for (const q of cand.get(p) ?? []) best = Math.max(best, 1 + longest(q));
      visiting.delete(p);
      depth.set(p, best);
      return best;
    };
    let degree = 0;
    for (const p of loopPos) degree = Math.max(degree, longest(p));
    if (cycle) throw new OutOfWork();
    return degree;
  }
}

interface SubResult {
  e: number;
  positions: number;
  base: number;
  /** Per-start path bound for loop-free patterns (1 otherwise). */
  paths: number;
}

/** Anchored exponent for a sub-pattern; Infinity for exponential (with its branching base). */
function anchoredExponent(n: Node, depth: number, why: string[]): SubResult {
  if (depth > 8) throw new TooBig('lookarounds nested too deeply');
  const core = analyseCore(n);
  let base = core.eda ? core.branching : 1;
  if (core.eda) why.push('nested or overlapping repetition (exponential backtracking)');
  let e = core.eda ? Infinity : core.loops > 0 ? core.degree + 1 : 0;
  if (core.degree > 0) why.push(`repetitions that can re-scan the same text (degree ${core.degree})`);
  // Lookaround bodies are re-run at every arrival: charge them multiplicatively.
  let extra = 0;
  let paths = core.paths;
  for (const sub of core.looks) {
    const r = anchoredExponent(sub, depth + 1, why);
    extra = Math.max(extra, r.e);
    base = Math.max(base, r.base);
    paths = Math.min(1e15, paths * r.paths);
  }
  e += extra;
  return { e, positions: core.positions, base, paths };
}

/** The implicit `[\s\S]*?` an unanchored search puts in front of the pattern. */
const SEARCH_PREFIX: Node = {
  t: 'quant',
  min: 0,
  max: Infinity,
  mode: 'lazy',
  body: { t: 'set', cls: { set: FULL, js: null, approx: FULL } },
};

export function analyseComplexity(ast: Node, anchoredStart: boolean): Complexity {
  const why: string[] = [];
  let r: SubResult;
  let searchExponent: number;
  try {
    r = anchoredExponent(ast, 0, why);
    // Loop-free: a constant amount of work per start position.
    if (r.e === 0) searchExponent = anchoredStart ? 0 : 1;
    else
    // An unanchored search tries every start position: analyse it as a lazy
    // any-character loop in front of the pattern, which shows whether the
    // pattern's loops can re-scan the same text from many start positions.
    if (!anchoredStart) {
      const s = anchoredExponent({ t: 'seq', items: [SEARCH_PREFIX, ast] }, 0, why);
      searchExponent = s.e;
      r.base = Math.max(r.base, s.base);
    } else searchExponent = r.e;
  } catch (e) {
    if (e instanceof TooBig) {
      return { class: 'unknown', anchoredExponent: Infinity, searchExponent: Infinity, positions: -1, base: Infinity, work: Infinity, reason: e.message };
    }
    throw e;
  }
  let cls: ComplexityClass;
  if (r.e === Infinity) cls = 'exponential';
  else if (searchExponent === 0) cls = 'constant';
  else if (searchExponent <= 1) cls = 'linear';
  else cls = 'polynomial';
  return {
    class: cls,
    anchoredExponent: r.e,
    searchExponent,
    positions: r.positions,
    base: r.base,
    work: Math.max(r.positions, r.paths),
    reason: why.length ? [...new Set(why)].join('; ') : 'no ambiguity',
  };
}

/** Worst-case work budget (≈ backtracking steps) allowed to run inline on the event loop. */
export const INLINE_STEP_BUDGET = 1_500_000;
/** Budget for exponential patterns, whose steps are costlier and whose base is only bounded. */
export const EXPONENTIAL_STEP_BUDGET = 50_000;

/** Largest input length whose worst case fits the inline budget. */
export function maxInlineLength(c: Complexity): number {
  const exponent = c.searchExponent;
  if (exponent === 0) return Number.MAX_SAFE_INTEGER;
  if (c.class === 'unknown') return 0;
  if (!Number.isFinite(exponent)) {
    // base^n paths per start position, n start positions.
    const base = Math.max(2, c.base);
    let n = 0;
    while (Math.pow(base, n + 1) * (n + 1) <= EXPONENTIAL_STEP_BUDGET) n++;
    return n;
  }
  // n^e / e! paths; pattern size as a per-step cost factor.
  let fact = 1;
  for (let i = 2; i <= exponent; i++) fact *= i;
  const weight = 1 + Math.max(0, c.work) / 16;
  return Math.floor(Math.pow((INLINE_STEP_BUDGET * fact) / weight, 1 / exponent));
}
