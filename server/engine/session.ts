// ProcessSession with NiFi's semantics: nothing reaches a downstream queue before commit, every
// FlowFile must be transferred or removed by then, and a rollback restores the inputs.
import { FlowFile, mergeAcks, EMPTY_ATTRIBUTES, type AttributeMap, type Attributes } from './flowfile.ts';
import { EMPTY_CLAIM, type ContentClaim } from './content/claim.ts';
import type { ContentStore } from './content/store.ts';
import type { FlowFileQueue } from './queue/queue.ts';
import { AckLedger, type AckHandle } from './ack.ts';
import type { ProcessorStats } from './stats.ts';
import type { ProvenanceEventType, ProvenanceSink } from './provenance.ts';

export interface RetryPolicy {
  maxRetries: number;
  strategy: 'penalize' | 'yield';
  maxBackoffMs: number;
}

export interface Route {
  readonly name: string;
  readonly queues: readonly FlowFileQueue[];
  readonly autoTerminate: boolean;
  readonly terminalFailure: boolean;
  readonly retry: RetryPolicy | null;
}

/** What a session needs from the processor it runs for. */
export interface SessionHost {
  readonly id: string;
  readonly type: string;
  readonly incoming: readonly FlowFileQueue[];
  readonly routes: ReadonlyMap<string, Route>;
  readonly contentStore: ContentStore;
  readonly penaltyMs: number;
  readonly yieldMs: number;
  readonly stats: ProcessorStats;
  readonly provenance: ProvenanceSink | null;
  /** FlowFiles the processor holds between triggers (bins), by id. */
  readonly held: Set<FlowFile>;
  pollCursor: number;
  yieldUntil: number;
}

export class FlowFileHandlingError extends Error {}

/** Placeholder for freed slots, so stale slots never match a live FlowFile. */
const NO_FLOWFILE = new FlowFile('', EMPTY_ATTRIBUTES, EMPTY_CLAIM, 0, 0, 0, null, null, null);

const UNRESOLVED = -1;
const REMOVED = -2;
const HELD = -3;

const MOD_ATTRS = 1;
const MOD_CONTENT = 2;
const PENALIZED = 4;

/** Where a session's FlowFile came from: a queue, the held set, or nowhere (created here). */
type Origin = FlowFileQueue | 'held' | null;

export class ProcessSession {
  /** Latest version of every FlowFile the session handles, by slot. */
  /** Slots in use; the arrays below are reused between sessions to avoid re-growing them. */
  private size = 0;
  /** Some input came from a queue that leases FlowFiles (must be released after commit). */
  private leased = false;
  private records: FlowFile[] = [];
  /** The version as it entered the session (inputs) or null (created). */
  private originals: (FlowFile | null)[] = [];
  private origins: Origin[] = [];
  /** Relationship index, UNRESOLVED, REMOVED or HELD, by slot. */
  private status: number[] = [];
  private flags: number[] = [];
  private routeList: Route[] = [];
  private routeIndex = new Map<string, number>();
  private hasRetry = false;
  private lastCreateInput: object | null = null;
  private lastCreateAttrs: AttributeMap = EMPTY_ATTRIBUTES;
  private readonly ledger = new AckLedger();
  private commitHooks: (() => void)[] = [];
  private rollbackHooks: (() => void)[] = [];
  private inputBytes = 0;
  private inputCount = 0;
  private active = false;
  now = 0;

  constructor(private readonly host: SessionHost) {
    this.refreshRoutes();
  }

  /** Call after the host's routes change. */
  refreshRoutes(): void {
    this.routeList = [...this.host.routes.values()];
    this.routeIndex = new Map(this.routeList.map((r, i) => [r.name, i]));
    this.hasRetry = this.routeList.some((r) => r.retry !== null);
  }

  begin(now: number): void {
    this.active = true;
    this.now = now;
  }

  /** True when the session took or created anything. */
  get didWork(): boolean {
    return this.size > 0;
  }

