// Benchmark W1, split and extract: 1,000,000 synthetic access-log lines (~130 MB) through
// Sluice, a plain single-threaded Node program (the practical limit), and Node-RED, in one run.
// W1_LINES sets the line count (W1_LINES=10000000 for the 1 GB memory check); W1_SKIP_NODE_RED=1 skips Node-RED.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, linkSync, readdirSync, existsSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { generateLog } from './w1/generate-log.ts';
import { runNodeRed } from './w1/node-red.ts';

const LINES = Number(process.env.W1_LINES ?? 1_000_000);
const work = new URL('./out/w1/', import.meta.url).pathname;
const here = new URL('./w1/', import.meta.url).pathname;
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const source = join(work, 'access.log');
const bytes = await generateLog(source, LINES);
console.log(`input: ${LINES.toLocaleString('en-US')} lines, ${(bytes / 1e6).toFixed(1)} MB`);

/** Non-empty lines of the files, read in chunks (outputs can exceed a string's maximum length); every 9973rd is parsed as JSON. */
function countJsonLines(files: string[]): { lines: number; jsonOk: boolean } {
  let lines = 0;
  let jsonOk = true;
  const chunk = Buffer.allocUnsafe(8 << 20);
  const line = (text: string) => {
    if (text === '') return;
    lines++;
    if (lines % 9973 === 0) { try { JSON.parse(text); } catch { jsonOk = false; } }
  };
  for (const file of files) {
    const fd = openSync(file, 'r');
    let carry = '';
    try {
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, null);
        if (n === 0) break;
        const parts = (carry + chunk.toString('utf8', 0, n)).split('\n');
        carry = parts.pop()!;
        for (const p of parts) line(p);
      }
    } finally {
      closeSync(fd);
    }
    line(carry);
  }
  return { lines, jsonOk };
}

function countLines(dir: string): { lines: number; jsonOk: boolean } {
  return countJsonLines(readdirSync(dir).filter((f) => !f.startsWith('.')).map((f) => join(dir, f)));
}

function runChild(script: string, args: string[]): { ms: number; maxRssKb: number } {
  const t0 = performance.now();
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(here, script), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  const wall = performance.now() - t0;
  const last = JSON.parse(out.trim().split('\n').pop()!);
  return { ms: last.ms ?? wall, maxRssKb: last.maxRssKb };
}

type Result = { name: string; ms: number; maxRssKb: number; lines: number };
const results: Result[] = [];

// Plain program.
const plainOut = join(work, 'plain.jsonl');
const plain = runChild('plain.ts', [source, plainOut]);
results.push({ name: 'plain Node.js (limit)', ms: plain.ms, maxRssKb: plain.maxRssKb, lines: countJsonLines([plainOut]).lines });

// Sluice.
const inDir = join(work, 'sluice-in');
const outDir = join(work, 'sluice-out');
mkdirSync(inDir); mkdirSync(outDir);
linkSync(source, join(inDir, 'access.log')); // GetFile deletes its input after the ack; the hard link keeps the source
const s = runChild('sluice-run.ts', [inDir, outDir, join(work, 'content')]);
const counted = countLines(outDir);
results.push({ name: 'Sluice', ms: s.ms, maxRssKb: s.maxRssKb, lines: counted.lines });
if (counted.lines !== LINES || !counted.jsonOk) console.log(`!! Sluice output holds ${counted.lines} JSON lines (expected ${LINES}); JSON ok: ${counted.jsonOk}`);
else console.log(`check: Sluice output holds exactly ${LINES.toLocaleString('en-US')} JSON lines`);

// Node-RED.
if (!process.env.W1_SKIP_NODE_RED) {
  const nrOut = join(work, 'node-red.jsonl');
  try {
    const nr = await runNodeRed(source, nrOut, LINES, mkdtempSync(join(tmpdir(), 'sluice-w1-node-red-')), Number(process.env.W1_NODE_RED_TIMEOUT_MS ?? 180_000));
    results.push({ name: nr.timedOut ? 'Node-RED (timed out; rate over lines done)' : 'Node-RED', ms: nr.ms, maxRssKb: nr.maxRssKb, lines: nr.lines });
  } catch (e) {
    console.log(`Node-RED could not run: ${(e as Error).message}`);
  }
}

const mb = bytes / 1e6;
console.log('');
console.log('name'.padEnd(44), 'lines/s'.padStart(12), 'MB/s'.padStart(8), 'peak RSS'.padStart(10));
for (const r of results) {
  const secs = r.ms / 1000;
  const frac = r.lines / LINES;
  console.log(r.name.padEnd(44), Math.round(r.lines / secs).toLocaleString('en-US').padStart(12), ((mb * frac) / secs).toFixed(1).padStart(8), `${Math.round(r.maxRssKb / 1024)} MB`.padStart(10));
}
const rate = (name: string) => { const r = results.find((x) => x.name.startsWith(name)); return r ? r.lines / (r.ms / 1000) : NaN; };
console.log('');
console.log(`Sluice / plain limit : ${(rate('Sluice') / rate('plain')).toFixed(2)}x  (target >= 0.50)`);
if (results.some((r) => r.name.startsWith('Node-RED'))) console.log(`Sluice / Node-RED    : ${(rate('Sluice') / rate('Node-RED')).toFixed(1)}x  (target >= 15)`);
const sl = results.find((r) => r.name === 'Sluice')!;
console.log(`Sluice peak RSS      : ${Math.round(sl.maxRssKb / 1024)} MB  (target <= 300 MB)`);
if (existsSync(work) && !process.env.W1_KEEP) rmSync(work, { recursive: true, force: true });
