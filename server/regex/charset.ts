// Code-point range sets used by the Java→JS regex translator.
//
// A RangeSet is an immutable, sorted, non-overlapping, non-adjacent list of
// inclusive [lo, hi] code-point ranges stored flat: [lo0, hi0, lo1, hi1, ...].
// Java character classes (unions, intersections, negations, case folding) are
// evaluated exactly on these sets, so the emitted JS class is a plain flat class
// that needs neither the `v` flag nor any guesswork.

export const MAX_CP = 0x10ffff;

export type RangeSet = readonly number[];

export const EMPTY: RangeSet = Object.freeze([]);
export const FULL: RangeSet = Object.freeze([0, MAX_CP]);

/** Normalises an arbitrary list of [lo,hi] pairs (any order, overlapping allowed). */
export function fromRanges(pairs: ReadonlyArray<readonly [number, number]>): RangeSet {
  const sorted = pairs.filter(([lo, hi]) => lo <= hi).slice().sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of sorted) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1] + 1) {
      if (hi > out[n - 1]) out[n - 1] = hi;
    } else {
      out.push(lo, hi);
    }
  }
  return out;
}

export function single(cp: number): RangeSet {
  return [cp, cp];
}

export function range(lo: number, hi: number): RangeSet {
  return lo <= hi ? [lo, hi] : EMPTY;
}

/** Builds a set from a string of characters and "a-z" style ranges (as in a JS class body, no escapes). */
export function parseSimple(spec: string): RangeSet {
  const cps = Array.from(spec, (c) => c.codePointAt(0)!);
  const pairs: [number, number][] = [];
  for (let i = 0; i < cps.length; i++) {
    if (i + 2 < cps.length && cps[i + 1] === 0x2d) {
      pairs.push([cps[i], cps[i + 2]]);
      i += 2;
    } else pairs.push([cps[i], cps[i]]);
  }
  return fromRanges(pairs);
}

export function union(...sets: RangeSet[]): RangeSet {
  const pairs: [number, number][] = [];
  for (const s of sets) for (let i = 0; i < s.length; i += 2) pairs.push([s[i], s[i + 1]]);
  return fromRanges(pairs);
}

export function negate(s: RangeSet): RangeSet {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < s.length; i += 2) {
    if (s[i] > next) out.push(next, s[i] - 1);
    next = s[i + 1] + 1;
  }
  if (next <= MAX_CP) out.push(next, MAX_CP);
  return out;
}

export function intersect(a: RangeSet, b: RangeSet): RangeSet {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i], b[j]);
    const hi = Math.min(a[i + 1], b[j + 1]);
    if (lo <= hi) out.push(lo, hi);
    if (a[i + 1] < b[j + 1]) i += 2;
    else j += 2;
  }
  return out;
}

export function subtract(a: RangeSet, b: RangeSet): RangeSet {
  return intersect(a, negate(b));
}

export function overlaps(a: RangeSet, b: RangeSet): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (Math.max(a[i], b[j]) <= Math.min(a[i + 1], b[j + 1])) return true;
    if (a[i + 1] < b[j + 1]) i += 2;
    else j += 2;
  }
  return false;
}