  // ---- getting FlowFiles ----

  /** One FlowFile from the incoming queues, or null. */
  getOne(): FlowFile | null {
    const got = this.get(1);
    return got.length ? got[0] : null;
  }

  /** Up to `max` FlowFiles from the incoming queues (round-robin across them). */
  get(max: number): FlowFile[] {
    const out: FlowFile[] = [];
    const queues = this.host.incoming;
    const n = queues.length;
    for (let i = 0; i < n && out.length < max; i++) {
      const idx = (this.host.pollCursor + i) % n;
      const q = queues[idx];
      const start = out.length;
      q.poll(max - out.length, this.now, out);
      for (let j = start; j < out.length; j++) this.track(out[j], out[j], q, UNRESOLVED);
      if (q.leases && out.length > start) this.leased = true;
      if (out.length > start) this.host.pollCursor = (idx + 1) % n;
    }
    return out;
  }

  /** FlowFiles queued on the incoming connections (for processors that size their batches). */
  queuedCount(): number {
    let n = 0;
    for (const q of this.host.incoming) n += q.count();
    return n;
  }

  private track(ff: FlowFile, original: FlowFile | null, origin: Origin, status: number): FlowFile {
    const slot = this.size++;
    ff.owner = this;
    ff.slot = slot;
    this.records[slot] = ff;
    this.originals[slot] = original;
    this.origins[slot] = origin;
    this.status[slot] = status;
    this.flags[slot] = 0;
    if (original !== null && origin !== 'held') { this.inputCount++; this.inputBytes += ff.size; }
    return ff;
  }

  private check(ff: FlowFile): number {
    const slot = ff.slot;
    if (ff.owner !== this || slot >= this.size || this.records[slot] !== ff) {
      throw new FlowFileHandlingError(`FlowFile ${ff.id} is not known in this session, or is not its latest version`);
    }
    const st = this.status[slot];
    if (st === REMOVED) throw new FlowFileHandlingError(`FlowFile ${ff.id} was already removed`);
    return slot;
  }

  private replace(slot: number, next: FlowFile, flag: number): FlowFile {
    next.owner = this;
    next.slot = slot;
    this.records[slot] = next;
    this.flags[slot] |= flag;
    return next;
  }

  // ---- creating ----

  /** A new FlowFile with no parent (sources). */
  create(attributes: Record<string, string> = {}, options: { ack?: AckHandle | null; content?: ContentClaim } = {}): FlowFile {
    // Passing the same object repeatedly (a batch loop) shares one attribute map between the FlowFiles.
    let attrs: AttributeMap;
    if (attributes === this.lastCreateInput) attrs = this.lastCreateAttrs;
    else {
      attrs = EMPTY_ATTRIBUTES.with(attributes);
      this.lastCreateInput = attributes;
      this.lastCreateAttrs = attrs;
    }
    const claim = options.content ?? EMPTY_CLAIM;
    const ff = new FlowFile(null, attrs, claim, 0, claim.length, this.now, null, null, options.ack ?? null);
    return this.track(ff, null, null, UNRESOLVED);
  }

  /**
   * A child of `parent` sharing bytes [offset, offset + size) of its content, and its attributes
   * (or `attributes`, usually the parent's map with a layer on top: see AttributeMap.withShape).
   */
  createChild(parent: FlowFile, offset = 0, size = parent.size - offset, attributes?: AttributeMap): FlowFile {
    this.check(parent);
    if (offset < 0 || size < 0 || offset + size > parent.size) throw new RangeError(`child range ${offset}+${size} is outside the parent's ${parent.size} bytes`);
    return this.track(parent.child(parent.claim, parent.offset + offset, size, this.now, attributes), null, null, UNRESOLVED);
  }

  /** A child of `parent` with new content. */
  createChildWithContent(parent: FlowFile, data: Buffer | Uint8Array | string): FlowFile {
    this.check(parent);
    const claim = this.host.contentStore.create(data);
    return this.track(parent.child(claim, 0, claim.length, this.now), null, null, UNRESOLVED);
  }

