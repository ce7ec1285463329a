// PublishKafka against the test broker (or KAFKA_BROKERS): keyed records keep their partition and
// order, attributes become headers, demarcated content is split, failures are routed with
// kafka.error, Rollback keeps FlowFiles queued, and transactions commit or abort as a whole.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Admin, Kafka } from 'kafkajs';
import { TestRunner } from '../../server/testing/test-runner.ts';
import { PublishKafka, partitionForKey, type KafkaConnection } from '../../processors/kafka/index.ts';
import { kafkaForTests, type KafkaForTests } from '../support/kafka/for-tests.ts';
import { connectionFor, createTopic, plainKafka, readTopic } from './support/harness.ts';

let env: KafkaForTests;
let conn: KafkaConnection;
let kafka: Kafka;
let admin: Admin;

before(async () => {
  env = await kafkaForTests();
  conn = await connectionFor(env.brokers);
  kafka = plainKafka(env.brokers);
  admin = kafka.admin();
  await admin.connect();
});
after(async () => {
  await admin?.disconnect();
  await conn?.close();
  await env?.cleanup();
});

function runner(topic: string, props: Record<string, string> = {}): TestRunner {
  const r = new TestRunner(PublishKafka, { services: { kafka: conn } });
  r.setProperty('Kafka Connection Service', 'kafka');
  r.setProperty('Topic Name', topic);
  r.setProperty('Transactions Enabled', 'false');
  for (const [k, v] of Object.entries(props)) r.setProperty(k, v);
  return r;
}

