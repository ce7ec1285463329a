// The Kafka example flows are valid, and run end to end against the test broker (or
// KAFKA_BROKERS): kafka-publish.json sends 1,000 keyed events, kafka-consume-to-files.json writes
// each of them to a file.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { kafkaForTests } from '../support/kafka/for-tests.ts';
import { runtimeFor, waitFor } from './support/harness.ts';

const example = (name: string) => JSON.parse(readFileSync(new URL(`../../flows/examples/${name}`, import.meta.url), 'utf8'));

test('the Kafka example flows publish and consume 1,000 events', { timeout: 60_000 }, async () => {
  const env = await kafkaForTests();
  const out = mkdtempSync(join(tmpdir(), 'sluice-kafka-example-'));
  const params = { 'kafka.brokers': env.brokers.join(','), 'kafka.topic': env.uniqueName('example'), 'kafka.group': env.uniqueName('example-g'), 'output.dir': out };
  try {
    const publish = runtimeFor(example('kafka-publish.json'), [], params);
    await publish.start();
    await publish.untilIdle();
    await publish.close();
    assert.equal(publish.node('publish').stats.in.totalCount, 1000);
    assert.deepEqual(publish.bulletins.list().filter((b) => b.level === 'ERROR'), []);

    const consume = runtimeFor(example('kafka-consume-to-files.json'), [], params);
    await consume.start();
    try {
      await waitFor(() => readdirSync(out).filter((f) => !f.startsWith('.')).length >= 1000, 30_000, '1,000 files');
    } finally {
      await consume.close();
    }
    const files = readdirSync(out).filter((f) => !f.startsWith('.'));
    assert.equal(files.length, 1000);
    assert.match(files[0], new RegExp(`^${params['kafka.topic']}-\\d-\\d+\\.json$`));
    assert.equal(readFileSync(join(out, files[0]), 'utf8'), '{"event":"example"}');
  } finally {
    await env.cleanup();
    rmSync(out, { recursive: true, force: true });
  }
});
