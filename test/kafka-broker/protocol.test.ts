// Protocol-level tests with a raw client: version negotiation, error answers instead of dropped
// sockets, produce validation (CRC, acks, idempotence), fetch long-poll and size limits, ListOffsets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKafkaTestBroker, type KafkaTestBroker } from '../support/kafka/broker.ts';
import { ApiKey, SUPPORTED_VERSIONS } from '../support/kafka/protocol/api-keys.ts';
import { ErrorCode } from '../support/kafka/protocol/errors.ts';
import { Writer } from '../support/kafka/protocol/codec.ts';
import { buildBatch, decodeRecordSet } from '../support/kafka/records/batch.ts';
import { RawKafkaClient, decodeResponse } from '../support/kafka/raw-client.ts';

let broker: KafkaTestBroker;
let client: RawKafkaClient;

before(async () => {
  broker = await startKafkaTestBroker({ port: 0 });
  client = await RawKafkaClient.connect(broker.brokers);
});
after(async () => {
  client.close();
  await broker.close();
});

function produceBody(topic: string, partition: number, records: Buffer, acks = 1) {
  return { TransactionalId: null, Acks: acks, TimeoutMs: 1000, TopicData: [{ Name: topic, PartitionData: [{ Index: partition, Records: records }] }] };
}

function fetchBody(topic: string, partition: number, offset: number, o: { maxWaitMs?: number; minBytes?: number; partitionMaxBytes?: number; isolation?: number } = {}) {
  return {
    ReplicaId: -1,
    MaxWaitMs: o.maxWaitMs ?? 0,
    MinBytes: o.minBytes ?? 1,
    MaxBytes: 50 << 20,
    IsolationLevel: o.isolation ?? 0,
    SessionId: 0,
    SessionEpoch: -1,
    Topics: [{ Topic: topic, Partitions: [{ Partition: partition, FetchOffset: offset, PartitionMaxBytes: o.partitionMaxBytes ?? 1 << 20, CurrentLeaderEpoch: -1, LogStartOffset: -1 }] }],
    ForgottenTopicsData: [],
    RackId: '',
  };
}

async function createTopic(name: string, partitions = 1) {
  const res = await client.request(ApiKey.CreateTopics, 4, { Topics: [{ Name: name, NumPartitions: partitions, ReplicationFactor: 1, Assignments: [], Configs: [] }], timeoutMs: 1000, validateOnly: false });
  assert.equal(res.Topics[0].ErrorCode, 0);
}

