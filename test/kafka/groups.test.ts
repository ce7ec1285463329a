// ConsumeKafka in consumer groups: two flows in one group split the partitions and a rebalance
// (a member joining, then leaving) while records keep arriving loses nothing; a consumer whose
// broker disappears crashes visibly (bulletin) and recovers when the broker is back.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { FlowRuntime } from '../../server/engine/flow-runtime.ts';
import type { ConsumerWorker } from '../../processors/kafka/consumer-worker.ts';
import type { KafkaForTests } from '../support/kafka/for-tests.ts';
import { closeKafkaClients, openKafkaClients } from '../support/kafka/test-helpers.ts';
import { startKafkaTestBroker, type KafkaTestBroker } from '../support/kafka/broker.ts';
import { collector, createTopic, FAST_GROUP, plainKafka, runtimeFor, serviceConfig, sleep, waitFor } from './support/harness.ts';

let env: KafkaForTests;
/** Shorter sessions than a real cluster allows (its group.min.session.timeout.ms is 6 s). */
const QUICK_SESSIONS = { 'session.timeout.ms': '2000', 'heartbeat.interval.ms': '250', 'max.poll.interval.ms': '4000' };
let kafka: Kafka;
let admin: Admin;
let producer: Producer;

before(async () => { ({ env, kafka, admin, producer } = await openKafkaClients('kafka-test', { minSessionTimeoutMs: 1000 })); });
after(() => closeKafkaClients({ env, admin, producer }));

function member(name: string, brokers: string[], topic: string, group: string): FlowRuntime {
  return runtimeFor({
    formatVersion: 1, name,
    controllerServices: [serviceConfig(brokers)],
    processors: [
      { id: 'consume', type: 'ConsumeKafka', properties: { 'Kafka Connection Service': 'kafka', 'Group ID': group, Topics: topic, 'Auto Offset Reset': 'earliest', 'Max Uncommitted Time': '100 ms', ...FAST_GROUP, ...(env.external ? {} : QUICK_SESSIONS) }, scheduling: { yieldDuration: '50 ms' } },
      { id: 'slow', type: 'SlowPassThrough', properties: { Delay: '2', 'Batch Size': '50' } },
      { id: 'sink', type: 'CollectKafkaTest', properties: { Collector: name }, autoTerminate: ['success'] },
    ],
    connections: [
      { id: 'c1', source: 'consume', relationships: ['success'], destination: 'slow' },
      { id: 'c2', source: 'slow', relationships: ['success'], destination: 'sink' },
    ],
  }, [SlowPassThrough]);
}

const workerOf = (rt: FlowRuntime): ConsumerWorker | null => (rt.node('consume').context.state as { worker: ConsumerWorker | null } | undefined)?.worker ?? null;

// A pass-through that keeps FlowFiles in flight for a while (so a rebalance meets unacknowledged data).
import { defineProcessor } from '../../server/sdk/definition.ts';
const SlowPassThrough = defineProcessor({
  type: 'SlowPassThrough',
  description: 'test: slow async pass-through',
  tags: ['test'],
  inputRequirement: 'required',
  properties: [{ name: 'Delay', description: 'ms per trigger', defaultValue: '5' }, { name: 'Batch Size', description: 'per trigger', defaultValue: '1' }],
  relationships: [{ name: 'success', description: 'everything' }],
  async onTrigger(ctx, session) {
    const batch = session.get(Number(ctx.property('Batch Size').value));
    await new Promise((r) => setTimeout(r, Number(ctx.property('Delay').value)));
    session.transfer(batch, 'success');
  },
});

