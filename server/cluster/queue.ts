// The BullMQ-backed connection queue. One BullMQ queue per connection; a job carries a batch of
// FlowFiles (codec.ts). The engine only sees the local side:
//  - offer() buffers outgoing FlowFiles and writes them as jobs of up to N FlowFiles / M bytes,
//    a partial batch lingering at most T ms; it returns a promise (the commit waits) only when
//    too much is buffered;
//  - a BullMQ Worker (only while the destination processor runs on this node) leases jobs; their
//    FlowFiles sit in a local buffer that count()/hasReady()/poll() read synchronously;
//  - release() (after a session commit) marks FlowFiles done; once every FlowFile of a job is done
//    AND everything this flow produced so far has been written to Redis, the job is completed,
//    then settled (counters, acks, content references) — so a job is never completed before its
//    outputs are durable, and a dead worker's job goes back to the queue (at-least-once);
//  - isFull() compares the cluster-wide counters (cached, refreshed every ~100 ms and after every
//    write) plus what is buffered here to the thresholds.
import { Queue as BullQueue, Worker, WaitingError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FlowFile } from '../engine/flowfile.ts';
import type { AckHandle } from '../engine/ack.ts';
import type { Logger } from '../engine/logger.ts';
import { Backlog } from '../engine/queue/backlog.ts';
import { DEFAULT_BACK_PRESSURE, overBackPressure, type BackPressure, type DropListener, type FlowFileQueue, type QueueListing } from '../engine/queue/queue.ts';
import { encodeBatch, decodeBatch, accountingOf, subsetBatch, type BatchData, type Encoded } from './codec.ts';
import type { ClusterKeys } from './keys.ts';
import type { ClusterSettings } from './settings.ts';
import type { Ledger } from './ledger.ts';
import type { ContentOffload } from './content.ts';
import type { AckTracker, RemoteAck } from './acks.ts';

export interface NodeCounters {
  /** FlowFiles received again after a worker died holding them (possible duplicates). */
  redelivered: number;
  /** Jobs taken over from a dead worker. */
  redeliveredJobs: number;
  /** FlowFiles dropped because their offloaded content expired. */
  contentMissing: number;
  jobsWritten: number;
  jobsCompleted: number;
  /** Content written to its own Redis key (above the offload threshold). */
  contentUploads: number;
  contentBytesUploaded: number;
}

export interface QueueContext {
  redis: Redis;
  keys: ClusterKeys;
  settings: ClusterSettings;
  ledger: Ledger;
  content: ContentOffload;
  acks: AckTracker;
  logger: Logger;
  counters: NodeCounters;
  nextJobId(): string;
  /** Resolves once everything offered so far to any queue of this flow has been written to Redis. */
  barrier(): Promise<void>;
  warn(message: string): void;
}

interface JobEntry {
  job: Job<BatchData>;
  token: string;
  /** Batch index by FlowFile id; released indexes are removed. */
  open: Map<string, number>;
  resolve: () => void;
  reject: (e: Error) => void;
}

const MAX_STALLS = 1_000_000;

export class RedisQueue implements FlowFileQueue {
  backPressure: BackPressure;
  expirationMs: number;
  onDrop: DropListener | null = null;
  onAvailable: (() => void) | null = null;
  readonly leases = true;
  readonly queueName: string;
  readonly countersKey: string;
  readonly ledgerKey: string;

  // local buffer of leased FlowFiles
  private readonly local = new Backlog();
  private readonly byId = new Map<string, JobEntry>();
  private readonly entries = new Set<JobEntry>();

  // outgoing buffer
  private pendingOut: { ff: FlowFile; until: number }[] = [];
  private pendingCount = 0;
  private pendingBytes = 0;
  private offerGen = 0;
  private flushedGen = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private flushWaiters: { gen: number; resolve: () => void }[] = [];

  // cluster-wide counters (cached)
  remoteCount = 0;
  remoteBytes = 0;