describe('PublishKafka', () => {
  it('is registered as PutKafka too and validates Delivery Guarantee with transactions', () => {
    assert.deepEqual(PublishKafka.aliases, ['PutKafka']);
    const r = new TestRunner(PublishKafka);
    r.setProperty('Kafka Connection Service', 'kafka');
    r.setProperty('Topic Name', 't');
    r.setProperty('Delivery Guarantee', 'Best Effort');
    assert.match(r.validate().join('\n'), /Guarantee Replicated Delivery/);
    r.setProperty('Transactions Enabled', 'false');
    assert.deepEqual(r.validate(), []);
    assert.throws(() => r.setProperty('Delivery Guarantee', 'all'), /must be one of/);
  });

  it('keeps records with the same key in one partition (murmur2) and in order', async () => {
    const topic = env.uniqueName('pub-keys');
    await createTopic(admin, topic, 3);
    const r = runner(topic, { 'Kafka Key': '${k}', 'Delivery Guarantee': 'Guarantee Single Node Delivery' });
    const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
    let n = 0;
    for (let seq = 0; seq < 50; seq++) for (const k of keys) { r.enqueue(`${k}:${seq}`, { k }); n++; }
    await r.runUntilIdle();
    r.assertAllTransferred('success', n);
    for (const ff of r.flowFilesFor('success')) ff.assertAttributeEquals('msg.count', '1');

    const records = await readTopic(kafka, topic, n);
    assert.equal(records.length, n);
    const partitionsByKey = new Map<string, Set<number>>();
    const lastSeq = new Map<string, number>();
    for (const rec of records.sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
      const [k, seq] = rec.value!.toString().split(':');
      assert.equal(rec.key, k);
      (partitionsByKey.get(k) ?? partitionsByKey.set(k, new Set()).get(k)!).add(rec.partition);
      assert.ok((lastSeq.get(k) ?? -1) < Number(seq), `order of ${k} kept`);
      lastSeq.set(k, Number(seq));
    }
    for (const [k, ps] of partitionsByKey) {
      assert.equal(ps.size, 1, `${k} is in one partition`);
      assert.equal([...ps][0], partitionForKey(k, 3), `${k} is where the Java client would put it`);
    }
    assert.ok(new Set(records.map((x) => x.partition)).size > 1, 'keys spread over partitions');
  });

  it('uses the kafka.key attribute when Kafka Key is unset, and an explicit Partition', async () => {
    const topic = env.uniqueName('pub-attr-key');
    await createTopic(admin, topic, 3);
    const r = runner(topic, { Partition: '${p}' });
    r.enqueue('one', { 'kafka.key': 'from-attribute', p: '2' });
    r.enqueue('two', { p: '1' });
    await r.runUntilIdle();
    r.assertAllTransferred('success', 2);
    const recs = await readTopic(kafka, topic, 2);
    const one = recs.find((x) => x.value?.toString() === 'one')!;
    const two = recs.find((x) => x.value?.toString() === 'two')!;
    assert.equal(one.key, 'from-attribute');
    assert.equal(one.partition, 2);
    assert.equal(two.key, null);
    assert.equal(two.partition, 1);
  });

  it('sends matching attributes as headers', async () => {
    const topic = env.uniqueName('pub-headers');
    const r = runner(topic, { 'FlowFile Attribute Header Pattern': 'hdr\\..*' });
    r.enqueue('payload', { 'hdr.one': 'eins', 'hdr.two': 'zwei ü', other: 'not sent' });
    await r.runUntilIdle();
    r.assertAllTransferred('success', 1);
    const [rec] = await readTopic(kafka, topic, 1);
    assert.equal(rec.value!.toString(), 'payload');
    assert.equal(rec.headers['hdr.one']!.toString(), 'eins');
    assert.equal(rec.headers['hdr.two']!.toString(), 'zwei ü');
    assert.equal(rec.headers.other, undefined);
  });

  it('splits demarcated content into one record per non-empty segment', async () => {
    const topic = env.uniqueName('pub-demarcated');
    await createTopic(admin, topic, 1);
    const r = runner(topic, { 'Message Demarcator': '\n' });
    r.enqueue('alpha\nbeta\n\ngamma\n');
    r.enqueue('');
    await r.runUntilIdle();
    r.assertAllTransferred('success', 2);
    assert.deepEqual(r.flowFilesFor('success').map((f) => f.attribute('msg.count')), ['3', '0']);
    const recs = await readTopic(kafka, topic, 3);
    assert.deepEqual(recs.sort((a, b) => a.offset - b.offset).map((x) => x.value!.toString()), ['alpha', 'beta', 'gamma']);
  });

  it('sends empty content as a tombstone (null value)', async () => {
    const topic = env.uniqueName('pub-tombstone');
    const r = runner(topic, { 'Kafka Key': 'k' });
    r.enqueue('');
    await r.runUntilIdle();
    r.assertAllTransferred('success', 1);
    const [rec] = await readTopic(kafka, topic, 1);
    assert.equal(rec.value, null);
    assert.equal(rec.key, 'k');
  });

  it('routes records that cannot be sent to failure with kafka.error', async () => {
    const topic = env.uniqueName('pub-fail');
    await createTopic(admin, topic, 1);
    const r = runner('${topic}', { 'Max Request Size': '2 KB' });
    r.enqueue('fine', { topic });
    r.enqueue('x'.repeat(4096), { topic });
    r.enqueue('no topic', { topic: '' });
    await r.runUntilIdle();
    r.assertTransferCount('success', 1);
    r.assertTransferCount('failure', 2);
    const errors = r.flowFilesFor('failure').map((f) => f.attribute('kafka.error'));
    assert.match(errors[0]!, /exceeds the Max Request Size/);
    assert.match(errors[1]!, /Topic Name evaluated to an empty string/);
    assert.ok(r.bulletins.some((b) => b.level === 'ERROR'));
  });

  it('Rollback keeps the FlowFiles queued', async () => {
    const r = runner(env.uniqueName('pub-rollback'), { 'Failure Strategy': 'Rollback', 'Max Request Size': '1 KB' });
    r.enqueue('y'.repeat(2048));
    await r.run(1);
    r.assertTransferCount('success', 0);
    r.assertTransferCount('failure', 0);
    assert.equal(r.queueSize, 1);
  });

  it('commits a transaction with all FlowFiles of a trigger', async () => {
    const topic = env.uniqueName('pub-txn');
    await createTopic(admin, topic, 2);
    const r = runner(topic, { 'Transactions Enabled': 'true', 'Transactional ID Prefix': 'test-' });
    for (let i = 0; i < 20; i++) r.enqueue(`t-${i}`, { 'kafka.key': `k${i}` });
    await r.runUntilIdle();
    r.assertAllTransferred('success', 20);
    const recs = await readTopic(kafka, topic, 20);
    assert.deepEqual(recs.map((x) => x.value!.toString()).sort(), Array.from({ length: 20 }, (_, i) => `t-${i}`).sort());
  });

  it('aborts the whole transaction when one FlowFile fails', async () => {
    const topic = env.uniqueName('pub-txn-abort');
    await createTopic(admin, topic, 2);
    // Partition 7 does not exist: that record fails, and the transaction with the others is aborted.
    // (600-byte FlowFiles with a 1 KB request limit: one FlowFile per produce request.)
    const r = runner(topic, { 'Transactions Enabled': 'true', Partition: '${p}', 'Max Request Size': '1 KB' });
    for (let i = 0; i < 10; i++) r.enqueue(`a-${i}:`.padEnd(600, '.'), { p: String(i % 2) });
    r.enqueue('bad:'.padEnd(600, '.'), { p: '7' });
    await r.run(1);
    r.assertTransferCount('success', 0);
    r.assertTransferCount('failure', 11);
    const errors = r.flowFilesFor('failure').map((f) => f.attribute('kafka.error')!);
    assert.equal(errors.filter((e) => /aborted because another record failed/.test(e)).length, 10, errors[0]);
    assert.equal(errors.filter((e) => /^UnknownPartitionError.*has no partition 7/.test(e)).length, 1);
    // Nothing of the aborted transaction is visible to a read_committed reader ...
    const r2 = runner(topic, { 'Transactions Enabled': 'true' });
    r2.enqueue('after');
    await r2.runUntilIdle();
    const visible = await readTopic(kafka, topic, 1, { settleMs: 300 });
    assert.deepEqual(visible.map((x) => x.value!.toString()), ['after']);
    // ... although the aborted records were written.
    const all = await readTopic(kafka, topic, 11, { readUncommitted: true, timeoutMs: 3000 });
    assert.ok(all.length >= 10, `aborted records are in the log (${all.length})`);
  });
});