export function has(s: RangeSet, cp: number): boolean {
  let lo = 0;
  let hi = s.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < s[2 * mid]) hi = mid - 1;
    else if (cp > s[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

export function isEmpty(s: RangeSet): boolean {
  return s.length === 0;
}

export function isFull(s: RangeSet): boolean {
  return s.length === 2 && s[0] === 0 && s[1] === MAX_CP;
}

export function size(s: RangeSet): number {
  let n = 0;
  for (let i = 0; i < s.length; i += 2) n += s[i + 1] - s[i] + 1;
  return n;
}

// ---------------------------------------------------------------- case folding

/** ASCII-only case closure (Java CASE_INSENSITIVE without UNICODE_CASE). */
export function asciiCaseClose(s: RangeSet): RangeSet {
  const extra: [number, number][] = [];
  const lower = intersect(s, [0x61, 0x7a]);
  for (let i = 0; i < lower.length; i += 2) extra.push([lower[i] - 32, lower[i + 1] - 32]);
  const upper = intersect(s, [0x41, 0x5a]);
  for (let i = 0; i < upper.length; i += 2) extra.push([upper[i] + 32, upper[i + 1] + 32]);
  if (extra.length === 0) return s;
  return union(s, fromRanges(extra));
}

let unicodeFoldClasses: Map<number, number[]> | null = null;

function simpleMap(cp: number, upper: boolean): number {
  const s = String.fromCodePoint(cp);
  const m = upper ? s.toUpperCase() : s.toLowerCase();
  const c = m.codePointAt(0)!;
  // Java's Character.toUpperCase/toLowerCase are 1:1 simple mappings; JS gives
  // full (possibly multi-character) mappings. Multi-character results keep cp.
  return m.length === String.fromCodePoint(c).length ? c : cp;
}

/**
 * Equivalence classes for Java UNICODE_CASE matching: two code points are
 * equal when toLowerCase(toUpperCase(x)) agree (Java's SingleU / CIRange test).
 * Only characters that change under case mapping (and their images) can be in
 * a non-trivial class, so only those are mapped.
 */
function unicodeFolds(): Map<number, number[]> {
  if (unicodeFoldClasses) return unicodeFoldClasses;
  const byKey = new Map<number, Set<number>>();
  const add = (cp: number): void => {
    const key = simpleMap(simpleMap(cp, true), false);
    let set = byKey.get(key);
    if (!set) byKey.set(key, (set = new Set()));
    set.add(cp);
  };
  const cwcm = /\p{Changes_When_Casemapped}/u;
  // All cased characters live below U+1F000 in current Unicode versions.
  for (let cp = 0; cp < 0x1f000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if (!cwcm.test(String.fromCodePoint(cp))) continue;
    add(cp);
    add(simpleMap(cp, true));
    add(simpleMap(cp, false));
  }
  const classes = new Map<number, number[]>();
  for (const set of byKey.values()) {
    if (set.size < 2) continue;
    const arr = [...set];
    for (const cp of arr) classes.set(cp, arr);
  }
  unicodeFoldClasses = classes;
  return classes;
}

/** Unicode case closure (Java CASE_INSENSITIVE | UNICODE_CASE). */
export function unicodeCaseClose(s: RangeSet): RangeSet {
  const folds = unicodeFolds();
  const extra: [number, number][] = [];
  for (const [cp, cls] of folds) {
    if (has(s, cp)) for (const c of cls) extra.push([c, c]);
  }
  if (extra.length === 0) return s;
  return union(s, fromRanges(extra));
}

// ---------------------------------------------------------------- emission

const SYNTAX = new Set(Array.from('^$\\.*+?()[]{}|/-', (c) => c.codePointAt(0)!));

/** Emits one code point for use inside or outside a JS `u`-mode class. */
export function emitCodePoint(cp: number, inClass: boolean): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f) {
    return String.fromCharCode(cp);
  }
  if (SYNTAX.has(cp)) {
    if (cp === 0x2d && !inClass) return '-';
    return '\\' + String.fromCharCode(cp);
  }
  if (cp === 0x20) return ' ';
  if (cp > 0x20 && cp < 0x7f) {
    // Printable ASCII punctuation that is not syntax: raw is valid in `u` mode.
    return String.fromCharCode(cp);
  }
  if (cp === 0x0a) return '\\n';
  if (cp === 0x0d) return '\\r';
  if (cp === 0x09) return '\\t';
  return '\\u{' + cp.toString(16) + '}';
}

/** Emits the body of a JS class (without brackets) for a range set. */
export function emitRangesBody(s: RangeSet): string {
  let out = '';
  for (let i = 0; i < s.length; i += 2) {
    const lo = s[i];
    const hi = s[i + 1];
    out += emitCodePoint(lo, true);
    if (hi === lo) continue;
    if (hi === lo + 1) out += emitCodePoint(hi, true);
    else out += '-' + emitCodePoint(hi, true);
  }
  return out;
}

/** Emits a JS (u-mode) atom matching exactly one code point from the set. */
export function emitSet(s: RangeSet): string {
  if (isFull(s)) return '[\\s\\S]';
  if (s.length === 2 && s[0] === s[1]) return emitCodePoint(s[0], false);
  // Prefer the shorter of the positive and negated forms.
  const neg = negate(s);
  if (neg.length < s.length) return '[^' + emitRangesBody(neg) + ']';
  return '[' + emitRangesBody(s) + ']';
}

// ---------------------------------------------------------------- property resolution

const propCache = new Map<string, RangeSet>();
let allCodePoints: string | null = null;

function unitIndexToCp(i: number): number {
  if (i < 0xd800) return i;
  if (i < 0xf800) return i + 0x800;
  return 0x10000 + ((i - 0xf800) >> 1);
}

/**
 * Resolves a JS `u`-mode class atom such as `\p{L}` to an exact RangeSet
 * (cached). Runs the atom as `(?:atom)+` over one string holding every
 * non-surrogate code point in order, so each match is one range: a few ms.
 */
export function resolveJsClass(jsAtom: string): RangeSet {
  const cached = propCache.get(jsAtom);
  if (cached) return cached;
  if (!allCodePoints) {
    const parts: string[] = [];
    for (let cp = 0; cp <= MAX_CP; cp += 0x1000) {
      const chunk: number[] = [];
      for (let c = cp; c < cp + 0x1000 && c <= MAX_CP; c++) if (c < 0xd800 || c > 0xdfff) chunk.push(c);
      parts.push(String.fromCodePoint(...chunk));
    }
    allCodePoints = parts.join('');
  }
  const pairs: [number, number][] = [];
  const re = new RegExp('(?:' + jsAtom + ')+', 'gu');
  let m: RegExpExecArray | null;
  while ((m = re.exec(allCodePoints)) !== null) {
    const lo = unitIndexToCp(m.index);
    const hi = unitIndexToCp(m.index + m[0].length - 1);
    pairs.push([lo, hi]);
  }
  const one = new RegExp('^(?:' + jsAtom + ')$', 'u');
  for (let cp = 0xd800; cp <= 0xdfff; cp++) if (one.test(String.fromCharCode(cp))) pairs.push([cp, cp]);
  const out = fromRanges(pairs);
  propCache.set(jsAtom, out);
  return out;
}
