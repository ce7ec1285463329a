// Multi-process cluster tests: `sluice worker` processes and a coordinator (an API-only node in
// this process) against real Redis, each test under its own key prefix.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { ClusterNode } from '../../server/cluster/node.ts';
import { resolveClusterSettings } from '../../server/cluster/settings.ts';
import { createProcessorRegistry } from '../../processors/index.ts';
import { cleanPrefix, FAST_ENV, spawnWorker, stopPrivateShared, testRedisUrl, uniquePrefix, waitFor, type WorkerProcess } from './support/harness.ts';
import { linesFlow, missingLines, writeLines } from './support/flows.ts';

after(() => stopPrivateShared());

async function coordinator(url: string, prefix: string): Promise<ClusterNode> {
  const settings = resolveClusterSettings({ redisUrl: url, prefix }, FAST_ENV);
  const node = new ClusterNode({ settings, registry: createProcessorRegistry(), worker: false, roles: ['api'] });
  await node.start();
  return node;
}

test('two workers run GetFile → SplitText → ExtractText → PutFile on 100,000 lines (10,000 splits of 10)', { timeout: 120_000 }, async () => {
  const url = await testRedisUrl();
  const prefix = uniquePrefix('lines');
  const data = writeLines(20, 5000);
  const api = await coordinator(url, prefix);
  const workers: WorkerProcess[] = [];
  try {
    workers.push(...await Promise.all([spawnWorker(url, prefix), spawnWorker(url, prefix)]));
    const started = Date.now();
    await api.store.putFlow('lines', linesFlow(data.input, data.output, { linesPerSplit: 10 }), 'definition');
    assert.ok(await api.untilIdle('lines', { timeoutMs: 90_000 }), 'the flow went idle');
    const secs = (Date.now() - started) / 1000;
    const status = (await api.flowStatus('lines'))!;
    const missing = missingLines(data.output, data.total);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} line(s) missing`);
    assert.deepEqual(readdirSync(data.input), [], 'input files are deleted once their acks came back across nodes');
    const put = status.processors.find((p) => p.id === 'put')!;
    const extract = status.processors.find((p) => p.id === 'extract')!;
    for (const w of workers) {
      assert.ok((extract.perNode[w.id]?.in.count ?? 0) > 0, `worker ${w.id} extracted nothing: ${JSON.stringify(extract.perNode)}`);
      assert.ok((put.perNode[w.id]?.in.count ?? 0) > 0, `worker ${w.id} wrote nothing: ${JSON.stringify(put.perNode)}`);
    }
    assert.equal(put.totals.in.count, data.total / 10, 'no duplicates without failures');
    assert.ok(status.connections.every((c) => c.queued.count === 0));
    const nodes = await api.nodes();
    assert.equal(nodes.filter((n) => n.alive && n.roles.includes('worker')).length, 2);
    console.log(`# 100,000 lines in ${secs.toFixed(1)} s; extract per node ${JSON.stringify(Object.fromEntries(Object.entries(extract.perNode).map(([k, v]) => [k, v.in.count])))}`);
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
    await api.close();
    await cleanPrefix(url, prefix);
    rmSync(data.base, { recursive: true, force: true });
  }
});

const KILL_ENV = { SLUICE_JOB_LOCK_MS: '3000', SLUICE_STALLED_INTERVAL_MS: '1000' };

async function perNode(api: ClusterNode, flowId: string, processorId: string): Promise<Record<string, number>> {
  const s = await api.flowStatus(flowId);
  const p = s?.processors.find((x) => x.id === processorId);
  return Object.fromEntries(Object.entries(p?.perNode ?? {}).map(([k, v]) => [k, v.in.count]));
}

