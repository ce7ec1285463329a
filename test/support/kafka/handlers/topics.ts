// Metadata (with topic auto-creation), CreateTopics and DeleteTopics.
import type { BrokerCore } from '../core.ts';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import type { Msg } from '../protocol/messages.ts';
import type { Topic } from '../storage/topic-store.ts';
import { NO_AUTHORIZED_OPERATIONS, type Handler } from './types.ts';

function errorOf(err: unknown): { code: number; message: string } {
  if (err instanceof KafkaError) return { code: err.code, message: err.message };
  return { code: ErrorCode.UNKNOWN_SERVER_ERROR, message: String((err as Error)?.message ?? err) };
}

function topicMetadata(b: BrokerCore, t: Topic): Msg {
  return {
    ErrorCode: 0,
    Name: t.name,
    TopicId: t.id,
    IsInternal: false,
    Partitions: t.partitions.map((_, i) => ({
      ErrorCode: 0,
      PartitionIndex: i,
      LeaderId: b.nodeId,
      LeaderEpoch: 0,
      ReplicaNodes: [b.nodeId],
      IsrNodes: [b.nodeId],
      OfflineReplicas: [],
    })),
    TopicAuthorizedOperations: NO_AUTHORIZED_OPERATIONS,
  };
}

export const handleMetadata: Handler = (b, req, ctx) => {
  const topics: Msg[] = [];
  const requested = req.Topics as Msg[] | null;
  if (requested === null || (ctx.apiVersion === 0 && requested.length === 0)) {
    for (const t of [...b.topics.topics.values()].sort((x, y) => x.name.localeCompare(y.name))) topics.push(topicMetadata(b, t));
  } else {
    const allowAuto = b.autoCreateTopics && req.AllowAutoTopicCreation !== false;
    for (const rt of requested) {
      const zeroId = !rt.TopicId || rt.TopicId.every((x: number) => x === 0);
      if ((rt.Name === null || rt.Name === undefined) && !zeroId) {
        const t = b.topics.getById(rt.TopicId);
        topics.push(t ? topicMetadata(b, t) : { ErrorCode: ErrorCode.UNKNOWN_TOPIC_ID, Name: null, TopicId: rt.TopicId, Partitions: [] });
        continue;
      }
      try {
        const t = b.topics.getOrCreate(rt.Name, allowAuto);
        if (t) topics.push(topicMetadata(b, t));
        else topics.push({ ErrorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, Name: rt.Name, Partitions: [], TopicAuthorizedOperations: NO_AUTHORIZED_OPERATIONS });
      } catch (err) {
        topics.push({ ErrorCode: errorOf(err).code, Name: rt.Name, Partitions: [], TopicAuthorizedOperations: NO_AUTHORIZED_OPERATIONS });
      }
    }
  }
  return {
    ThrottleTimeMs: 0,
    Brokers: [{ NodeId: b.nodeId, Host: b.advertisedHost, Port: b.port, Rack: null }],
    ClusterId: b.clusterId,
    ControllerId: b.nodeId,
    Topics: topics,
    ClusterAuthorizedOperations: NO_AUTHORIZED_OPERATIONS,
  };
};

export const handleCreateTopics: Handler = (b, req) => ({
  ThrottleTimeMs: 0,
  Topics: (req.Topics as Msg[]).map((rt) => {
    try {
      if (rt.ReplicationFactor !== -1 && rt.ReplicationFactor !== 1) {
        throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, `Replication factor: ${rt.ReplicationFactor} larger than available brokers: 1.`);
      }
      const n = rt.Assignments.length > 0 ? rt.Assignments.length : rt.NumPartitions;
      const configs: Record<string, string | null> = {};
      for (const c of rt.Configs as Msg[]) configs[c.Name] = c.Value;
      const t = b.topics.create(rt.Name, n, configs, !!req.validateOnly);
      if (t) b.log(`created topic ${t.name} (${t.partitions.length} partitions)`);
      return {
        Name: rt.Name,
        TopicId: t?.id,
        ErrorCode: 0,
        ErrorMessage: null,
        NumPartitions: t ? t.partitions.length : n === -1 ? b.topics.defaultPartitions : n,
        ReplicationFactor: 1,
        Configs: [],
      };
    } catch (err) {
      const e = errorOf(err);
      return { Name: rt.Name, ErrorCode: e.code, ErrorMessage: e.message, NumPartitions: -1, ReplicationFactor: -1, Configs: null };
    }
  }),
});

export const handleDeleteTopics: Handler = (b, req, ctx) => {
  const targets: { name: string | null; id: Buffer | null }[] =
    ctx.apiVersion >= 6 ? (req.Topics as Msg[]).map((t) => ({ name: t.Name, id: t.TopicId })) : (req.TopicNames as string[]).map((name) => ({ name, id: null }));
  return {
    ThrottleTimeMs: 0,
    Responses: targets.map((target) => {
      const topic = target.name ? b.topics.get(target.name) : target.id ? b.topics.getById(target.id) : undefined;
      if (!topic) {
        const code = target.name ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.UNKNOWN_TOPIC_ID;
        return { Name: target.name, TopicId: target.id, ErrorCode: code, ErrorMessage: 'This server does not host this topic.' };
      }
      b.deleteTopic(topic.name);
      b.log(`deleted topic ${topic.name}`);
      return { Name: topic.name, TopicId: topic.id, ErrorCode: 0, ErrorMessage: null };
    }),
  };
};