  private bull: BullQueue | null = null;
  private worker: Worker<BatchData> | null = null;
  private consuming = false;
  private closed = false;
  private toSettle: string[] = [];
  private settling: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(
    readonly id: string,
    readonly flowId: string,
    private readonly ctx: QueueContext,
    options: { backPressure?: Partial<BackPressure>; expirationMs?: number } = {},
  ) {
    this.backPressure = { ...DEFAULT_BACK_PRESSURE, ...options.backPressure };
    this.expirationMs = options.expirationMs ?? 0;
    this.queueName = ctx.keys.queueName(flowId, id);
    this.countersKey = ctx.keys.counters(this.queueName);
    this.ledgerKey = ctx.keys.ledger(this.queueName);
    this.log = ctx.logger.child({ queue: this.queueName });
  }

  // ---- the engine's synchronous view ----

  count(): number { return this.local.count + this.pendingCount; }
  bytes(): number { return this.local.bytes + this.pendingBytes; }
  /** FlowFiles queued cluster-wide (waiting, delayed or leased), plus what this node has not written yet. */
  clusterCount(): number { return Math.max(0, this.remoteCount) + this.pendingCount; }
  clusterBytes(): number { return Math.max(0, this.remoteBytes) + this.pendingBytes; }
  /** FlowFiles leased by this node and not yet committed onward. */
  get leasedCount(): number { return this.byId.size; }

  isFull(): boolean {
    return overBackPressure(this.backPressure, this.clusterCount(), this.clusterBytes());
  }

  hasReady(now: number): boolean { return this.local.hasReady(now); }
  nextReadyAt(): number { return this.local.nextReadyAt(); }

  poll(max: number, now: number, out: FlowFile[]): number {
    const before = out.length;
    const expired = this.local.poll(max, now, this.expirationMs, out);
    if (expired) {
      this.onDrop?.(expired, 'expired');
      this.release(expired);
    }
    return out.length - before;
  }

  requeue(flowFiles: readonly FlowFile[], penalizedUntil: number): void { this.local.requeue(flowFiles, penalizedUntil); }

  release(flowFiles: readonly FlowFile[]): void {
    let done: JobEntry[] | null = null;
    for (let i = 0; i < flowFiles.length; i++) {
      const id = flowFiles[i].id;
      const entry = this.byId.get(id);
      if (entry === undefined) continue;
      this.byId.delete(id);
      entry.open.delete(id);
      if (entry.open.size === 0) (done ??= []).push(entry);
    }
    if (done === null) return;
    for (const entry of done) this.entries.delete(entry);
    // Outputs first: the jobs complete only once what their sessions produced is in Redis.
    void this.ctx.barrier().then(() => { for (const e of done!) e.resolve(); });
  }

  offer(flowFiles: readonly FlowFile[], penalizedUntil = 0): void | Promise<void> {
    if (flowFiles.length === 0) return;
    for (let i = 0; i < flowFiles.length; i++) {
      const ff = flowFiles[i];
      this.pendingOut.push({ ff, until: penalizedUntil });
      this.pendingBytes += ff.size;
    }
    this.pendingCount += flowFiles.length;
    this.offerGen++;
    const s = this.ctx.settings;
    this.scheduleFlush(this.pendingCount >= s.batchCount || this.pendingBytes >= s.batchBytes ? 0 : s.lingerMs);
    // Too much unwritten: the committing session waits (back pressure on a fast producer).
    if (this.pendingCount > 8 * s.batchCount || this.pendingBytes > 8 * s.batchBytes) return this.whenFlushed();
  }

  list(limit: number): QueueListing[] { return this.local.list(limit); }
  find(id: string): FlowFile | undefined { return this.local.find(id); }

  /** Drops what this node holds and (asynchronously) every waiting or delayed job in Redis; acks fail. */
  empty(): number {
    const dropped = this.local.clear();
    if (dropped.length) {
      this.onDrop?.(dropped, 'emptied');
      this.release(dropped);
    }
    const remote = Math.max(0, this.remoteCount - this.byId.size - dropped.length);
    void this.emptyRemote().catch((e) => this.log.warn({}, `emptying ${this.queueName} in Redis failed: ${(e as Error).message}`));
    return dropped.length + remote;
  }

