// Benchmark W3, one Redis hop: FlowFiles/s from a source through one BullMQ-backed connection to a
// sink, with 1 and 2 `sluice worker` processes; against a plain BullMQ script that adds and
// processes one job per item, and against Sluice's in-memory hop. Also Redis memory per queued
// FlowFile (and per plain BullMQ job). Runs against a private redis-server (noeviction, AOF off,
// so disk speed does not enter the figures) on a free port.
//   BENCH_REDIS_FLOWFILES (default 300000)  FlowFiles per Sluice run
//   BENCH_REDIS_PLAIN (default 50000)       jobs for plain BullMQ
//   BENCH_REDIS_QUEUED (default 100000)     FlowFiles/jobs queued for the memory figure
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { FlowRuntime } from '../server/engine/flow-runtime.ts';
import { validateFlow } from '../server/flow/validate.ts';
import { FlowSchema, type FlowDefinition } from '../server/flow/schema.ts';
import { createProcessorRegistry } from '../processors/index.ts';
import { ClusterNode } from '../server/cluster/node.ts';
import { resolveClusterSettings } from '../server/cluster/settings.ts';
import { deleteMatching } from '../server/cluster/connection.ts';
import { PrivateRedis, spawnWorker, sleep, type WorkerProcess } from '../test/cluster/support/harness.ts';

const N = Number(process.env.BENCH_REDIS_FLOWFILES ?? 300_000);
const PLAIN = Number(process.env.BENCH_REDIS_PLAIN ?? 50_000);
const QUEUED = Number(process.env.BENCH_REDIS_QUEUED ?? 100_000);
const BODY = 'hello, world';
const registry = createProcessorRegistry();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function hopFlow(total: number, sink: 'RUNNING' | 'STOPPED', threshold = 10_000): FlowDefinition {
  return FlowSchema.parse({
    formatVersion: 1, name: 'w3',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': '500', 'Custom Text': BODY }, scheduling: { triggerLimit: Math.ceil(total / 500) }, state: 'RUNNING' },
      { id: 'sink', type: 'UpdateAttribute', properties: { seen: 'yes' }, autoTerminate: ['success'], state: sink },
    ],
    connections: [{ id: 'c1', source: 'gen', relationships: ['success'], destination: 'sink', backPressure: { objectThreshold: threshold } }],
  });
}

async function sluiceHop(url: string, workers: number): Promise<{ rate: number; perNode: Record<string, number> }> {
  const prefix = `w3-${workers}w`;
  const env = { SLUICE_HEARTBEAT_MS: '100', SLUICE_STATE_POLL_MS: '250' };
  const settings = resolveClusterSettings({ redisUrl: url, prefix }, env);
  const api = new ClusterNode({ settings, registry, worker: false, roles: ['bench'] });
  await api.start();
  const procs: WorkerProcess[] = await Promise.all(Array.from({ length: workers }, () => spawnWorker(url, prefix, env)));
  try {
    await sleep(500);
    const t0 = performance.now();
    await api.store.putFlow('w3', hopFlow(N, 'RUNNING'), 'definition');
    let perNode: Record<string, number> = {};
    for (;;) {
      await sleep(50);
      const s = await api.flowStatus('w3');
      const sink = s?.processors.find((p) => p.id === 'sink');
      if (sink && sink.totals.in.count >= N) { perNode = Object.fromEntries(Object.entries(sink.perNode).map(([k, v]) => [k, v.in.count])); break; }
    }
    const secs = (performance.now() - t0) / 1000;
    return { rate: N / secs, perNode };
  } finally {
    await Promise.all(procs.map((p) => p.kill()));
    await api.close();
    const r = new Redis(url);
    await deleteMatching(r, `${prefix}:*`);
    r.disconnect();
  }
}

async function plainBullmq(url: string): Promise<number> {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const prefix = 'w3-plain';
  const queue = new Queue('items', { connection, prefix });
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => { finish = r; });
  const worker = new Worker('items', async (job) => {
    // The same work as the Sluice sink: read the item, set an attribute.
    const item = job.data as { i: number; body: string; attrs: Record<string, string> };
    item.attrs.seen = 'yes';
    if (++done === PLAIN) finish();
  }, { connection, prefix, concurrency: 100, removeOnComplete: { count: 0 } });
  await worker.waitUntilReady();
  const t0 = performance.now();
  for (let i = 0; i < PLAIN; i += 1000) {
    const jobs = [];
    for (let k = i; k < Math.min(PLAIN, i + 1000); k++) jobs.push({ name: 'item', data: { i: k, body: BODY, attrs: { filename: `f${k}` } }, opts: { removeOnComplete: true } });
    await queue.addBulk(jobs);
  }
  await finished;
  const secs = (performance.now() - t0) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return PLAIN / secs;
}