test('a worker killed with SIGKILL mid-run loses nothing; the survivor finishes and duplicates are reported', { timeout: 120_000 }, async () => {
  const url = await testRedisUrl();
  const prefix = uniquePrefix('kill');
  const data = writeLines(20, 2500);
  const api = await coordinator(url, prefix);
  const workers: WorkerProcess[] = [];
  try {
    workers.push(...await Promise.all([spawnWorker(url, prefix, KILL_ENV), spawnWorker(url, prefix, KILL_ENV)]));
    await api.store.putFlow('lines', linesFlow(data.input, data.output, { linesPerSplit: 10, getFile: { 'Batch Size': '1' } }), 'definition');
    const primary = await waitFor('a primary node', () => api.primaryHolder());
    const victim = workers.find((w) => w.id !== primary)!;
    const survivor = workers.find((w) => w.id === primary)!;
    // Kill the non-primary worker once it has written some output and while work is left.
    await waitFor('the victim to write output', async () => ((await perNode(api, 'lines', 'put'))[victim.id] ?? 0) > 50, 60_000, 20);
    await victim.kill('SIGKILL');
    assert.ok(await api.untilIdle('lines', { timeoutMs: 90_000 }), 'the survivor finished the flow');
    const missing = missingLines(data.output, data.total);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} line(s) missing`);
    const nodes = await api.nodes();
    const s = nodes.find((n) => n.id === survivor.id)!;
    const writes = await perNode(api, 'lines', 'put');
    const written = Object.values(writes).reduce((a, b) => a + b, 0);
    const duplicates = written - data.total / 10;
    assert.ok(s.counters.redeliveredJobs > 0, 'the survivor took over the dead worker\'s jobs');
    assert.ok(duplicates >= 0);
    console.log(`# killed ${victim.id}; PutFile writes per node ${JSON.stringify(writes)}; duplicates written ≥ ${duplicates} (the dead node's last report may lag); survivor received ${s.counters.redelivered} FlowFile(s) in ${s.counters.redeliveredJobs} redelivered job(s)`);
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
    await api.close();
    await cleanPrefix(url, prefix);
    rmSync(data.base, { recursive: true, force: true });
  }
});

test('when the primary node dies, GetFile moves to the other node within the lock TTL', { timeout: 120_000 }, async () => {
  const url = await testRedisUrl();
  const prefix = uniquePrefix('primary');
  const ttl = 3000;
  const env = { ...KILL_ENV, SLUICE_PRIMARY_TTL_MS: String(ttl) };
  const data = writeLines(30, 500);
  const api = await coordinator(url, prefix);
  const workers: WorkerProcess[] = [];
  try {
    workers.push(...await Promise.all([spawnWorker(url, prefix, env), spawnWorker(url, prefix, env)]));
    const flow = linesFlow(data.input, data.output, { linesPerSplit: 10 });
    flow.processors[0].scheduling = { runSchedule: '200 ms' };
    await api.store.putFlow('lines', flow, 'definition');
    const primary = await waitFor('a primary node', () => api.primaryHolder());
    const old = workers.find((w) => w.id === primary)!;
    const other = workers.find((w) => w.id !== primary)!;
    const getState = async (id: string) => (await api.nodes()).find((n) => n.id === id)?.flows.lines?.processors.get?.state;
    await waitFor('GetFile to run on the primary', async () => (await getState(old.id)) === 'RUNNING' && ((await perNode(api, 'lines', 'split'))[old.id] ?? 0) + ((await perNode(api, 'lines', 'split'))[other.id] ?? 0) > 0, 60_000, 20);
    // The other node reports the flow with its next heartbeat; on a busy machine that can lag.
    await waitFor('the other node to report the flow', async () => (await getState(other.id)) !== undefined, 10_000, 20);
    assert.equal(await getState(other.id), 'STOPPED', 'GetFile is primary-node-only');
    const killedAt = Date.now();
    await old.kill('SIGKILL');
    await waitFor('the other node to hold the primary lock', async () => (await api.primaryHolder()) === other.id, ttl + 5000, 20);
    const tookOver = Date.now() - killedAt;
    await waitFor('GetFile to run on the new primary', async () => (await getState(other.id)) === 'RUNNING', 5000, 20);
    const running = Date.now() - killedAt;
    // The lock expires at most TTL after its last renewal (before the kill); the survivor tries every 250 ms.
    assert.ok(tookOver <= ttl + 1000, `took over after ${tookOver} ms (TTL ${ttl} ms)`);
    assert.ok(await api.untilIdle('lines', { timeoutMs: 90_000 }), 'the flow finished on the new primary');
    const missing = missingLines(data.output, data.total);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} line(s) missing`);
    console.log(`# primary ${old.id} killed; ${other.id} held the lock after ${tookOver} ms and reported GetFile running after ${running} ms (TTL ${ttl} ms)`);
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
    await api.close();
    await cleanPrefix(url, prefix);
    rmSync(data.base, { recursive: true, force: true });
  }
});
