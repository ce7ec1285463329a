// Transactions with kafkajs: committed records are visible to read_committed consumers, aborted
// ones are not (read_uncommitted sees both); open transactions hold back read_committed fetches;
// sendOffsets commits group offsets only when the transaction commits; a new producer with the
// same transactional id fences the old one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Admin, Kafka } from 'kafkajs';
import { kafkaForTests, type KafkaForTests } from '../support/kafka/for-tests.ts';
import { FAST_CONSUMER, testKafka, waitFor } from '../support/kafka/test-helpers.ts';

let env: KafkaForTests;
let kafka: Kafka;
let admin: Admin;

before(async () => {
  env = await kafkaForTests();
  kafka = testKafka(env.brokers, 'txn');
  admin = kafka.admin();
  await admin.connect();
});
after(async () => {
  await admin?.disconnect();
  await env?.cleanup();
});

async function readAll(topic: string, readUncommitted: boolean, expected: number, settleMs = 400): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: env.uniqueName('txn-reader'), readUncommitted, ...FAST_CONSUMER });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
  try {
    await waitFor(() => values.length >= expected, 10000, `${expected} records (have ${values.length})`);
    await new Promise((r) => setTimeout(r, settleMs)); // nothing more should arrive
  } finally {
    await consumer.disconnect();
  }
  return values;
}

describe('transactions', () => {
  it('hides aborted records from read_committed consumers', async () => {
    const topic = env.uniqueName('txn');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const producer = kafka.producer({ transactionalId: env.uniqueName('tx'), maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    try {
      const t1 = await producer.transaction();
      await t1.send({ topic, messages: [{ key: 'a', value: 'c1' }, { key: 'b', value: 'c2' }] });
      await t1.commit();
      const t2 = await producer.transaction();
      await t2.send({ topic, messages: [{ key: 'a', value: 'x1' }, { key: 'b', value: 'x2' }, { key: 'c', value: 'x3' }] });
      await t2.abort();
      const t3 = await producer.transaction();
      await t3.send({ topic, messages: [{ key: 'a', value: 'c3' }, { key: 'c', value: 'c4' }] });
      await t3.commit();
    } finally {
      await producer.disconnect();
    }
    const committed = await readAll(topic, false, 4);
    assert.deepEqual([...committed].sort(), ['c1', 'c2', 'c3', 'c4']);
    const everything = await readAll(topic, true, 7);
    assert.deepEqual([...everything].sort(), ['c1', 'c2', 'c3', 'c4', 'x1', 'x2', 'x3']);
  });

  it('holds back read_committed fetches while a transaction is open', async () => {
    const topic = env.uniqueName('txn-open');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const plain = kafka.producer();
    const txp = kafka.producer({ transactionalId: env.uniqueName('tx-open'), maxInFlightRequests: 1, idempotent: true });
    await plain.connect();
    await txp.connect();
    try {
      await plain.send({ topic, messages: [{ value: 'before' }] });
      const t = await txp.transaction();
      await t.send({ topic, messages: [{ value: 'in-txn' }] });
      await plain.send({ topic, messages: [{ value: 'after' }] });
      const consumer = kafka.consumer({ groupId: env.uniqueName('open-reader'), ...FAST_CONSUMER });
      const values: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
      try {
        await waitFor(() => values.length >= 1, 10000, 'first record');
        await new Promise((r) => setTimeout(r, 500));
        assert.deepEqual(values, ['before'], 'stops at the last stable offset');
        await t.commit();
        await waitFor(() => values.length >= 3, 10000, 'records after commit');
        assert.deepEqual(values, ['before', 'in-txn', 'after']);
      } finally {
        await consumer.disconnect();
      }
    } finally {
      await plain.disconnect();
      await txp.disconnect();
    }
  });

  it('commits consumer offsets with the transaction (sendOffsets)', async () => {
    const topic = env.uniqueName('txn-offsets');
    const groupId = env.uniqueName('txn-offsets-g');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const producer = kafka.producer({ transactionalId: env.uniqueName('tx-off'), maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    try {
      const t1 = await producer.transaction();
      await t1.send({ topic, messages: [{ value: 'v' }] });
      await t1.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '5' }] }] });
      await t1.abort();
      let offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      assert.equal(offsets[0].partitions[0].offset, '-1', 'aborted: not committed');
      const t2 = await producer.transaction();
      await t2.send({ topic, messages: [{ value: 'w' }] });
      await t2.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '7' }] }] });
      await t2.commit();
      offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      assert.equal(offsets[0].partitions[0].offset, '7');
    } finally {
      await producer.disconnect();
    }
  });

  it('fences an older producer with the same transactional id', async () => {
    const topic = env.uniqueName('txn-fence');
    const txId = env.uniqueName('tx-fence');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const old = kafka.producer({ transactionalId: txId, maxInFlightRequests: 1, idempotent: true });
    await old.connect();
    const t = await old.transaction();
    await t.send({ topic, messages: [{ value: 'zombie' }] });
    const fresh = kafka.producer({ transactionalId: txId, maxInFlightRequests: 1, idempotent: true });
    await fresh.connect();
    try {
      const tf = await fresh.transaction(); // InitProducerId bumps the epoch and aborts the open transaction
      await assert.rejects(t.commit(), (err: any) => /INVALID_PRODUCER_EPOCH|ProducerFenced|epoch/i.test(`${err.type ?? ''} ${err.message}`));
      await tf.send({ topic, messages: [{ value: 'fresh' }] });
      await tf.commit();
      assert.deepEqual(await readAll(topic, false, 1), ['fresh']);
    } finally {
      await old.disconnect().catch(() => {});
      await fresh.disconnect();
    }
  });
});
