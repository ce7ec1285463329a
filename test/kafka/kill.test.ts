// Kill test: 100,000 keyed records with unique ids are consumed by ConsumeKafka -> UpdateAttribute
// -> a sink that appends ids to a file, in a child process that is SIGKILLed at five random
// moments and restarted each time. The broker runs in its own process. At the end every id must
// have arrived at least once (lost = 0); duplicates are counted and printed.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { kafkaForTests } from '../support/kafka/for-tests.ts';
import { createJavaCompatiblePartitioner } from '../../processors/kafka/partitioner.ts';
import { createTopic, plainKafka, sleep } from './support/harness.ts';

const CHILD = new URL('./support/kill-child.ts', import.meta.url).pathname;
const TOTAL = Number(process.env.KAFKA_KILL_RECORDS ?? 100_000);
const KILLS = 5;

function lineCounts(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(file)) return counts;
  const text = readFileSync(file, 'utf8');
  for (const line of text.split('\n')) if (line) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

test('SIGKILL at five random moments loses no record', { timeout: 120_000 }, async () => {
  const env = await kafkaForTests({ process: true, minSessionTimeoutMs: 1000 });
  const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-kill-'));
  const out = join(dir, 'ids.txt');
  writeFileSync(out, '');
  const topic = env.uniqueName('kill');
  const group = env.uniqueName('kill-g');
  const children = new Set<ChildProcess>();
  try {
    const kafka = plainKafka(env.brokers);
    const admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, topic, 4);
    await admin.disconnect();
    const producer = kafka.producer({ createPartitioner: createJavaCompatiblePartitioner });
    await producer.connect();
    const t0 = Date.now();
    const CHUNK = 1000;
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < TOTAL; i += CHUNK) {
      const messages = Array.from({ length: Math.min(CHUNK, TOTAL - i) }, (_, j) => ({ key: `key-${(i + j) % 997}`, value: `id-${i + j}` }));
      sends.push(producer.send({ topic, acks: -1, messages }));
      if (sends.length >= 4) await sends.shift();
    }
    await Promise.all(sends);
    await producer.disconnect();
    console.log(`produced ${TOTAL} keyed records in ${Date.now() - t0} ms`);

    const startChild = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, env.brokers.join(','), topic, group, out, env.external ? '6000' : '2000'], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.add(child);
      const exited = new Promise<void>((r) => child.once('exit', () => { children.delete(child); r(); }));
      const started = new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => { if (String(d).includes('started')) resolve(); });
        child.once('exit', (code, signal) => reject(new Error(`child exited early (${code ?? signal})`)));
      });
      return { child, exited, started };
    };
    const size = () => statSync(out).size;

    const kills: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const { child, exited, started } = startChild();
      await started;
      // Kill while records are flowing: wait for new output, then a random moment.
      const before = size();
      const deadline = Date.now() + 8000;
      while (size() === before && Date.now() < deadline) await sleep(20);
      const delay = Math.floor(Math.random() * 1200);
      await sleep(delay);
      const lines = lineCounts(out);
      kills.push(`${delay} ms after first output (${lines.size} distinct ids so far)`);
      child.kill('SIGKILL');
      await exited;
    }
    const { child, exited, started } = startChild();
    await started;
    const deadline = Date.now() + 60_000;
    let counts = lineCounts(out);
    while (counts.size < TOTAL && Date.now() < deadline) {
      await sleep(200);
      counts = lineCounts(out);
    }
    child.kill('SIGTERM');
    await exited;
    counts = lineCounts(out);

    const lost: string[] = [];
    for (let i = 0; i < TOTAL; i++) if (!counts.has(`id-${i}`)) lost.push(`id-${i}`);
    const duplicated = [...counts].filter(([, n]) => n > 1);
    const duplicates = duplicated.reduce((s, [, n]) => s + n - 1, 0);
    console.log(`kills: ${kills.join('; ')}`);
    console.log(`kill test: ${TOTAL} records, ${counts.size} distinct ids received, lost = ${lost.length}, duplicates = ${duplicates} (${duplicated.length} ids more than once)`);
    if (duplicated.length) console.log(`duplicated ids (first 20): ${duplicated.slice(0, 20).map(([id, n]) => `${id}×${n}`).join(', ')}`);
    if (lost.length) console.log(`lost ids (first 20): ${lost.slice(0, 20).join(', ')}`);
    assert.equal(lost.length, 0, 'every id arrived at least once');
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await env.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
