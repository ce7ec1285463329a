// The BullMQ-backed queue with in-process cluster nodes: acks across nodes (success and a drop on
// a terminal relationship), content offload stored once and freed on commit, and a stopped
// consumer giving back exactly the unprocessed rest of a job.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterNode } from '../../server/cluster/node.ts';
import { resolveClusterSettings } from '../../server/cluster/settings.ts';
import { defineProcessor } from '../../server/sdk/definition.ts';
import { ProcessorRegistry } from '../../server/sdk/registry.ts';
import { FlowSchema } from '../../server/flow/schema.ts';
import { processorDefinitions } from '../../processors/index.ts';
import { SlowPassThrough } from '../support/processors.ts';
import { cleanPrefix, FAST_ENV, stopPrivateShared, testRedisUrl, uniquePrefix, waitFor } from './support/harness.ts';

after(() => stopPrivateShared());

const outcomes: { label: string; ok: boolean; node: string }[] = [];

/** A primary-node-only source: `Count` FlowFiles with acks; even ones carry 100 KB (offloaded), odd ones a few bytes. */
const AckedPrimarySource = defineProcessor<{ made: number }>({
  type: 'AckedPrimarySource',
  description: 'test: primary-only source with acks',
  tags: ['test'],
  inputRequirement: 'forbidden',
  primaryNodeOnly: true,
  properties: [{ name: 'Count', description: 'how many', defaultValue: '1' }],
  relationships: [{ name: 'success', description: 'everything' }],
  initialState: () => ({ made: 0 }),
  onTrigger(ctx, session) {
    const count = Number(ctx.property('Count').value);
    if (ctx.state.made >= count) { ctx.setExhausted(true); ctx.yield(); return; }
    const i = ctx.state.made++;
    const label = `ff-${i}`;
    const ack = ctx.createAck((o) => outcomes.push({ label, ok: o.ok, node: ctx.flowId }), label);
    const body = i % 2 === 0 ? Buffer.alloc(100 * 1024, label) : Buffer.from(`small ${label}`);
    session.transfer(session.create({ label }, { ack, content: ctx.contentStore.create(body) }), 'success');
  },
});

const registry = new ProcessorRegistry([...processorDefinitions, SlowPassThrough, AckedPrimarySource]);

async function nodes(url: string, prefix: string, count: number, env: Record<string, string> = {}): Promise<{ api: ClusterNode; workers: ClusterNode[]; close(): Promise<void> }> {
  const settings = resolveClusterSettings({ redisUrl: url, prefix }, { ...FAST_ENV, ...env });
  const api = new ClusterNode({ settings, registry, worker: false, roles: ['api'] });
  const workers = Array.from({ length: count }, () => new ClusterNode({ settings, registry }));
  await api.start();
  for (const w of workers) await w.start();
  return {
    api, workers,
    async close() {
      for (const w of workers) await w.close();
      await api.close();
      await cleanPrefix(url, prefix);
    },
  };
}

test('acks span nodes: a drop on a terminal relationship fails its source ack, the others succeed; nothing is left in Redis', { timeout: 60_000 }, async () => {
  const url = await testRedisUrl();
  const prefix = uniquePrefix('acks');
  const out = mkdtempSync(join(tmpdir(), 'sluice-acks-'));
  writeFileSync(join(out, 'ff-3'), 'already here');
  const c = await nodes(url, prefix, 2);
  try {
    outcomes.length = 0;
    await c.api.store.putFlow('acks', FlowSchema.parse({
      formatVersion: 1, name: 'acks',
      processors: [
        { id: 'src', type: 'AckedPrimarySource', properties: { Count: '6' }, state: 'RUNNING' },
        { id: 'name', type: 'UpdateAttribute', properties: { filename: '${label}' }, state: 'RUNNING' },
        { id: 'put', type: 'PutFile', properties: { Directory: out, 'Conflict Resolution Strategy': 'fail' }, autoTerminate: ['success', 'failure'], state: 'RUNNING' },
      ],
      connections: [
        { id: 'c1', source: 'src', relationships: ['success'], destination: 'name' },
        { id: 'c2', source: 'name', relationships: ['success'], destination: 'put' },
      ],
    }), 'definition');
    await waitFor('six ack outcomes', () => outcomes.length >= 6, 30_000);
    assert.ok(await c.api.untilIdle('acks', { timeoutMs: 30_000 }));
    const byLabel = Object.fromEntries(outcomes.map((o) => [o.label, o.ok]));
    assert.deepEqual(byLabel, { 'ff-0': true, 'ff-1': true, 'ff-2': true, 'ff-3': false, 'ff-4': true, 'ff-5': true });
    assert.equal(outcomes.length, 6, 'each ack fires once');
    assert.deepEqual(readFileSync(join(out, 'ff-2')), Buffer.alloc(100 * 1024, 'ff-2'));
    assert.equal(readFileSync(join(out, 'ff-5'), 'utf8'), 'small ff-5');
    let left: string[] = [];
    await waitFor('ack and content keys to be freed', async () => {
      left = [...await c.api.redis.keys(`${prefix}:sl:ack:*`), ...await c.api.redis.keys(`${prefix}:sl:content:*`)];
      return left.length === 0;
    }, 10_000).catch(async (e) => { throw new Error(`${(e as Error).message}: ${JSON.stringify(await Promise.all(left.map(async (k) => [k, await c.api.redis.hgetall(k)])))}`); });
    const uploads = c.workers.reduce((n, w) => n + w.counters.contentUploads, 0);
    assert.equal(uploads, 3, 'three FlowFiles above the threshold, each stored once');
  } finally {
    await c.close();
    rmSync(out, { recursive: true, force: true });
  }
});

