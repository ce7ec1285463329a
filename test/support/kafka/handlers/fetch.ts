// Fetch: serves stored batches by reference (no record decoding), long-polls until MinBytes are
// available or MaxWaitMs passes, and for read_committed (IsolationLevel 1) stops at the last stable
// offset and lists the aborted transactions in range. No incremental fetch sessions (SessionId 0).
import { tpKey, type BrokerCore } from '../core.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { Msg } from '../protocol/messages.ts';
import { OFF } from '../records/batch.ts';
import type { Handler } from './types.ts';

interface Built {
  msg: Msg;
  bytes: number;
  hasError: boolean;
}

const TWO_32 = 0x1_0000_0000;

function lastOffsetOf(batch: Buffer): number {
  return batch.readInt32BE(0) * TWO_32 + batch.readUInt32BE(4) + batch.readInt32BE(OFF.lastOffsetDelta);
}

function build(b: BrokerCore, req: Msg): Built {
  const readCommitted = req.IsolationLevel === 1;
  let remaining = req.MaxBytes > 0 ? req.MaxBytes : 0x7fffffff;
  let total = 0;
  let hasError = false;
  const responses = (req.Topics as Msg[]).map((t) => ({
    Topic: t.Topic,
    Partitions: (t.Partitions as Msg[]).map((p) => {
      const res: Msg = {
        PartitionIndex: p.Partition,
        ErrorCode: 0,
        HighWatermark: -1,
        LastStableOffset: -1,
        LogStartOffset: -1,
        AbortedTransactions: null,
        PreferredReadReplica: -1,
        Records: null,
      };
      const log = b.topics.partition(t.Topic, p.Partition);
      if (!log) {
        res.ErrorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        hasError = true;
        return res;
      }
      res.HighWatermark = log.highWatermark;
      res.LastStableOffset = log.lastStableOffset;
      res.LogStartOffset = log.logStartOffset;
      if (p.FetchOffset < log.logStartOffset || p.FetchOffset > log.highWatermark) {
        res.ErrorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
        hasError = true;
        return res;
      }
      const upper = readCommitted ? log.lastStableOffset : log.highWatermark;
      // the first batch of the first non-empty partition is always returned (KIP-74)
      const { chunks, bytes } = log.read(p.FetchOffset, Math.min(p.PartitionMaxBytes, remaining), upper, total === 0 ? Infinity : remaining);
      total += bytes;
      remaining = Math.max(0, remaining - bytes);
      res.Records = chunks;
      if (readCommitted) {
        res.AbortedTransactions =
          chunks.length === 0
            ? []
            : log.abortedBetween(p.FetchOffset, lastOffsetOf(chunks[chunks.length - 1])).map((a) => ({ ProducerId: a.producerId, FirstOffset: a.firstOffset }));
      }
      return res;
    }),
  }));
  return { msg: { ThrottleTimeMs: 0, ErrorCode: 0, SessionId: 0, Responses: responses }, bytes: total, hasError };
}

function available(b: BrokerCore, req: Msg): number {
  let n = 0;
  for (const t of req.Topics as Msg[]) {
    for (const p of t.Partitions as Msg[]) {
      const log = b.topics.partition(t.Topic, p.Partition);
      if (!log) return Infinity; // topic deleted meanwhile: answer now
      const upper = req.IsolationLevel === 1 ? log.lastStableOffset : log.highWatermark;
      n += Math.min(p.PartitionMaxBytes, log.bytesAvailable(p.FetchOffset, upper));
    }
  }
  return n;
}

export const handleFetch: Handler = async (b, req, ctx) => {
  if (ctx.apiVersion >= 7 && req.SessionId !== 0) {
    return { ThrottleTimeMs: 0, ErrorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, SessionId: 0, Responses: [] };
  }
  const first = build(b, req);
  const minBytes = req.MinBytes as number;
  if (first.hasError || minBytes <= 0 || first.bytes >= minBytes || req.MaxWaitMs <= 0) return first.msg;
  const keys: string[] = [];
  for (const t of req.Topics as Msg[]) for (const p of t.Partitions as Msg[]) keys.push(tpKey(t.Topic, p.Partition));
  if (keys.length === 0) {
    await b.waitForData([], req.MaxWaitMs, () => false, ctx.abort);
    return first.msg;
  }
  await b.waitForData(keys, req.MaxWaitMs, () => available(b, req) >= minBytes, ctx.abort);
  return build(b, req).msg;
};
