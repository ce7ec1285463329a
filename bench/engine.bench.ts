// Engine benchmarks: FlowFiles/s through a chain of 10 pass-through processors, and heap bytes
// per queued FlowFile with 1,000,000 queued. Each figure is printed beside a plain-code baseline
// measured in the same process, as a ratio.
import { randomUUID } from 'node:crypto';
import { FlowRuntime } from '../server/engine/flow-runtime.ts';
import { validateFlow } from '../server/flow/validate.ts';
import { MemoryQueue } from '../server/engine/queue/memory-queue.ts';
import { ProcessorNode, DEFAULT_SETTINGS } from '../server/engine/processor-node.ts';
import { ProcessSession } from '../server/engine/session.ts';
import { TieredContentStore } from '../server/engine/content/store.ts';
import { silentLogger } from '../server/engine/logger.ts';
import { createProcessorRegistry } from '../processors/index.ts';
import { GenerateFlowFile } from '../processors/standard/generate-flow-file.ts';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const registry = createProcessorRegistry();
const TOTAL = Number(process.env.BENCH_FLOWFILES ?? 3_000_000);

async function chainThroughput(): Promise<number> {
  const batch = 2000;
  const processors = [
    { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': String(batch), 'Custom Text': 'x' }, scheduling: { triggerLimit: TOTAL / batch } },
    ...Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, type: 'UpdateAttribute', ...(i === 9 ? { autoTerminate: ['success'] } : {}) })),
  ];
  const connections = Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, source: i === 0 ? 'gen' : `p${i - 1}`, relationships: ['success'], destination: `p${i}` }));
  const { flow, problems } = validateFlow({ formatVersion: 1, name: 'chain', processors, connections }, registry);
  if (!flow) throw new Error(JSON.stringify(problems));
  const rt = new FlowRuntime('bench', flow, { registry });
  const t0 = performance.now();
  await rt.start();
  await rt.untilIdle();
  const secs = (performance.now() - t0) / 1000;
  const done = rt.node('p9').stats.in.totalCount;
  await rt.close();
  if (done !== TOTAL) throw new Error(`expected ${TOTAL} at the end of the chain, got ${done}`);
  return TOTAL / secs;
}

/** Plain code doing the same hops: objects moved through 10 arrays in batches. */
function plainThroughput(): number {
  const batch = 2000;
  const queues: { id: string; n: number }[][] = Array.from({ length: 11 }, () => []);
  const t0 = performance.now();
  let produced = 0;
  let finished = 0;
  while (finished < TOTAL) {
    if (produced < TOTAL && queues[0].length < 10_000) {
      for (let i = 0; i < batch; i++) queues[0].push({ id: randomUUID(), n: produced++ });
    }
    for (let q = 9; q >= 0; q--) {
      const items = queues[q].splice(0, batch);
      if (q === 9) finished += items.length;
      else for (const it of items) queues[q + 1].push(it);
    }
  }
  return TOTAL / ((performance.now() - t0) / 1000);
}

function heapPerQueuedFlowFile(count: number): number {
  const queue = new MemoryQueue('heap', { backPressure: { objectThreshold: Number.MAX_SAFE_INTEGER, dataSizeThreshold: 0 } });
  const env = {
    flowId: 'bench', contentStore: new TieredContentStore(undefined), logger: silentLogger, provenance: null,
    bulletin() {}, wake() {}, requestWake() {}, controllerService() { return undefined; }, draining: false,
  };
  const node = new ProcessorNode('gen', 'gen', GenerateFlowFile, { 'Batch Size': '10000', 'Custom Text': 'small' }, { ...DEFAULT_SETTINGS }, [], env);
  node.connect([], new Map([['success', [queue]]]));
  const session = new ProcessSession(node);
  gc(); gc();
  const before = process.memoryUsage().heapUsed;
  const content = env.contentStore.create('small');
  const attrs = { filename: 'same.txt' };
  while (queue.count() < count) {
    session.begin(Date.now());
    const list = [];
    for (let i = 0; i < 10_000; i++) list.push(session.create(attrs, { content }));
    session.transfer(list, 'success');
    session.commit();
  }
  gc(); gc();
  const after = process.memoryUsage().heapUsed;
  if (queue.count() !== count) throw new Error('queue count mismatch');
  return (after - before) / count;
}

function heapPerPlainObject(count: number): number {
  gc(); gc();
  const before = process.memoryUsage().heapUsed;
  const list: { id: string }[] = [];
  for (let i = 0; i < count; i++) list.push({ id: randomUUID() });
  gc(); gc();
  const after = process.memoryUsage().heapUsed;
  if (list.length !== count) throw new Error('unreachable');
  return (after - before) / count;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const plain = plainThroughput();
const sluice = await chainThroughput();
console.log(`chain of 10 pass-through processors, ${fmt(TOTAL)} FlowFiles`);
console.log(`  plain arrays baseline : ${fmt(plain)} items/s`);
console.log(`  sluice                : ${fmt(sluice)} FlowFiles/s  (${(sluice / plain).toFixed(2)}x baseline; target >= 500,000/s)`);

const N = 1_000_000;
const plainHeap = heapPerPlainObject(N);
const ffHeap = heapPerQueuedFlowFile(N);
console.log(`heap per queued FlowFile, ${fmt(N)} queued`);
console.log(`  plain {id: uuid} baseline : ${plainHeap.toFixed(1)} B`);
console.log(`  sluice queued FlowFile    : ${ffHeap.toFixed(1)} B  (${(ffHeap / plainHeap).toFixed(2)}x baseline; target <= 200 B)`);
