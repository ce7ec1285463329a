import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { FlowRuntime, memoryQueueFor } from '../../server/engine/flow-runtime.ts';
import { validateFlow } from '../../server/flow/validate.ts';
import type { FlowInput } from '../../server/flow/schema.ts';
import type { FlowFile } from '../../server/engine/flowfile.ts';
import { MemoryQueue } from '../../server/engine/queue/memory-queue.ts';
import { fullTestRegistry, collected, ackOutcomes } from '../support/processors.ts';

const registry = fullTestRegistry();

function build(input: FlowInput, opts: Partial<ConstructorParameters<typeof FlowRuntime>[2]> = {}): FlowRuntime {
  const { flow, problems } = validateFlow(input, registry);
  assert.deepEqual(problems, []);
  return new FlowRuntime('t', flow!, { registry, ...opts });
}

test('rollback: a processor that throws on every third trigger loses and duplicates nothing', async () => {
  collected.clear();
  const rt = build({
    formatVersion: 1, name: 'rollback',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': '5' }, scheduling: { triggerLimit: 200 } },
      { id: 'flaky', type: 'ThrowEveryThird', properties: { 'Batch Size': '7' }, scheduling: { penaltyDuration: '1 ms', yieldDuration: '1 ms' } },
      { id: 'sink', type: 'CollectSink', autoTerminate: ['success'] },
    ],
    connections: [
      { id: 'c1', source: 'gen', relationships: ['success'], destination: 'flaky' },
      { id: 'c2', source: 'flaky', relationships: ['success'], destination: 'sink' },
    ],
  });
  const bulletins: string[] = [];
  rt.bulletins.subscribe((b) => bulletins.push(b.message));
  await rt.start();
  await rt.untilIdle();
  await rt.close();
  assert.equal(collected.size, 1000, 'every input reached the sink');
  assert.ok([...collected.values()].every((n) => n === 1), 'nothing arrived twice');
  assert.ok(bulletins.some((m) => m.includes('planted failure')), 'failures were reported as bulletins');
  assert.equal(rt.node('flaky').stats.in.totalCount, 1000, 'in counts only committed work');
});

test('back pressure: the queue never exceeds its threshold by more than one batch, and heap stays flat', async () => {
  const threshold = 500;
  const batch = 100;
  let maxSeen = 0;
  const queueFactory = (c: Parameters<typeof memoryQueueFor>[0]) => {
    const q = memoryQueueFor(c);
    const offer = q.offer.bind(q);
    q.offer = (list: readonly FlowFile[], until?: number) => {
      offer(list, until);
      maxSeen = Math.max(maxSeen, q.count());
      assert.ok(q.count() <= threshold + batch, `queue holds ${q.count()} > ${threshold} + ${batch}`);
    };
    return q;
  };
  const rt = build({
    formatVersion: 1, name: 'bp',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': String(batch), 'File Size': '1 KB' } },
      { id: 'slow', type: 'SlowPassThrough', properties: { Delay: '2', 'Batch Size': '20' }, autoTerminate: ['success'] },
    ],
    connections: [{ id: 'c1', source: 'gen', relationships: ['success'], destination: 'slow', backPressure: { objectThreshold: threshold } }],
  }, { queueFactory });
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  await rt.start();
  await new Promise((r) => setTimeout(r, 500));
  gc();
  const early = process.memoryUsage().heapUsed;
  await new Promise((r) => setTimeout(r, 1500));
  gc();
  const late = process.memoryUsage().heapUsed;
  await rt.close();
  assert.ok(maxSeen >= threshold, `the queue reached its threshold (max ${maxSeen})`);
  assert.ok(late - early < 8 * 1024 * 1024, `heap grew by ${((late - early) / 1e6).toFixed(1)} MB`);
  assert.ok(rt.node('slow').stats.in.totalCount > 100, 'the sink kept working');
});

test('acks fire once every descendant is done, and fail with the reason when a queue is emptied', async () => {
  ackOutcomes.length = 0;
  const rt = build({
    formatVersion: 1, name: 'acks',
    processors: [
      { id: 'src', type: 'AckedSource', properties: { Count: '3' } },
      { id: 'split', type: 'LineSplitter', autoTerminate: ['original'] },
      { id: 'sink', type: 'CollectSink', autoTerminate: ['success'] },
    ],
    connections: [
      { id: 'c1', source: 'src', relationships: ['success'], destination: 'split' },
      { id: 'c2', source: 'split', relationships: ['splits'], destination: 'sink' },
    ],
  });
  await rt.start();
  await rt.untilIdle();
  assert.deepEqual(ackOutcomes.map((o) => o.ok), [true, true, true]);

  // Now stop the sink, let splits pile up, and empty the queue: the acks fail.
  ackOutcomes.length = 0;
  await rt.stopProcessor('sink');
  await rt.stopProcessor('src');
  const src = rt.node('src');
  src.context.state.made = 0;
  await rt.startProcessor('src');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(ackOutcomes.length, 0, 'nothing acknowledged while children are queued');
  const dropped = rt.queue('c2').empty();
  assert.equal(dropped, 9);
  assert.equal(ackOutcomes.length, 3);
  assert.ok(ackOutcomes.every((o) => !o.ok && o.reason!.includes('emptied')), JSON.stringify(ackOutcomes));
  await rt.close();
});