  /** A full copy with a new id (NiFi's clone). */
  clone(ff: FlowFile): FlowFile {
    this.check(ff);
    return this.track(ff.child(ff.claim, ff.offset, ff.size, this.now), null, null, UNRESOLVED);
  }

  /** A child of many parents (NiFi's JOIN), e.g. a merged bundle. */
  merge(parents: readonly FlowFile[], content: ContentClaim, attributes: Record<string, string> = {}): FlowFile {
    for (const p of parents) this.check(p);
    const first = parents[0];
    const ff = new FlowFile(
      null, EMPTY_ATTRIBUTES.with(attributes), content, 0, content.length, this.now,
      first ? first.lineage : null, parents.length === 1 ? first.id : parents.map((p) => p.id), mergeAcks(parents),
    );
    return this.track(ff, null, null, UNRESOLVED);
  }

  // ---- modifying (each returns the new version) ----

  putAttribute(ff: FlowFile, name: string, value: string): FlowFile {
    return this.putAllAttributes(ff, { [name]: value });
  }

  putAllAttributes(ff: FlowFile, attributes: Record<string, string | undefined>): FlowFile {
    const slot = this.check(ff);
    const attrs = ff.attributeMap.with(attributes);
    return attrs === ff.attributeMap ? ff : this.replace(slot, ff.withAttrs(attrs), MOD_ATTRS);
  }

  /** Replaces the attributes with `attributes` (built from ff.attributeMap, e.g. with withShape). */
  setAttributeMap(ff: FlowFile, attributes: AttributeMap): FlowFile {
    const slot = this.check(ff);
    return attributes === ff.attributeMap ? ff : this.replace(slot, ff.withAttrs(attributes), MOD_ATTRS);
  }

  removeAttribute(ff: FlowFile, name: string): FlowFile {
    return this.putAllAttributes(ff, { [name]: undefined });
  }

  removeAllAttributes(ff: FlowFile, names: Iterable<string>): FlowFile {
    const changes: Record<string, undefined> = {};
    for (const n of names) changes[n] = undefined;
    return this.putAllAttributes(ff, changes);
  }

  /** Replaces the content, and the attributes too when `attributes` is given (one new version for both). */
  write(ff: FlowFile, data: Buffer | Uint8Array | string, attributes?: AttributeMap): FlowFile {
    this.check(ff);
    const claim = this.host.contentStore.create(data);
    return this.setContent(ff, claim, 0, claim.length, attributes);
  }

  /**
   * Points the FlowFile at an existing claim (a file a source picked up, or a range of a claim that
   * a processor filled for a whole batch), and replaces the attributes too when given.
   */
  setContent(ff: FlowFile, claim: ContentClaim, offset = 0, size = claim.length - offset, attributes?: AttributeMap): FlowFile {
    const slot = this.check(ff);
    if (offset < 0 || size < 0 || offset + size > claim.length) throw new RangeError(`content range ${offset}+${size} is outside the claim's ${claim.length} bytes`);
    if (attributes === undefined || attributes === ff.attributeMap) return this.replace(slot, ff.withContent(claim, offset, size), MOD_CONTENT);
    return this.replace(slot, ff.withContent(claim, offset, size, attributes), MOD_CONTENT | MOD_ATTRS);
  }

  read(ff: FlowFile): Buffer {
    this.check(ff);
    return ff.content();
  }

  readText(ff: FlowFile, encoding: BufferEncoding = 'utf8'): string {
    return this.read(ff).toString(encoding);
  }

  // ---- outcomes ----

  transfer(ff: FlowFile | readonly FlowFile[], relationship: string): void {
    const rel = this.routeIndex.get(relationship);
    if (rel === undefined) throw new FlowFileHandlingError(`relationship "${relationship}" is not known to ${this.host.type}`);
    if (Array.isArray(ff)) {
      for (let i = 0; i < ff.length; i++) this.status[this.check(ff[i])] = rel;
    } else {
      this.status[this.check(ff as FlowFile)] = rel;
    }
  }