test('offloaded content is stored once for a fan-out and freed when the last consumer commits', { timeout: 60_000 }, async () => {
  const url = await testRedisUrl();
  const prefix = uniquePrefix('content');
  const out = mkdtempSync(join(tmpdir(), 'sluice-content-'));
  const c = await nodes(url, prefix, 2);
  try {
    await c.api.store.putFlow('fan', FlowSchema.parse({
      formatVersion: 1, name: 'fan',
      processors: [
        // Unique FlowFiles false: the 10 FlowFiles of a trigger share one 200 KB claim.
        { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': '10', 'File Size': '200 KB', 'Data Format': 'Binary' }, scheduling: { triggerLimit: 3 }, state: 'RUNNING' },
        { id: 'tag', type: 'UpdateAttribute', properties: { filename: '${uuid}' }, state: 'RUNNING' },
        { id: 'a', type: 'PutFile', properties: { Directory: join(out, 'a') }, autoTerminate: ['success', 'failure'], state: 'RUNNING' },
        { id: 'b', type: 'PutFile', properties: { Directory: join(out, 'b') }, autoTerminate: ['success', 'failure'], state: 'RUNNING' },
      ],
      connections: [
        { id: 'c1', source: 'gen', relationships: ['success'], destination: 'tag' },
        { id: 'c2', source: 'tag', relationships: ['success'], destination: 'a' },
        { id: 'c3', source: 'tag', relationships: ['success'], destination: 'b' },
      ],
    }), 'definition');
    assert.ok(await c.api.untilIdle('fan', { timeoutMs: 30_000 }));
    const status = (await c.api.flowStatus('fan'))!;
    assert.equal(status.processors.find((p) => p.id === 'a')!.totals.in.count, 30);
    assert.equal(status.processors.find((p) => p.id === 'b')!.totals.in.count, 30);
    // GenerateFlowFile (Unique FlowFiles false) may even reuse one claim across triggers.
    const uploads = c.workers.reduce((n, w) => n + w.counters.contentUploads, 0);
    assert.ok(uploads >= 1 && uploads <= 3, `at most one upload per distinct content (got ${uploads} for 30 FlowFiles × 2 connections)`);
    assert.deepEqual(await c.api.redis.keys(`${prefix}:sl:content:*`), []);
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(join(out, 'a'));
    assert.equal(files.length, 30);
    assert.equal(readFileSync(join(out, 'a', files[0])).length, 200 * 1024);
  } finally {
    await c.close();
    rmSync(out, { recursive: true, force: true });
  }
});

test('stopping a consumer mid-job gives back exactly the unprocessed rest of the job', { timeout: 60_000 }, async () => {
  const url = await testRedisUrl();
  const prefix = uniquePrefix('stop');
  const c = await nodes(url, prefix, 1, { SLUICE_BATCH_COUNT: '500' });
  try {
    const flow = (slow: 'RUNNING' | 'STOPPED') => FlowSchema.parse({
      formatVersion: 1, name: 'stop',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': '500', 'Custom Text': 'x' }, scheduling: { triggerLimit: 1 }, state: 'RUNNING' },
        { id: 'slow', type: 'SlowPassThrough', properties: { Delay: '50', 'Batch Size': '10' }, state: slow },
        { id: 'sink', type: 'UpdateAttribute', autoTerminate: ['success'], state: 'RUNNING' },
      ],
      connections: [
        { id: 'c1', source: 'gen', relationships: ['success'], destination: 'slow' },
        { id: 'c2', source: 'slow', relationships: ['success'], destination: 'sink' },
      ],
    });
    await c.api.store.putFlow('stop', flow('RUNNING'), 'definition');
    const slowIn = async () => (await c.api.flowStatus('stop'))!.processors.find((p) => p.id === 'slow')!.totals.in.count;
    await waitFor('the slow processor to start on the job', async () => (await slowIn()) >= 50, 30_000, 10);
    await c.api.store.setRunState('stop', 'slow', 'STOPPED');
    const counters = c.api.keys.counters(c.api.keys.queueName('stop', 'c1'));
    await waitFor('the slow processor to stop', async () => (await c.api.nodes()).find((n) => n.id === c.workers[0].id)?.flows.stop?.processors.slow?.state === 'STOPPED', 10_000);
    const done = c.workers[0].runtime('stop')!.node('slow').stats.in.totalCount;
    const left = Number(await c.api.redis.hget(counters, 'n'));
    assert.ok(done > 0 && done < 500, `processed ${done} before the stop`);
    assert.equal(left, 500 - done, 'the counter holds exactly the rest');
    const waiting = await c.api.redis.lrange(`${prefix}:${c.api.keys.queueName('stop', 'c1')}:wait`, 0, -1);
    assert.equal(waiting.length, 1, 'the job is back in the queue');
    await c.api.store.setRunState('stop', 'slow', 'RUNNING');
    assert.ok(await c.api.untilIdle('stop', { timeoutMs: 30_000 }));
    const s = (await c.api.flowStatus('stop'))!;
    assert.equal(s.processors.find((p) => p.id === 'slow')!.totals.in.count, 500, 'no FlowFile processed twice');
    assert.equal(s.processors.find((p) => p.id === 'sink')!.totals.in.count, 500);
  } finally {
    await c.close();
  }
});
