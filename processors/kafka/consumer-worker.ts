// The kafkajs side of ConsumeKafka: one group consumer whose eachBatch callback fills a bounded
// buffer that onTrigger drains. It owns the offset trackers and commits acknowledged offsets,
// pauses partitions when the buffer is full (back pressure), follows rebalances, and turns a
// crashed consumer into a bulletin and a reconnect.
import type { Consumer, ConsumerConfig, EachBatchPayload, IMemberAssignment } from 'kafkajs';
import type { BulletinLevel } from '../../server/sdk/context.ts';
import type { Logger } from '../../server/engine/logger.ts';
import type { AckOutcome } from '../../server/engine/ack.ts';
import type { KafkaConnection } from './connection-service.ts';
import { OffsetTracker, type PartitionTracker, type Range } from './offset-tracker.ts';
import { RecordBuffer, type Segment } from './record-buffer.ts';

export type AutoOffsetReset = 'earliest' | 'latest' | 'none';

export interface ConsumerWorkerOptions {
  connection: KafkaConnection;
  groupId: string;
  topics: string[] | RegExp;
  autoOffsetReset: AutoOffsetReset;
  commitOffsets: boolean;
  maxUncommittedMs: number;
  /** Pause fetching once this many records wait in the buffer. */
  maxBufferedRecords: number;
  maxBufferedBytes: number;
  /** kafkajs consumer settings (session timeout, fetch sizes...). */
  consumerConfig: Partial<ConsumerConfig>;
  /** How long a partition waits before its dropped records are fetched again. */
  redeliveryDelayMs: number;
  bulletin(level: BulletinLevel, message: string): void;
  logger: Logger;
}

type TopicPartitions = { topic: string; partitions: number[] };

function groupByTopic(trackers: Iterable<PartitionTracker>): TopicPartitions[] {
  const m = new Map<string, number[]>();
  for (const t of trackers) {
    const list = m.get(t.topic);
    if (list) list.push(t.partition);
    else m.set(t.topic, [t.partition]);
  }
  return [...m].map(([topic, partitions]) => ({ topic, partitions }));
}

export class ConsumerWorker {
  readonly buffer = new RecordBuffer();
  readonly trackers = new OffsetTracker();
  private consumer: Consumer | null = null;
  /** Bumped whenever the kafkajs consumer is replaced or restarts: older callbacks are ignored. */
  private session = 0;
  private stopped = false;
  private assignment = new Map<string, Set<number>>();
  private pausedByUs = new Set<PartitionTracker>();
  private held = new Map<PartitionTracker, NodeJS.Timeout>();
  private commitTimer: NodeJS.Timeout | null = null;
  private committing: Promise<void> | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = 1000;
  private dataWaiters: (() => void)[] = [];
  /** Counters for tests and status. */
  readonly stats = { fetched: 0, duplicatesSkipped: 0, commits: 0, rebalances: 0, crashes: 0, redeliveries: 0, pauses: 0 };
  joinedGeneration = 0;
  private joinWaiters: (() => void)[] = [];

  constructor(private readonly opts: ConsumerWorkerOptions) {}

  get buffered(): number { return this.buffer.count; }
  get isStopped(): boolean { return this.stopped; }
  /** Partitions assigned at the last group join, as "topic-partition" strings. */
  assignedPartitions(): string[] {
    const out: string[] = [];
    for (const [topic, ps] of this.assignment) for (const p of ps) out.push(`${topic}-${p}`);
    return out.sort();
  }

  start(): void {
    void this.launch();
  }

  /** Resolves when the consumer next joins its group (or immediately if it already has). */
  joined(): Promise<void> {
    if (this.joinedGeneration > 0) return Promise.resolve();
    return new Promise((r) => this.joinWaiters.push(r));
  }

