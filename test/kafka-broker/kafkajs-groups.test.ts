// kafkajs consumer groups against the test broker: two members split partitions, a rebalance when
// the second joins loses nothing, a leaving member hands its partitions back, and committed
// offsets survive a consumer restart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import type { KafkaForTests } from '../support/kafka/for-tests.ts';
import { closeKafkaClients, FAST_CONSUMER, openKafkaClients, testKafka, waitFor } from '../support/kafka/test-helpers.ts';

let env: KafkaForTests;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;

before(async () => { ({ env, kafka, admin, producer } = await openKafkaClients('groups')); });
after(() => closeKafkaClients({ env, admin, producer }));

interface Member {
  consumer: Consumer;
  values: string[];
  assignment: number[];
  generations: number;
}

async function startMember(groupId: string, topic: string): Promise<Member> {
  const consumer = kafka.consumer({ groupId, ...FAST_CONSUMER });
  const m: Member = { consumer, values: [], assignment: [], generations: 0 };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    m.assignment = [...(e.payload.memberAssignment[topic] ?? [])].sort();
    m.generations++;
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      m.values.push(message.value!.toString());
    },
  });
  return m;
}

async function produce(topic: string, from: number, n: number): Promise<string[]> {
  const values = Array.from({ length: n }, (_, i) => `m-${from + i}`);
  await producer.send({ topic, acks: -1, messages: values.map((v) => ({ key: v, value: v })) });
  return values;
}

describe('kafkajs consumer groups', () => {
  it('two members split the partitions; the rebalance on join and leave loses nothing', async () => {
    const topic = env.uniqueName('grp');
    const groupId = env.uniqueName('grp-g');
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
    const sent = await produce(topic, 0, 40);

    const a = await startMember(groupId, topic);
    await waitFor(() => a.assignment.length === 4, 10000, 'first member owns all partitions');
    await waitFor(() => a.values.length >= 40, 10000, 'first member consumed the backlog');

    // keep producing while the second member joins
    let producing = true;
    let next = 40;
    const background = (async () => {
      while (producing) {
        sent.push(...(await produce(topic, next, 5)));
        next += 5;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const b = await startMember(groupId, topic);
    await waitFor(() => b.assignment.length > 0 && a.assignment.length + b.assignment.length === 4 && a.assignment.length < 4, 15000, 'partitions split between two members');
    assert.deepEqual([...a.assignment, ...b.assignment].sort(), [0, 1, 2, 3]);
    assert.equal(new Set([...a.assignment, ...b.assignment]).size, 4, 'no partition assigned twice');
    const described = await admin.describeGroups([groupId]);
    assert.equal(described.groups[0].members.length, 2);
    assert.equal(described.groups[0].state, 'Stable');
    await new Promise((r) => setTimeout(r, 300));
    producing = false;
    await background;

    const seen = () => new Set([...a.values, ...b.values]);
    await waitFor(() => sent.every((v) => seen().has(v)), 15000, 'every record consumed after the rebalance');
    assert.ok(b.values.length > 0, 'second member consumed some records');

    // b leaves: a takes everything back, and new records still arrive
    await b.consumer.disconnect();
    await waitFor(() => a.assignment.length === 4, 15000, 'first member owns all partitions again');
    const more = await produce(topic, 100000, 20);
    await waitFor(() => more.every((v) => a.values.includes(v)), 10000, 'records after the leave');
    await a.consumer.disconnect();
  });

  it('committed offsets survive a consumer restart', async () => {
    const topic = env.uniqueName('commit');
    const groupId = env.uniqueName('commit-g');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    const first = await produce(topic, 0, 30);
    const c1 = await startMember(groupId, topic);
    await waitFor(() => c1.values.length >= 30, 10000, 'first run consumed');
    await c1.consumer.disconnect(); // commits on the way out
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    assert.equal(
      committed[0].partitions.reduce((n, p) => n + Number(p.offset), 0),
      30,
      'committed offsets cover the first 30 records',
    );
    assert.deepEqual([...c1.values].sort(), [...first].sort());

    const second = await produce(topic, 30, 12);
    const c2 = await startMember(groupId, topic);
    await waitFor(() => c2.values.length >= 12, 10000, 'second run consumed the new records');
    await new Promise((r) => setTimeout(r, 300));
    await c2.consumer.disconnect();
    assert.deepEqual([...c2.values].sort(), [...second].sort(), 'restart resumes at the committed offsets');
  });
});
