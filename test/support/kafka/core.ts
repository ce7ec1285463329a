// Broker state shared by the request handlers: topics/logs, committed offsets, the group and
// transaction coordinators, producer state and the long-poll wake-up registry.
import { mkdirSync } from 'node:fs';
import { GroupCoordinator } from './group/coordinator.ts';
import { buildControlBatch } from './records/batch.ts';
import { OffsetStore } from './storage/offset-store.ts';
import type { PartitionLog } from './storage/partition-log.ts';
import { TopicStore } from './storage/topic-store.ts';
import { TxnCoordinator } from './txn/coordinator.ts';
import { ProducerStateManager } from './txn/producer-state.ts';

export interface BrokerOptions {
  /** 0 (default) = ephemeral */
  port?: number;
  /** listen address (default 127.0.0.1) */
  host?: string;
  /** host advertised in Metadata/FindCoordinator (default: host, or 127.0.0.1 for 0.0.0.0/::) */
  advertisedHost?: string;
  /** persist topics, logs and committed offsets here */
  dataDir?: string;
  /** partitions of auto-created topics and CreateTopics with -1 (default 3) */
  defaultPartitions?: number;
  /** auto-create topics on Metadata/Produce (default true) */
  autoCreateTopics?: boolean;
  /** largest accepted record batch, Kafka's message.max.bytes (default 1048588) */
  maxMessageBytes?: number;
  /** group.min.session.timeout.ms (default 6000, like Kafka) */
  minSessionTimeoutMs?: number;
  /** group.initial.rebalance.delay.ms (default 0; Kafka uses 3000) */
  initialRebalanceDelayMs?: number;
  /** true or a function to get debug logs (also env KAFKA_TEST_BROKER_DEBUG=1) */
  log?: boolean | ((msg: string) => void);
}

export const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class BrokerCore {
  readonly nodeId = 1;
  readonly clusterId = 'sluice-kafka-test-cluster';
  host: string;
  advertisedHost: string;
  port = 0;
  readonly autoCreateTopics: boolean;
  readonly maxMessageBytes: number;
  readonly topics: TopicStore;
  readonly offsets: OffsetStore;
  readonly groups: GroupCoordinator;
  readonly producers = new ProducerStateManager();
  readonly txns: TxnCoordinator;
  readonly log: (msg: string) => void;
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  constructor(opts: BrokerOptions = {}) {
    this.host = opts.host ?? '127.0.0.1';
    this.advertisedHost = opts.advertisedHost ?? (this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host);
    this.autoCreateTopics = opts.autoCreateTopics ?? true;
    this.maxMessageBytes = opts.maxMessageBytes ?? 1_048_588;
    const debug = opts.log === true || process.env.KAFKA_TEST_BROKER_DEBUG === '1';
    this.log = typeof opts.log === 'function' ? opts.log : debug ? (m) => console.error(`[kafka-test-broker] ${m}`) : () => {};
    if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
    this.topics = new TopicStore(opts.dataDir ?? null, opts.defaultPartitions ?? 3);
    this.offsets = new OffsetStore(opts.dataDir ?? null);
    this.groups = new GroupCoordinator({
      minSessionTimeoutMs: opts.minSessionTimeoutMs,
      initialRebalanceDelayMs: opts.initialRebalanceDelayMs,
      log: this.log,
    });
    this.txns = new TxnCoordinator({
      producers: this.producers,
      writeMarker: (topic, partition, commit, pid, epoch) => {
        const log = this.topics.partition(topic, partition);
        if (!log) return;
        log.append(buildControlBatch(commit, pid, epoch));
        this.notifyAppend(topic, partition);
      },
      commitOffsets: (group, list) => {
        const now = Date.now();
        for (const o of list) this.offsets.commit(group, o.topic, o.partition, { offset: o.offset, metadata: o.metadata, leaderEpoch: -1, commitTimestamp: now });
      },
      partitionExists: (topic, partition) => !!this.topics.partition(topic, partition),
      log: this.log,
    });
    // transactions left open by a previous run can never complete: abort them
    for (const t of this.topics.topics.values()) {
      for (const p of t.partitions) for (const [pid] of p.ongoingTxns) this.appendMarker(p, false, pid);
    }
  }

  private appendMarker(log: PartitionLog, commit: boolean, pid: number): void {
    log.append(buildControlBatch(commit, pid, 0));
  }

  notifyAppend(topic: string, partition: number): void {
    const set = this.waiters.get(tpKey(topic, partition));
    if (set) for (const wake of [...set]) wake();
  }

  /** Wakes every waiter of a topic (used when it is deleted). */
  notifyTopic(topic: string): void {
    for (const [k, set] of this.waiters) if (k.startsWith(`${topic}\u0000`)) for (const wake of [...set]) wake();
  }

  /**
   * Long poll: resolves when `ready()` turns true after an append to one of `keys`, after
   * `timeoutMs`, or when `abort` fires / the broker closes.
   */
  waitForData(keys: string[], timeoutMs: number, ready: () => boolean, abort?: AbortSignal): Promise<void> {
    if (this.closed || timeoutMs <= 0 || abort?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        abort?.removeEventListener('abort', finish);
        for (const k of keys) {
          const set = this.waiters.get(k);
          set?.delete(wake);
          if (set && set.size === 0) this.waiters.delete(k);
        }
        this.waiters.get('*')?.delete(finish);
        resolve();
      };
      const wake = () => {
        if (ready()) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      abort?.addEventListener('abort', finish);
      for (const k of keys) {
        let set = this.waiters.get(k);
        if (!set) this.waiters.set(k, (set = new Set()));
        set.add(wake);
      }
      let all = this.waiters.get('*');
      if (!all) this.waiters.set('*', (all = new Set()));
      all.add(finish);
    });
  }

  deleteTopic(name: string): void {
    this.topics.delete(name);
    this.offsets.deleteTopic(name);
    this.notifyTopic(name);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const finish of [...(this.waiters.get('*') ?? [])]) finish();
    this.groups.close();
    this.txns.close();
    this.topics.close();
    this.offsets.close();
  }
}
