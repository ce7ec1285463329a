// ListOffsets: -1 latest (LSO for read_committed), -2 earliest, -3 max timestamp (v7), or the
// first offset whose timestamp >= the given time. v0 answers with OldStyleOffsets.
import { ErrorCode } from '../protocol/errors.ts';
import type { Msg } from '../protocol/messages.ts';
import type { Handler } from './types.ts';

export const LATEST = -1;
export const EARLIEST = -2;
export const MAX_TIMESTAMP = -3;

export const handleListOffsets: Handler = (b, req, ctx) => ({
  ThrottleTimeMs: 0,
  Topics: (req.Topics as Msg[]).map((t) => ({
    Name: t.Name,
    Partitions: (t.Partitions as Msg[]).map((p) => {
      const log = b.topics.partition(t.Name, p.PartitionIndex);
      if (!log) return { PartitionIndex: p.PartitionIndex, ErrorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, OldStyleOffsets: [], Timestamp: -1, Offset: -1, LeaderEpoch: -1 };
      let offset = -1;
      let timestamp = -1;
      const ts = p.Timestamp as number;
      if (ts === LATEST) offset = req.IsolationLevel === 1 ? log.lastStableOffset : log.highWatermark;
      else if (ts === EARLIEST) offset = log.logStartOffset;
      else if (ts === MAX_TIMESTAMP && ctx.apiVersion >= 7) {
        const r = log.maxTimestampOffset();
        if (r) ({ offset, timestamp } = r);
      } else if (ts >= 0) {
        const r = log.offsetForTimestamp(ts);
        if (r) ({ offset, timestamp } = r);
      } else {
        return { PartitionIndex: p.PartitionIndex, ErrorCode: ErrorCode.INVALID_REQUEST, OldStyleOffsets: [], Timestamp: -1, Offset: -1, LeaderEpoch: -1 };
      }
      return {
        PartitionIndex: p.PartitionIndex,
        ErrorCode: 0,
        OldStyleOffsets: offset >= 0 ? [offset] : [],
        Timestamp: timestamp,
        Offset: offset,
        LeaderEpoch: 0,
      };
    }),
  })),
});