  remove(ff: FlowFile | readonly FlowFile[]): void {
    const list = Array.isArray(ff) ? ff : [ff as FlowFile];
    for (const f of list) this.status[this.check(f)] = REMOVED;
  }

  /** The FlowFile will be penalized in the queue it is transferred to. */
  penalize(ff: FlowFile): FlowFile {
    this.flags[this.check(ff)] |= PENALIZED;
    return ff;
  }

  /** Keeps the FlowFile in the processor's held set after commit (bin-based processors). */
  hold(ff: FlowFile): void {
    this.status[this.check(ff)] = HELD;
  }

  /** Brings held FlowFiles back into this session; they must then be transferred or removed. */
  adoptHeld(flowFiles: Iterable<FlowFile>): FlowFile[] {
    const out: FlowFile[] = [];
    const held = this.host.held;
    for (const ff of flowFiles) {
      if (!held.delete(ff)) throw new FlowFileHandlingError(`FlowFile ${ff.id} is not held by ${this.host.type}`);
      out.push(this.track(ff, ff, 'held', UNRESOLVED));
    }
    return out;
  }

  onCommit(hook: () => void): void { this.commitHooks.push(hook); }
  onRollback(hook: () => void): void { this.rollbackHooks.push(hook); }

  // ---- commit and rollback ----

  /** Commits; returns a promise only when an external queue needs awaiting. */
  commit(): void | Promise<void> {
    const n = this.size;
    const records = this.records;
    const status = this.status;
    for (let i = 0; i < n; i++) {
      if (status[i] === UNRESOLVED) {
        throw new FlowFileHandlingError(`${records[i].id} was neither transferred nor removed (${unresolvedCount(status)} FlowFile(s) unresolved at commit)`);
      }
    }
    if (this.needsRetry()) return;

    const routes = this.routeList;
    const byRoute: FlowFile[][] = new Array(routes.length);
    const now = this.now;
    const ledger = this.ledger;
    const prov = this.host.provenance?.enabled ? this.host.provenance : null;
    let penalized: FlowFile[] | null = null;
    let outCount = 0;
    let outBytes = 0;

    for (let i = 0; i < n; i++) {
      const ff = records[i];
      ff.owner = null;
      const st = status[i];
      const isInput = this.originals[i] !== null;
      if (prov) this.reportChanges(prov, i);
      if (st === HELD) { this.host.held.add(ff); continue; }
      if (st === REMOVED) {
        if (ff.acks !== null) ledger.add(ff.acks, isInput ? -1 : 0);
        if (prov) this.report(prov, 'DROP', ff, 'removed by processor');
        continue;
      }
      const route = routes[st];
      if (route.autoTerminate || route.queues.length === 0) {
        if (ff.acks !== null) {
          if (route.terminalFailure) {
            if (isInput) ledger.failAll(ff.acks, `${this.host.type} ${this.host.id} dropped ${ff.id} on auto-terminated relationship "${route.name}"`);
            else { ledger.add(ff.acks, 1); ledger.failAll(ff.acks, `${this.host.type} ${this.host.id} dropped ${ff.id} on auto-terminated relationship "${route.name}"`); }
          } else ledger.add(ff.acks, isInput ? -1 : 0);
        }
        if (prov) this.report(prov, 'DROP', ff, `auto-terminated by ${route.name} relationship`);
        continue;
      }
      if (ff.acks !== null) {
        const k = route.queues.length;
        const delta = isInput ? k - 1 : k;
        if (delta !== 0 || !isInput) ledger.add(ff.acks, delta);
      }
      if (this.flags[i] & PENALIZED) (penalized ??= []).push(ff);
      else (byRoute[st] ??= []).push(ff);
      outCount += route.queues.length;
      outBytes += ff.size * route.queues.length;
      if (prov) this.report(prov, 'ROUTE', ff, undefined, route.name);
    }

    // Downstream queues receive everything at once, only now.
    let pending: Promise<void>[] | null = null;
    for (let r = 0; r < routes.length; r++) {
      const list = byRoute[r];
      if (list === undefined) continue;
      const queues = routes[r].queues;
      pending = offerTo(queues[0], list, 0, pending);
      for (let q = 1; q < queues.length; q++) pending = offerTo(queues[q], list.map((ff) => ff.child(ff.claim, ff.offset, ff.size, now)), 0, pending);
    }
    if (penalized) {
      const until = now + this.host.penaltyMs;
      for (const ff of penalized) {
        const queues = routes[status[ff.slot]].queues;
        pending = offerTo(queues[0], [ff], until, pending);
        for (let q = 1; q < queues.length; q++) pending = offerTo(queues[q], [ff.child(ff.claim, ff.offset, ff.size, now)], until, pending);
      }
    }

    const stats = this.host.stats;
    if (this.inputCount) stats.in.add(this.inputCount, this.inputBytes, now);
    if (outCount) stats.out.add(outCount, outBytes, now);

    if (pending) return Promise.all(pending).then(() => this.finishCommit());
    this.finishCommit();
  }

