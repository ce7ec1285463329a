// OffsetCommit / OffsetFetch against the offset store, validated by the group coordinator.
import type { BrokerCore } from '../core.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { Msg } from '../protocol/messages.ts';
import type { Handler } from './types.ts';

const MAX_METADATA = 4096; // offset.metadata.max.bytes

export const handleOffsetCommit: Handler = (b, req) => {
  const groupError = b.groups.validateCommit(req.GroupId, req.GenerationIdOrMemberEpoch, req.MemberId ?? '');
  const now = Date.now();
  return {
    ThrottleTimeMs: 0,
    Topics: (req.Topics as Msg[]).map((t) => ({
      Name: t.Name,
      Partitions: (t.Partitions as Msg[]).map((p) => {
        let code: number = groupError;
        if (code === 0 && !b.topics.partition(t.Name, p.PartitionIndex)) code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        if (code === 0 && p.CommittedMetadata && Buffer.byteLength(p.CommittedMetadata) > MAX_METADATA) code = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        if (code === 0) {
          b.offsets.commit(req.GroupId, t.Name, p.PartitionIndex, {
            offset: p.CommittedOffset,
            metadata: p.CommittedMetadata ?? null,
            leaderEpoch: p.CommittedLeaderEpoch ?? -1,
            commitTimestamp: p.CommitTimestamp > 0 ? p.CommitTimestamp : now,
          });
        }
        return { PartitionIndex: p.PartitionIndex, ErrorCode: code };
      }),
    })),
  };
};

function fetchGroup(b: BrokerCore, groupId: string, topics: Msg[] | null): Msg[] {
  const partition = (topic: string, index: number) => {
    const c = b.offsets.get(groupId, topic, index);
    return {
      PartitionIndex: index,
      CommittedOffset: c ? c.offset : -1,
      CommittedLeaderEpoch: c ? c.leaderEpoch : -1,
      Metadata: c ? (c.metadata ?? '') : '',
      ErrorCode: 0,
    };
  };
  if (topics === null) {
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition: p } of b.offsets.list(groupId)) {
      if (!byTopic.has(topic)) byTopic.set(topic, []);
      byTopic.get(topic)!.push(p);
    }
    return [...byTopic].map(([name, parts]) => ({ Name: name, Partitions: parts.sort((x, y) => x - y).map((p) => partition(name, p)) }));
  }
  return topics.map((t) => ({ Name: t.Name, Partitions: (t.PartitionIndexes as number[]).map((p) => partition(t.Name, p)) }));
}

export const handleOffsetFetch: Handler = (b, req, ctx) => {
  if (ctx.apiVersion >= 8) {
    return {
      ThrottleTimeMs: 0,
      Groups: (req.Groups as Msg[]).map((g) => ({
        GroupId: g.GroupId,
        Topics: g.GroupId ? fetchGroup(b, g.GroupId, g.Topics) : [],
        ErrorCode: g.GroupId ? 0 : ErrorCode.INVALID_GROUP_ID,
      })),
    };
  }
  if (!req.GroupId) return { ThrottleTimeMs: 0, Topics: [], ErrorCode: ErrorCode.INVALID_GROUP_ID };
  return { ThrottleTimeMs: 0, Topics: fetchGroup(b, req.GroupId, req.Topics), ErrorCode: 0 };
};
