// Transaction coordinator: transactional ids -> producer id/epoch, the partitions and groups of the
// open transaction, and EndTxn, which writes COMMIT/ABORT control batches (markers) to every
// partition and applies transactional offset commits on commit. Read-committed fetches then stop
// at the last stable offset and get the aborted-transaction list (see handlers/fetch.ts).
import { ErrorCode } from '../protocol/errors.ts';
import type { ProducerStateManager } from './producer-state.ts';

type TxnStatus = 'Empty' | 'Ongoing' | 'CompleteCommit' | 'CompleteAbort';

interface PendingOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
}

interface TxnState {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  status: TxnStatus;
  timeoutMs: number;
  partitions: Map<string, { topic: string; partition: number }>;
  pendingOffsets: Map<string, PendingOffset[]>;
  timer: NodeJS.Timeout | null;
}

export interface TxnHooks {
  producers: ProducerStateManager;
  /** append a control batch to a partition */
  writeMarker(topic: string, partition: number, commit: boolean, producerId: number, producerEpoch: number): void;
  commitOffsets(groupId: string, offsets: PendingOffset[]): void;
  partitionExists(topic: string, partition: number): boolean;
  log(msg: string): void;
}

export const MAX_TRANSACTION_TIMEOUT_MS = 900_000;

export class TxnCoordinator {
  private readonly txns = new Map<string, TxnState>();

  constructor(private readonly hooks: TxnHooks) {}

  initProducerId(
    transactionalId: string | null,
    timeoutMs: number,
    producerId: number,
    producerEpoch: number,
  ): { errorCode: number; producerId: number; producerEpoch: number } {
    const producers = this.hooks.producers;
    if (transactionalId === null || transactionalId === '') {
      // idempotent producer; v3+ may ask to bump the epoch of an existing id (KIP-360)
      if (producerId >= 0) {
        const current = producers.epochOf(producerId);
        if (current !== undefined && current !== producerEpoch) return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, producerId: -1, producerEpoch: -1 };
        if (current !== undefined) {
          producers.setEpoch(producerId, current + 1);
          return { errorCode: 0, producerId, producerEpoch: current + 1 };
        }
      }
      return { errorCode: 0, producerId: producers.allocateProducerId(), producerEpoch: 0 };
    }
    if (timeoutMs <= 0 || timeoutMs > MAX_TRANSACTION_TIMEOUT_MS) return { errorCode: ErrorCode.INVALID_TRANSACTION_TIMEOUT, producerId: -1, producerEpoch: -1 };
    let t = this.txns.get(transactionalId);
    if (!t) {
      const id = producers.allocateProducerId();
      t = { transactionalId, producerId: id, producerEpoch: 0, status: 'Empty', timeoutMs, partitions: new Map(), pendingOffsets: new Map(), timer: null };
      this.txns.set(transactionalId, t);
    } else {
      if (producerId >= 0 && (producerId !== t.producerId || producerEpoch !== t.producerEpoch)) {
        return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, producerId: -1, producerEpoch: -1 };
      }
      if (t.status === 'Ongoing') this.complete(t, false, 'fenced by InitProducerId');
      t.producerEpoch++;
      t.timeoutMs = timeoutMs;
      t.status = 'Empty';
    }
    producers.setEpoch(t.producerId, t.producerEpoch);
    return { errorCode: 0, producerId: t.producerId, producerEpoch: t.producerEpoch };
  }

  private validate(transactionalId: string, producerId: number, producerEpoch: number): TxnState | number {
    const t = this.txns.get(transactionalId);
    if (!t || t.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (t.producerEpoch !== producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    return t;
  }

  private begin(t: TxnState): void {
    if (t.status === 'Ongoing') return;
    t.status = 'Ongoing';
    t.partitions.clear();
    t.pendingOffsets.clear();
    if (t.timer) clearTimeout(t.timer);
    t.timer = setTimeout(() => {
      t.timer = null;
      if (t.status !== 'Ongoing') return;
      this.complete(t, false, 'transaction timed out');
      t.producerEpoch++; // fence the timed-out producer
      this.hooks.producers.setEpoch(t.producerId, t.producerEpoch);
    }, t.timeoutMs);
    t.timer.unref();
  }

  addPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: { topic: string; partition: number }[]): number[] {
    const t = this.validate(transactionalId, producerId, producerEpoch);
    if (typeof t === 'number') return partitions.map(() => t);
    const missing = partitions.some((p) => !this.hooks.partitionExists(p.topic, p.partition));
    if (missing) {
      // Kafka fails the whole request: unknown partitions get their error, the rest OPERATION_NOT_ATTEMPTED (55)
      return partitions.map((p) => (this.hooks.partitionExists(p.topic, p.partition) ? 55 : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    }
    this.begin(t);
    for (const p of partitions) t.partitions.set(`${p.topic}\u0000${p.partition}`, p);
    return partitions.map(() => ErrorCode.NONE);
  }

  addOffsets(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): number {
    const t = this.validate(transactionalId, producerId, producerEpoch);
    if (typeof t === 'number') return t;
    if (!groupId) return ErrorCode.INVALID_GROUP_ID;
    this.begin(t);
    if (!t.pendingOffsets.has(groupId)) t.pendingOffsets.set(groupId, []);
    return ErrorCode.NONE;
  }

  txnOffsetCommit(transactionalId: string, groupId: string, producerId: number, producerEpoch: number, offsets: PendingOffset[]): number {
    const t = this.validate(transactionalId, producerId, producerEpoch);
    if (typeof t === 'number') return t;
    const list = t.pendingOffsets.get(groupId);
    if (t.status !== 'Ongoing' || !list) return ErrorCode.INVALID_TXN_STATE;
    list.push(...offsets);
    return ErrorCode.NONE;
  }

  endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): number {
    const t = this.validate(transactionalId, producerId, producerEpoch);
    if (typeof t === 'number') return t;
    if (t.status === 'CompleteCommit') return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE; // retried EndTxn
    if (t.status === 'CompleteAbort') return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
    if (t.status !== 'Ongoing') return ErrorCode.INVALID_TXN_STATE;
    this.complete(t, commit, 'EndTxn');
    return ErrorCode.NONE;
  }

  private complete(t: TxnState, commit: boolean, why: string): void {
    if (t.timer) clearTimeout(t.timer);
    t.timer = null;
    for (const p of t.partitions.values()) {
      if (this.hooks.partitionExists(p.topic, p.partition)) this.hooks.writeMarker(p.topic, p.partition, commit, t.producerId, t.producerEpoch);
    }
    if (commit) for (const [group, offsets] of t.pendingOffsets) if (offsets.length) this.hooks.commitOffsets(group, offsets);
    this.hooks.log(`txn ${t.transactionalId}: ${commit ? 'committed' : 'aborted'} (${why}), ${t.partitions.size} partition(s)`);
    t.partitions.clear();
    t.pendingOffsets.clear();
    t.status = commit ? 'CompleteCommit' : 'CompleteAbort';
  }

  close(): void {
    for (const t of this.txns.values()) if (t.timer) clearTimeout(t.timer);
  }
}
