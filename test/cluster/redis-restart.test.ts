// Redis restarts under a running cluster: a private redis-server (AOF, appendfsync everysec) is
// killed mid-run and started again on the same port and data; workers reconnect (blocking
// connections included) and finish with every line delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { ClusterNode } from '../../server/cluster/node.ts';
import { resolveClusterSettings } from '../../server/cluster/settings.ts';
import { createProcessorRegistry } from '../../processors/index.ts';
import { FAST_ENV, PrivateRedis, sleep, spawnWorker, uniquePrefix, waitFor, type WorkerProcess } from './support/harness.ts';
import { linesFlow, missingLines, writeLines } from './support/flows.ts';

test('workers resume after Redis is killed and restarted (AOF everysec); nothing is lost', { timeout: 150_000 }, async () => {
  const redis = await PrivateRedis.start();
  const prefix = uniquePrefix('restart');
  const data = writeLines(20, 2500);
  const settings = resolveClusterSettings({ redisUrl: redis.url, prefix }, FAST_ENV);
  const api = new ClusterNode({ settings, registry: createProcessorRegistry(), worker: false, roles: ['api'] });
  const workers: WorkerProcess[] = [];
  try {
    await api.start();
    assert.equal(api.check?.aof, true);
    workers.push(...await Promise.all([spawnWorker(redis.url, prefix), spawnWorker(redis.url, prefix)]));
    const flow = linesFlow(data.input, data.output, { linesPerSplit: 10 });
    flow.processors[0].scheduling = { runSchedule: '100 ms' };
    await api.store.putFlow('lines', flow, 'definition');
    const written = async () => {
      const s = await api.flowStatus('lines');
      return s?.processors.find((p) => p.id === 'put')?.totals.in.count ?? 0;
    };
    await waitFor('some output', async () => (await written()) > 100, 60_000, 20);
    const before = await written();
    await redis.stop('SIGKILL');
    await sleep(1500);
    await redis.start();
    await waitFor('progress after the restart', async () => (await written()) > before + 100, 60_000, 100);
    assert.ok(await api.untilIdle('lines', { timeoutMs: 90_000 }), 'the flow finished after the restart');
    const missing = missingLines(data.output, data.total);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} line(s) missing`);
    const nodes = await api.nodes();
    for (const w of workers) assert.ok(nodes.find((n) => n.id === w.id)?.alive, `worker ${w.id} is alive after the restart`);
    console.log(`# Redis killed after ${before} PutFile writes and restarted; ${await written()} writes in the end for ${data.total / 10} splits`);
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
    await api.close().catch(() => undefined);
    await redis.destroy();
    rmSync(data.base, { recursive: true, force: true });
  }
});
