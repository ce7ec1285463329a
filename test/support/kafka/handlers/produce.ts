// Produce: validates RecordBatch v2 framing + CRC, applies idempotence checks, assigns offsets by
// rewriting baseOffset and appends the raw batch. acks=0 gets no response.
import { tpKey } from '../core.ts';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import type { Msg } from '../protocol/messages.ts';
import { BatchError, splitBatches } from '../records/batch.ts';
import type { Handler } from './types.ts';

export const handleProduce: Handler = (b, req) => {
  const acks = req.Acks as number;
  const validAcks = acks === 0 || acks === 1 || acks === -1;
  const responses = (req.TopicData as Msg[]).map((td) => ({
    Name: td.Name,
    PartitionResponses: (td.PartitionData as Msg[]).map((pd) => {
      const res: Msg = { Index: pd.Index, ErrorCode: 0, BaseOffset: -1, LogAppendTimeMs: -1, LogStartOffset: -1, RecordErrors: [], ErrorMessage: null };
      try {
        if (!validAcks) throw new KafkaError(ErrorCode.INVALID_REQUIRED_ACKS, `invalid acks ${acks}`);
        const topic = b.topics.getOrCreate(td.Name, b.autoCreateTopics);
        const log = topic?.partitions[pd.Index];
        if (!log) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic-partition ${td.Name}-${pd.Index}`);
        const records = pd.Records as Buffer | null;
        if (!records || records.length === 0) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'empty record set');
        const batches = splitBatches(records);
        for (const batch of batches) {
          if (batch.bytes.length > b.maxMessageBytes) {
            throw new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, `record batch of ${batch.bytes.length} bytes exceeds message.max.bytes ${b.maxMessageBytes}`);
          }
          if (batch.header.recordsCount === 0) throw new KafkaError(ErrorCode.INVALID_RECORD, 'record batch without records');
        }
        const tp = tpKey(td.Name, pd.Index);
        let base = -1;
        for (const batch of batches) {
          const dup = b.producers.check(tp, batch.header);
          if (dup !== null) {
            if (base < 0) base = dup;
            continue;
          }
          const entry = log.append(Buffer.from(batch.bytes));
          b.producers.record(tp, batch.header, entry.base);
          if (base < 0) base = entry.base;
        }
        res.BaseOffset = base;
        res.LogStartOffset = log.logStartOffset;
        b.notifyAppend(td.Name, pd.Index);
      } catch (err) {
        if (err instanceof KafkaError || err instanceof BatchError) {
          res.ErrorCode = err.code;
          res.ErrorMessage = err.message;
        } else throw err;
        b.log(`produce ${td.Name}-${pd.Index}: error ${res.ErrorCode}: ${res.ErrorMessage}`);
      }
      return res;
    }),
  }));
  if (acks === 0) return null;
  return { Responses: responses, ThrottleTimeMs: 0 };
};
