// ConsumeKafka against the test broker (or KAFKA_BROKERS), run in real flows: record attributes
// and headers, key encodings, demarcated bundles that join exactly what PublishKafka split,
// offsets committed only after acknowledgement, redelivery of dropped data, and back pressure
// pausing the consumer instead of buffering without bound.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { FlowRuntime } from '../../server/engine/flow-runtime.ts';
import type { ConsumeKafka } from '../../processors/kafka/index.ts';
import type { ConsumerWorker } from '../../processors/kafka/consumer-worker.ts';
import type { KafkaForTests } from '../support/kafka/for-tests.ts';
import { closeKafkaClients, openKafkaClients } from '../support/kafka/test-helpers.ts';
import { collector, createTopic, FAST_GROUP, plainKafka, runtimeFor, serviceConfig, sleep, waitFor } from './support/harness.ts';

let env: KafkaForTests;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;

before(async () => { ({ env, kafka, admin, producer } = await openKafkaClients('kafka-test')); });
after(() => closeKafkaClients({ env, admin, producer }));

function consumeFlow(name: string, topic: string, group: string, props: Record<string, string> = {}, extra: { sinkAutoTerminate?: string[]; backPressure?: number; sinkType?: string; service?: Record<string, string> } = {}) {
  return {
    formatVersion: 1, name,
    controllerServices: [serviceConfig(env.brokers, extra.service)],
    processors: [
      { id: 'consume', type: 'ConsumeKafka', properties: { 'Kafka Connection Service': 'kafka', 'Group ID': group, Topics: topic, 'Auto Offset Reset': 'earliest', 'Max Uncommitted Time': '100 ms', ...FAST_GROUP, ...props }, scheduling: { yieldDuration: '50 ms' } },
      { id: 'sink', type: extra.sinkType ?? 'CollectKafkaTest', properties: extra.sinkType ? {} : { Collector: name }, autoTerminate: extra.sinkAutoTerminate ?? ['success'] },
    ],
    connections: [{ id: 'c1', source: 'consume', relationships: ['success'], destination: 'sink', ...(extra.backPressure ? { backPressure: { objectThreshold: extra.backPressure } } : {}) }],
  };
}

async function committed(group: string, topic: string): Promise<Map<number, number>> {
  const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]));
}

const workerOf = (rt: FlowRuntime): ConsumerWorker => (rt.node('consume').context.state as { worker: ConsumerWorker }).worker;

