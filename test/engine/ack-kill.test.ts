// GetFile -> in-flight processor -> PutFile, SIGKILLed at random moments five times: every input
// ends up in the output, and no input file is ever deleted before its output exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const child = new URL('../support/ack-child.ts', import.meta.url).pathname;
const visible = (dir: string) => readdirSync(dir).filter((f) => !f.startsWith('.'));

test('kill -9 at random points loses no file and deletes none early', { timeout: 120_000 }, async () => {
  const base = mkdtempSync(join(tmpdir(), 'sluice-ack-'));
  const input = join(base, 'in');
  const output = join(base, 'out');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(input); mkdirSync(output);
  const names = Array.from({ length: 120 }, (_, i) => `file-${String(i).padStart(4, '0')}.txt`);
  for (const n of names) writeFileSync(join(input, n), `content of ${n}\n`);

  let violations: string[] = [];
  const monitor = setInterval(() => {
    const inNow = new Set(visible(input));
    const outNow = new Set(visible(output));
    for (const n of names) if (!inNow.has(n) && !outNow.has(n)) violations.push(n);
  }, 2);

  const run = (killAfterMs: number | null) => new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, input, output], { stdio: ['ignore', 'pipe', 'inherit'] });
    let timer: NodeJS.Timeout | null = null;
    p.stdout.on('data', (d) => {
      if (killAfterMs !== null && String(d).includes('started') && !timer) timer = setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    });
    p.on('exit', (code, signal) => { if (timer) clearTimeout(timer); resolve({ code, signal }); });
  });

  const kills: number[] = [];
  for (let i = 0; i < 5; i++) {
    const at = 30 + Math.floor(Math.random() * 250);
    kills.push(at);
    const r = await run(at);
    if (r.signal !== 'SIGKILL') break; // finished before the kill: nothing left to interrupt
  }
  const final = await run(null);
  clearInterval(monitor);
  assert.equal(final.code, 0);
  assert.deepEqual(violations, [], `deleted before output existed (kills at ${kills.join(', ')} ms)`);
  assert.deepEqual(visible(output).sort(), names, 'every input reached the output');
  for (const n of names) assert.equal(readFileSync(join(output, n), 'utf8'), `content of ${n}\n`);
  assert.deepEqual(visible(input), [], 'inputs are deleted once delivered');
});
