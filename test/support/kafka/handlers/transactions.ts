// InitProducerId (idempotent + transactional producers) and the transaction APIs
// AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, TxnOffsetCommit (v0-1).
import type { Msg } from '../protocol/messages.ts';
import type { Handler } from './types.ts';

export const handleInitProducerId: Handler = (b, req) => {
  const r = b.txns.initProducerId(req.TransactionalId ?? null, req.TransactionTimeoutMs, req.ProducerId ?? -1, req.ProducerEpoch ?? -1);
  return { ThrottleTimeMs: 0, ErrorCode: r.errorCode, ProducerId: r.producerId, ProducerEpoch: r.producerEpoch };
};

export const handleAddPartitionsToTxn: Handler = (b, req) => {
  const topics = req.Topics as Msg[];
  const flat = topics.flatMap((t) => (t.Partitions as number[]).map((partition) => ({ topic: t.Name as string, partition })));
  const codes = b.txns.addPartitions(req.TransactionalId, req.ProducerId, req.ProducerEpoch, flat);
  let i = 0;
  return {
    ThrottleTimeMs: 0,
    Results: topics.map((t) => ({
      Name: t.Name,
      Results: (t.Partitions as number[]).map((p) => ({ PartitionIndex: p, ErrorCode: codes[i++] })),
    })),
  };
};

export const handleAddOffsetsToTxn: Handler = (b, req) => ({
  ThrottleTimeMs: 0,
  ErrorCode: b.txns.addOffsets(req.TransactionalId, req.ProducerId, req.ProducerEpoch, req.GroupId),
});

export const handleEndTxn: Handler = (b, req) => ({
  ThrottleTimeMs: 0,
  ErrorCode: b.txns.endTxn(req.TransactionalId, req.ProducerId, req.ProducerEpoch, !!req.Committed),
});

export const handleTxnOffsetCommit: Handler = (b, req) => {
  const topics = req.Topics as Msg[];
  const offsets = topics.flatMap((t) =>
    (t.Partitions as Msg[]).map((p) => ({ topic: t.Name as string, partition: p.PartitionIndex as number, offset: p.CommittedOffset as number, metadata: p.CommittedMetadata as string | null })),
  );
  const code = b.txns.txnOffsetCommit(req.TransactionalId, req.GroupId, req.ProducerId, req.ProducerEpoch, offsets);
  return {
    ThrottleTimeMs: 0,
    Topics: topics.map((t) => ({ Name: t.Name, Partitions: (t.Partitions as Msg[]).map((p) => ({ PartitionIndex: p.PartitionIndex, ErrorCode: code })) })),
  };
};