describe('ConsumeKafka', () => {
  it('writes the record attributes, matching headers and the key', async () => {
    const topic = env.uniqueName('con-attrs');
    await createTopic(admin, topic, 1);
    await producer.send({
      topic, acks: -1,
      messages: [
        { key: 'k1', value: 'v1', headers: { 'x-trace': 'abc', 'other': 'no', 'x-multi': ['first', 'last'] } },
        { key: Buffer.from([0xff, 0xfe]), value: null },
        { value: 'no key' },
      ],
    });
    const rt = runtimeFor(consumeFlow('attrs', topic, env.uniqueName('g'), { 'Header Name Pattern': 'x-.*' }));
    const got = collector('attrs');
    await rt.start();
    try {
      await waitFor(() => got.length >= 3, 15000, 'three FlowFiles');
    } finally {
      await rt.close();
    }
    const [a, b, c] = got;
    assert.equal(a.content.toString(), 'v1');
    assert.equal(a.attributes['kafka.topic'], topic);
    assert.equal(a.attributes['kafka.partition'], '0');
    assert.equal(a.attributes['kafka.offset'], '0');
    assert.equal(a.attributes['kafka.key'], 'k1');
    assert.equal(a.attributes['kafka.count'], undefined, 'kafka.count only on demarcated FlowFiles');
    assert.match(a.attributes['kafka.timestamp'], /^\d{13}$/);
    assert.equal(a.attributes['x-trace'], 'abc');
    assert.equal(a.attributes['x-multi'], 'last');
    assert.equal(a.attributes.other, undefined);
    assert.equal(a.attributes['kafka.tombstone'], undefined);
    assert.equal(b.attributes['kafka.tombstone'], 'true');
    assert.equal(b.content.length, 0);
    assert.equal(b.attributes['kafka.key'], '\ufffd\ufffd');
    assert.equal(c.attributes['kafka.key'], undefined);
    assert.equal(c.attributes['kafka.offset'], '2');
  });

  it('encodes keys as hex, or leaves them out', async () => {
    const topic = env.uniqueName('con-keys');
    await createTopic(admin, topic, 1);
    await producer.send({ topic, acks: -1, messages: [{ key: Buffer.from([0xde, 0xad, 0x01]), value: 'x' }] });
    const hex = runtimeFor(consumeFlow('hex', topic, env.uniqueName('g'), { 'Key Attribute Encoding': 'hex' }));
    const none = runtimeFor(consumeFlow('nokey', topic, env.uniqueName('g'), { 'Key Attribute Encoding': 'do-not-add' }));
    await hex.start();
    await none.start();
    try {
      await waitFor(() => collector('hex').length === 1 && collector('nokey').length === 1, 15000, 'one FlowFile each');
    } finally {
      await hex.close();
      await none.close();
    }
    assert.equal(collector('hex')[0].attributes['kafka.key'], 'dead01');
    assert.equal(collector('nokey')[0].attributes['kafka.key'], undefined);
  });

  it('joins demarcated records exactly as PublishKafka split them (Separate By Key)', async () => {
    const topic = env.uniqueName('con-demarcated');
    await createTopic(admin, topic, 1);
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'x'.repeat(i % 17)}`);
    const publish = runtimeFor({
      formatVersion: 1, name: 'pub-demarcated',
      controllerServices: [serviceConfig(env.brokers)],
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', properties: { 'Custom Text': lines.join('\n') + '\n', 'Batch Size': '1' }, scheduling: { triggerLimit: 1 } },
        { id: 'gen2', type: 'GenerateFlowFile', properties: { 'Custom Text': 'other-1\nother-2', 'Batch Size': '1' }, scheduling: { triggerLimit: 1 } },
        { id: 'key-a', type: 'UpdateAttribute', properties: { 'kafka.key': 'a' } },
        { id: 'key-b', type: 'UpdateAttribute', properties: { 'kafka.key': 'b' } },
        { id: 'pub', type: 'PublishKafka', properties: { 'Kafka Connection Service': 'kafka', 'Topic Name': topic, 'Message Demarcator': '\n', 'Transactions Enabled': 'false' }, autoTerminate: ['success', 'failure'] },
      ],
      connections: [
        { id: 'c0', source: 'gen', relationships: ['success'], destination: 'key-a' },
        { id: 'c1', source: 'gen2', relationships: ['success'], destination: 'key-b' },
        { id: 'c2', source: 'key-a', relationships: ['success'], destination: 'pub' },
        { id: 'c3', source: 'key-b', relationships: ['success'], destination: 'pub' },
      ],
    });
    await publish.start();
    await publish.untilIdle();
    await publish.close();
    assert.equal(publish.node('pub').stats.in.totalCount, 2);

    const rt = runtimeFor(consumeFlow('bundles', topic, env.uniqueName('g'), { 'Processing Strategy': 'DEMARCATOR', 'Message Demarcator': '\n', 'Separate By Key': 'true' }));
    const got = collector('bundles');
    const count = () => got.reduce((n, f) => n + Number(f.attributes['kafka.count']), 0);
    await rt.start();
    try {
      await waitFor(() => count() >= 502, 15000, 'all 502 records');
    } finally {
      await rt.close();
    }
    const byKey = (k: string) => got.filter((f) => f.attributes['kafka.key'] === k);
    const joinedA = byKey('a').map((f) => f.content.toString()).join('\n');
    assert.equal(joinedA, lines.join('\n'), 'the bundles of key a join back to the original lines');
    assert.equal(byKey('b').map((f) => f.content.toString()).join('\n'), 'other-1\nother-2');
    for (const f of got) {
      const first = Number(f.attributes['kafka.offset']);
      const last = Number(f.attributes['kafka.max.offset']);
      assert.ok(last >= first + Number(f.attributes['kafka.count']) - 1);
      assert.equal(f.content.toString().split('\n').length, Number(f.attributes['kafka.count']));
    }
  });

  it('commits an offset only after the FlowFiles before it were acknowledged', async () => {
    const topic = env.uniqueName('con-commit');
    const group = env.uniqueName('g');
    await createTopic(admin, topic, 1);
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 20 }, (_, i) => ({ value: `m${i}` })) });
    // The sink is stopped: FlowFiles wait in the connection, unacknowledged.
    const rt = runtimeFor(consumeFlow('commit', topic, group));
    await rt.start();
    await rt.stopProcessor('sink');
    try {
      await waitFor(() => rt.queue('c1').count() === 20, 15000, '20 queued FlowFiles');
      await sleep(400); // several Max Uncommitted Time periods
      assert.equal((await committed(group, topic)).get(0), -1, 'nothing committed while the FlowFiles are in flight');
      await rt.startProcessor('sink');
      await waitFor(async () => (await committed(group, topic)).get(0) === 20, 10000, 'offset 20 committed once acknowledged');
    } finally {
      await rt.close();
    }
  });

  it('consumes dropped data again instead of committing past it', async () => {
    const topic = env.uniqueName('con-redeliver');
    const group = env.uniqueName('g');
    await createTopic(admin, topic, 1);
    await producer.send({ topic, acks: -1, messages: [{ value: 'once' }, { value: 'twice' }] });
    // FlowFiles that expire in the connection fail their acknowledgement: the records must come back.
    const flow = consumeFlow('redeliver', topic, group);
    (flow.connections[0] as Record<string, unknown>).expiration = '200 ms';
    const rt = runtimeFor(flow);
    await rt.start();
    await rt.stopProcessor('sink');
    try {
      await waitFor(() => rt.queue('c1').count() === 2, 15000, 'two queued FlowFiles');
      await sleep(400);
      await rt.startProcessor('sink'); // its first poll expires them
      await waitFor(() => rt.bulletins.list().some((b) => /offset 0 will be consumed again/.test(b.message)), 5000, 'a redelivery bulletin');
      await waitFor(async () => (await committed(group, topic)).get(0) === 2, 15000, 'offset 2 committed after redelivery');
    } finally {
      await rt.close();
    }
    const values = collector('redeliver').map((f) => f.content.toString());
    assert.deepEqual(values.sort(), ['once', 'twice']);
  });

  it('subscribes by pattern, and does not commit when Commit Offsets is false', async () => {
    const prefix = env.uniqueName('con-pattern');
    await createTopic(admin, `${prefix}-a`, 1);
    await createTopic(admin, `${prefix}-b`, 1);
    await createTopic(admin, `x${prefix}-c`, 1);
    for (const t of [`${prefix}-a`, `${prefix}-b`, `x${prefix}-c`]) await producer.send({ topic: t, acks: -1, messages: [{ value: t }] });
    const group = env.uniqueName('g');
    const rt = runtimeFor(consumeFlow('pattern', `${prefix.replace(/-/g, '\\-')}-[ab]`, group, { 'Topic Format': 'pattern', 'Commit Offsets': 'false' }));
    const got = collector('pattern');
    await rt.start();
    try {
      await waitFor(() => got.length >= 2, 15000, 'records of both matching topics');
      await sleep(300);
    } finally {
      await rt.close();
    }
    assert.deepEqual(got.map((f) => f.content.toString()).sort(), [`${prefix}-a`, `${prefix}-b`]);
    assert.equal((await committed(group, `${prefix}-a`)).get(0), -1, 'nothing committed');
  });

  it('reports a group without committed offsets when Auto Offset Reset is none', async () => {
    const topic = env.uniqueName('con-none');
    await createTopic(admin, topic, 1);
    const rt = runtimeFor(consumeFlow('none', topic, env.uniqueName('g'), { 'Auto Offset Reset': 'none' }));
    await rt.start();
    try {
      await waitFor(() => rt.bulletins.list().some((b) => b.level === 'ERROR' && /Auto Offset Reset is "none"/.test(b.message)), 10000, 'an error bulletin');
    } finally {
      await rt.close();
    }
  });

  it('pauses the consumer when the flow is back-pressured and resumes when it drains', async () => {
    const topic = env.uniqueName('con-backpressure');
    await createTopic(admin, topic, 2);
    const n = 80_000;
    for (let i = 0; i < n; i += 2000) {
      await producer.send({ topic, acks: 1, messages: Array.from({ length: 2000 }, (_, j) => ({ value: `r${i + j}` })) });
    }
    // 1000 records per trigger (the buffer pauses at 50,000) and small fetches.
    const rt = runtimeFor(consumeFlow('bp', topic, env.uniqueName('g'), { 'max.partition.fetch.bytes': '32768' }, { backPressure: 100, service: { 'Max Poll Records': '1000' } }));
    const got = collector('bp');
    await rt.start();
    await rt.stopProcessor('sink');
    try {
      const w = await waitFor(() => workerOf(rt), 5000, 'worker');
      await waitFor(() => w.stats.pauses > 0, 15000, 'the consumer paused');
      await sleep(300);
      const held = w.buffered + rt.queue('c1').count();
      assert.ok(w.buffered <= 50_000 + 2 * 2000, `buffer bounded (${w.buffered})`);
      assert.ok(held < 56_000, `only a bounded part was fetched into memory (${held} of ${n})`);
      const fetched = w.stats.fetched;
      await sleep(300);
      assert.equal(w.stats.fetched, fetched, 'nothing more is fetched while paused');
      await rt.startProcessor('sink');
      await waitFor(() => got.length >= n, 20000, `all ${n} records after resuming`);
    } finally {
      await rt.close();
    }
    assert.equal(new Set(got.map((f) => f.content.toString())).size, n);
  });
});

export type { ConsumeKafka };