  private finishCommit(): void {
    this.releaseInputs();
    this.ledger.apply();
    const hooks = this.commitHooks;
    this.reset();
    for (let i = 0; i < hooks.length; i++) hooks[i]();
  }

  /** Returns inputs to their queues (penalized when asked), drops created FlowFiles. */
  rollback(penalize = false): void {
    const until = penalize ? this.now + this.host.penaltyMs : 0;
    this.restoreInputs(() => until);
    const hooks = this.rollbackHooks;
    this.reset();
    for (const h of hooks) h();
  }

  private restoreInputs(penaltyFor: (slot: number) => number): void {
    const byQueue = new Map<FlowFileQueue, { list: FlowFile[]; until: number }[]>();
    for (let i = 0; i < this.size; i++) {
      this.records[i].owner = null;
      const original = this.originals[i];
      const origin = this.origins[i];
      if (original === null || origin === null) continue;
      if (origin === 'held') { this.host.held.add(original); continue; }
      const until = penaltyFor(i);
      let groups = byQueue.get(origin);
      if (!groups) byQueue.set(origin, (groups = []));
      let g = groups.find((x) => x.until === until);
      if (!g) groups.push((g = { list: [], until }));
      g.list.push(original);
    }
    for (const [q, groups] of byQueue) for (const g of groups) q.requeue(g.list, g.until);
  }

  private releaseInputs(): void {
    if (!this.leased) return;
    let leased: Map<FlowFileQueue, FlowFile[]> | null = null;
    for (let i = 0; i < this.size; i++) {
      const origin = this.origins[i];
      if (origin === null || origin === 'held' || !origin.leases) continue;
      leased ??= new Map();
      let list = leased.get(origin);
      if (!list) leased.set(origin, (list = []));
      list.push(this.originals[i] as FlowFile);
    }
    if (leased) for (const [q, list] of leased) void q.release(list);
  }

