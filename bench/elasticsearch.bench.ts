// W2: Kafka → Elasticsearch, documents per second through Sluice (ConsumeKafka → PutElasticsearchJson,
// one FlowFile per record, ids ${kafka.topic}-${kafka.partition}-${kafka.offset}) against a plain
// script (kafkajs eachBatch → client.bulk) on the same test servers, each run as a separate process:
// the Kafka test broker and the Elasticsearch test server. Both read the same topic (own consumer
// group) into their own index; a run ends when the index holds every record.
//   npm run bench -- elasticsearch      (BENCH_ES_RECORDS=200000 to change the volume)
import { readFileSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel } from 'kafkajs';
import { spawnKafkaTestBroker } from '../test/support/kafka/process.ts';
import { spawnElasticsearchTestServer } from '../test/support/elasticsearch/process.ts';
import { FlowRuntime } from '../server/engine/flow-runtime.ts';
import { validateFlow, formatProblems } from '../server/flow/validate.ts';
import { TieredContentStore } from '../server/engine/content/store.ts';
import { ProcessorRegistry } from '../server/sdk/registry.ts';
import { ServiceRegistry } from '../server/sdk/services.ts';
import { kafkaProcessors, kafkaServices } from '../processors/kafka/index.ts';
import { elasticsearchProcessors, elasticsearchServices } from '../processors/elasticsearch/index.ts';

const RECORDS = Number(process.env.BENCH_ES_RECORDS ?? 200_000);
const PARTITIONS = 3;
const ROUNDS = Number(process.env.BENCH_ES_ROUNDS ?? 4);
const TOPIC = 'w2-events';
/** BENCH_ES_ONLY=sluice|plain runs one side only (for profiling). */
const ONLY = process.env.BENCH_ES_ONLY;
const BULK_SIZE = 500;
/**
 * Both consumers use the same fetch wait. It matters for ConsumeKafka: when its buffer is full it
 * pauses the partitions, and kafkajs, with every partition paused, sleeps fetch.max.wait.ms (5 s by
 * default) before fetching again — stalls of seconds every few thousand records.
 */
const FETCH_MAX_WAIT_MS = 100;

