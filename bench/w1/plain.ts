// The practical limit for one core: a plain hand-written Node program doing W1's work
// (split lines, extract six fields, JSON per line, 10,000 lines per output chunk, write).
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

const [input, output] = process.argv.slice(2);
const t0 = performance.now(); // like the Sluice run, timed from the start of the work (start-up excluded)
const re = /^(\S+) \S+ \S+ \[([^\]]+)\] "(\S+) (\S+)[^"]*" (\d{3}) (\d+|-)/;
const out = createWriteStream(output);
let batch: string[] = [];
let lines = 0;
const rl = createInterface({ input: createReadStream(input), crlfDelay: Infinity });
for await (const line of rl) {
  const m = re.exec(line);
  if (!m) continue;
  batch.push(JSON.stringify({ 'access.ip': m[1], 'access.timestamp': m[2], 'access.method': m[3], 'access.path': m[4], 'access.status': m[5], 'access.bytes': m[6] }));
  lines++;
  if (batch.length === 10_000) {
    if (!out.write(`${batch.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    batch = [];
  }
}
if (batch.length) out.write(`${batch.join('\n')}\n`);
await new Promise((r) => out.end(r));
process.stdout.write(JSON.stringify({ lines, ms: performance.now() - t0, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