describe('version negotiation and error answers', () => {
  it('ApiVersions v0 and v3 list every implemented API', async () => {
    for (const v of [0, 3]) {
      const res = await client.request(ApiKey.ApiVersions, v, { ClientSoftwareName: 'raw', ClientSoftwareVersion: '1' });
      assert.equal(res.ErrorCode, 0);
      const keys = new Map(res.ApiKeys.map((k: any) => [k.ApiKey, [k.MinVersion, k.MaxVersion]]));
      for (const [key, range] of Object.entries(SUPPORTED_VERSIONS)) assert.deepEqual(keys.get(Number(key)), range);
    }
  });

  it('an unknown API key gets UNSUPPORTED_VERSION and the socket stays open', async () => {
    const corr = client.nextCorrelationId();
    const w = new Writer();
    w.int16(9999).int16(0).int32(corr).string('raw', false, true).int32(42);
    const frame = (await client.sendFrame(w.toBuffer(), corr))!;
    assert.equal(frame.readInt32BE(0), corr);
    assert.equal(frame.readInt16BE(4), ErrorCode.UNSUPPORTED_VERSION);
    const res = await client.request(ApiKey.ApiVersions, 0);
    assert.equal(res.ErrorCode, 0);
    assert.equal(client.closed, false);
  });

  it('a too-new ApiVersions request gets a v0 answer with UNSUPPORTED_VERSION and the version list', async () => {
    const corr = client.nextCorrelationId();
    const w = new Writer();
    w.int16(ApiKey.ApiVersions).int16(99).int32(corr).string('raw', false, true).uvarint(0);
    const res = decodeResponse(ApiKey.ApiVersions, 0, (await client.sendFrame(w.toBuffer(), corr))!);
    assert.equal(res.ErrorCode, ErrorCode.UNSUPPORTED_VERSION);
    assert.ok(res.ApiKeys.some((k: any) => k.ApiKey === ApiKey.Fetch));
  });

  it('an unsupported version of a known API gets an error response, not a closed socket', async () => {
    const res = await client.request(ApiKey.Fetch, 13, { ...fetchBody('x', 0, 0), Topics: [] });
    assert.equal(res.ErrorCode, ErrorCode.UNSUPPORTED_VERSION);
    const res2 = await client.request(ApiKey.Produce, 2, { Acks: 1, TimeoutMs: 10, TopicData: [] });
    assert.deepEqual(res2.Responses, []);
    assert.equal((await client.request(ApiKey.ApiVersions, 0)).ErrorCode, 0);
  });

  it('a truncated request body still gets an answer on a live socket', async () => {
    const corr = client.nextCorrelationId();
    const w = new Writer();
    w.int16(ApiKey.Metadata).int16(1).int32(corr).string('raw', false, true).int32(5); // says 5 topics, has none
    const frame = (await client.sendFrame(w.toBuffer(), corr))!;
    assert.equal(frame.readInt32BE(0), corr);
    assert.equal((await client.request(ApiKey.ApiVersions, 0)).ErrorCode, 0);
  });

  it('Metadata auto-creates topics and reports invalid names', async () => {
    const res = await client.request(ApiKey.Metadata, 12, { Topics: [{ TopicId: Buffer.alloc(16), Name: 'auto-md' }, { TopicId: Buffer.alloc(16), Name: 'bad name!' }], AllowAutoTopicCreation: true, IncludeTopicAuthorizedOperations: false });
    assert.equal(res.Topics[0].ErrorCode, 0);
    assert.equal(res.Topics[0].Partitions.length, 3);
    assert.equal(res.Topics[1].ErrorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    assert.equal(res.Brokers[0].Port, broker.port);
    const noAuto = await client.request(ApiKey.Metadata, 4, { Topics: [{ Name: 'not-created' }], AllowAutoTopicCreation: false });
    assert.equal(noAuto.Topics[0].ErrorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

describe('produce', () => {
  it('rejects corrupt batches, bad partitions and bad acks with error codes', async () => {
    await createTopic('p-errors');
    const bad = buildBatch([{ value: 'x' }]);
    bad[bad.length - 1] ^= 0xff;
    let res = await client.request(ApiKey.Produce, 7, produceBody('p-errors', 0, bad));
    assert.equal(res.Responses[0].PartitionResponses[0].ErrorCode, ErrorCode.CORRUPT_MESSAGE);
    res = await client.request(ApiKey.Produce, 7, produceBody('p-errors', 7, buildBatch([{ value: 'x' }])));
    assert.equal(res.Responses[0].PartitionResponses[0].ErrorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    res = await client.request(ApiKey.Produce, 7, produceBody('p-errors', 0, buildBatch([{ value: 'x' }]), 2));
    assert.equal(res.Responses[0].PartitionResponses[0].ErrorCode, ErrorCode.INVALID_REQUIRED_ACKS);
  });

  it('acks=0 gets no response but is stored; flexible Produce v9 / Fetch v12 work', async () => {
    await createTopic('p-acks0');
    await client.request(ApiKey.Produce, 9, produceBody('p-acks0', 0, buildBatch([{ key: 'a', value: '1' }]), 0), false);
    const res = await client.request(ApiKey.Produce, 9, produceBody('p-acks0', 0, buildBatch([{ key: 'b', value: '2' }]), -1));
    assert.equal(res.Responses[0].PartitionResponses[0].BaseOffset, 1);
    const f = await client.request(ApiKey.Fetch, 12, fetchBody('p-acks0', 0, 0));
    const recs = decodeRecordSet(f.Responses[0].Partitions[0].Records);
    assert.deepEqual(recs.map((r) => `${r.offset}:${r.key}=${r.value}`), ['0:a=1', '1:b=2']);
    assert.equal(f.Responses[0].Partitions[0].HighWatermark, 2);
  });

  it('drops duplicate idempotent retries and rejects out-of-order sequences', async () => {
    await createTopic('p-idem');
    const init = await client.request(ApiKey.InitProducerId, 1, { TransactionalId: null, TransactionTimeoutMs: 60000 });
    const pid = init.ProducerId;
    const b0 = buildBatch([{ value: 'a' }, { value: 'b' }], { producerId: pid, producerEpoch: 0, baseSequence: 0 });
    const r1 = await client.request(ApiKey.Produce, 7, produceBody('p-idem', 0, b0));
    const r2 = await client.request(ApiKey.Produce, 7, produceBody('p-idem', 0, Buffer.from(b0)));
    assert.equal(r1.Responses[0].PartitionResponses[0].BaseOffset, 0);
    assert.equal(r2.Responses[0].PartitionResponses[0].ErrorCode, 0);
    assert.equal(r2.Responses[0].PartitionResponses[0].BaseOffset, 0, 'duplicate answered with the original offset');
    assert.equal(broker.core.topics.partition('p-idem', 0)!.highWatermark, 2);
    const gap = buildBatch([{ value: 'c' }], { producerId: pid, producerEpoch: 0, baseSequence: 5 });
    const r3 = await client.request(ApiKey.Produce, 7, produceBody('p-idem', 0, gap));
    assert.equal(r3.Responses[0].PartitionResponses[0].ErrorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    const next = buildBatch([{ value: 'c' }], { producerId: pid, producerEpoch: 0, baseSequence: 2 });
    const r4 = await client.request(ApiKey.Produce, 7, produceBody('p-idem', 0, next));
    assert.equal(r4.Responses[0].PartitionResponses[0].BaseOffset, 2);
  });
});

describe('fetch', () => {
  it('long-polls until MaxWaitMs when there is no data', async () => {
    await createTopic('f-wait');
    const t0 = Date.now();
    const res = await client.request(ApiKey.Fetch, 11, fetchBody('f-wait', 0, 0, { maxWaitMs: 400 }));
    const took = Date.now() - t0;
    assert.ok(took >= 350 && took < 2000, `took ${took} ms`);
    assert.equal(res.Responses[0].Partitions[0].Records.length, 0);
  });

  it('answers a long poll as soon as data arrives', async () => {
    await createTopic('f-wake');
    const other = await RawKafkaClient.connect(broker.brokers);
    try {
      const t0 = Date.now();
      const pending = client.request(ApiKey.Fetch, 11, fetchBody('f-wake', 0, 0, { maxWaitMs: 10000 }));
      setTimeout(() => void other.request(ApiKey.Produce, 7, produceBody('f-wake', 0, buildBatch([{ value: 'late' }]))), 200);
      const res = await pending;
      assert.ok(Date.now() - t0 < 3000);
      assert.equal(decodeRecordSet(res.Responses[0].Partitions[0].Records)[0].value?.toString(), 'late');
    } finally {
      other.close();
    }
  });

  it('waits for MinBytes', async () => {
    await createTopic('f-minbytes');
    await client.request(ApiKey.Produce, 7, produceBody('f-minbytes', 0, buildBatch([{ value: 'small' }])));
    const t0 = Date.now();
    const res = await client.request(ApiKey.Fetch, 11, fetchBody('f-minbytes', 0, 0, { maxWaitMs: 300, minBytes: 100000 }));
    assert.ok(Date.now() - t0 >= 250, 'waited although some data was available');
    assert.equal(decodeRecordSet(res.Responses[0].Partitions[0].Records).length, 1, 'returns what it has after the wait');
  });

  it('returns whole batches within PartitionMaxBytes, at least one batch', async () => {
    await createTopic('f-size');
    for (let i = 0; i < 5; i++) await client.request(ApiKey.Produce, 7, produceBody('f-size', 0, buildBatch([{ value: Buffer.alloc(1000, i) }])));
    const size = broker.core.topics.partition('f-size', 0)!.entries[0].buf.length;
    let res = await client.request(ApiKey.Fetch, 11, fetchBody('f-size', 0, 0, { partitionMaxBytes: size * 2 + 10 }));
    assert.equal(res.Responses[0].Partitions[0].Records.length, size * 2);
    res = await client.request(ApiKey.Fetch, 11, fetchBody('f-size', 0, 3, { partitionMaxBytes: 10 }));
    const recs = decodeRecordSet(res.Responses[0].Partitions[0].Records);
    assert.deepEqual(recs.map((r) => r.offset), [3], 'an oversized first batch is still returned');
    res = await client.request(ApiKey.Fetch, 11, fetchBody('f-size', 0, 99));
    assert.equal(res.Responses[0].Partitions[0].ErrorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    res = await client.request(ApiKey.Fetch, 11, fetchBody('no-such-topic', 0, 0));
    assert.equal(res.Responses[0].Partitions[0].ErrorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

describe('ListOffsets', () => {
  it('answers earliest, latest and by timestamp (v0 and v5)', async () => {
    await createTopic('lo');
    await client.request(ApiKey.Produce, 7, produceBody('lo', 0, buildBatch([{ value: 'a', timestamp: 1000 }, { value: 'b', timestamp: 2000 }])));
    await client.request(ApiKey.Produce, 7, produceBody('lo', 0, buildBatch([{ value: 'c', timestamp: 3000 }])));
    const q = (ts: number) => ({ ReplicaId: -1, IsolationLevel: 0, Topics: [{ Name: 'lo', Partitions: [{ PartitionIndex: 0, Timestamp: ts, MaxNumOffsets: 1, CurrentLeaderEpoch: -1 }] }] });
    const at = async (ts: number) => (await client.request(ApiKey.ListOffsets, 5, q(ts))).Topics[0].Partitions[0];
    assert.equal((await at(-2)).Offset, 0);
    assert.equal((await at(-1)).Offset, 3);
    assert.deepEqual([(await at(1500)).Offset, (await at(1500)).Timestamp], [1, 2000]);
    assert.equal((await at(2500)).Offset, 2);
    assert.equal((await at(9999)).Offset, -1);
    const v0 = await client.request(ApiKey.ListOffsets, 0, q(-1));
    assert.deepEqual(v0.Topics[0].Partitions[0].OldStyleOffsets, [3]);
    const max = (await client.request(ApiKey.ListOffsets, 7, q(-3))).Topics[0].Partitions[0];
    assert.deepEqual([max.Offset, max.Timestamp], [2, 3000]);
  });
});
