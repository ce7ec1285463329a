// Rough throughput check of the test broker:
//   node --import tsx test/support/kafka/throughput.ts [--records 200000] [--size 200] [--batch 1000]
//        [--inflight 4] [--brokers host:port | --spawn] [--raw]
// Without --brokers an in-process broker is started (so its CPU competes with the client's);
// --spawn runs it as a child process. kafkajs is usually the bottleneck; --raw measures the broker
// alone with pre-encoded batches and the protocol-level client.
import { Kafka, logLevel } from 'kafkajs';
import { startKafkaTestBroker } from './broker.ts';
import { spawnKafkaTestBroker } from './process.ts';
import { ApiKey } from './protocol/api-keys.ts';
import { RawKafkaClient } from './raw-client.ts';
import { buildBatch } from './records/batch.ts';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const records = arg('records', 200_000);
const recordsTotal = records;
const size = arg('size', 200);
const batch = arg('batch', 1000);
const inflight = arg('inflight', 4);
const brokersArg = process.argv.indexOf('--brokers') > 0 ? process.argv[process.argv.indexOf('--brokers') + 1] : null;
const separate = process.argv.includes('--spawn');

let stop = async () => {};
let brokers = brokersArg;
if (!brokers) {
  if (separate) {
    const b = await spawnKafkaTestBroker({});
    brokers = b.brokers;
    stop = b.stop;
  } else {
    const b = await startKafkaTestBroker({ port: 0 });
    brokers = b.brokers;
    stop = b.close;
  }
}

if (process.argv.includes('--raw')) {
  await rawRun(brokers);
  await stop();
  process.exit(0);
}

async function rawRun(hostPort: string): Promise<void> {
  const topic = `throughput-raw-${Date.now()}`;
  const c = await RawKafkaClient.connect(hostPort);
  await c.request(ApiKey.CreateTopics, 4, { Topics: [{ Name: topic, NumPartitions: 1, ReplicationFactor: 1, Assignments: [], Configs: [] }], timeoutMs: 1000, validateOnly: false });
  const value = Buffer.alloc(size, 'x');
  const records = Array.from({ length: batch }, (_, i) => ({ key: String(i), value }));
  const batches = Math.ceil(recordsTotal / batch);
  const oneBatch = buildBatch(records);
  let t = Date.now();
  let inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < batches; i++) {
    inFlight.push(c.request(ApiKey.Produce, 7, { TransactionalId: null, Acks: 1, TimeoutMs: 1000, TopicData: [{ Name: topic, PartitionData: [{ Index: 0, Records: Buffer.from(oneBatch) }] }] }));
    if (inFlight.length >= inflight * 4) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  let ms = Date.now() - t;
  const n = batches * batch;
  console.log(`raw produce: ${n} records in ${ms} ms = ${Math.round((n / ms) * 1000)} rec/s, ${((oneBatch.length * batches) / ms / 1000).toFixed(1)} MB/s`);
  t = Date.now();
  let offset = 0;
  let bytes = 0;
  while (offset < n) {
    const res = await c.request(ApiKey.Fetch, 11, {
      ReplicaId: -1, MaxWaitMs: 100, MinBytes: 1, MaxBytes: 50 << 20, IsolationLevel: 0, SessionId: 0, SessionEpoch: -1,
      Topics: [{ Topic: topic, Partitions: [{ Partition: 0, FetchOffset: offset, PartitionMaxBytes: 8 << 20, CurrentLeaderEpoch: -1, LogStartOffset: -1 }] }],
      ForgottenTopicsData: [], RackId: '',
    });
    const recs = res.Responses[0].Partitions[0].Records as Buffer;
    bytes += recs.length;
    offset += (recs.length / oneBatch.length) * batch;
  }
  ms = Date.now() - t;
  console.log(`raw fetch:   ${n} records in ${ms} ms = ${Math.round((n / ms) * 1000)} rec/s, ${(bytes / ms / 1000).toFixed(1)} MB/s`);
  c.close();
}

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.WARN, clientId: 'throughput' });
const topic = `throughput-${Date.now()}`;
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });

const value = Buffer.alloc(size, 'x');
const producer = kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();
let t0 = Date.now();
let sent = 0;
let next = 0;
const worker = async () => {
  while (next < records) {
    const n = Math.min(batch, records - next);
    const start = next;
    next += n;
    const messages = Array.from({ length: n }, (_, i) => ({ key: String(start + i), value }));
    await producer.send({ topic, acks: 1, messages });
    sent += n;
  }
};
await Promise.all(Array.from({ length: inflight }, worker));
const produceMs = Date.now() - t0;
console.log(`produce: ${sent} records x ${size} B in ${produceMs} ms = ${Math.round((sent / produceMs) * 1000)} rec/s, ${((sent * size) / produceMs / 1000).toFixed(1)} MB/s`);
await producer.disconnect();

const consumer = kafka.consumer({ groupId: `${topic}-g`, maxBytes: 50 * 1024 * 1024, maxBytesPerPartition: 4 * 1024 * 1024, sessionTimeout: 10000, heartbeatInterval: 1000 });
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
let received = 0;
t0 = 0;
await new Promise<void>((resolve) => {
  void consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch: b }) => {
      if (!t0) t0 = Date.now();
      received += b.messages.length;
      if (received >= records) resolve();
    },
  });
});
const fetchMs = Date.now() - t0;
console.log(`fetch:   ${received} records in ${fetchMs} ms = ${Math.round((received / fetchMs) * 1000)} rec/s, ${((received * size) / fetchMs / 1000).toFixed(1)} MB/s`);
await consumer.disconnect();
await admin.deleteTopics({ topics: [topic] });
await admin.disconnect();
await stop();