describe('ConsumeKafka in a consumer group', () => {
  it('loses nothing when a second member joins and the first leaves while records arrive', async () => {
    const topic = env.uniqueName('grp-rebalance');
    const group = env.uniqueName('g');
    await createTopic(admin, topic, 4);
    const sent: string[] = [];
    let producing = true;
    const background = (async () => {
      for (let i = 0; producing; i++) {
        const batch = Array.from({ length: 50 }, (_, j) => `id-${i * 50 + j}`);
        await producer.send({ topic, acks: -1, messages: batch.map((v) => ({ key: v, value: v })) });
        sent.push(...batch);
        await sleep(15);
      }
    })();

    const a = member('member-a', env.brokers, topic, group);
    const b = member('member-b', env.brokers, topic, group);
    const got = () => new Set([...collector('member-a'), ...collector('member-b')].map((f) => f.content.toString()));
    try {
      await a.start();
      await waitFor(() => collector('member-a').length > 200, 15000, 'member a consuming');
      await b.start();
      await waitFor(() => { const w = workerOf(b); return w !== null && w.assignedPartitions().length > 0; }, 20000, 'member b got partitions');
      await waitFor(() => collector('member-b').length > 100, 15000, 'member b consuming');
      const wa = workerOf(a)!;
      await waitFor(() => wa.assignedPartitions().length === 2, 15000, 'member a down to its share');
      assert.equal(wa.assignedPartitions().length + workerOf(b)!.assignedPartitions().length, 4);
      await a.close(); // leaves the group: b takes over everything
      await waitFor(() => workerOf(b)!.assignedPartitions().length === 4, 20000, 'member b owns all partitions');
      const before = collector('member-b').length;
      await waitFor(() => collector('member-b').length > before + 200, 15000, 'member b consuming everything');
      producing = false;
      await background;
      await waitFor(() => sent.every((v) => got().has(v)), 20000, 'every produced record collected');
    } finally {
      producing = false;
      await background;
      await a.close();
      await b.close();
    }
    const all = [...collector('member-a'), ...collector('member-b')].map((f) => f.content.toString());
    const lost = sent.filter((v) => !got().has(v));
    console.log(`rebalance: sent ${sent.length}, received ${all.length}, lost ${lost.length}, duplicates ${all.length - got().size}`);
    assert.equal(lost.length, 0);
  });

  it('reconnects with a new consumer after a crash kafkajs does not recover from', async () => {
    const topic = env.uniqueName('grp-fatal');
    await createTopic(admin, topic, 1);
    await producer.send({ topic, acks: -1, messages: [{ value: 'first' }] });
    const rt = member('fatal', env.brokers, topic, env.uniqueName('g'));
    try {
      await rt.start();
      await waitFor(() => collector('fatal').length === 1, 15000, 'the first record');
      const w = workerOf(rt)!;
      // What the consumer's crash event reports for a non-retriable error (restart: false).
      (w as unknown as { onCrash(e: Error, restart: boolean): void }).onCrash(new Error('planted non-retriable failure'), false);
      await waitFor(() => rt.bulletins.list().some((b) => /crashed: planted non-retriable failure; reconnecting in 1 s/.test(b.message)), 5000, 'a reconnect bulletin');
      await producer.send({ topic, acks: -1, messages: [{ value: 'second' }] });
      await waitFor(() => collector('fatal').some((f) => f.content.toString() === 'second'), 20000, 'a record through the new consumer');
    } finally {
      await rt.close();
    }
  });

  it('reports a crashed consumer in a bulletin and recovers when the broker returns', { skip: !!process.env.KAFKA_BROKERS && 'needs the test broker' }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluice-kafka-crash-'));
    let broker: KafkaTestBroker | null = await startKafkaTestBroker({ port: 0, dataDir, minSessionTimeoutMs: 1000 });
    const port = broker.port;
    const brokers = [broker.brokers];
    const k = plainKafka(brokers);
    const p = k.producer();
    const topic = 'crash-topic';
    const rt = member('crash', brokers, topic, 'crash-group');
    try {
      await p.connect();
      await p.send({ topic, acks: -1, messages: [{ value: 'before' }] });
      await p.disconnect();
      await rt.start();
      await waitFor(() => collector('crash').length === 1, 15000, 'the first record');
      await broker.close();
      broker = null;
      await waitFor(() => rt.bulletins.list().some((b) => b.level === 'ERROR' && /Kafka consumer for group "crash-group" crashed/.test(b.message)), 20000, 'a crash bulletin');
      broker = await startKafkaTestBroker({ port, dataDir, minSessionTimeoutMs: 1000 });
      const p2 = plainKafka(brokers).producer();
      await p2.connect();
      await p2.send({ topic, acks: -1, messages: [{ value: 'after' }] });
      await p2.disconnect();
      await waitFor(() => collector('crash').some((f) => f.content.toString() === 'after'), 30000, 'a record after the broker returned');
    } finally {
      await rt.close();
      await broker?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    const crash = rt.bulletins.list().find((b) => /crashed/.test(b.message))!;
    console.log(`crash bulletin: ${crash.message}`);
  });
});
