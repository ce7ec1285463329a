// Idempotent-producer bookkeeping: producer ids/epochs and per-partition sequence numbers, used to
// drop duplicate retries and reject out-of-order or fenced batches like Kafka does.
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import type { BatchHeader } from '../records/batch.ts';

interface SeqState {
  epoch: number;
  lastSeq: number;
  /** most recent batches (Kafka keeps 5) for duplicate detection */
  recent: { firstSeq: number; lastSeq: number; baseOffset: number }[];
}

const INT32_MAX = 0x7fffffff;

export class ProducerStateManager {
  /** seeded from the clock so ids do not collide with ones in a persisted log after a restart */
  private nextId = Date.now() * 10;
  private readonly epochs = new Map<number, number>();
  private readonly seqs = new Map<string, SeqState>();

  allocateProducerId(): number {
    const id = this.nextId++;
    this.epochs.set(id, 0);
    return id;
  }

  /** Registers a (new) epoch for a producer id; older epochs are fenced from then on. */
  setEpoch(producerId: number, epoch: number): void {
    this.epochs.set(producerId, epoch);
  }

  epochOf(producerId: number): number | undefined {
    return this.epochs.get(producerId);
  }

  /**
   * Checks a batch before append. Returns the offset of an already-appended identical batch
   * (a retry) or null when the batch should be appended. Throws KafkaError when rejected.
   */
  check(tp: string, h: BatchHeader): number | null {
    if (h.producerId < 0) return null;
    const known = this.epochs.get(h.producerId);
    if (known !== undefined && h.producerEpoch < known) {
      throw new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, `producer ${h.producerId} epoch ${h.producerEpoch} is fenced by ${known}`);
    }
    if (h.baseSequence < 0) return null;
    const s = this.seqs.get(`${h.producerId}:${tp}`);
    if (!s) return null; // no state (e.g. broker restarted): accept
    if (h.producerEpoch > s.epoch) {
      if (h.baseSequence !== 0) throw new KafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `new epoch must start at sequence 0, got ${h.baseSequence}`);
      return null;
    }
    const lastSeq = seqAdd(h.baseSequence, h.lastOffsetDelta);
    const dup = s.recent.find((r) => r.firstSeq === h.baseSequence && r.lastSeq === lastSeq);
    if (dup) return dup.baseOffset;
    if (h.baseSequence !== seqAdd(s.lastSeq, 1)) {
      throw new KafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `expected sequence ${seqAdd(s.lastSeq, 1)}, got ${h.baseSequence}`);
    }
    return null;
  }

  /** Records an appended batch. */
  record(tp: string, h: BatchHeader, baseOffset: number): void {
    if (h.producerId < 0 || h.baseSequence < 0) return;
    const key = `${h.producerId}:${tp}`;
    let s = this.seqs.get(key);
    if (!s || h.producerEpoch > s.epoch) this.seqs.set(key, (s = { epoch: h.producerEpoch, lastSeq: -1, recent: [] }));
    s.lastSeq = seqAdd(h.baseSequence, h.lastOffsetDelta);
    s.recent.push({ firstSeq: h.baseSequence, lastSeq: s.lastSeq, baseOffset });
    if (s.recent.length > 5) s.recent.shift();
    if (!this.epochs.has(h.producerId)) this.epochs.set(h.producerId, h.producerEpoch);
  }
}

function seqAdd(seq: number, n: number): number {
  const v = seq + n;
  return v > INT32_MAX ? v - INT32_MAX - 1 : v;
}
