// The standalone broker process: prints "listening", serves clients, stops cleanly on SIGTERM,
// and (with --data-dir) keeps data across a process restart.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { spawnKafkaTestBroker } from '../support/kafka/process.ts';
import { testKafka } from '../support/kafka/test-helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('standalone broker process', () => {
  it('main.ts prints a listening line and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/kafka/main.ts', '--port', '0', '--partitions', '2'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr.on('data', (c) => (out += c));
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c;
        const m = /^.*listening.*$/m.exec(out);
        if (m) resolve(m[0]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    assert.match(line, /^kafka test broker listening on 127\.0\.0\.1:\d+$/);
    const code = await new Promise<number | null>((resolve) => {
      child.once("exit", (c) => resolve(c));
      child.kill('SIGTERM');
    });
    assert.equal(code, 0);
  });

  it('spawnKafkaTestBroker serves kafkajs and keeps data across a process restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kafka-proc-'));
    try {
      let b = await spawnKafkaTestBroker({ dataDir });
      assert.match(b.brokers, /^127\.0\.0\.1:\d+$/);
      const p = testKafka([b.brokers], 'proc').producer();
      await p.connect();
      await p.send({ topic: 'proc-topic', messages: [{ key: 'k', value: 'survives' }] });
      await p.disconnect();
      await b.stop();
      assert.equal(b.child.exitCode, 0);

      b = await spawnKafkaTestBroker({ dataDir, port: 0 });
      try {
        const admin = testKafka([b.brokers], 'proc2').admin();
        await admin.connect();
        const offsets = await admin.fetchTopicOffsets('proc-topic');
        await admin.disconnect();
        assert.equal(offsets.reduce((n, o) => n + Number(o.high), 0), 1);
      } finally {
        await b.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