test('nothing reaches a downstream queue before commit; an unresolved FlowFile fails the commit', async () => {
  const { defineProcessor } = await import('../../server/sdk/definition.ts');
  const { ProcessorRegistry } = await import('../../server/sdk/registry.ts');
  let seenDuringTrigger = -1;
  let downstream: MemoryQueue | null = null;
  const Peek = defineProcessor({
    type: 'Peek', description: '', tags: [], inputRequirement: 'forbidden', properties: [],
    relationships: [{ name: 'success', description: '' }],
    onTrigger(_ctx, session) {
      session.transfer(session.create({}), 'success');
      seenDuringTrigger = downstream!.count();
      session.create({}); // never transferred: the commit must fail and roll back
    },
  });
  const reg = new ProcessorRegistry([...registry.list(), Peek]);
  const { flow } = validateFlow({
    formatVersion: 1, name: 'peek',
    processors: [{ id: 'p', type: 'Peek', scheduling: { triggerLimit: 1 } }, { id: 's', type: 'CollectSink', autoTerminate: ['success'] }],
    connections: [{ id: 'c', source: 'p', relationships: ['success'], destination: 's' }],
  }, reg);
  const rt = new FlowRuntime('t', flow!, { registry: reg });
  downstream = rt.queue('c') as MemoryQueue;
  const messages: string[] = [];
  rt.bulletins.subscribe((b) => messages.push(b.message));
  await rt.startProcessor('p');
  await rt.untilIdle();
  await rt.close();
  assert.equal(seenDuringTrigger, 0);
  assert.equal(downstream.count(), 0, 'the failed commit delivered nothing');
  assert.ok(messages.some((m) => m.includes('neither transferred nor removed')), messages.join('\n'));
});

test('an invalid processor cannot start: unconnected relationship', async () => {
  const { flow } = validateFlow({
    formatVersion: 1, name: 'x',
    processors: [{ id: 'g', type: 'GenerateFlowFile', autoTerminate: ['success'] }],
  }, registry);
  const rt = new FlowRuntime('t', { ...flow!, processors: [{ ...flow!.processors[0], autoTerminate: [] }] }, { registry });
  const failures = await rt.start();
  assert.equal(failures.length, 1);
  assert.match(failures[0].error, /relationship "success" is neither connected nor auto-terminated/);
  await rt.close();
});

test('a split parked between batches keeps the flow busy: --until-idle drains MergeContent bins only at the end', async () => {
  collected.clear();
  const lines = 25_000;
  const rt = build({
    formatVersion: 1, name: 'split-merge',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', properties: { 'Custom Text': 'line\n'.repeat(lines) }, scheduling: { triggerLimit: 1 } },
      { id: 'split', type: 'SplitText', properties: { 'Line Split Count': '1' }, autoTerminate: ['original', 'failure'] },
      { id: 'merge', type: 'MergeContent', properties: { 'Minimum Number of Entries': '3000', 'Maximum Number of Entries': '3000', 'Max Bin Age': '1 min' }, autoTerminate: ['original', 'failure'] },
      { id: 'sink', type: 'CollectSink', autoTerminate: ['success'] },
    ],
    connections: [
      { id: 'c1', source: 'gen', relationships: ['success'], destination: 'split' },
      { id: 'c2', source: 'split', relationships: ['splits'], destination: 'merge' },
      { id: 'c3', source: 'merge', relationships: ['merged'], destination: 'sink' },
    ],
  });
  await rt.start();
  await rt.untilIdle();
  await rt.close();
  // 8 full bins of 3000, then the last 1000 when everything else is done (SplitText emits its splits over many triggers)
  assert.equal(collected.size, Math.ceil(lines / 3000));
  assert.equal(rt.node('merge').stats.in.totalCount, lines);
});

test('lean MergeContent bins depend on provenance: with a recording sink, a stop requeues the bin; with none, it merges it', async () => {
  const flow = (): FlowInput => ({
    formatVersion: 1, name: 'lean-stop',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': '5', 'Custom Text': 'x' }, scheduling: { triggerLimit: 1 } },
      { id: 'merge', type: 'MergeContent', properties: { 'Minimum Number of Entries': '100', 'Max Bin Age': '1 min' }, autoTerminate: ['original', 'failure'] },
      { id: 'sink', type: 'CollectSink', autoTerminate: ['success'] },
    ],
    connections: [
      { id: 'c1', source: 'gen', relationships: ['success'], destination: 'merge' },
      { id: 'c2', source: 'merge', relationships: ['merged'], destination: 'sink' },
    ],
  });
  const events: string[] = [];
  for (const provenance of [{ enabled: true, record: (e: { type: string }) => { events.push(e.type); } }, null]) {
    const rt = build(flow(), { provenance });
    await rt.start(['gen', 'merge']);
    while (rt.node('merge').held.size < 5) await new Promise((r) => setTimeout(r, 5));
    await rt.stopProcessor('merge');
    if (provenance) {
      assert.equal(rt.queue('c1').count(), 5, 'whole FlowFiles went back to the queue');
      assert.equal(rt.queue('c2').count(), 0);
    } else {
      assert.equal(rt.queue('c1').count(), 0);
      assert.equal(rt.queue('c2').count(), 1, 'the lean bin was merged on stop');
    }
    await rt.close();
  }
  assert.ok(events.length > 0);
});
