// attachCluster(): what `sluice serve --redis` calls. The flow manager's flows and run states are
// mirrored into the cluster and the workers follow them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { attachCluster, type ManagerLike } from '../../server/cluster/attach.ts';
import { ClusterNode } from '../../server/cluster/node.ts';
import { resolveClusterSettings } from '../../server/cluster/settings.ts';
import { createProcessorRegistry } from '../../processors/index.ts';
import { FlowSchema, type FlowDefinition } from '../../server/flow/schema.ts';
import type { FlowManager } from '../../server/manager/flow-manager.ts';
import { cleanPrefix, FAST_ENV, stopPrivateShared, testRedisUrl, uniquePrefix, waitFor } from './support/harness.ts';

after(() => stopPrivateShared());

// The real manager fits the mirror's interface.
const fits = (m: FlowManager): ManagerLike => m;
void fits;

class FakeManager implements ManagerLike {
  readonly events = new EventEmitter();
  readonly flows = new Map<string, { id: string; definition: FlowDefinition }>();
  all() { return this.flows.values(); }
  has(id: string) { return this.flows.has(id); }
  require(id: string) { return this.flows.get(id)!; }
  put(id: string, definition: FlowDefinition, change: 'created' | 'updated') {
    this.flows.set(id, { id, definition });
    this.events.emit('flow', { flowId: id, change, version: 1 });
  }
}

test('the API node mirrors flows and run states into the cluster; workers follow', { timeout: 60_000 }, async () => {
  const url = await testRedisUrl();
  const prefix = uniquePrefix('attach');
  const registry = createProcessorRegistry();
  const manager = new FakeManager();
  const flow = FlowSchema.parse({
    formatVersion: 1, name: 'm',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': '10' }, scheduling: { runSchedule: '20 ms' }, state: 'RUNNING' },
      { id: 'sink', type: 'UpdateAttribute', autoTerminate: ['success'], state: 'RUNNING' },
    ],
    connections: [{ id: 'c', source: 'gen', relationships: ['success'], destination: 'sink' }],
  });
  manager.flows.set('existing', { id: 'existing', definition: flow });
  const worker = new ClusterNode({ settings: resolveClusterSettings({ redisUrl: url, prefix }, FAST_ENV), registry });
  const api = await attachCluster({ redisUrl: url, prefix, worker: false, registry, manager, env: FAST_ENV });
  try {
    await worker.start();
    const sinkIn = async (id: string) => (await api.flowStatus(id))?.processors.find((p) => p.id === 'sink')?.totals.in.count ?? 0;
    await waitFor('the existing flow to run on the worker', async () => (await sinkIn('existing')) > 0, 20_000);
    manager.put('added', flow, 'created');
    await waitFor('the added flow to run on the worker', async () => (await sinkIn('added')) > 0, 20_000);
    manager.flows.get('added')!.definition.processors[0].state = 'STOPPED';
    manager.events.emit('runState', { flowId: 'added', processorId: 'gen', state: 'STOPPED', desiredState: 'STOPPED' });
    await waitFor('the generator to stop on the worker', async () => worker.runtime('added')?.node('gen').state === 'STOPPED', 10_000);
    manager.flows.delete('added');
    manager.events.emit('flow', { flowId: 'added', change: 'deleted', version: 1 });
    await waitFor('the worker to unload the deleted flow', () => worker.runtime('added') === null, 10_000);
    const nodes = await api.nodes();
    assert.deepEqual(nodes.map((n) => n.roles.join('+')).sort(), ['api', 'worker']);
    assert.ok(nodes.every((n) => n.alive && n.heartbeatAgeMs < 5000 && n.version));
    // A restart of the API node with unchanged flows does not bump their versions (workers keep running).
    const before = (await api.store.getFlow('existing'))!.version;
    await api.close();
    const again = await attachCluster({ redisUrl: url, prefix, worker: false, registry, manager, env: FAST_ENV });
    assert.equal((await again.store.getFlow('existing'))!.version, before);
    await again.close();
  } finally {
    await worker.close();
    await api.close();
    await cleanPrefix(url, prefix);
  }
});
