// Hostile-regex guard: runs user (Java-syntax) regexes so that no pattern/input
// combination can freeze the event loop.
//
// Mechanism (see server/regex/README.md for the full rationale):
//  1. Every pattern is translated (java-regex.ts) and statically analysed
//     (analysis.ts) for its worst-case backtracking cost O(n^e).
//  2. From e we derive `maxInlineLength`: inputs up to that length cannot cost
//     more than ~INLINE_STEP_BUDGET backtracking steps (a few ms), so they run
//     inline with plain RegExp.exec — the fast path, used for virtually every
//     log line with a typical pattern.
//  3. Longer inputs (or any input > 12 chars for exponential patterns) run in a
//     worker thread under a wall-clock budget; when the budget is exceeded the
//     worker is terminated (V8 interrupts the regex) and replaced, and the
//     caller gets { kind: 'budget-exceeded' }.
//       - async API (execAsync/execBatch/...): the event loop is never blocked.
//       - sync API (exec/matches/execAll/replace): blocks at most syncBudgetMs
//         (default 40 ms, + ≤20 ms if a replacement worker is still booting)
//         on the worker via Atomics.wait.

import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { type Complexity, analyseComplexity, maxInlineLength } from './analysis.ts';
import { type JavaRegexFlags, type Node, type TranslatedRegex, translateJavaRegex } from './java-regex.ts';
import { type CompiledReplacement, compileJavaReplacement } from './replacement.ts';

// ---------------------------------------------------------------- result types

export interface Match {
  kind: 'match';
  /** Start index of the match (UTF-16 units). */
  index: number;
  /** End index (exclusive). */
  end: number;
  /** groups[0] = whole match, groups[n] = Java group n (undefined when it did not participate). */
  groups: (string | undefined)[];
  /** Named groups, present only when the pattern has named groups. */
  named?: Record<string, string | undefined>;
}
export interface NoMatch {
  kind: 'nomatch';
}
export interface BudgetExceeded {
  kind: 'budget-exceeded';
  message: string;
}
export type MatchResult = Match | NoMatch | BudgetExceeded;
export type MatchAllResult = { kind: 'matches'; matches: Match[] } | BudgetExceeded;
export type ReplaceResult = { kind: 'replaced'; output: string; count: number } | BudgetExceeded;

export interface SafeRegexOptions {
  /** Wall-clock budget per input for work handed to the worker (async API; never blocks the event loop). Default 500 ms. */
  budgetMs?: number;
  /** Max event-loop blocking per sync call that needs the worker. Default min(budgetMs, 40) ms. */
  syncBudgetMs?: number;
}

const NOMATCH: NoMatch = Object.freeze({ kind: 'nomatch' }) as NoMatch;

// ---------------------------------------------------------------- shared ops (main thread + worker)

// Plain JS so the worker (started with eval, without tsx) and the main thread run
// byte-identical matching code.
const OPS_SOURCE = `
function advance(s, i) {
  if (i + 1 < s.length) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) return i + 2;
    }
  }
  return i + 1;
}
function compact(m) {
  const g = new Array(m.length);
  for (let i = 0; i < m.length; i++) g[i] = m[i];
  return { index: m.index, groups: g };
}
function opExec(re, input, start) {
  re.lastIndex = start;
  const m = re.exec(input);
  return m === null ? null : compact(m);
}
function opAll(re, input, start, limit) {
  const out = [];
  re.lastIndex = start;
  while (out.length < limit) {
    const m = re.exec(input);
    if (m === null) break;
    out.push(compact(m));
    if (m[0].length === 0) re.lastIndex = advance(input, re.lastIndex);
  }
  return out;
}
function opReplace(re, input, parts, all) {
  let out = '';
  let last = 0;
  let count = 0;
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(input);
    if (m === null) break;
    count++;
    out += input.slice(last, m.index);
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k];
      if (typeof p === 'number') { const v = m[p]; if (v !== undefined) out += v; }
      else out += p;
    }
    last = m.index + m[0].length;
    if (!all) break;
    if (m[0].length === 0) re.lastIndex = advance(input, re.lastIndex);
  }
  return count === 0 ? { output: input, count: 0 } : { output: out + input.slice(last), count: count };
}
`;

