// Status latency under load: GET /api/flows/:id/status p50/p99 while a heavy flow runs
// (GenerateFlowFile batch 1000 → 3 × UpdateAttribute → auto-terminated) in the same server, beside
// an idle-server baseline measured in the same run. The HTTP client runs in a worker thread so its
// own timing is not disturbed by the engine. Also measures what provenance costs the engine:
// chain throughput with the bounded provenance store enabled vs disabled.
// Pass criterion: p99 under load < 100 ms.
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../server/http/server.ts';
import { FlowRuntime } from '../server/engine/flow-runtime.ts';
import { validateFlow } from '../server/flow/validate.ts';
import { ProvenanceStore } from '../server/manager/provenance-store.ts';
import { DEFAULT_PROVENANCE_RATE } from '../server/manager/settings.ts';
import { createProcessorRegistry } from '../processors/index.ts';

const TOKEN = 'bench-token-0123456789abcdef';
const REQUESTS = Number(process.env.BENCH_STATUS_REQUESTS ?? 1000);
const GAP_MS = Number(process.env.BENCH_STATUS_GAP_MS ?? 5);

const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function get() {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.get(workerData.url, { agent, headers: { Authorization: 'Bearer ' + workerData.token } }, (res) => {
      res.resume();
      res.on('end', () => resolve([Number(process.hrtime.bigint() - t0) / 1e6, res.statusCode]));
    });
    req.on('error', reject);
  });
}
(async () => {
  for (let i = 0; i < 20; i++) await get();
  const times = [];
  for (let i = 0; i < workerData.requests; i++) {
    const [ms, status] = await get();
    if (status !== 200) throw new Error('status ' + status);
    times.push(ms);
    if (workerData.gap) await new Promise((r) => setTimeout(r, workerData.gap));
  }
  agent.destroy();
  parentPort.postMessage(times);
})().catch((e) => { throw e; });
`;

function measure(url: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(CLIENT, { eval: true, workerData: { url, token: TOKEN, requests: REQUESTS, gap: GAP_MS } });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function summary(times: number[]) {
  const s = [...times].sort((a, b) => a - b);
  return { p50: pct(s, 0.5), p99: pct(s, 0.99), max: s[s.length - 1] };
}

function heavyFlow(stages = 3) {
  return {
    formatVersion: 1, id: 'heavy', name: 'Heavy',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': '1000', 'Custom Text': 'some bench content' } },
      ...Array.from({ length: stages }, (_, i) => ({ id: `u${i}`, type: 'UpdateAttribute', properties: { [`stage${i}`]: 'done ${filename}' }, ...(i === stages - 1 ? { autoTerminate: ['success'] } : {}) })),
    ],
    connections: Array.from({ length: stages }, (_, i) => ({ id: `c${i}`, source: i === 0 ? 'gen' : `u${i - 1}`, relationships: ['success'], destination: `u${i}` })),
  };
}

async function statusLatency(): Promise<boolean> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  const server = await startServer({ port: 0, dataDir, token: TOKEN, env: { SLUICE_PROVENANCE_EVENTS: process.env.SLUICE_PROVENANCE_EVENTS, SLUICE_PROVENANCE_RATE: process.env.SLUICE_PROVENANCE_RATE }, logLevel: 'silent', examplesDir: null });
  try {
    const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
    const created = await fetch(`${server.url}/api/flows`, { method: 'POST', headers, body: JSON.stringify(heavyFlow()) });
    if (created.status !== 201) throw new Error(await created.text());
    const statusUrl = `${server.url}/api/flows/heavy/status`;

    const idle = summary(await measure(statusUrl));

    await fetch(`${server.url}/api/flows/heavy/start`, { method: 'POST', headers });
    await new Promise((r) => setTimeout(r, 1000));
    const node = server.manager.require('heavy').runtime!.nodes.get('u2')!;
    const before = node.stats.in.totalCount;
    const t0 = performance.now();
    const loaded = summary(await measure(statusUrl));
    const secs = (performance.now() - t0) / 1000;
    const rate = (node.stats.in.totalCount - before) / secs;
    await fetch(`${server.url}/api/flows/heavy/stop`, { method: 'POST', headers });

    const f = (n: number) => `${n.toFixed(2)} ms`;
    console.log(`GET /api/flows/:id/status, ${REQUESTS} sequential requests (${GAP_MS} ms apart):`);
    console.log(`  idle server:          p50 ${f(idle.p50)}  p99 ${f(idle.p99)}  max ${f(idle.max)}`);
    console.log(`  heavy flow running:   p50 ${f(loaded.p50)}  p99 ${f(loaded.p99)}  max ${f(loaded.max)}   (flow moved ${Math.round(rate).toLocaleString('en')} FlowFiles/s through the last stage meanwhile)`);
    console.log(`  ratio loaded/idle:    p50 ${(loaded.p50 / idle.p50).toFixed(1)}x  p99 ${(loaded.p99 / idle.p99).toFixed(1)}x`);
    const ok = loaded.p99 < 100;
    console.log(`  p99 under load < 100 ms: ${ok ? 'PASS' : 'FAIL'}`);
    return ok;
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function chainRate(provenance: ProvenanceStore | null, total: number): Promise<number> {
  const registry = createProcessorRegistry();
  const batch = 1000;
  const flow = heavyFlow(10);
  (flow.processors[0].properties as Record<string, string>)['Batch Size'] = String(batch);
  (flow.processors[0] as Record<string, unknown>).scheduling = { triggerLimit: total / batch };
  const { flow: def, problems } = validateFlow(flow, registry);
  if (!def) throw new Error(JSON.stringify(problems));
  const rt = new FlowRuntime('bench', def, { registry, provenance: provenance?.sinkFor('bench') ?? null });
  const t0 = performance.now();
  await rt.start();
  await rt.untilIdle();
  const secs = (performance.now() - t0) / 1000;
  await rt.close();
  return total / secs;
}

async function provenanceCost(): Promise<void> {
  const total = Number(process.env.BENCH_PROVENANCE_FLOWFILES ?? 200_000);
  await chainRate(null, 50_000); // warm-up
  const runs = { off: [] as number[], unlimited: [] as number[], budget: [] as number[] };
  let events = 0;
  for (let i = 0; i < 3; i++) {
    runs.off.push(await chainRate(null, total));
    const all = new ProvenanceStore(10_000, 0);
    runs.unlimited.push(await chainRate(all, total));
    events = all.recorded;
    runs.budget.push(await chainRate(new ProvenanceStore(10_000, DEFAULT_PROVENANCE_RATE), total));
  }
  const best = (xs: number[]) => Math.max(...xs);
  const off = best(runs.off);
  const k = (n: number) => `${Math.round(n).toLocaleString('en')} FlowFiles/s`;
  const cost = (n: number) => `${(((off - n) / off) * 100).toFixed(0)}% slower`;
  console.log(`\nProvenance cost (GenerateFlowFile → 10 × UpdateAttribute, ${total.toLocaleString('en')} FlowFiles, ${(events / total).toFixed(0)} events per FlowFile, best of 3):`);
  console.log(`  provenance off (SLUICE_PROVENANCE_EVENTS=0):                ${k(off)}`);
  console.log(`  every event recorded (SLUICE_PROVENANCE_RATE=0):            ${k(best(runs.unlimited))}   (${cost(best(runs.unlimited))})`);
  console.log(`  default: 10,000-event ring, ${DEFAULT_PROVENANCE_RATE.toLocaleString('en')} events/s budget:    ${k(best(runs.budget))}   (${cost(best(runs.budget))})`);
}

const ok = await statusLatency();
await provenanceCost();
process.exitCode = ok ? 0 : 1;
