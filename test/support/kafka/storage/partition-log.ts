// One partition's log: an in-memory list of raw RecordBatch v2 buffers (offsets assigned on
// append), optionally mirrored to an append-only file. Fetches slice stored buffers; records are
// never decoded on the produce/fetch path.
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_SIZE,
  OFF,
  controlBatchIsCommit,
  decodeBatchRecords,
  readBatchHeader,
  setBaseOffset,
  setPartitionLeaderEpoch,
} from '../records/batch.ts';

export interface BatchEntry {
  base: number;
  last: number;
  buf: Buffer;
  /** byte position of this batch in the log (sum of sizes of earlier batches) */
  pos: number;
  maxTimestamp: number;
}

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** offset of the abort marker */
  lastOffset: number;
}

export interface ReadResult {
  chunks: Buffer[];
  bytes: number;
}

export class PartitionLog {
  readonly entries: BatchEntry[] = [];
  logStartOffset = 0;
  nextOffset = 0;
  totalBytes = 0;
  /** producerId -> first offset of its open transaction on this partition */
  readonly ongoingTxns = new Map<number, number>();
  readonly abortedTxns: AbortedTxn[] = [];
  private fd: number | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly filePath: string | null = null,
  ) {
    if (filePath) {
      if (existsSync(filePath)) this.loadFile(filePath);
      this.fd = openSync(filePath, 'a');
    }
  }

  private loadFile(path: string): void {
    const data = readFileSync(path);
    let pos = 0;
    while (data.length - pos >= BATCH_HEADER_SIZE) {
      const size = data.readInt32BE(pos + OFF.batchLength) + 12;
      if (size < BATCH_HEADER_SIZE || pos + size > data.length) break;
      const buf = data.subarray(pos, pos + size);
      this.index(buf);
      pos += size;
    }
    if (pos < data.length) {
      // torn write at the tail (crash mid-append): drop it
      const fd = openSync(path, 'r+');
      ftruncateSync(fd, pos);
      closeSync(fd);
    }
  }

  /** Adds a batch whose baseOffset is already assigned, updating indexes and transaction state. */
  private index(buf: Buffer): BatchEntry {
    const h = readBatchHeader(buf);
    const entry: BatchEntry = { base: h.baseOffset, last: h.baseOffset + h.lastOffsetDelta, buf, pos: this.totalBytes, maxTimestamp: h.maxTimestamp };
    this.entries.push(entry);
    this.totalBytes += buf.length;
    this.nextOffset = entry.last + 1;
    if (h.attributes & ATTR_TRANSACTIONAL) {
      if (h.attributes & ATTR_CONTROL) {
        const first = this.ongoingTxns.get(h.producerId);
        this.ongoingTxns.delete(h.producerId);
        if (controlBatchIsCommit(buf) === false && first !== undefined) {
          this.abortedTxns.push({ producerId: h.producerId, firstOffset: first, lastOffset: entry.base });
        }
      } else if (!this.ongoingTxns.has(h.producerId)) {
        this.ongoingTxns.set(h.producerId, entry.base);
      }
    }
    return entry;
  }

  /** Appends a validated batch (the buffer is taken over and its baseOffset rewritten). */
  append(batch: Buffer): BatchEntry {
    setBaseOffset(batch, this.nextOffset);
    setPartitionLeaderEpoch(batch, 0);
    const entry = this.index(batch);
    if (this.fd !== null) writeSync(this.fd, batch);
    return entry;
  }

  get highWatermark(): number {
    return this.nextOffset;
  }

  /** First offset of the earliest open transaction, or the high watermark. */
  get lastStableOffset(): number {
    let lso = this.nextOffset;
    for (const first of this.ongoingTxns.values()) if (first < lso) lso = first;
    return lso;
  }

  /** Index of the first batch whose last offset >= offset. */
  private findIndex(offset: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].last < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Batches from the one containing `offset`, up to `maxBytes`, only batches entirely below
   * `upperBound` (the LSO for read_committed). The first batch is returned even when larger than
   * maxBytes if it fits in `firstBatchLimit` (KIP-74: an oversized batch must not block a consumer).
   */
  read(offset: number, maxBytes: number, upperBound: number, firstBatchLimit = maxBytes): ReadResult {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (let i = this.findIndex(offset); i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.last >= upperBound) break;
      const limit = chunks.length === 0 ? Math.max(maxBytes, firstBatchLimit) : maxBytes;
      if (bytes + e.buf.length > limit) break;
      chunks.push(e.buf);
      bytes += e.buf.length;
    }
    return { chunks, bytes };
  }

  /** Bytes a fetch from `offset` could return (bounded by upperBound), for long-poll minBytes checks. */
  bytesAvailable(offset: number, upperBound: number): number {
    const i = this.findIndex(offset);
    if (i >= this.entries.length) return 0;
    let j = this.entries.length;
    if (upperBound < this.nextOffset) j = this.findIndex(upperBound);
    if (j <= i) return 0;
    const end = j < this.entries.length ? this.entries[j].pos : this.totalBytes;
    return end - this.entries[i].pos;
  }

  /** Aborted transactions overlapping [from, to], ordered by first offset. */
  abortedBetween(from: number, to: number): AbortedTxn[] {
    return this.abortedTxns.filter((a) => a.lastOffset >= from && a.firstOffset <= to).sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** Earliest offset whose record timestamp >= ts (ListOffsets by time). */
  offsetForTimestamp(ts: number): { offset: number; timestamp: number } | null {
    for (const e of this.entries) {
      if (e.maxTimestamp < ts) continue;
      if (e.buf.readInt16BE(OFF.attributes) & ATTR_CONTROL) continue;
      try {
        for (const r of decodeBatchRecords(e.buf)) if (r.timestamp >= ts) return { offset: r.offset, timestamp: r.timestamp };
      } catch {
        return { offset: e.base, timestamp: e.maxTimestamp }; // codec we cannot decode: batch granularity
      }
    }
    return null;
  }

  /** Offset and timestamp of the record with the largest timestamp (ListOffsets -3). */
  maxTimestampOffset(): { offset: number; timestamp: number } | null {
    let best: BatchEntry | null = null;
    for (const e of this.entries) if (!best || e.maxTimestamp > best.maxTimestamp) best = e;
    if (!best) return null;
    try {
      for (const r of decodeBatchRecords(best.buf)) if (r.timestamp === best.maxTimestamp) return { offset: r.offset, timestamp: r.timestamp };
    } catch {
      /* fall through */
    }
    return { offset: best.last, timestamp: best.maxTimestamp };
  }

  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