async function memoryHop(): Promise<number> {
  const total = 1_000_000;
  const { flow } = validateFlow(hopFlow(total, 'RUNNING'), registry);
  const rt = new FlowRuntime('w3-mem', flow!, { registry });
  const t0 = performance.now();
  await rt.start();
  await rt.untilIdle();
  const secs = (performance.now() - t0) / 1000;
  const done = rt.node('sink').stats.in.totalCount;
  await rt.close();
  if (done !== total) throw new Error(`in-memory hop delivered ${done} of ${total}`);
  return total / secs;
}

async function usedMemory(r: Redis): Promise<number> {
  const info = await r.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

async function memoryPerQueued(url: string): Promise<{ sluice: number; plain: number }> {
  const r = new Redis(url);
  const prefix = 'w3-memory';
  const settings = resolveClusterSettings({ redisUrl: url, prefix }, { SLUICE_HEARTBEAT_MS: '100', SLUICE_STATE_POLL_MS: '250' });
  const api = new ClusterNode({ settings, registry, worker: false, roles: ['bench'] });
  await api.start();
  const worker = await spawnWorker(url, prefix, {});
  let sluice = 0;
  try {
    const before = await usedMemory(r);
    await api.store.putFlow('w3', hopFlow(QUEUED, 'STOPPED', QUEUED * 2), 'definition');
    const counters = api.keys.counters(api.keys.queueName('w3', 'c1'));
    while (Number((await r.hget(counters, 'n')) ?? 0) < QUEUED) await sleep(100);
    await sleep(500);
    sluice = ((await usedMemory(r)) - before) / QUEUED;
  } finally {
    await worker.kill();
    await api.close();
    await deleteMatching(r, `${prefix}:*`);
  }
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue('items', { connection, prefix: 'w3-plain-memory' });
  const before = await usedMemory(r);
  for (let i = 0; i < QUEUED; i += 1000) {
    const jobs = [];
    for (let k = i; k < Math.min(QUEUED, i + 1000); k++) jobs.push({ name: 'item', data: { i: k, body: BODY, attrs: { filename: `f${k}` } }, opts: { removeOnComplete: true } });
    await queue.addBulk(jobs);
  }
  const plain = ((await usedMemory(r)) - before) / QUEUED;
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  r.disconnect();
  return { sluice, plain };
}

const redis = await PrivateRedis.start(['--appendonly', 'no']);
try {
  console.log(`W3: one Redis hop (private redis-server ${redis.url}, AOF off); ${fmt(N)} FlowFiles per Sluice run, ${fmt(PLAIN)} plain BullMQ jobs`);
  const mem = await memoryHop();
  console.log(`  Sluice in-memory hop:          ${fmt(mem).padStart(10)} FlowFiles/s`);
  const plain = await plainBullmq(redis.url);
  console.log(`  plain BullMQ, one job per item: ${fmt(plain).padStart(9)} items/s`);
  const one = await sluiceHop(redis.url, 1);
  console.log(`  Sluice Redis hop, 1 worker:    ${fmt(one.rate).padStart(10)} FlowFiles/s  (${(one.rate / plain).toFixed(1)}× plain BullMQ)`);
  const two = await sluiceHop(redis.url, 2);
  console.log(`  Sluice Redis hop, 2 workers:   ${fmt(two.rate).padStart(10)} FlowFiles/s  (${(two.rate / plain).toFixed(1)}× plain BullMQ; sink per worker ${JSON.stringify(two.perNode)})`);
  const m = await memoryPerQueued(redis.url);
  console.log(`  Redis memory per queued FlowFile: ${fmt(m.sluice)} B (plain BullMQ job: ${fmt(m.plain)} B) with ${fmt(QUEUED)} queued`);
  const ok = one.rate >= 5 * plain;
  console.log(`  target ≥ 5× plain BullMQ per-item throughput (1 worker): ${ok ? 'met' : 'NOT met'}`);
} finally {
  await redis.destroy();
}
process.exit(0);