  private async launch(): Promise<void> {
    if (this.stopped) return;
    const session = ++this.session;
    const { connection, groupId } = this.opts;
    let consumer: Consumer;
    try {
      consumer = connection.consumer({
        groupId,
        allowAutoTopicCreation: true,
        // The Java client's fetch.max.wait.ms (kafkajs waits 5 s, which also delays every stop).
        maxWaitTimeInMs: 500,
        retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
        ...this.opts.consumerConfig,
      });
    } catch (e) {
      this.opts.bulletin('ERROR', `cannot create a Kafka consumer: ${(e as Error).message}`);
      return;
    }
    this.consumer = consumer;
    const { GROUP_JOIN, CRASH, REBALANCING } = consumer.events;
    consumer.on(GROUP_JOIN, (e) => {
      if (session === this.session) this.onJoin(e.payload.memberAssignment);
    });
    consumer.on(REBALANCING, () => {
      if (session !== this.session) return;
      this.stats.rebalances++;
      // Offsets of records already acknowledged are committed before the partitions move.
      void this.commitNow();
    });
    consumer.on(CRASH, (e) => {
      if (session === this.session) this.onCrash(e.payload.error, e.payload.restart);
    });
    try {
      await consumer.connect();
      if (this.opts.autoOffsetReset === 'none') await this.checkCommittedOffsets();
      const fromBeginning = this.opts.autoOffsetReset === 'earliest';
      await consumer.subscribe({ topics: Array.isArray(this.opts.topics) ? this.opts.topics : [this.opts.topics], fromBeginning });
      if (session !== this.session || this.stopped) return;
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.onBatch(session, payload),
      });
    } catch (e) {
      if (session !== this.session || this.stopped) return;
      this.opts.bulletin('ERROR', `Kafka consumer for group "${groupId}" could not start: ${(e as Error).message}; retrying in ${Math.round(this.reconnectDelay / 1000)} s`);
      this.scheduleReconnect();
    }
  }

  /** Auto Offset Reset "none": every partition must have a committed offset for the group. */
  private async checkCommittedOffsets(): Promise<void> {
    const admin = await this.opts.connection.admin();
    try {
      let topics: string[];
      if (Array.isArray(this.opts.topics)) topics = this.opts.topics;
      else {
        const re = this.opts.topics;
        topics = (await admin.listTopics()).filter((t) => re.test(t));
      }
      const missing: string[] = [];
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: this.opts.groupId, topics })) {
        for (const p of partitions) if (Number(p.offset) < 0) missing.push(`${topic}-${p.partition}`);
      }
      if (missing.length) throw new Error(`Auto Offset Reset is "none" and group "${this.opts.groupId}" has no committed offset for ${missing.join(', ')}`);
    } finally {
      await this.opts.connection.releaseAdmin(admin);
    }
  }

  private onJoin(memberAssignment: IMemberAssignment): void {
    const assignment = new Map<string, Set<number>>();
    for (const topic of Object.keys(memberAssignment)) assignment.set(topic, new Set(memberAssignment[topic]));
    this.assignment = assignment;
    const revoked = this.trackers.retain((t) => assignment.get(t.topic)?.has(t.partition) === true);
    for (const t of revoked) this.forget(t);
    // A rejoin after a rebalance keeps kafkajs's pause state, but re-apply ours to be sure.
    if (this.pausedByUs.size) this.pause([...this.pausedByUs]);
    this.joinedGeneration++;
    this.reconnectDelay = 1000;
    const w = this.joinWaiters;
    this.joinWaiters = [];
    for (const f of w) f();
  }

  private forget(t: PartitionTracker): void {
    this.buffer.discard(t);
    this.pausedByUs.delete(t);
    const h = this.held.get(t);
    if (h) { clearTimeout(h); this.held.delete(t); }
  }

  private async onBatch(session: number, { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const started = Date.now();
    if (session !== this.session || this.stopped || !isRunning() || isStale()) return;
    const { topic, partition, messages } = batch;
    if (!this.assignment.get(topic)?.has(partition)) return;
    if (messages.length === 0) return;
    const tracker = this.trackers.getOrCreate(topic, partition);
    let fresh = messages;
    const firstOffset = Number(messages[0].offset);
    if (firstOffset < tracker.nextOffset) {
      // Fetched again after a rebalance or restart of the fetch position: skip what we already hold.
      fresh = messages.filter((m) => tracker.accept(Number(m.offset)));
      this.stats.duplicatesSkipped += messages.length - fresh.length;
    } else {
      tracker.nextOffset = Number(messages[messages.length - 1].offset) + 1;
    }
    this.stats.fetched += fresh.length;
    this.buffer.push(tracker, fresh);
    // kafkajs fetches from the resolved offset, so resolving here moves the fetch position on.
    // What is committed is decided by the acknowledgements (the trackers), not by this.
    resolveOffset(messages[messages.length - 1].offset);
    if (this.buffer.count >= this.opts.maxBufferedRecords || this.buffer.bytes >= this.opts.maxBufferedBytes) {
      this.pause([tracker]);
    }
    this.notifyData();
    // kafkajs heartbeats after every batch; a batch that took long to hand over heartbeats here too.
    if (Date.now() - started > 1000) await heartbeat().catch(() => {});
  }

  private pause(trackers: PartitionTracker[]): void {
    const c = this.consumer;
    if (!c) return;
    const fresh = trackers.filter((t) => t.active);
    if (!fresh.length) return;
    for (const t of fresh) if (!this.pausedByUs.has(t)) { this.pausedByUs.add(t); this.stats.pauses++; }
    try { c.pause(groupByTopic(fresh)); } catch { /* not running yet */ }
  }

  private resume(trackers: PartitionTracker[]): void {
    const c = this.consumer;
    if (!c || !trackers.length) return;
    try { c.resume(groupByTopic(trackers)); } catch { /* not running */ }
  }

  private notifyData(): void {
    const w = this.dataWaiters;
    if (!w.length) return;
    this.dataWaiters = [];
    for (const f of w) f();
  }

  /** Resolves when records are buffered, or after `ms`. */
  waitForData(ms: number): Promise<void> {
    if (this.buffer.count > 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        const i = this.dataWaiters.indexOf(done);
        if (i >= 0) this.dataWaiters.splice(i, 1);
        resolve();
      }, ms);
      const done = () => { clearTimeout(t); resolve(); };
      this.dataWaiters.push(done);
    });
  }

  /** Takes up to `max` buffered records; resumes paused partitions once the buffer has room again. */
  take(max: number): Segment[] {
    const out = this.buffer.take(max);
    if (this.pausedByUs.size && this.buffer.count <= this.opts.maxBufferedRecords / 2 && this.buffer.bytes <= this.opts.maxBufferedBytes / 2) {
      const resumable = [...this.pausedByUs].filter((t) => !this.held.has(t));
      for (const t of resumable) this.pausedByUs.delete(t);
      this.resume(resumable.filter((t) => t.active));
    }
    return out;
  }

  /** The FlowFiles of a range reached a terminal outcome. */
  complete(range: Range, outcome: AckOutcome): void {
    const t = range.tracker;
    if (this.stopped || !t.active) return;
    if (outcome.ok) {
      if (t.ack(range) && this.opts.commitOffsets) this.scheduleCommit();
      return;
    }
    this.redeliver(range, `data was dropped: ${outcome.reason}`);
  }

  /** Abandons a range (and everything after it in its partition) and fetches it again. */
  redeliver(range: Range, why: string): void {
    const t = range.tracker;
    const from = t.fail(range);
    if (from < 0) return;
    this.stats.redeliveries++;
    this.buffer.discard(t, from);
    const c = this.consumer;
    this.opts.bulletin('WARNING', `records of ${t.topic}-${t.partition} from offset ${from} will be consumed again: ${why}`);
    if (!c) return;
    try {
      c.seek({ topic: t.topic, partition: t.partition, offset: String(from) });
    } catch { /* consumer restarting: it resumes from the committed offset anyway */ }
    // Hold the partition briefly so a flow that keeps dropping the data does not spin.
    this.pause([t]);
    const prev = this.held.get(t);
    if (prev) clearTimeout(prev);
    this.held.set(t, setTimeout(() => {
      this.held.delete(t);
      if (!t.active || this.stopped) return;
      this.pausedByUs.delete(t);
      this.resume([t]);
    }, this.opts.redeliveryDelayMs));
  }

  private scheduleCommit(): void {
    if (this.commitTimer || this.stopped) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = null;
      void this.commitNow();
    }, this.opts.maxUncommittedMs);
  }

  /** Commits every acknowledged offset not yet committed (one commit at a time). */
  commitNow(): Promise<void> {
    if (!this.opts.commitOffsets) return Promise.resolve();
    if (this.committing) return this.committing.then(() => this.commitNow());
    const c = this.consumer;
    const list = this.trackers.commitList();
    if (!c || list.length === 0) return Promise.resolve();
    const session = this.session;
    const p = (async () => {
      try {
        await c.commitOffsets(list);
        this.stats.commits++;
        for (const { topic, partition, offset } of list) {
          const t = this.trackers.get(topic, partition);
          if (t && Number(offset) > t.committed) t.committed = Number(offset);
        }
      } catch (e) {
        if (session !== this.session || this.stopped) return;
        this.opts.logger.warn({ err: e }, 'offset commit failed');
        this.opts.bulletin('WARNING', `committing offsets for group "${this.opts.groupId}" failed: ${(e as Error).message}; will retry`);
        this.scheduleCommit();
      }
    })().finally(() => { this.committing = null; });
    this.committing = p;
    return p;
  }

  private onCrash(error: Error, restart: boolean): void {
    this.stats.crashes++;
    const cause = (error as { cause?: Error }).cause;
    const detail = cause && cause.message !== error.message ? `${error.message} (${cause.message})` : error.message;
    // Whatever was buffered or in flight is fetched again by the new consumer session.
    this.reset();
    if (this.stopped) return;
    if (restart) {
      // kafkajs rejoins the group with the same callbacks; the next group join sets the assignment.
      this.opts.bulletin('ERROR', `Kafka consumer for group "${this.opts.groupId}" crashed: ${detail}; kafkajs is restarting it`);
      return;
    }
    this.opts.bulletin('ERROR', `Kafka consumer for group "${this.opts.groupId}" crashed: ${detail}; reconnecting in ${Math.round(this.reconnectDelay / 1000)} s`);
    this.scheduleReconnect();
  }

  private reset(): void {
    this.buffer.clear();
    this.trackers.retain(() => false);
    this.pausedByUs.clear();
    for (const t of this.held.values()) clearTimeout(t);
    this.held.clear();
    this.assignment = new Map();
    if (this.commitTimer) { clearTimeout(this.commitTimer); this.commitTimer = null; }
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, 30_000);
    const old = this.consumer;
    this.consumer = null;
    this.session++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void (async () => {
        if (old) await this.opts.connection.releaseConsumer(old);
        if (this.stopped) return;
        if (this.opts.connection.isClosed) {
          this.opts.bulletin('ERROR', 'the Kafka Connection Service was disabled; the consumer stays stopped');
          return;
        }
        await this.launch();
      })();
    }, delay);
  }

  /** Commits what was acknowledged and leaves the group. Records still in flight are consumed again later. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    if (this.commitTimer) { clearTimeout(this.commitTimer); this.commitTimer = null; }
    if (this.reconnectTimer) { clearTimeout(this.reconnectTimer); this.reconnectTimer = null; }
    let timer: NodeJS.Timeout | undefined;
    try {
      if (this.committing) await this.committing;
      await Promise.race([this.commitNow(), new Promise((r) => { timer = setTimeout(r, 5000); })]);
    } catch { /* reported by commitNow */ } finally {
      clearTimeout(timer);
    }
    this.stopped = true;
    this.session++;
    this.notifyData();
    const c = this.consumer;
    this.consumer = null;
    this.reset();
    if (c) await this.opts.connection.releaseConsumer(c);
  }
}
