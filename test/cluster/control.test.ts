// Cluster control: back pressure across nodes, flow edits reaching the workers, and
// `sluice run --redis --until-idle` working alongside a worker.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterNode } from '../../server/cluster/node.ts';
import { resolveClusterSettings } from '../../server/cluster/settings.ts';
import { createProcessorRegistry } from '../../processors/index.ts';
import { FlowSchema } from '../../server/flow/schema.ts';
import { cleanPrefix, FAST_ENV, root, sleep, spawnWorker, stopPrivateShared, testRedisUrl, uniquePrefix, waitFor, type WorkerProcess } from './support/harness.ts';
import { linesFlow, missingLines, writeLines } from './support/flows.ts';

after(() => stopPrivateShared());

async function coordinator(url: string, prefix: string, env: Record<string, string> = {}): Promise<ClusterNode> {
  const settings = resolveClusterSettings({ redisUrl: url, prefix }, { ...FAST_ENV, ...env });
  const node = new ClusterNode({ settings, registry: createProcessorRegistry(), worker: false, roles: ['api'] });
  await node.start();
  return node;
}

test('back pressure holds across the cluster: the shared count never exceeds threshold + one batch per worker', { timeout: 120_000 }, async () => {
  const url = await testRedisUrl();
  const prefix = uniquePrefix('bp');
  const batch = 100;
  const threshold = 300;
  const env = { SLUICE_BATCH_COUNT: String(batch) };
  const api = await coordinator(url, prefix, env);
  const workers: WorkerProcess[] = [];
  try {
    workers.push(...await Promise.all([spawnWorker(url, prefix, env), spawnWorker(url, prefix, env)]));
    const total = 2000;
    const flow = FlowSchema.parse({
      formatVersion: 1, name: 'bp',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': '50', 'Custom Text': 'x' }, scheduling: { triggerLimit: total / 50 }, state: 'RUNNING' },
        // A slow sink: one FlowFile per trigger, a trigger every 10 ms on each worker.
        { id: 'sink', type: 'SplitText', properties: { 'Line Split Count': '1' }, scheduling: { runSchedule: '10 ms' }, autoTerminate: ['splits', 'original', 'failure'], state: 'RUNNING' },
      ],
      connections: [{ id: 'c1', source: 'gen', relationships: ['success'], destination: 'sink', backPressure: { objectThreshold: threshold } }],
    });
    const counters = api.keys.counters(api.keys.queueName('bp', 'c1'));
    let max = 0;
    let samples = 0;
    let done = false;
    const sampler = (async () => {
      while (!done) {
        const n = Number((await api.redis.hget(counters, 'n')) ?? 0);
        if (n > max) max = n;
        samples++;
        await sleep(5);
      }
    })();
    await api.store.putFlow('bp', flow, 'definition');
    const idle = await api.untilIdle('bp', { timeoutMs: 90_000 });
    done = true;
    await sampler;
    assert.ok(idle, 'the flow finished');
    const status = (await api.flowStatus('bp'))!;
    const sink = status.processors.find((p) => p.id === 'sink')!;
    assert.equal(sink.totals.in.count, total);
    assert.ok(max <= threshold + batch * workers.length, `queued count reached ${max} (threshold ${threshold}, batch ${batch}, ${workers.length} workers)`);
    assert.ok(max >= threshold * 0.8, `back pressure never engaged (max ${max})`);
    for (const w of workers) assert.ok((sink.perNode[w.id]?.in.count ?? 0) > 0, `worker ${w.id} sank nothing`);
    console.log(`# max shared count ${max} over ${samples} samples (threshold ${threshold}, batch ${batch}); sink per node ${JSON.stringify(Object.fromEntries(Object.entries(sink.perNode).map(([k, v]) => [k, v.in.count])))}`);
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
    await api.close();
    await cleanPrefix(url, prefix);
  }
});