  /** Applies the retry policy: returns true when the session was rolled back for a retry instead of committing. */
  private needsRetry(): boolean {
    if (!this.hasRetry) return false;
    const routes = this.routeList;
    let retrySlots: Set<number> | null = null;
    let policy: RetryPolicy | null = null;
    const attr = `retryCount.${this.host.id}`;
    for (let i = 0; i < this.size; i++) {
      const st = this.status[i];
      if (st < 0) continue;
      const retry = routes[st].retry;
      if (retry === null) continue;
      const inputSlot = this.inputSlotFor(i);
      if (inputSlot < 0) continue;
      const count = Number(this.originals[inputSlot]!.attributeMap.get(attr) ?? '0');
      if (count >= retry.maxRetries) continue;
      (retrySlots ??= new Set()).add(inputSlot);
      policy = retry;
    }
    if (retrySlots === null || policy === null) {
      this.clearRetryCounts(attr);
      return false;
    }
    let maxCount = 0;
    for (const slot of retrySlots) {
      const orig = this.originals[slot]!;
      const count = Number(orig.attributeMap.get(attr) ?? '0') + 1;
      maxCount = Math.max(maxCount, count);
      this.originals[slot] = orig.withAttrs(orig.attributeMap.with({ [attr]: String(count) }));
    }
    const backoff = Math.min(this.host.penaltyMs * 2 ** (maxCount - 1), policy.maxBackoffMs);
    if (policy.strategy === 'yield') this.host.yieldUntil = this.now + Math.min(this.host.yieldMs * 2 ** (maxCount - 1), policy.maxBackoffMs);
    const now = this.now;
    this.restoreInputs((slot) => (policy!.strategy === 'penalize' && retrySlots!.has(slot) ? now + backoff : 0));
    const hooks = this.rollbackHooks;
    this.reset();
    for (const h of hooks) h();
    return true;
  }

  private clearRetryCounts(attr: string): void {
    for (let i = 0; i < this.size; i++) {
      const ff = this.records[i];
      if (this.status[i] >= 0 && ff.attributeMap.get(attr) !== undefined) this.replace(i, ff.withAttrs(ff.attributeMap.with({ [attr]: undefined })), MOD_ATTRS);
    }
  }

  private inputSlotFor(slot: number): number {
    if (this.originals[slot] !== null) return slot;
    const parents = this.records[slot].parentIds;
    for (let i = 0; i < this.size; i++) {
      if (this.originals[i] !== null && parents.includes(this.records[i].id)) return i;
    }
    return -1;
  }

  private reportChanges(prov: ProvenanceSink, slot: number): void {
    const ff = this.records[slot];
    const original = this.originals[slot];
    if (original === null) {
      const parents = ff.parentIds;
      if (parents.length === 0) this.report(prov, 'CREATE', ff);
      else this.report(prov, parents.length > 1 ? 'JOIN' : 'FORK', ff);
      return;
    }
    original.adoptIdFrom(ff);
    const f = this.flags[slot];
    if (f & MOD_CONTENT) this.report(prov, 'CONTENT_MODIFIED', ff, undefined, undefined, original);
    if (f & MOD_ATTRS) this.report(prov, 'ATTRIBUTES_MODIFIED', ff, undefined, undefined, original);
  }

  private report(prov: ProvenanceSink, type: ProvenanceEventType, ff: FlowFile, details?: string, relationship?: string, before?: FlowFile): void {
    prov.record({
      timestamp: this.now, type, componentId: this.host.id, componentType: this.host.type,
      flowFileId: ff.id, parentIds: type === 'FORK' || type === 'JOIN' ? [...ff.parentIds] : [], childIds: [],
      details, relationship, size: ff.size,
      attributesBefore: before ? before.attributes() : undefined, attributesAfter: ff.attributes(),
    });
  }

  private reset(): void {
    const records = this.records;
    const originals = this.originals;
    const origins = this.origins;
    for (let i = 0; i < this.size; i++) { records[i] = NO_FLOWFILE; originals[i] = null; origins[i] = null; }
    this.size = 0;
    this.leased = false;
    if (this.commitHooks.length) this.commitHooks = [];
    if (this.rollbackHooks.length) this.rollbackHooks = [];
    this.inputBytes = 0;
    this.inputCount = 0;
    this.active = false;
    this.lastCreateInput = null;
  }

  get isActive(): boolean { return this.active; }
}

function offerTo(q: FlowFileQueue, list: FlowFile[], until: number, pending: Promise<void>[] | null): Promise<void>[] | null {
  const r = q.offer(list, until);
  if (r) (pending ??= []).push(r);
  return pending;
}

function unresolvedCount(status: number[]): number {
  let n = 0;
  for (const s of status) if (s === UNRESOLVED) n++;
  return n;
}

export type { Attributes };
