// W2a: Kafka throughput of Sluice against plain kafkajs, with the test broker in its own process
// (or the cluster in KAFKA_BROKERS).
//   produce: GenerateFlowFile -> PublishKafka  vs  a kafkajs producer sending the same batches
//   consume: ConsumeKafka -> UpdateAttribute (auto-terminated)  vs  a kafkajs eachBatch consumer
// Records are 200 bytes, without keys. BENCH_KAFKA_RECORDS sets N (default 1,000,000); the
// consume comparison alternates BENCH_KAFKA_CONSUME_ROUNDS times (default 3) and reports the median.
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { FlowRuntime } from '../server/engine/flow-runtime.ts';
import { validateFlow, formatProblems } from '../server/flow/validate.ts';
import { ProcessorRegistry } from '../server/sdk/registry.ts';
import { ServiceRegistry } from '../server/sdk/services.ts';
import { GenerateFlowFile } from '../processors/standard/generate-flow-file.ts';
import { UpdateAttribute } from '../processors/standard/update-attribute.ts';
import { kafkaProcessors, kafkaServices } from '../processors/kafka/index.ts';
import { MAX_RECORDS_PER_REQUEST, MAX_REQUESTS_IN_FLIGHT } from '../processors/kafka/publisher.ts';
import { spawnKafkaTestBroker } from '../test/support/kafka/process.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const N = Number(process.env.BENCH_KAFKA_RECORDS ?? 1_000_000);
const SIZE = 200;
const PARTITIONS = 3;
const CONSUME_ROUNDS = Number(process.env.BENCH_KAFKA_CONSUME_ROUNDS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const external = process.env.KAFKA_BROKERS?.trim();
const spawned = external ? null : await spawnKafkaTestBroker({});
// Never leave the broker behind, whatever happens to this process.
process.on('exit', () => { if (spawned && spawned.child.exitCode === null) spawned.child.kill('SIGKILL'); });
const brokers = external ? external.split(',').map((s) => s.trim()) : [spawned!.brokers];
const kafka = new Kafka({ brokers, clientId: 'bench', logLevel: logLevel.NOTHING });
const admin: Admin = kafka.admin();
await admin.connect();
const run = Date.now().toString(36);
const plainTopic = `bench-plain-${run}`;
const sluiceTopic = `bench-sluice-${run}`;
await admin.createTopics({ topics: [plainTopic, sluiceTopic].map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })), waitForLeaders: true });

const registry = new ProcessorRegistry([GenerateFlowFile, UpdateAttribute, ...kafkaProcessors]);
const services = new ServiceRegistry(kafkaServices);
const service = { id: 'kafka', type: 'KafkaConnectionService', properties: { 'Bootstrap Servers': brokers.join(','), 'Client ID': 'bench-sluice' } };

function runtime(flow: Record<string, unknown>): FlowRuntime {
  const { flow: valid, problems } = validateFlow({ formatVersion: 1, controllerServices: [service], ...flow }, registry, { services });
  if (!valid) throw new Error(formatProblems(problems));
  return new FlowRuntime('bench', valid, { registry, services });
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
/** Records/s (wall clock) and this process's CPU time per record (the broker runs elsewhere). */
interface Measure { rate: number; cpuUs: number }
function measure(ms: number, cpu0: NodeJS.CpuUsage): Measure {
  const cpu = process.cpuUsage(cpu0);
  return { rate: (N / ms) * 1000, cpuUs: (cpu.user + cpu.system) / N };
}
const fmt = (m: Measure) => `${Math.round(m.rate).toLocaleString('en-US').padStart(9)} records/s, ${m.cpuUs.toFixed(2)} µs CPU/record`;
const ratio = (s: Measure, p: Measure) => `ratio ${(s.rate / p.rate).toFixed(2)}x (CPU per record ${(p.cpuUs / s.cpuUs).toFixed(2)}x)`;

/** Plain kafkajs: the same request shape as PublishKafka (batches of records, a few requests in flight). */
async function plainProduce(): Promise<Measure> {
  const producer = kafka.producer();
  await producer.connect();
  const value = Buffer.alloc(SIZE, 'x');
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let next = 0;
  await Promise.all(Array.from({ length: MAX_REQUESTS_IN_FLIGHT }, async () => {
    while (next < N) {
      const n = Math.min(MAX_RECORDS_PER_REQUEST, N - next);
      next += n;
      const messages = new Array(n);
      for (let i = 0; i < n; i++) messages[i] = { value };
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic: plainTopic, messages }] });
    }
  }));
  const m = measure(performance.now() - t0, cpu0);
  await producer.disconnect();
  return m;
}

