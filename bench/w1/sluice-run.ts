// Runs W1 through Sluice in this process and prints {ms, maxRssKb}: node sluice-run.ts <inputDir> <outputDir> <contentDir>
import { FlowRuntime } from '../../server/engine/flow-runtime.ts';
import { validateFlow, formatProblems } from '../../server/flow/validate.ts';
import { TieredContentStore } from '../../server/engine/content/store.ts';
import { createProcessorRegistry } from '../../processors/index.ts';
import { w1Flow } from './flow.ts';

const [inputDir, outputDir, contentDir] = process.argv.slice(2);
const registry = createProcessorRegistry();
const { flow, problems } = validateFlow(w1Flow(inputDir, outputDir), registry);
if (!flow) { console.error(formatProblems(problems)); process.exit(2); }
const rt = new FlowRuntime('w1', flow, { registry, contentStore: new TieredContentStore(contentDir) });
let peak = 0;
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
const t0 = performance.now();
const failures = await rt.start();
if (failures.length) { console.error(JSON.stringify(failures)); process.exit(1); }
await rt.untilIdle();
const ms = performance.now() - t0;
clearInterval(sampler);
await rt.close();
process.stdout.write(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, sampledPeakKb: Math.round(peak / 1024) }) + '\n');
