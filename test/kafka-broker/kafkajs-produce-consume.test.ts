// kafkajs against the test broker: topics, keyed produce (acks 0/1/-1, gzip), ordered consumption
// with keys/headers/timestamps, ListOffsets, auto-creation and deletion.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompressionTypes, type Admin, type Kafka, type Producer } from 'kafkajs';
import type { KafkaForTests } from '../support/kafka/for-tests.ts';
import { closeKafkaClients, FAST_CONSUMER, openKafkaClients, testKafka, waitFor } from '../support/kafka/test-helpers.ts';

let env: KafkaForTests;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;

before(async () => { ({ env, kafka, admin, producer } = await openKafkaClients('produce-consume')); });
after(() => closeKafkaClients({ env, admin, producer }));

interface Got {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  headers: Record<string, string>;
  timestamp: number;
}

async function consumeAll(topic: string, count: number, extra: Record<string, unknown> = {}): Promise<Got[]> {
  const consumer = kafka.consumer({ groupId: env.uniqueName('pc-group'), ...FAST_CONSUMER, ...extra });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: Got[] = [];
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      got.push({ partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value!.toString(), headers, timestamp: Number(message.timestamp) });
    },
  });
  try {
    await waitFor(() => got.length >= count, 15000, `${count} messages (have ${got.length})`);
  } finally {
    await consumer.disconnect();
  }
  return got;
}

describe('kafkajs produce and consume', () => {
  it('creates topics and reports them', async () => {
    const topic = env.uniqueName('created');
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] }), true);
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] }), false, 'already exists');
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(md.topics[0].partitions.length, 4);
    assert.ok((await admin.listTopics()).includes(topic));
    if (!env.external) {
      await assert.rejects(admin.createTopics({ topics: [{ topic: env.uniqueName('rf'), replicationFactor: 3 }] }), (err: any) => {
        assert.equal(err.errors?.[0]?.type, 'INVALID_REPLICATION_FACTOR');
        return true;
      });
    }
  });

  it('round-trips keyed records in order with headers and timestamps (acks 1, -1, 0, gzip)', async () => {
    const topic = env.uniqueName('roundtrip');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    const base = Date.now() - 60_000;
    const sent: { key: string; value: string; timestamp: number; mode: string }[] = [];
    const batch = (mode: string, n: number) =>
      Array.from({ length: n }, (_, i) => {
        const m = { key: `key-${i % 7}`, value: `${mode}-${i}`, timestamp: base + sent.length + i, mode };
        return m;
      });
    for (const [mode, opts] of [
      ['acks1', { acks: 1 }],
      ['acksAll', { acks: -1 }],
      ['gzip', { acks: -1, compression: CompressionTypes.GZIP }],
      ['acks0', { acks: 0 }],
    ] as const) {
      const msgs = batch(mode, 25);
      await producer.send({
        topic,
        ...opts,
        messages: msgs.map((m) => ({ key: m.key, value: m.value, timestamp: String(m.timestamp), headers: { mode: m.mode, idx: m.value } })),
      });
      sent.push(...msgs);
    }
    const got = await consumeAll(topic, sent.length);
    assert.equal(got.length, sent.length);
    // every key lives in exactly one partition, and per key the order is the send order
    const keyPartition = new Map<string, number>();
    for (const g of got) {
      if (keyPartition.has(g.key!)) assert.equal(keyPartition.get(g.key!), g.partition, `key ${g.key} in one partition`);
      keyPartition.set(g.key!, g.partition);
    }
    for (const key of new Set(sent.map((s) => s.key))) {
      assert.deepEqual(
        got.filter((g) => g.key === key).map((g) => g.value),
        sent.filter((s) => s.key === key).map((s) => s.value),
      );
    }
    const byValue = new Map(sent.map((s) => [s.value, s]));
    for (const g of got) {
      const s = byValue.get(g.value)!;
      assert.equal(g.timestamp, s.timestamp);
      assert.deepEqual(g.headers, { mode: s.mode, idx: s.value });
    }
    // offsets are dense per partition
    for (const p of [0, 1, 2]) {
      const offs = got.filter((g) => g.partition === p).map((g) => g.offset);
      assert.deepEqual(offs, offs.map((_, i) => i));
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    assert.equal(offsets.reduce((n, o) => n + Number(o.high), 0), sent.length);
    const mid = sent[50].timestamp;
    const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, mid);
    assert.equal(byTime.length, 3);
    for (const o of byTime) {
      const first = got.filter((g) => g.partition === o.partition && g.timestamp >= mid).sort((a, b) => a.offset - b.offset)[0];
      assert.equal(Number(o.offset), first ? first.offset : Number(offsets.find((x) => x.partition === o.partition)!.high));
    }
  });

  it('auto-creates a topic on first produce and deletes topics', async () => {
    const topic = env.uniqueName('auto');
    await producer.send({ topic, messages: [{ key: 'a', value: 'first' }] });
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(md.topics[0].partitions.length, 3);
    const got = await consumeAll(topic, 1);
    assert.equal(got[0].value, 'first');
    await admin.deleteTopics({ topics: [topic] });
    assert.ok(!(await admin.listTopics()).includes(topic));
  });

  it('an idempotent producer writes exactly once', async () => {
    const topic = env.uniqueName('idem');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const idem = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await idem.connect();
    try {
      for (let i = 0; i < 5; i++) await idem.send({ topic, acks: -1, messages: [{ value: `v${i}` }, { value: `w${i}` }] });
    } finally {
      await idem.disconnect();
    }
    const got = await consumeAll(topic, 10);
    assert.deepEqual(got.map((g) => g.value), ['v0', 'w0', 'v1', 'w1', 'v2', 'w2', 'v3', 'w3', 'v4', 'w4']);
  });
});
