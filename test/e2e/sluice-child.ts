// Runs one flow headless in its own process, like `sluice run <flow> --param ...` (which the e2e
// test can SIGKILL): node --import tsx test/e2e/sluice-child.ts <flow.json> '<parameters as JSON>'
// Uses the full registry (test/e2e/registry.ts), so it works whether or not processors/index.ts
// lists the Kafka, Elasticsearch and HDFS folders yet. Prints "sluice child started" when running;
// SIGTERM stops the flow gracefully and exits 0.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowRuntime } from '../../server/engine/flow-runtime.ts';
import { TieredContentStore } from '../../server/engine/content/store.ts';
import { consoleLogger } from '../../server/engine/logger.ts';
import { validateFlow, formatProblems } from '../../server/flow/validate.ts';
import { fullProcessorRegistry, fullServiceRegistry } from './registry.ts';

const [flowPath, paramsJson] = process.argv.slice(2);
const parameters = JSON.parse(paramsJson ?? '{}') as Record<string, string>;
const registry = fullProcessorRegistry();
const services = fullServiceRegistry();
const { flow, problems } = validateFlow(JSON.parse(readFileSync(flowPath, 'utf8')), registry, { parameters, services });
if (!flow) {
  process.stderr.write(`invalid flow:\n${formatProblems(problems)}\n`);
  process.exit(2);
}
const contentDir = mkdtempSync(join(tmpdir(), 'sluice-e2e-content-'));
const runtime = new FlowRuntime('e2e', flow, { registry, services, parameters, logger: consoleLogger(), contentStore: new TieredContentStore(contentDir) });
runtime.bulletins.subscribe((b) => {
  if (b.level === 'ERROR' || b.level === 'WARNING') process.stderr.write(`bulletin ${b.level} ${b.processorName}: ${b.message}\n`);
});
const failures = await runtime.start();
if (failures.length) {
  process.stderr.write(`could not start: ${failures.map((f) => `${f.id}: ${f.error}`).join('; ')}\n`);
  process.exit(1);
}
process.stdout.write('sluice child started\n');

// SLUICE_E2E_STATS=ms prints processor counters and queue depths to stdout periodically (debugging).
const statsEvery = Number(process.env.SLUICE_E2E_STATS ?? 0);
if (statsEvery > 0) {
  setInterval(() => {
    const nodes = [...runtime.nodes.values()].map((n) => `${n.id} ${n.stats.in.totalCount}/${n.stats.out.totalCount}${n.held.size ? ` held ${n.held.size}` : ''}${n.activeTasks ? ` active ${n.activeTasks}` : ''}`).join(' | ');
    const queues = [...runtime.connections.entries()].map(([id, c]) => `${id}=${c.queue.count()}`).join(' ');
    process.stdout.write(`stats ${new Date().toISOString().slice(11, 19)} ${nodes}\n      queues ${queues}\n`);
  }, statsEvery).unref();
}

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  const counts = [...runtime.nodes.values()].map((n) => `${n.id}: in ${n.stats.in.totalCount} out ${n.stats.out.totalCount}`).join(', ');
  process.stdout.write(`stopping (${counts})\n`);
  runtime.close().finally(() => {
    rmSync(contentDir, { recursive: true, force: true });
    process.exit(0);
  });
});