/** A match of a pattern with named groups; the name → value record is built only when read. */
class NamedMatch implements Match {
  readonly kind = 'match';
  readonly end: number;
  private namedCache: Record<string, string | undefined> | undefined;
  constructor(readonly index: number, readonly groups: (string | undefined)[], private readonly names: readonly string[]) {
    this.end = index + groups[0]!.length;
  }
  get named(): Record<string, string | undefined> {
    if (this.namedCache === undefined) {
      const named: Record<string, string | undefined> = {};
      for (let i = 1; i < this.names.length; i++) if (this.names[i]) named[this.names[i]] = this.groups[i];
      this.namedCache = named;
    }
    return this.namedCache;
  }
}

interface CompactMatch {
  index: number;
  groups: (string | undefined)[];
}
interface Ops {
  opExec(re: RegExp, input: string, start: number): CompactMatch | null;
  opAll(re: RegExp, input: string, start: number, limit: number): CompactMatch[];
  opReplace(re: RegExp, input: string, parts: (string | number)[], all: boolean): { output: string; count: number };
}
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const ops = new Function(`${OPS_SOURCE}\nreturn { opExec, opAll, opReplace };`)() as Ops;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ctl = new Int32Array(workerData.ctl);
const times = new Float64Array(workerData.times);
const resultPort = workerData.port;
const now = () => performance.timeOrigin + performance.now();
${OPS_SOURCE}
const cache = new Map();
function getRe(src, flags) {
  const k = flags + '/' + src;
  let re = cache.get(k);
  if (re === undefined) {
    re = new RegExp(src, flags);
    // leave V8's bytecode interpreter before the first real (timed) input
    for (let i = 0; i < 2; i++) { re.lastIndex = 0; re.exec(''); }
    if (cache.size > 200) cache.clear();
    cache.set(k, re);
  }
  return re;
}
Atomics.store(ctl, 2, 1);
Atomics.notify(ctl, 0);
parentPort.on('message', (job) => {
  const re = getRe(job.src, job.flags);
  for (let i = 0; i < job.items.length; i++) {
    const item = job.items[i];
    times[0] = now();
    Atomics.store(ctl, 1, item.key);
    let r = null, err;
    try {
      if (job.op === 'exec') r = opExec(re, item.input, item.start);
      else if (job.op === 'all') r = opAll(re, item.input, item.start, job.limit);
      else r = opReplace(re, item.input, job.parts, job.all);
    } catch (e) {
      err = String((e && e.message) || e);
    }
    Atomics.store(ctl, 1, 0);
    const msg = { key: item.key, r: r, err: err };
    if (resultPort) {
      resultPort.postMessage(msg);
      Atomics.store(ctl, 0, item.key);
      Atomics.notify(ctl, 0);
    } else {
      parentPort.postMessage(msg);
    }
  }
});
`;

// ---------------------------------------------------------------- worker hosts

type Op = 'exec' | 'all' | 'replace';
interface WireJob {
  src: string;
  flags: string;
  op: Op;
  limit?: number;
  parts?: (string | number)[];
  all?: boolean;
  items: { key: number; input: string; start: number }[];
}
interface WorkerReply {
  key: number;
  r: unknown;
  err?: string;
}
type Outcome = { ok: true; r: unknown } | { ok: false; message: string };

const now = (): number => performance.timeOrigin + performance.now();
let keySeq = 0;
const nextKey = (): number => (keySeq = keySeq >= 0x3fffffff ? 1 : keySeq + 1);

interface Spawned {
  worker: Worker;
  ctl: Int32Array;
  times: Float64Array;
  port?: MessagePort;
}

function spawn(withPort: boolean): Spawned {
  const ctl = new Int32Array(new SharedArrayBuffer(4 * 4));
  const times = new Float64Array(new SharedArrayBuffer(8));
  let port: MessagePort | undefined;
  let workerPort: MessagePort | undefined;
  if (withPort) {
    const ch = new MessageChannel();
    port = ch.port1;
    workerPort = ch.port2;
  }
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // No tsx / loaders in the worker: it runs plain JS and boots in ~50 ms.
    execArgv: [],
    workerData: { ctl: ctl.buffer, times: times.buffer, port: workerPort },
    transferList: workerPort ? [workerPort] : [],
    // A pathological pattern may need memory too; keep it bounded.
    resourceLimits: { maxOldGenerationSizeMb: 512 },
  });
  worker.unref();
  port?.unref();
  return { worker, ctl, times, port };
}

/** Worker used by the blocking (sync) API: one call at a time, result via receiveMessageOnPort. */
class SyncHost {
  private w: Spawned | null = null;
  /** A booted stand-by, so replacing a killed worker never waits for a boot. */
  private spare: Spawned | null = null;
  /** Max wait for the very first worker of the process to boot (start-up only; see ready()). */
  static BOOT_WAIT_MS = 3000;
  /**
   * Afterwards, max extra wait for a replacement worker that is still booting
   * (only under heavy load): past it the call fails fast rather than block.
   */
  static BOOT_GRACE_MS = 20;
  private everBooted = false;

  private spareScheduled = false;

  warm(): void {
    if (!this.w) {
      this.w = this.spare ?? spawn(true);
      this.spare = null;
    }
    // Creating a Worker costs a few ms (more under load) of synchronous work:
    // never do it inside a blocking call, do it on a later turn of the loop.
    if (!this.spare && !this.spareScheduled) {
      this.spareScheduled = true;
      setImmediate(() => {
        this.spareScheduled = false;
        if (!this.spare) this.spare = spawn(true);
      }).unref();
    }
  }

  ready(): Promise<void> {
    this.warm();
    const ctl = this.w!.ctl;
    return new Promise((resolve) => {
      const poll = (): void => {
        if (Atomics.load(ctl, 2) === 1) {
          this.everBooted = true;
          resolve();
        } else setTimeout(poll, 2);
      };
      poll();
    });
  }

  call(job: WireJob, budgetMs: number): Outcome {
    this.warm();
    const w = this.w!;
    const key = job.items[0].key;
    const t0 = now();
    w.worker.postMessage(job);
    for (;;) {
      const done = Atomics.load(w.ctl, 0);
      if (done === key) break;
      let remaining: number;
      if (Atomics.load(w.ctl, 1) === key) {
        remaining = budgetMs - (now() - w.times[0]);
      } else if (Atomics.load(w.ctl, 2) !== 1) {
        remaining = (this.everBooted ? SyncHost.BOOT_GRACE_MS : SyncHost.BOOT_WAIT_MS) - (now() - t0);
        if (remaining <= 0) {
          this.kill();
          return { ok: false, message: `regex worker not ready within the ${budgetMs} ms budget (restarting after an earlier overrun)` };
        }
      } else {
        this.everBooted = true;
        remaining = budgetMs + SyncHost.BOOT_GRACE_MS - (now() - t0); // booted, about to start
      }
      if (remaining <= 0) {
        this.kill();
        return { ok: false, message: `regex exceeded its budget of ${budgetMs} ms` };
      }
      Atomics.wait(w.ctl, 0, done, Math.min(remaining, 20));
    }
    const msg = receiveMessageOnPort(w.port!)?.message as WorkerReply | undefined;
    if (!msg || msg.key !== key) {
      this.kill();
      return { ok: false, message: 'regex worker lost the result' };
    }
    if (msg.err !== undefined) return { ok: false, message: `regex failed: ${msg.err}` };
    return { ok: true, r: msg.r };
  }

  kill(): void {
    if (!this.w) return;
    const w = this.w;
    this.w = null;
    w.port?.close();
    void w.worker.terminate();
    // Promote the booted spare and start a new spare in the background.
    this.warm();
  }
}

interface PendingItem {
  key: number;
  input: string;
  start: number;
  resolve: (o: Outcome) => void;
}
interface QueuedJob {
  wire: Omit<WireJob, 'items'>;
  items: PendingItem[];
  budgetMs: number;
}

/** Worker used by the async API: a FIFO of batched jobs, watched by a timer. */
class AsyncHost {
  private w: Spawned | null = null;
  private queue: QueuedJob[] = [];
  private current: QueuedJob | null = null;
  private pending = new Map<number, PendingItem>();
  private timer: NodeJS.Timeout | null = null;

  submit(job: QueuedJob): void {
    this.queue.push(job);
    this.pump();
  }

  private ensure(): Spawned {
    if (this.w) return this.w;
    const w = spawn(false);
    w.worker.on('message', (msg: WorkerReply) => this.onReply(msg));
    w.worker.on('error', (err) => this.onCrash(w, `regex worker crashed: ${err.message}`));
    w.worker.on('exit', () => this.onCrash(w, 'regex worker exited'));
    this.w = w;
    return w;
  }

  private pump(): void {
    if (this.current || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    this.current = job;
    for (const it of job.items) this.pending.set(it.key, it);
    const w = this.ensure();
    // Keep the process alive while work is outstanding.
    w.worker.ref();
    w.worker.postMessage({ ...job.wire, items: job.items.map(({ key, input, start }) => ({ key, input, start })) });
    if (!this.timer) this.timer = setInterval(() => this.watch(), 5);
  }

  private onReply(msg: WorkerReply): void {
    const it = this.pending.get(msg.key);
    if (!it) return;
    this.pending.delete(msg.key);
    it.resolve(msg.err !== undefined ? { ok: false, message: `regex failed: ${msg.err}` } : { ok: true, r: msg.r });
    this.finishIfDone();
  }

  private finishIfDone(): void {
    const job = this.current;
    if (!job) return;
    if (job.items.some((it) => this.pending.has(it.key))) return;
    this.current = null;
    if (this.queue.length === 0) {
      this.w?.worker.unref();
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
    }
    this.pump();
  }

  private watch(): void {
    const w = this.w;
    const job = this.current;
    if (!w || !job) return;
    const key = Atomics.load(w.ctl, 1);
    if (key === 0 || !this.pending.has(key)) return;
    if (now() - w.times[0] <= job.budgetMs) return;
    this.abort(w, key, `regex exceeded its budget of ${job.budgetMs} ms`);
  }

  private onCrash(w: Spawned, message: string): void {
    if (this.w !== w) return; // already replaced
    const key = Atomics.load(w.ctl, 1);
    this.abort(w, key, message);
  }

  /** Kills the worker, fails item `key`, re-queues the rest of the current job. */
  private abort(w: Spawned, key: number, message: string): void {
    this.w = null;
    w.worker.removeAllListeners('message');
    w.worker.removeAllListeners('exit');
    w.worker.removeAllListeners('error');
    w.worker.on('error', () => {});
    void w.worker.terminate();
    const job = this.current;
    this.current = null;
    if (job) {
      const rest: PendingItem[] = [];
      for (const it of job.items) {
        if (!this.pending.has(it.key)) continue;
        this.pending.delete(it.key);
        if (it.key === key || key === 0) {
          // key 0: crashed between items; fail the first unfinished one only
          if (key === 0) key = -1;
          it.resolve({ ok: false, message });
        } else rest.push(it);
      }
      if (rest.length) this.queue.unshift({ ...job, items: rest });
    }
    if (this.queue.length === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.pump();
  }
}

let syncHost: SyncHost | null = null;
let asyncHost: AsyncHost | null = null;
const getSyncHost = (): SyncHost => (syncHost ??= new SyncHost());
const getAsyncHost = (): AsyncHost => (asyncHost ??= new AsyncHost());

// ---------------------------------------------------------------- SafeRegex

export class SafeRegex {
  readonly pattern: string;
  readonly flags: Readonly<JavaRegexFlags>;
  readonly translated: TranslatedRegex;
  readonly groupCount: number;
  /** Group names by Java group number ('' when unnamed); index 0 = whole match. */
  readonly groupNames: string[];
  /** Worst-case analysis for find()-style search. */
  readonly complexity: Complexity;
  private fullComplexityCache: Complexity | null = null;
  private maxInlineFullCache = -1;
  /** Inputs up to this length run inline (synchronously, no worker) for exec/execAll/replace. */
  readonly maxInlineLength: number;

  /**
   * True for linear-time patterns (no re-scanning repetitions): every input up to
   * maxInlineLength (hundreds of thousands of chars) runs inline for find-style
   * calls, so the sync API practically never hands off to the worker.
   */
  readonly isSync: boolean;
  readonly budgetMs: number;
  readonly syncBudgetMs: number;

  private readonly re: RegExp;
  private readonly reFull: RegExp;
  private readonly fullSource: string;
  private readonly hasNamed: boolean;
  private readonly map: number[] | null;

  constructor(pattern: string, flags: JavaRegexFlags = {}, opts: SafeRegexOptions = {}) {
    this.pattern = pattern;
    this.flags = Object.freeze({ ...flags });
    const t = translateJavaRegex(pattern, flags);
    this.translated = t;
    this.groupCount = t.groupCount;
    this.groupNames = t.groupNames;
    this.hasNamed = t.groupNames.some((n) => n !== '');
    this.map = t.remapped ? t.jsGroupIndex : null;
    this.re = new RegExp(t.source, t.flags + 'g');
    this.fullSource = `^(?:${t.source})$`;
    this.reFull = new RegExp(this.fullSource, t.flags + 'g');
    this.complexity = analyseComplexity(t.ast, t.anchoredStart);
    this.maxInlineLength = maxInlineLength(this.complexity);
    this.isSync = this.complexity.searchExponent <= 1;
    this.budgetMs = opts.budgetMs ?? 500;
    this.syncBudgetMs = Math.min(opts.syncBudgetMs ?? 40, this.budgetMs);
    if (!this.isSync) getSyncHost().warm();
    // V8 runs a regexp's first execution in its bytecode interpreter (several
    // times slower) and tiers up afterwards: do that now, on a tiny input, so
    // the inline worst-case bound holds from the first real call.
    for (let i = 0; i < 2; i++) {
      this.re.lastIndex = 0;
      this.re.exec('');
      this.reFull.lastIndex = 0;
      this.reFull.exec('');
    }
  }

  /** Worst-case analysis for matches() (whole input); computed on first use. */
  get fullComplexity(): Complexity {
    if (!this.fullComplexityCache) {
      const fullAst: Node = {
        t: 'seq',
        items: [{ t: 'assert', js: '^', start: true }, this.translated.ast, { t: 'assert', js: '$' }],
      };
      this.fullComplexityCache = analyseComplexity(fullAst, true);
    }
    return this.fullComplexityCache;
  }

  /** Inputs up to this length run inline for matches(). */
  get maxInlineLengthFull(): number {
    if (this.maxInlineFullCache < 0) this.maxInlineFullCache = maxInlineLength(this.fullComplexity);
    return this.maxInlineFullCache;
  }

  /** Resolves once the worker used by the sync API is booted (call at processor start-up). */
  ready(): Promise<void> {
    return getSyncHost().ready();
  }

  /** Whether exec/execAll/replace on this input run inline (no worker, no blocking beyond a few ms). */
  canRunInline(input: string): boolean {
    return input.length <= this.maxInlineLength;
  }

  /** Compiles a Java replacement string (`$1`, `${name}`, `\$`) for this pattern. */
  compileReplacement(template: string): CompiledReplacement {
    return compileJavaReplacement(template, this.groupCount, this.groupNames);
  }

  // ---------------- sync API

  /** Java Matcher.find(start): first match at or after startIndex. */
  exec(input: string, startIndex = 0): MatchResult {
    if (input.length <= this.maxInlineLength) return this.execInline(this.re, input, startIndex);
    return this.fromWorkerExec(this.syncCall('exec', this.re.source, input, startIndex));
  }

  /** Java Matcher.matches(): the whole input must match. */
  matches(input: string): MatchResult {
    if (input.length <= this.maxInlineLengthFull) return this.execInline(this.reFull, input, 0);
    return this.fromWorkerExec(this.syncCall('exec', this.fullSource, input, 0));
  }

  /** All matches (Java `while (m.find())`), e.g. ExtractText with repeating capture groups. */
  execAll(input: string, limit = Number.MAX_SAFE_INTEGER, startIndex = 0): MatchAllResult {
    if (input.length <= this.maxInlineLength) {
      try {
        return this.fromAll(ops.opAll(this.re, input, startIndex, limit));
      } catch (e) {
        return budgetExceeded(e);
      }
    }
    const o = this.syncCall('all', this.re.source, input, startIndex, { limit });
    return o.ok ? this.fromAll(o.r as CompactMatch[]) : { kind: 'budget-exceeded', message: o.message };
  }

  /** Java replaceAll / replaceFirst with a Java replacement string. */
  replace(input: string, replacement: string | CompiledReplacement, all = true): ReplaceResult {
    const parts = this.jsParts(replacement);
    if (input.length <= this.maxInlineLength) {
      try {
        const r = ops.opReplace(this.re, input, parts, all);
        return { kind: 'replaced', output: r.output, count: r.count };
      } catch (e) {
        return budgetExceeded(e);
      }
    }
    const o = this.syncCall('replace', this.re.source, input, 0, { parts, all });
    if (!o.ok) return { kind: 'budget-exceeded', message: o.message };
    const r = o.r as { output: string; count: number };
    return { kind: 'replaced', output: r.output, count: r.count };
  }

  // ---------------- async API (never blocks the event loop)

  execAsync(input: string, startIndex = 0): Promise<MatchResult> {
    if (input.length <= this.maxInlineLength) return Promise.resolve(this.exec(input, startIndex));
    return this.asyncCall('exec', this.re.source, [input], startIndex).then(([o]) => this.fromWorkerExec(o));
  }

  matchesAsync(input: string): Promise<MatchResult> {
    if (input.length <= this.maxInlineLengthFull) return Promise.resolve(this.matches(input));
    return this.asyncCall('exec', this.fullSource, [input], 0).then(([o]) => this.fromWorkerExec(o));
  }

  /**
   * exec() over many inputs: short ones run inline, the rest go to the worker
   * as ONE batch (one message round trip), each with its own budget.
   */
  async execBatch(inputs: readonly string[], mode: 'find' | 'matches' = 'find'): Promise<MatchResult[]> {
    const out: MatchResult[] = new Array(inputs.length);
    const limit = mode === 'find' ? this.maxInlineLength : this.maxInlineLengthFull;
    const slow: number[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const s = inputs[i];
      if (s.length <= limit) out[i] = mode === 'find' ? this.exec(s) : this.matches(s);
      else slow.push(i);
    }
    if (slow.length) {
      const src = mode === 'find' ? this.re.source : this.fullSource;
      const res = await this.asyncCall('exec', src, slow.map((i) => inputs[i]), 0);
      for (let k = 0; k < slow.length; k++) out[slow[k]] = this.fromWorkerExec(res[k]);
    }
    return out;
  }

  async execAllAsync(input: string, limit = Number.MAX_SAFE_INTEGER): Promise<MatchAllResult> {
    if (input.length <= this.maxInlineLength) return this.execAll(input, limit);
    const [o] = await this.asyncCall('all', this.re.source, [input], 0, { limit });
    return o.ok ? this.fromAll(o.r as CompactMatch[]) : { kind: 'budget-exceeded', message: o.message };
  }

  async replaceAsync(input: string, replacement: string | CompiledReplacement, all = true): Promise<ReplaceResult> {
    if (input.length <= this.maxInlineLength) return this.replace(input, replacement, all);
    const parts = this.jsParts(replacement);
    const [o] = await this.asyncCall('replace', this.re.source, [input], 0, { parts, all });
    if (!o.ok) return { kind: 'budget-exceeded', message: o.message };
    const r = o.r as { output: string; count: number };
    return { kind: 'replaced', output: r.output, count: r.count };
  }

  // ---------------- internals

  /** One match on this thread (the input is within the pattern's safe length). */
  private execInline(re: RegExp, input: string, startIndex: number): MatchResult {
    re.lastIndex = startIndex;
    let m: RegExpExecArray | null;
    try {
      m = re.exec(input);
    } catch (e) {
      return budgetExceeded(e);
    }
    return m === null ? NOMATCH : this.toMatch(m.index, m);
  }

  private toMatch(index: number, arr: ArrayLike<string | undefined>): Match {
    let groups: (string | undefined)[];
    if (this.map) {
      const map = this.map;
      groups = new Array(map.length);
      for (let i = 0; i < map.length; i++) groups[i] = arr[map[i]];
    } else if (Array.isArray(arr)) {
      groups = arr; // the exec array itself (no copy)
    } else {
      const n = arr.length;
      groups = new Array(n);
      for (let i = 0; i < n; i++) groups[i] = arr[i];
    }
    return this.hasNamed ? new NamedMatch(index, groups, this.groupNames) : { kind: 'match', index, end: index + groups[0]!.length, groups };
  }

  private fromAll(list: CompactMatch[]): MatchAllResult {
    return { kind: 'matches', matches: list.map((c) => this.toMatch(c.index, c.groups)) };
  }

  private fromWorkerExec(o: Outcome): MatchResult {
    if (!o.ok) return { kind: 'budget-exceeded', message: o.message };
    const c = o.r as CompactMatch | null;
    return c === null ? NOMATCH : this.toMatch(c.index, c.groups);
  }

  private jsParts(replacement: string | CompiledReplacement): (string | number)[] {
    const compiled = typeof replacement === 'string' ? this.compileReplacement(replacement) : replacement;
    const map = this.translated.jsGroupIndex;
    return compiled.parts.map((p) => (typeof p === 'number' ? map[p] : p));
  }

  private syncCall(op: Op, src: string, input: string, start: number, extra: Partial<WireJob> = {}): Outcome {
    const job: WireJob = { src, flags: this.re.flags, op, ...extra, items: [{ key: nextKey(), input, start }] };
    return getSyncHost().call(job, this.syncBudgetMs);
  }

  private asyncCall(op: Op, src: string, inputs: string[], start: number, extra: Partial<WireJob> = {}): Promise<Outcome[]> {
    const promises: Promise<Outcome>[] = [];
    const items: PendingItem[] = [];
    for (const input of inputs) {
      let resolve!: (o: Outcome) => void;
      promises.push(new Promise<Outcome>((r) => (resolve = r)));
      items.push({ key: nextKey(), input, start, resolve });
    }
    getAsyncHost().submit({ wire: { src, flags: this.re.flags, op, ...extra }, items, budgetMs: this.budgetMs });
    return Promise.all(promises);
  }
}

function budgetExceeded(e: unknown): BudgetExceeded {
  return { kind: 'budget-exceeded', message: `regex failed: ${(e as Error)?.message ?? String(e)}` };
}

const cache = new Map<string, SafeRegex>();
const CACHE_MAX = 256;

/**
 * Translates, analyses and compiles a Java regex (cached by pattern + flags + options).
 * @throws UnsupportedRegexError / JavaRegexSyntaxError (SyntaxError) — report as invalid configuration.
 */
export function compileSafeRegex(pattern: string, flags: JavaRegexFlags = {}, opts: SafeRegexOptions = {}): SafeRegex {
  const key = JSON.stringify([pattern, flags, opts.budgetMs, opts.syncBudgetMs]);
  let r = cache.get(key);
  if (r) {
    cache.delete(key);
    cache.set(key, r);
    return r;
  }
  r = new SafeRegex(pattern, flags, opts);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, r);
  return r;
}