const broker = await spawnKafkaTestBroker({ defaultPartitions: PARTITIONS, minSessionTimeoutMs: 1000 });
const es = await spawnElasticsearchTestServer();
const kafka = new Kafka({ clientId: 'w2', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
const esClient = new Client({ node: es.url });

async function produce(): Promise<void> {
  const admin = kafka.admin();
  const producer = kafka.producer();
  await Promise.all([admin.connect(), producer.connect()]);
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
  const actions = ['view', 'click', 'buy', 'share'];
  const t0 = Date.now();
  for (let start = 0; start < RECORDS; start += 5000) {
    const messages = [];
    for (let i = start; i < Math.min(RECORDS, start + 5000); i++) {
      messages.push({ partition: i % PARTITIONS, value: JSON.stringify({ seq: i, user: `user${i % 97}`, action: actions[i % 4], amount: (i * 7) % 1000, ts: t0 + i }) });
    }
    await producer.send({ topic: TOPIC, acks: -1, messages });
  }
  await Promise.all([admin.disconnect(), producer.disconnect()]);
}

/** Documents the Elasticsearch test server has created so far (its /_test/stats: no refresh, no search). */
async function created(): Promise<number> {
  const stats = (await (await fetch(`${es.url}/_test/stats`)).json()) as { bulk: { itemsByResult: Record<string, number> } };
  return stats.bulk.itemsByResult.created ?? 0;
}

interface Run {
  /** From start to the first documents in the index (connecting, joining the group, first fetch). */
  startupSecs: number;
  /** Documents per second from the first documents to the last: the steady-state rate. */
  rate: number;
  /** Documents per second over the whole run, start-up included. */
  overall: number;
  /** CPU seconds used during the run by this process (client), the broker and Elasticsearch. */
  cpu?: number[];
}

/** Polls the server's counters until the run created every record; splits the time into start-up and streaming. */
async function waitForAll(t0: number): Promise<Run> {
  const base = await created();
  let firstAt = 0;
  let firstCount = 0;
  for (;;) {
    const n = (await created()) - base;
    const now = performance.now();
    if (n > 0 && firstAt === 0) { firstAt = now; firstCount = n; }
    if (n >= RECORDS) {
      const streaming = (now - firstAt) / 1000;
      return { startupSecs: (firstAt - t0) / 1000, rate: streaming > 0 ? (RECORDS - firstCount) / streaming : Infinity, overall: RECORDS / ((now - t0) / 1000) };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function count(index: string): Promise<number> {
  await esClient.indices.refresh({ index, ignore_unavailable: true });
  return (await esClient.count({ index, ignore_unavailable: true })).count;
}

/** CPU seconds used so far by a process (Linux /proc; 0 elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid ?? 'self'}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

function cpuSnapshot(): number[] {
  return [cpuSeconds(undefined), cpuSeconds(broker.child.pid), cpuSeconds(es.child.pid)];
}

async function dropIndices(): Promise<void> {
  await esClient.indices.delete({ index: 'w2-*', ignore_unavailable: true, allow_no_indices: true });
  await new Promise((r) => setTimeout(r, 1000));
}

/** The plain script: what one would write by hand with kafkajs and the official client. */
async function plainScript(round: number): Promise<Run> {
  const index = `w2-plain-${round}`;
  const client = new Client({ node: es.url, maxRetries: 5 });
  const consumer = kafka.consumer({ groupId: `w2-plain-${round}`, sessionTimeout: 6000, heartbeatInterval: 1000, maxWaitTimeInMs: FETCH_MAX_WAIT_MS });
  const t0 = performance.now();
  const done = waitForAll(t0);
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      for (let i = 0; i < batch.messages.length; i += BULK_SIZE) {
        const slice = batch.messages.slice(i, i + BULK_SIZE);
        const operations: unknown[] = [];
        for (const m of slice) {
          operations.push({ create: { _index: index, _id: `${batch.topic}-${batch.partition}-${m.offset}` } }, JSON.parse(m.value!.toString()));
        }
        const res = await client.bulk({ operations });
        if (res.errors) {
          const bad = res.items.filter((it) => (it.create?.status ?? 200) >= 300 && it.create?.status !== 409);
          if (bad.length) throw new Error(`${bad.length} bulk item(s) failed: ${JSON.stringify(bad[0])}`);
        }
        resolveOffset(slice[slice.length - 1].offset);
        await heartbeat();
      }
    },
  });
  const run = await done;
  await consumer.disconnect();
  await client.close();
  if ((await count(index)) !== RECORDS) throw new Error(`${index} does not hold ${RECORDS} documents`);
  return run;
}

async function sluice(round: number): Promise<Run> {
  const index = `w2-sluice-${round}`;
  const registry = new ProcessorRegistry([...kafkaProcessors, ...elasticsearchProcessors]);
  const services = new ServiceRegistry([...kafkaServices, ...elasticsearchServices]);
  const { flow, problems } = validateFlow({
    formatVersion: 1,
    name: 'W2 Kafka to Elasticsearch',
    controllerServices: [
      { id: 'kafka', type: 'KafkaConnectionService', properties: { 'Bootstrap Servers': broker.brokers } },
      { id: 'es', type: 'ElasticsearchClientService', properties: { 'HTTP Hosts': es.url } },
    ],
    processors: [
      { id: 'consume', type: 'ConsumeKafka', properties: { 'Kafka Connection Service': 'kafka', 'Group ID': `w2-sluice-${round}`, Topics: TOPIC, 'Auto Offset Reset': 'earliest', 'session.timeout.ms': '6000', 'heartbeat.interval.ms': '1000', 'fetch.max.wait.ms': String(FETCH_MAX_WAIT_MS) } },
      {
        id: 'put', type: 'PutElasticsearchJson',
        properties: { 'Client Service': 'es', Index: index, 'Index Operation': 'create', 'Identifier Expression': '${kafka.topic}-${kafka.partition}-${kafka.offset}', 'Max FlowFiles Per Batch': String(BULK_SIZE) },
        scheduling: { concurrentTasks: 4 },
        autoTerminate: ['original', 'successful', 'errors', 'failure'],
      },
    ],
    connections: [
      { id: 'c', source: 'consume', relationships: ['success'], destination: 'put' },
      { id: 'r', source: 'put', relationships: ['retry'], destination: 'put' },
    ],
  }, registry, { services });
  if (!flow) throw new Error(formatProblems(problems));
  const runtime = new FlowRuntime('w2', flow, { registry, services, contentStore: new TieredContentStore(undefined) });
  const t0 = performance.now();
  const done = waitForAll(t0);
  const failures = await runtime.start();
  if (failures.length) throw new Error(JSON.stringify(failures));
  const run = await done;
  await runtime.close();
  if ((await count(index)) !== RECORDS) throw new Error(`${index} does not hold ${RECORDS} documents`);
  return run;
}

async function main(): Promise<void> {
  console.log(`W2: ${RECORDS} JSON records (3 partitions) from the Kafka test broker into the Elasticsearch test server, ${ROUNDS} round(s), best of each.`);
  console.log('The rate compared is the streaming rate, from the first documents in the index to the last (start-up shown apart).');
  await produce();
  const plain: Run[] = [];
  const ours: Run[] = [];
  const fmt = (r: Run) => `${Math.round(r.rate)} docs/s streaming (${Math.round(r.overall)} overall, first docs after ${r.startupSecs.toFixed(1)} s; CPU s client/broker/es ${r.cpu?.map((c) => c.toFixed(1)).join('/')})`;
  const measured = async (fn: (r: number) => Promise<Run>, r: number): Promise<Run> => {
    const before = cpuSnapshot();
    const run = await fn(r);
    run.cpu = cpuSnapshot().map((c, i) => c - before[i]);
    return run;
  };
  for (let r = 0; r < ROUNDS; r++) {
    // alternate who goes first, and start each run on an empty cluster (the test server slows as it fills)
    if (ONLY === 'sluice') ours.push(await measured(sluice, r));
    else if (ONLY === 'plain') plain.push(await measured(plainScript, r));
    else if (r % 2 === 0) { plain.push(await measured(plainScript, r)); await dropIndices(); ours.push(await measured(sluice, r)); }
    else { ours.push(await measured(sluice, r)); await dropIndices(); plain.push(await measured(plainScript, r)); }
    await dropIndices();
    console.log(`  round ${r + 1}: plain ${plain[r] ? fmt(plain[r]) : '-'}; Sluice ${ours[r] ? fmt(ours[r]) : '-'}`);
  }
  if (ONLY) return;
  const best = (runs: Run[]) => runs.reduce((a, b) => (b.rate > a.rate ? b : a));
  const bestPlain = best(plain);
  const bestOurs = best(ours);
  const ratio = bestOurs.rate / bestPlain.rate;
  console.log(`plain kafkajs eachBatch → client.bulk        ${Math.round(bestPlain.rate).toString().padStart(7)} docs/s`);
  console.log(`Sluice ConsumeKafka → PutElasticsearchJson   ${Math.round(bestOurs.rate).toString().padStart(7)} docs/s`);
  console.log(`ratio ${ratio.toFixed(2)}× (target ≥ 0.80×) ${ratio >= 0.8 ? 'OK' : 'BELOW TARGET'}; start-up to first documents: plain ${bestPlain.startupSecs.toFixed(1)} s, Sluice ${bestOurs.startupSecs.toFixed(1)} s`);
  const median = (runs: Run[]) => { const r = runs.map((x) => x.rate).sort((a, b) => a - b); return r.length % 2 ? r[(r.length - 1) / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2; };
  const cpuPerDoc = (runs: Run[]) => (runs.reduce((a, r) => a + (r.cpu?.[0] ?? 0), 0) / runs.length / RECORDS) * 1e6;
  console.log(`medians: plain ${Math.round(median(plain))} docs/s, Sluice ${Math.round(median(ours))} docs/s (${(median(ours) / median(plain)).toFixed(2)}×); ` +
    `client CPU per document: plain ${cpuPerDoc(plain).toFixed(1)} µs, Sluice ${cpuPerDoc(ours).toFixed(1)} µs`);
  const stats = (await (await fetch(`${es.url}/_test/stats`)).json()) as { bulk: { requests: number; items: number } };
  console.log(`Elasticsearch test server: ${stats.bulk.requests} bulk requests, ${stats.bulk.items} items in all runs`);
}

try {
  await main();
} finally {
  await esClient.close();
  await Promise.all([broker.stop(), es.stop()]);
}