  private async emptyRemote(): Promise<void> {
    const q = this.producer();
    for (;;) {
      const jobs = await q.getJobs(['wait', 'delayed', 'prioritized'], 0, 199);
      if (jobs.length === 0) return;
      const removed: string[] = [];
      for (const j of jobs) if (j?.id && (await q.remove(j.id)) === 1) removed.push(j.id);
      if (removed.length) this.applyCounters(await this.ctx.ledger.settle(this.countersKey, this.ledgerKey, removed, `dropped when connection "${this.id}" was emptied`));
      if (removed.length === 0) return;
    }
  }

  // ---- writing ----

  private scheduleFlush(delay: number): void {
    if (this.flushing) return; // the running flush loops until the buffer is empty
    if (delay === 0) {
      if (this.flushTimer) { clearTimeout(this.flushTimer); this.flushTimer = null; }
      this.flushing = this.flushLoop();
      return;
    }
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => { this.flushTimer = null; if (!this.flushing) this.flushing = this.flushLoop(); }, delay);
  }

  /** Resolves when everything offered so far has been written. */
  whenFlushed(): Promise<void> {
    if (this.pendingCount === 0 && this.flushing === null) return Promise.resolve();
    const gen = this.offerGen;
    if (this.flushedGen >= gen && this.flushing === null) return Promise.resolve();
    if (this.flushing === null && this.pendingCount > 0) this.scheduleFlush(this.ctx.settings.lingerMs);
    return new Promise((resolve) => this.flushWaiters.push({ gen, resolve }));
  }

  get hasPendingOut(): boolean { return this.pendingCount > 0 || this.flushing !== null; }

  private producer(): BullQueue {
    if (!this.bull) {
      this.bull = new BullQueue(this.queueName, { connection: this.ctx.redis, prefix: this.ctx.keys.prefix });
      this.bull.on('error', (e) => this.log.warn({}, `BullMQ queue error: ${e.message}`));
    }
    return this.bull;
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pendingOut.length > 0) {
        const gen = this.offerGen;
        const items = this.pendingOut;
        this.pendingOut = [];
        await this.write(items);
        let bytes = 0;
        for (const it of items) bytes += it.ff.size;
        const wasFull = this.isFull();
        this.pendingCount -= items.length;
        this.pendingBytes -= bytes;
        this.flushedGen = gen;
        this.wakeFlushWaiters();
        if (wasFull && !this.isFull()) this.onAvailable?.();
      }
    } finally {
      this.flushing = null;
      this.wakeFlushWaiters();
      if (this.pendingOut.length > 0) this.scheduleFlush(0);
    }
  }

  private wakeFlushWaiters(): void {
    if (this.flushWaiters.length === 0) return;
    const keep: { gen: number; resolve: () => void }[] = [];
    for (const w of this.flushWaiters) {
      if (w.gen <= this.flushedGen) w.resolve();
      else keep.push(w);
    }
    this.flushWaiters = keep;
  }

  /** Encodes items into jobs, counts them in the ledger, adds them to BullMQ; retries until it succeeds. */
  private async write(items: { ff: FlowFile; until: number }[]): Promise<void> {
    const s = this.ctx.settings;
    // Chunks: same penalty, at most batchCount FlowFiles and batchBytes bytes.
    const chunks: { list: FlowFile[]; until: number }[] = [];
    let cur: { list: FlowFile[]; until: number; bytes: number } | null = null;
    for (const { ff, until } of items) {
      if (!cur || cur.until !== until || cur.list.length >= s.batchCount || (cur.bytes + ff.size > s.batchBytes && cur.list.length > 0)) {
        cur = { list: [], until, bytes: 0 };
        chunks.push(cur);
      }
      cur.list.push(ff);
      cur.bytes += ff.size;
    }
    const ids = chunks.map(() => this.ctx.nextJobId());
    let gone = new Set<string>();
    let attempt = 0;
    for (;;) {
      try {
        const encoded = chunks.map((c) => this.encode(c.list, gone));
        const uploads = encoded.flatMap((e) => e.uploads);
        await this.ctx.content.upload(uploads);
        this.ctx.counters.contentUploads += uploads.length;
        for (const u of uploads) this.ctx.counters.contentBytesUploaded += u.size;
        const counted = await this.ctx.ledger.enqueue(this.countersKey, this.ledgerKey, encoded.map((e, i) => ({ id: ids[i], ...e.accounting })));
        if (counted.missing.length) {
          // Offloaded content freed since this node last referred to it: upload it again.
          gone = new Set([...gone, ...counted.missing]);
          if (++attempt > 5) throw new Error(`offloaded content keeps vanishing: ${counted.missing.join(', ')}`);
          continue;
        }
        this.applyCounters(counted);
        const now = Date.now();
        await this.producer().addBulk(encoded.map((e, i) => ({
          name: 'b',
          data: e.data,
          opts: { jobId: ids[i], removeOnComplete: true, removeOnFail: false, attempts: 1, ...(chunks[i].until > now ? { delay: chunks[i].until - now } : {}) },
        })));
        this.ctx.counters.jobsWritten += chunks.length;
        return;
      } catch (e) {
        if (this.closed && ++attempt > 50) throw e;
        this.log.warn({}, `writing ${items.length} FlowFile(s) to ${this.queueName} failed, retrying: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private encode(list: FlowFile[], gone: Set<string>): Encoded {
    const c = this.ctx;
    return encodeBatch(list, {
      offloadBytes: c.settings.offloadBytes,
      ackId: (h: AckHandle) => c.acks.idFor(h),
      storedContent: (claim, offset, size) => {
        const id = c.content.stored(claim, offset, size);
        return id !== undefined && gone.has(id) ? undefined : id;
      },
      rememberContent: (claim, offset, size, id) => c.content.remember(claim, offset, size, id),
    });
  }

  applyCounters(v: { n: number; b: number }): void {
    const wasFull = this.isFull();
    this.remoteCount = v.n;
    this.remoteBytes = v.b;
    // Room again downstream: processors held off by back pressure may run (the scheduler sleeps meanwhile).
    if (wasFull && !this.isFull()) this.onAvailable?.();
  }

  // ---- reading ----

  get isConsuming(): boolean { return this.consuming; }

  /** Starts or stops leasing jobs (the destination processor runs on this node, or not). */
  async setConsuming(on: boolean): Promise<void> {
    if (on === this.consuming || this.closed) return;
    this.consuming = on;
    if (on) {
      const s = this.ctx.settings;
      const w = new Worker<BatchData>(this.queueName, (job, token) => this.process(job, token), {
        connection: this.ctx.redis,
        prefix: this.ctx.keys.prefix,
        concurrency: s.prefetch,
        lockDuration: s.jobLockMs,
        stalledInterval: s.stalledIntervalMs,
        maxStalledCount: MAX_STALLS,
        drainDelay: 2,
        autorun: true,
      });
      w.on('error', (e) => this.log.warn({}, `BullMQ worker error: ${e.message}`));
      w.on('completed', (job) => { if (job.id) this.settleLater(job.id); });
      this.worker = w;
      return;
    }
    const w = this.worker;
    this.worker = null;
    if (!w) return;
    await w.pause(true).catch(() => undefined);
    await this.returnLeased();
    await w.close();
    await this.flushSettles();
  }

  private async process(job: Job<BatchData>, token: string | undefined): Promise<void> {
    if (!this.consuming || !token) {
      if (token) await job.moveToWait(token);
      throw new WaitingError();
    }
    const data = job.data;
    const contents = await this.ctx.content.fetch(data?.k ?? []);
    const proxies = new Map<string, RemoteAck>();
    let decoded: ReturnType<typeof decodeBatch>;
    try {
      decoded = decodeBatch(data, {
        ack: (id) => { let p = proxies.get(id); if (!p) proxies.set(id, (p = this.ctx.acks.proxy(id))); return p; },
        content: (id) => contents.get(id),
      });
    } catch (e) {
      // Not a batch this version understands: kept in BullMQ's failed set for inspection, uncounted, acks failed.
      const reason = `job ${job.id} in connection "${this.id}" cannot be read: ${(e as Error).message}`;
      this.ctx.warn(reason);
      if (job.id) this.applyCounters(await this.ctx.ledger.settle(this.countersKey, this.ledgerKey, [job.id], reason));
      throw e;
    }
    const { flowFiles, missing } = decoded;
    if (job.stalledCounter > 0) {
      this.ctx.counters.redelivered += flowFiles.length;
      this.ctx.counters.redeliveredJobs++;
    }
    if (missing.length) {
      this.ctx.counters.contentMissing += missing.length;
      this.ctx.warn(`${missing.length} FlowFile(s) in connection "${this.id}" were dropped: their offloaded content expired in Redis`);
      for (const i of missing) {
        const ref = data.f[i][9];
        if (ref === null) continue;
        for (const x of typeof ref === 'number' ? [ref] : ref) this.ctx.acks.proxy(data.h[x]).fail(`content of ${data.f[i][0]} expired in Redis`);
      }
    }
    if (!this.consuming) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (flowFiles.length === 0) return;
    return new Promise<void>((resolve, reject) => {
      const open = new Map<string, number>();
      const entry: JobEntry = { job, token, open, resolve, reject };
      let k = 0;
      for (let i = 0; i < data.f.length; i++) {
        if (k < missing.length && missing[k] === i) { k++; continue; }
        open.set(data.f[i][0], i);
      }
      for (const ff of flowFiles) {
        this.byId.set(ff.id, entry);
        this.local.push(ff);
      }
      this.entries.add(entry);
      this.onAvailable?.();
    });
  }

  /** Gives leased jobs back: untouched ones as they are, partly done ones rewritten to what is left. */
  private async returnLeased(): Promise<void> {
    this.local.clear();
    const entries = [...this.entries];
    this.entries.clear();
    this.byId.clear();
    if (entries.length === 0) return;
    await this.ctx.barrier();
    await Promise.all(entries.map(async (e) => {
      const data = e.job.data;
      try {
        if (e.open.size < data.f.length) {
          const keep = [...e.open.values()].sort((a, b) => a - b);
          await e.job.updateData(subsetBatch(data, keep));
          await this.ctx.ledger.replace(this.countersKey, this.ledgerKey, e.job.id!, accountingOf(data, keep));
        }
        await e.job.moveToWait(e.token);
      } catch (err) {
        this.log.warn({}, `could not return job ${e.job.id}: ${(err as Error).message} (it goes back to the queue when its lock expires)`);
      }
      e.reject(new WaitingError());
    }));
  }

  private settleLater(jobId: string): void {
    this.ctx.counters.jobsCompleted++;
    this.toSettle.push(jobId);
    if (!this.settling) this.settling = new Promise<void>((r) => setImmediate(r)).then(() => this.settleLoop());
  }

  private async settleLoop(): Promise<void> {
    try {
      while (this.toSettle.length) {
        const ids = this.toSettle;
        this.toSettle = [];
        for (let attempt = 1; ; attempt++) {
          try {
            this.applyCounters(await this.ctx.ledger.settle(this.countersKey, this.ledgerKey, ids));
            break;
          } catch (e) {
            // Connection trouble waits inside ioredis; an error here is Redis refusing the script.
            if (attempt >= 5) {
              this.log.error({ jobs: ids }, `settling ${ids.length} completed job(s) failed; leaving them to reconciliation: ${(e as Error).message}`);
              break;
            }
            this.log.warn({}, `settling ${ids.length} job(s) failed, retrying: ${(e as Error).message}`);
            await new Promise((r) => setTimeout(r, 200 * attempt));
          }
        }
      }
    } finally {
      this.settling = null;
    }
  }

  private async flushSettles(): Promise<void> {
    while (this.settling) await this.settling;
  }

  /** Writes what is buffered, gives leased jobs back, and closes the BullMQ connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.setConsuming(false);
    if (this.flushTimer) { clearTimeout(this.flushTimer); this.flushTimer = null; }
    if (this.pendingOut.length && !this.flushing) this.flushing = this.flushLoop();
    while (this.flushing) await this.flushing;
    this.closed = true;
    await this.flushSettles();
    await this.bull?.close();
    this.bull = null;
  }
}