async function sluiceProduce(): Promise<Measure> {
  const batch = 1000;
  const rt = runtime({
    name: 'bench-publish',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', properties: { 'File Size': `${SIZE} B`, 'Batch Size': String(batch) }, scheduling: { triggerLimit: Math.ceil(N / batch) } },
      { id: 'pub', type: 'PublishKafka', properties: { 'Kafka Connection Service': 'kafka', 'Topic Name': sluiceTopic, 'Transactions Enabled': 'false', 'Delivery Guarantee': 'Guarantee Replicated Delivery' }, autoTerminate: ['success', 'failure'] },
    ],
    connections: [{ id: 'c', source: 'gen', relationships: ['success'], destination: 'pub' }],
  });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await rt.start();
  await rt.untilIdle();
  const m = measure(performance.now() - t0, cpu0);
  const sent = rt.node('pub').stats.in.totalCount;
  const failed = rt.bulletins.list().filter((b) => b.level === 'ERROR');
  await rt.close();
  if (failed.length) throw new Error(`PublishKafka reported errors: ${failed[0].message}`);
  if (sent < N) throw new Error(`PublishKafka handled ${sent} of ${N} FlowFiles`);
  return m;
}

/** Plain kafkajs eachBatch consumer counting records (no per-record work, no commits). */
async function plainConsume(topic: string, round: number): Promise<Measure> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const consumer = kafka.consumer({ groupId: `bench-plain-g-${run}-${round}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let received = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        received += batch.messages.length;
        if (received >= N) resolve();
      },
    });
  });
  const m = measure(performance.now() - t0, cpu0);
  await consumer.disconnect();
  return m;
}

async function sluiceConsume(topic: string, round: number): Promise<Measure> {
  const rt = runtime({
    name: 'bench-consume',
    processors: [
      { id: 'consume', type: 'ConsumeKafka', properties: { 'Kafka Connection Service': 'kafka', 'Group ID': `bench-sluice-g-${run}-${round}`, Topics: topic, 'Auto Offset Reset': 'earliest' } },
      { id: 'sink', type: 'UpdateAttribute', properties: {}, autoTerminate: ['success'] },
    ],
    connections: [{ id: 'c', source: 'consume', relationships: ['success'], destination: 'sink' }],
  });
  const sink = rt.node('sink');
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await rt.start();
  while (sink.stats.in.totalCount < N) await new Promise((r) => setTimeout(r, 5));
  const m = measure(performance.now() - t0, cpu0);
  await rt.close();
  return m;
}

try {
  console.log(`W2a: ${N.toLocaleString('en-US')} records of ${SIZE} B, ${PARTITIONS} partitions, broker ${external ? `KAFKA_BROKERS=${external}` : 'test broker in its own process'}`);
  gc();
  const plainP = await plainProduce();
  console.log(`  produce  plain kafkajs producer           ${fmt(plainP)}`);
  gc();
  const sluiceP = await sluiceProduce();
  console.log(`  produce  GenerateFlowFile -> PublishKafka ${fmt(sluiceP)}   ${ratio(sluiceP, plainP)}`);
  const plainCs: Measure[] = [];
  const sluiceCs: Measure[] = [];
  for (let round = 0; round < CONSUME_ROUNDS; round++) {
    gc();
    plainCs.push(await plainConsume(plainTopic, round));
    gc();
    sluiceCs.push(await sluiceConsume(plainTopic, round));
    console.log(`  consume  round ${round + 1}: plain ${fmt(plainCs[round])}; Sluice ${fmt(sluiceCs[round])}`);
  }
  const plainC = { rate: median(plainCs.map((m) => m.rate)), cpuUs: median(plainCs.map((m) => m.cpuUs)) };
  const sluiceC = { rate: median(sluiceCs.map((m) => m.rate)), cpuUs: median(sluiceCs.map((m) => m.cpuUs)) };
  console.log(`  consume  plain kafkajs eachBatch          ${fmt(plainC)} (medians)`);
  console.log(`  consume  ConsumeKafka -> UpdateAttribute  ${fmt(sluiceC)} (medians)   ${ratio(sluiceC, plainC)}`);
} finally {
  await admin.deleteTopics({ topics: [plainTopic, sluiceTopic] }).catch(() => {});
  await admin.disconnect().catch(() => {});
  await spawned?.stop();
}