test('a flow edited on the API node is picked up by the workers within about a second', { timeout: 120_000 }, async () => {
  const url = await testRedisUrl();
  const prefix = uniquePrefix('edit');
  const api = await coordinator(url, prefix);
  const workers: WorkerProcess[] = [];
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const out = mkdtempSync(join(tmpdir(), 'sluice-edit-'));
  try {
    workers.push(...await Promise.all([spawnWorker(url, prefix), spawnWorker(url, prefix)]));
    const flow = (tag: string) => FlowSchema.parse({
      formatVersion: 1, name: 'edit',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': '5', 'Custom Text': 'x' }, scheduling: { runSchedule: '50 ms' }, state: 'RUNNING' },
        { id: 'tag', type: 'UpdateAttribute', properties: { filename: `${tag}-\${uuid}` }, state: 'RUNNING' },
        { id: 'put', type: 'PutFile', properties: { Directory: out }, autoTerminate: ['success', 'failure'], state: 'RUNNING' },
      ],
      connections: [
        { id: 'c1', source: 'gen', relationships: ['success'], destination: 'tag' },
        { id: 'c2', source: 'tag', relationships: ['success'], destination: 'put' },
      ],
    });
    const version = async (id: string) => (await api.nodes()).find((n) => n.id === id)?.flows.edit?.version;
    await api.store.putFlow('edit', flow('v1'), 'definition');
    await waitFor('v1 output', () => readdirSync(out).some((f) => f.startsWith('v1-')), 30_000);
    const edited = Date.now();
    const v = await api.store.putFlow('edit', flow('v2'));
    assert.equal(v, 2);
    const lag: Record<string, number> = {};
    await waitFor('both workers on version 2', async () => {
      for (const w of workers) if (lag[w.id] === undefined && (await version(w.id)) === 2) lag[w.id] = Date.now() - edited;
      return Object.keys(lag).length === workers.length;
    }, 10_000, 20);
    await waitFor('v2 output', () => readdirSync(out).some((f) => f.startsWith('v2-')), 30_000);
    // Heartbeats come every 250 ms here, so "reported within 1.5 s" means converged within about a second.
    for (const w of workers) assert.ok(lag[w.id] <= 1500, `worker ${w.id} reported version 2 after ${lag[w.id]} ms`);
    // Run states alone change without a new version: stopping the generator reaches every worker.
    await api.store.setRunState('edit', 'gen', 'STOPPED');
    await waitFor('the generator stopped everywhere', async () => {
      const nodes = await api.nodes();
      return workers.every((w) => nodes.find((n) => n.id === w.id)?.flows.edit?.processors.gen?.state === 'STOPPED');
    }, 10_000, 20);
    assert.equal(await version(workers[0].id), 2);
    console.log(`# version 2 reported by the workers after ${JSON.stringify(lag)} ms`);
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
    await api.close();
    await cleanPrefix(url, prefix);
    rmSync(out, { recursive: true, force: true });
  }
});

test('sluice run --redis --until-idle runs a flow with the attached worker and exits when idle', { timeout: 120_000 }, async () => {
  const url = await testRedisUrl();
  const prefix = uniquePrefix('run');
  const data = writeLines(6, 1000);
  const worker = await spawnWorker(url, prefix);
  try {
    const file = join(data.base, 'flow.json');
    const flow = linesFlow(data.input, data.output, { linesPerSplit: 5 });
    for (const p of flow.processors) delete p.state;
    writeFileSync(file, JSON.stringify({ ...flow, id: 'cli-run' }));
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [join(root, 'bin/sluice.js'), 'run', file, '--until-idle', '--redis', url], {
        cwd: root, env: { ...process.env, ...FAST_ENV, SLUICE_REDIS_PREFIX: prefix }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { out += d; });
      p.on('exit', (code) => resolve({ code, out }));
    });
    assert.equal(r.code, 0, r.out);
    const missing = missingLines(data.output, data.total);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} line(s) missing`);
    assert.deepEqual(readdirSync(data.input), []);
    assert.match(r.out, /2 node\(s\)/, r.out);
    assert.match(r.out, new RegExp(`${worker.id}:\\d+`), r.out);
    // The flow and its queues are gone from the cluster afterwards.
    const api = await coordinator(url, prefix);
    try {
      assert.equal(await api.store.getFlow('cli-run'), null);
      assert.deepEqual(await api.redis.keys(`${prefix}:cli-run.*`), []);
    } finally { await api.close(); }
    console.log(`# ${r.out.trim().split('\n').join('\n# ')}`);
  } finally {
    await worker.kill();
    await cleanPrefix(url, prefix);
    rmSync(data.base, { recursive: true, force: true });
  }
});

void readFileSync;
