// Cross-check with librdkafka via kcat (skipped when kcat is not installed):
// flexible protocol versions, other compression codecs, metadata, offsets by timestamp.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CompressionTypes } from 'kafkajs';
import { kafkaForTests, type KafkaForTests } from '../support/kafka/for-tests.ts';
import { FAST_CONSUMER, testKafka, waitFor } from '../support/kafka/test-helpers.ts';

function findKcat(): string | null {
  for (const bin of ['kcat', 'kafkacat']) {
    try {
      execFileSync(bin, ['-V'], { stdio: 'ignore' });
      return bin;
    } catch {
      /* not installed */
    }
  }
  return null;
}

const KCAT = findKcat();
let env: KafkaForTests;

function kcat(args: string[], input?: string, timeoutMs = 15000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(KCAT!, ['-b', env.brokers.join(','), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${err}`));
    });
    child.stdin.end(input ?? '');
  });
}

describe('librdkafka (kcat) cross-check', { skip: KCAT ? false : 'kcat not installed' }, () => {
  before(async () => {
    env = await kafkaForTests();
  });
  after(async () => {
    await env?.cleanup();
  });

  it('kcat produces (gzip, headers), kafkajs consumes', async () => {
    const topic = env.uniqueName('kcat-in');
    const lines = Array.from({ length: 20 }, (_, i) => `k${i % 4}:value-${i}`).join('\n') + '\n';
    await kcat(['-P', '-t', topic, '-K:', '-z', 'gzip', '-H', 'origin=kcat'], lines);
    const consumer = testKafka(env.brokers, 'kcat-x').consumer({ groupId: env.uniqueName('kcat-g'), ...FAST_CONSUMER });
    const got: { key: string; value: string; origin: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void got.push({ key: message.key!.toString(), value: message.value!.toString(), origin: String(message.headers?.origin) }),
    });
    try {
      await waitFor(() => got.length >= 20, 10000, '20 records');
    } finally {
      await consumer.disconnect();
    }
    for (const key of ['k0', 'k1', 'k2', 'k3']) {
      assert.deepEqual(
        got.filter((g) => g.key === key).map((g) => g.value),
        Array.from({ length: 20 }, (_, i) => i).filter((i) => `k${i % 4}` === key).map((i) => `value-${i}`),
      );
    }
    assert.ok(got.every((g) => g.origin === 'kcat'));
  });

  it('kafkajs produces, kcat consumes; kcat metadata and offsets-by-time agree', async () => {
    const topic = env.uniqueName('kcat-out');
    const kafka = testKafka(env.brokers, 'kcat-y');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const t0 = Date.now() - 10_000;
    await producer.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 2, timestamp: String(t0 + i * 1000) })),
    });
    await producer.disconnect();
    const out = await kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p|%o|%k|%s|%T\\n']);
    const rows = out.trim().split('\n').map((l) => l.split('|'));
    assert.equal(rows.length, 10);
    for (const [p, o, k, v, ts] of rows) {
      const i = Number(k.slice(1));
      assert.equal(v, `v${i}`);
      assert.equal(Number(p), i % 2);
      assert.equal(Number(o), Math.floor(i / 2));
      assert.equal(Number(ts), t0 + i * 1000);
    }
    const meta = await kcat(['-L', '-t', topic]);
    assert.match(meta, new RegExp(`topic "${topic}" with 2 partitions`));
    const q = await kcat(['-Q', '-t', `${topic}:0:${t0 + 3500}`]);
    assert.match(q, /\[0\] offset 2\b/, q); // first record at/after t0+3.5s in partition 0 is i=4 -> offset 2
  });

  it('stores and serves batches in every codec librdkafka produces', async () => {
    for (const codec of ['snappy', 'lz4', 'zstd']) {
      const topic = env.uniqueName(`kcat-${codec}`);
      const lines = Array.from({ length: 50 }, (_, i) => `${codec}-${i}`).join('\n') + '\n';
      await kcat(['-P', '-t', topic, '-p', '0', '-z', codec], lines);
      const out = await kcat(['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\\n']);
      assert.deepEqual(out.trim().split('\n'), lines.trim().split('\n'), codec);
    }
  });
});
