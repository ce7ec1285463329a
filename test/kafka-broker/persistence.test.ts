// --data-dir: topics, partition logs and committed offsets survive a broker restart; a torn
// tail write is truncated on load.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startKafkaTestBroker } from '../support/kafka/broker.ts';
import { FAST_CONSUMER, testKafka, waitFor } from '../support/kafka/test-helpers.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kafka-test-broker-'));
  dirs.push(d);
  return d;
}

async function consume(brokers: string, topic: string, groupId: string, count: number): Promise<string[]> {
  const consumer = testKafka([brokers], 'persist').consumer({ groupId, ...FAST_CONSUMER });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
  try {
    await waitFor(() => values.length >= count, 10000, `${count} records (have ${values.length})`);
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    await consumer.disconnect();
  }
  return values;
}

describe('persistence', () => {
  it('keeps topics, records and committed offsets across a restart', async () => {
    const dataDir = tempDir();
    let broker = await startKafkaTestBroker({ port: 0, dataDir });
    const kafka1 = testKafka([broker.brokers], 'persist-1');
    const admin1 = kafka1.admin();
    await admin1.connect();
    await admin1.createTopics({ topics: [{ topic: 'persisted', numPartitions: 2 }, { topic: 'other', numPartitions: 5 }] });
    const p1 = kafka1.producer();
    await p1.connect();
    const firstValues = Array.from({ length: 20 }, (_, i) => `a-${i}`);
    await p1.send({ topic: 'persisted', acks: -1, messages: firstValues.map((v) => ({ key: v, value: v, headers: { h: v } })) });
    await p1.disconnect();
    // a group consumes (and commits) the first batch
    assert.deepEqual((await consume(broker.brokers, 'persisted', 'pg', 20)).sort(), [...firstValues].sort());
    await admin1.setOffsets({ groupId: 'manual', topic: 'other', partitions: [{ partition: 3, offset: '42' }] });
    await admin1.disconnect();
    await broker.close();

    broker = await startKafkaTestBroker({ port: 0, dataDir });
    try {
      const kafka2 = testKafka([broker.brokers], 'persist-2');
      const admin2 = kafka2.admin();
      await admin2.connect();
      const md = await admin2.fetchTopicMetadata({ topics: ['persisted', 'other'] });
      assert.deepEqual(
        md.topics.map((t) => [t.name, t.partitions.length]).sort(),
        [
          ['other', 5],
          ['persisted', 2],
        ],
      );
      const committed = await admin2.fetchOffsets({ groupId: 'pg', topics: ['persisted'] });
      assert.equal(committed[0].partitions.reduce((n, p) => n + Number(p.offset), 0), 20);
      const manual = await admin2.fetchOffsets({ groupId: 'manual', topics: ['other'] });
      assert.equal(manual[0].partitions.find((p) => p.partition === 3)!.offset, '42');

      // appends continue after the stored offsets
      const p2 = kafka2.producer();
      await p2.connect();
      const secondValues = Array.from({ length: 10 }, (_, i) => `b-${i}`);
      await p2.send({ topic: 'persisted', acks: 1, messages: secondValues.map((v) => ({ key: v, value: v })) });
      await p2.disconnect();
      const offsets = await admin2.fetchTopicOffsets('persisted');
      assert.equal(offsets.reduce((n, o) => n + Number(o.high), 0), 30);
      // the committed group only gets the new records; a new group gets everything
      assert.deepEqual((await consume(broker.brokers, 'persisted', 'pg', 10)).sort(), [...secondValues].sort());
      assert.deepEqual((await consume(broker.brokers, 'persisted', 'fresh', 30)).sort(), [...firstValues, ...secondValues].sort());
      await admin2.deleteTopics({ topics: ['other'] });
      await admin2.disconnect();
    } finally {
      await broker.close();
    }
    assert.deepEqual(readdirSync(join(dataDir, 'topics')), ['persisted'], 'deleted topic removed from disk');
  });

  it('truncates a torn write at the end of a partition log', async () => {
    const dataDir = tempDir();
    let broker = await startKafkaTestBroker({ port: 0, dataDir, defaultPartitions: 1 });
    const p = testKafka([broker.brokers], 'torn').producer();
    await p.connect();
    await p.send({ topic: 'torn', messages: [{ value: 'one' }, { value: 'two' }] });
    await p.disconnect();
    await broker.close();
    appendFileSync(join(dataDir, 'topics', 'torn', '0.log'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 9, 0, 0]));
    broker = await startKafkaTestBroker({ port: 0, dataDir });
    try {
      assert.equal(broker.core.topics.partition('torn', 0)!.highWatermark, 2);
      const p2 = testKafka([broker.brokers], 'torn2').producer();
      await p2.connect();
      await p2.send({ topic: 'torn', messages: [{ value: 'three' }] });
      await p2.disconnect();
      assert.deepEqual(await consume(broker.brokers, 'torn', 'tg', 3), ['one', 'two', 'three']);
    } finally {
      await broker.close();
    }
  });
});
