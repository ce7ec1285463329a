// RecordBatch v2 (magic 2): header access/validation for the broker's hot path (no record
// decoding), plus a small encoder/decoder for records used by control batches, timestamp lookups
// and tests.
import { gunzipSync, gzipSync } from 'node:zlib';
import { Reader, Writer } from '../protocol/codec.ts';
import { crc32c } from './crc32c.ts';

export const BATCH_HEADER_SIZE = 61;
export const OFF = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
} as const;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_TIMESTAMP_TYPE = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

const TWO_32 = 0x1_0000_0000;
function readInt64(b: Buffer, p: number): number {
  return b.readInt32BE(p) * TWO_32 + b.readUInt32BE(p + 4);
}
function writeInt64(b: Buffer, p: number, v: number): void {
  b.writeBigInt64BE(BigInt(v), p);
}

export interface BatchHeader {
  baseOffset: number;
  /** total size in bytes, including baseOffset and batchLength */
  size: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

export class BatchError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  return {
    baseOffset: readInt64(buf, pos + OFF.baseOffset),
    size: buf.readInt32BE(pos + OFF.batchLength) + 12,
    magic: buf.readInt8(pos + OFF.magic),
    crc: buf.readUInt32BE(pos + OFF.crc),
    attributes: buf.readInt16BE(pos + OFF.attributes),
    lastOffsetDelta: buf.readInt32BE(pos + OFF.lastOffsetDelta),
    baseTimestamp: readInt64(buf, pos + OFF.baseTimestamp),
    maxTimestamp: readInt64(buf, pos + OFF.maxTimestamp),
    producerId: readInt64(buf, pos + OFF.producerId),
    producerEpoch: buf.readInt16BE(pos + OFF.producerEpoch),
    baseSequence: buf.readInt32BE(pos + OFF.baseSequence),
    recordsCount: buf.readInt32BE(pos + OFF.recordsCount),
  };
}

/** Rewrites baseOffset (not covered by the CRC, so no re-checksum is needed). */
export function setBaseOffset(batch: Buffer, offset: number): void {
  writeInt64(batch, OFF.baseOffset, offset);
}

export function setPartitionLeaderEpoch(batch: Buffer, epoch: number): void {
  batch.writeInt32BE(epoch, OFF.partitionLeaderEpoch);
}

/**
 * Splits the `records` bytes of a produce request into batches, validating framing, magic and CRC.
 * Error codes: CORRUPT_MESSAGE (2), UNSUPPORTED_FOR_MESSAGE_FORMAT (43), INVALID_RECORD (87).
 */
export function splitBatches(records: Buffer, verifyCrc = true): { header: BatchHeader; bytes: Buffer }[] {
  const out: { header: BatchHeader; bytes: Buffer }[] = [];
  let pos = 0;
  while (pos < records.length) {
    if (records.length - pos < 17) throw new BatchError(2, 'truncated record batch');
    const magic = records.readInt8(pos + OFF.magic);
    if (magic !== 2) throw new BatchError(43, `unsupported record batch magic ${magic} (only v2 is supported)`);
    if (records.length - pos < BATCH_HEADER_SIZE) throw new BatchError(2, 'truncated record batch header');
    const size = records.readInt32BE(pos + OFF.batchLength) + 12;
    if (size < BATCH_HEADER_SIZE || pos + size > records.length) throw new BatchError(2, `bad batch length ${size - 12}`);
    const bytes = records.subarray(pos, pos + size);
    const header = readBatchHeader(bytes);
    if (verifyCrc) {
      const actual = crc32c(bytes, OFF.attributes, size);
      if (actual !== header.crc) throw new BatchError(2, `record batch CRC mismatch (stored ${header.crc}, computed ${actual})`);
    }
    if (header.recordsCount < 0 || header.lastOffsetDelta < 0) throw new BatchError(87, 'negative record count / offset delta');
    out.push({ header, bytes });
    pos += size;
  }
  return out;
}

