// `sluice serve --redis URL --worker`: the server joins the cluster, its flow manager only records
// desired run states (no local runtime), and the attached cluster node runs the flows.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveSettings, SettingsError } from '../../server/manager/settings.ts';
import { call, cleanup, start, tempDir } from './support/server.ts';
import { cleanPrefix, FAST_ENV, sleep, stopPrivateShared, testRedisUrl, uniquePrefix, waitFor } from '../cluster/support/harness.ts';

after(() => stopPrivateShared());

test('serve with redisUrl and worker: flows run once, on the cluster node; GET /api/cluster lists it', { timeout: 40_000 }, async () => {
  const url = await testRedisUrl();
  const prefix = uniquePrefix('serve');
  const dataDir = tempDir();
  const out = tempDir('sluice-cluster-serve-out-');
  const server = await start({ dataDir, redisUrl: url, worker: true, redisPrefix: prefix, env: FAST_ENV });
  try {
    assert.ok(server.cluster, 'attached to the cluster');
    assert.equal(server.manager.executes, false);

    const cluster = await call(server, 'GET', '/api/cluster');
    assert.equal(cluster.status, 200);
    assert.equal(cluster.json.mode, 'cluster');
    const self = cluster.json.nodes.find((n: { id: string }) => n.id === server.cluster!.node.id);
    assert.ok(self, 'this node is listed');
    assert.equal(self.self, true);
    assert.equal(self.alive, true);
    assert.deepEqual([...self.roles].sort(), ['api', 'worker']);
    assert.equal(typeof self.heartbeatAgeMs, 'number');
    assert.equal(typeof self.activeTasks, 'number');
    assert.ok(self.version);

    const created = await call(server, 'POST', '/api/flows', {
      body: {
        formatVersion: 1, id: 'cs', name: 'cluster serve',
        processors: [
          { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': '5', 'Custom Text': 'hello' }, scheduling: { triggerLimit: 4, runSchedule: '20 ms' } },
          { id: 'tag', type: 'UpdateAttribute', properties: { filename: 'cs-${uuid}' } },
          { id: 'put', type: 'PutFile', properties: { Directory: out }, autoTerminate: ['success', 'failure'] },
        ],
        connections: [
          { id: 'c1', source: 'gen', relationships: ['success'], destination: 'tag' },
          { id: 'c2', source: 'tag', relationships: ['success'], destination: 'put' },
        ],
      },
    });
    assert.equal(created.status, 201, created.text);

    const started = await call(server, 'POST', '/api/flows/cs/start');
    assert.equal(started.status, 200, started.text);
    assert.deepEqual([...started.json.started].sort(), ['gen', 'put', 'tag']);

    const files = () => readdirSync(out).filter((f) => f.startsWith('cs-'));
    await waitFor('20 files written by the cluster node', () => files().length >= 20, 25_000);
    // A second (local) copy of the flow would write another 20 files with other names.
    await sleep(1000);
    assert.equal(files().length, 20);
    assert.ok([...server.manager.all()].every((mf) => mf.runtime === null), 'the manager built no runtime');

    // Status keeps the embedded shape, with the cluster's counters and queue sizes.
    const status = await waitFor('the cluster counters', async () => {
      const s = (await call(server, 'GET', '/api/flows/cs/status')).json;
      return s.processors.find((p: { id: string }) => p.id === 'put').totals.in.count === 20 ? s : null;
    }, 10_000);
    assert.equal(status.flowId, 'cs');
    assert.equal(status.runState, 'RUNNING');
    assert.deepEqual(status.processors.map((p: { desiredState: string }) => p.desiredState), ['RUNNING', 'RUNNING', 'RUNNING']);
    assert.deepEqual(status.connections.map((c: { queued: { count: number } }) => c.queued.count), [0, 0]);
    const queue = await call(server, 'GET', '/api/flows/cs/connections/c1/flowfiles');
    assert.equal(queue.status, 200);
    assert.deepEqual(queue.json.queued, { count: 0, bytes: 0 });
    assert.equal((await call(server, 'POST', '/api/flows/cs/processors/gen/run-once')).status, 409);

    // Stopping records and mirrors the desired state; the cluster node stops the processors.
    const stopped = await call(server, 'POST', '/api/flows/cs/stop');
    assert.equal(stopped.status, 200);
    assert.deepEqual([...stopped.json.stopped].sort(), ['gen', 'put', 'tag']);
    await waitFor('the flow to stop on the cluster node', async () => (await call(server, 'GET', '/api/flows/cs/status')).json.runState === 'STOPPED', 10_000);
    assert.equal(server.manager.require('cs').definition.processors.every((p) => p.state === undefined), true);
  } finally {
    await server.close();
    await cleanPrefix(url, prefix);
    cleanup(dataDir);
    cleanup(out);
  }
});

test('embedded mode: GET /api/cluster says so, and --worker needs --redis', async () => {
  const dataDir = tempDir();
  const server = await start({ dataDir });
  try {
    assert.equal(server.cluster, null);
    assert.equal(server.manager.executes, true);
    const r = await call(server, 'GET', '/api/cluster');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { mode: 'embedded' });
  } finally {
    await server.close();
    cleanup(join(dataDir));
  }
  assert.throws(() => resolveSettings({ worker: true }, {}), (e: unknown) => e instanceof SettingsError && /--worker needs cluster mode/.test(e.message));
  assert.throws(() => resolveSettings({}, { SLUICE_REDIS_URL: 'http://x' }), /SLUICE_REDIS_URL must be a Redis URL/);
  assert.equal(resolveSettings({}, { SLUICE_REDIS_URL: 'redis://h:6379', SLUICE_WORKER: 'true' }).worker, true);
});