// ------------------------------------------------------------------ record level (not on the hot path)

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface Record {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface RecordInput {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  timestamp?: number;
  headers?: { [key: string]: Buffer | string | null } | RecordHeader[];
}

function toBuf(v: Buffer | string | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? Buffer.from(v) : v;
}

export interface BuildBatchOptions {
  baseOffset?: number;
  compression?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  partitionLeaderEpoch?: number;
}

export function buildBatch(records: RecordInput[], opts: BuildBatchOptions = {}): Buffer {
  if (records.length === 0) throw new Error('a batch needs at least one record');
  const now = Date.now();
  const timestamps = records.map((r) => r.timestamp ?? now);
  const baseTimestamp = Math.min(...timestamps);
  const maxTimestamp = Math.max(...timestamps);
  const body = new Writer(1024);
  records.forEach((rec, i) => {
    const w = new Writer(256);
    w.int8(0);
    w.varint(timestamps[i] - baseTimestamp);
    w.varint(i);
    const key = toBuf(rec.key);
    if (key === null) w.varint(-1);
    else w.varint(key.length).raw(key);
    const value = toBuf(rec.value);
    if (value === null) w.varint(-1);
    else w.varint(value.length).raw(value);
    const headers: RecordHeader[] = Array.isArray(rec.headers)
      ? rec.headers
      : Object.entries(rec.headers ?? {}).map(([k, v]) => ({ key: k, value: toBuf(v) }));
    w.varint(headers.length);
    for (const h of headers) {
      const hk = Buffer.from(h.key);
      w.varint(hk.length).raw(hk);
      if (h.value === null) w.varint(-1);
      else w.varint(h.value.length).raw(h.value);
    }
    const bytes = w.toBuffer();
    body.varint(bytes.length).raw(bytes);
  });
  let recordsBytes = body.toBuffer();
  const compression = opts.compression ?? 0;
  if (compression === Compression.gzip) recordsBytes = gzipSync(recordsBytes);
  else if (compression !== 0) throw new Error(`compression codec ${compression} not supported by the test encoder`);
  let attributes = compression;
  if (opts.transactional) attributes |= ATTR_TRANSACTIONAL;
  if (opts.control) attributes |= ATTR_CONTROL;

  const size = BATCH_HEADER_SIZE + recordsBytes.length;
  const b = Buffer.alloc(size);
  writeInt64(b, OFF.baseOffset, opts.baseOffset ?? 0);
  b.writeInt32BE(size - 12, OFF.batchLength);
  b.writeInt32BE(opts.partitionLeaderEpoch ?? 0, OFF.partitionLeaderEpoch);
  b.writeInt8(2, OFF.magic);
  b.writeInt16BE(attributes, OFF.attributes);
  b.writeInt32BE(records.length - 1, OFF.lastOffsetDelta);
  writeInt64(b, OFF.baseTimestamp, baseTimestamp);
  writeInt64(b, OFF.maxTimestamp, maxTimestamp);
  writeInt64(b, OFF.producerId, opts.producerId ?? -1);
  b.writeInt16BE(opts.producerEpoch ?? -1, OFF.producerEpoch);
  b.writeInt32BE(opts.baseSequence ?? -1, OFF.baseSequence);
  b.writeInt32BE(records.length, OFF.recordsCount);
  recordsBytes.copy(b, BATCH_HEADER_SIZE);
  b.writeUInt32BE(crc32c(b, OFF.attributes, size), OFF.crc);
  return b;
}

/** Control batch (transaction marker): key = version int16 0 + type int16 (0 abort, 1 commit). */
export function buildControlBatch(commit: boolean, producerId: number, producerEpoch: number, coordinatorEpoch = 0): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(commit ? 1 : 0, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return buildBatch([{ key, value }], { producerId, producerEpoch, transactional: true, control: true });
}

/** For a control batch: true = commit marker, false = abort marker, null if unreadable. */
export function controlBatchIsCommit(batch: Buffer): boolean | null {
  try {
    const recs = decodeBatchRecords(batch);
    const key = recs[0]?.key;
    if (!key || key.length < 4) return null;
    return key.readInt16BE(2) === 1;
  } catch {
    return null;
  }
}

export function batchRecordsPayload(batch: Buffer): Buffer {
  const attributes = batch.readInt16BE(OFF.attributes);
  const payload = batch.subarray(BATCH_HEADER_SIZE);
  const codec = attributes & ATTR_COMPRESSION_MASK;
  if (codec === 0) return payload;
  if (codec === Compression.gzip) return gunzipSync(payload);
  throw new Error(`compression codec ${codec} cannot be decoded by the test broker`);
}

export function decodeBatchRecords(batch: Buffer): Record[] {
  const h = readBatchHeader(batch);
  const payload = batchRecordsPayload(batch);
  const r = new Reader(payload);
  const out: Record[] = [];
  for (let i = 0; i < h.recordsCount; i++) {
    const len = r.varint();
    const end = r.pos + len;
    const rr = new Reader(payload, r.pos, end);
    rr.int8();
    const tsDelta = rr.varint();
    const offDelta = rr.varint();
    const kl = rr.varint();
    const key = kl < 0 ? null : Buffer.from(rr.raw(kl));
    const vl = rr.varint();
    const value = vl < 0 ? null : Buffer.from(rr.raw(vl));
    const hc = rr.varint();
    const headers: RecordHeader[] = [];
    for (let j = 0; j < hc; j++) {
      const hkl = rr.varint();
      const hk = rr.raw(hkl).toString('utf8');
      const hvl = rr.varint();
      headers.push({ key: hk, value: hvl < 0 ? null : Buffer.from(rr.raw(hvl)) });
    }
    out.push({ offset: h.baseOffset + offDelta, timestamp: h.baseTimestamp + tsDelta, key, value, headers });
    r.pos = end;
  }
  return out;
}

/** Decodes every batch in a records blob (e.g. a fetch response partition). Trailing partial batches are ignored. */
export function decodeRecordSet(records: Buffer): Record[] {
  const out: Record[] = [];
  let pos = 0;
  while (records.length - pos >= BATCH_HEADER_SIZE) {
    const size = records.readInt32BE(pos + OFF.batchLength) + 12;
    if (pos + size > records.length) break;
    const batch = records.subarray(pos, pos + size);
    if (!(batch.readInt16BE(OFF.attributes) & ATTR_CONTROL)) out.push(...decodeBatchRecords(batch));
    pos += size;
  }
  return out;
}
