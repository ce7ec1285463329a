// PutHDFS and the WebHDFS client against the WebHDFS test server (or a real cluster with
// WEBHDFS_URL=http://namenode:9870; the fault-injection tests then skip).
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, beforeEach, describe, test } from 'node:test';
import { webhdfsForTests, type ServiceForTests } from '../support/env.ts';
import type { WebHdfsFaultPatch } from '../support/webhdfs/faults.ts';
import { TestRunner } from '../../server/testing/test-runner.ts';
import { PutHDFS } from '../../processors/hdfs/put-hdfs.ts';
import { WebHdfsClient } from '../../processors/hdfs/webhdfs-client.ts';
import { WebHdfsError } from '../../processors/hdfs/errors.ts';
import { enableHdfsService } from './helpers.ts';

let hdfs: ServiceForTests<WebHdfsFaultPatch>;
let client: WebHdfsClient;
let superClient: WebHdfsClient;
const base = `/tmp/sluice-put-hdfs-${process.pid}`;
let n = 0;
const freshDir = () => `${base}/t${++n}`;

before(async () => {
  hdfs = await webhdfsForTests();
  client = await enableHdfsService({ 'NameNode URLs': hdfs.url, 'User Name': 'sluice' });
  superClient = await enableHdfsService({ 'NameNode URLs': hdfs.url, 'User Name': hdfs.real ? (process.env.WEBHDFS_SUPERUSER ?? 'hadoop') : 'hdfs' });
});

after(async () => {
  await client?.delete(base, true).catch(() => {});
  client?.close();
  superClient?.close();
  await hdfs?.close();
});

beforeEach(async () => {
  await hdfs.faults?.reset();
});

function runner(props: Record<string, string>, service: WebHdfsClient = client): TestRunner {
  const r = new TestRunner(PutHDFS, { services: { hdfs: service } });
  r.setProperty('HDFS Connection Service', 'hdfs').setProperty('Retry Backoff', '5 ms');
  for (const [k, v] of Object.entries(props)) r.setProperty(k, v);
  return r;
}

async function names(dir: string): Promise<string[]> {
  return (await client.listStatus(dir)).map((s) => s.pathSuffix).sort();
}

const text = async (path: string) => (await client.read(path)).toString();

describe('WebHDFS client', () => {
  test('two-step CREATE and APPEND, GETFILESTATUS, RENAME, DELETE', async () => {
    const dir = freshDir();
    assert.equal(await client.mkdirs(dir), true);
    const loc = await client.create(`${dir}/a b.txt`, Buffer.from('one\n'));
    assert.ok(loc === undefined || /^(hdfs|webhdfs):\/\//.test(loc), String(loc));
    await client.append(`${dir}/a b.txt`, Buffer.from('two\n'));
    assert.equal(await text(`${dir}/a b.txt`), 'one\ntwo\n');
    const st = await client.getFileStatus(`${dir}/a b.txt`);
    assert.equal(st?.type, 'FILE');
    assert.equal(st?.length, 8);
    assert.equal(st?.owner, 'sluice');
    assert.equal(await client.getFileStatus(`${dir}/missing`), null);
    assert.equal(await client.rename(`${dir}/a b.txt`, `${dir}/c.txt`), true);
    assert.equal(await client.rename(`${dir}/nope`, `${dir}/d.txt`), false, 'old-style rename answers false');
    assert.deepEqual(await names(dir), ['c.txt']);
    assert.equal(await client.delete(`${dir}/c.txt`), true);
    await assert.rejects(client.create(`${dir}/x`, Buffer.from('x'), { blockSize: 10 }), (e: unknown) => e instanceof WebHdfsError && /block size/.test(e.message));
    await assert.rejects(client.append(`${dir}/nope`, Buffer.from('x')), (e: unknown) => e instanceof WebHdfsError && e.exception === 'FileNotFoundException' && !e.retryable);
  });

  test('fails over to the next NameNode URL when one does not answer', async () => {
    const ha = await enableHdfsService({ 'NameNode URLs': `http://127.0.0.1:1,${hdfs.url}`, 'User Name': 'sluice', 'Connect Timeout': '1 sec' });
    try {
      assert.equal((await ha.getFileStatus('/'))?.type, 'DIRECTORY');
      assert.equal(ha.namenodeUrl, new URL(hdfs.url).origin);
    } finally {
      ha.close();
    }
  });

  test('a read timeout is an error', async (t) => {
    if (!hdfs.faultsAvailable) return t.skip('needs the test server');
    const slow = await enableHdfsService({ 'NameNode URLs': hdfs.url, 'Read Timeout': '100 ms' });
    await hdfs.faults!.set({ latencyMs: 400 });
    try {
      await assert.rejects(slow.getFileStatus('/'), /within 100 ms/);
    } finally {
      slow.close();
    }
  });
});

describe('PutHDFS', () => {
  test('writeAndRename: a hidden file, then RENAME; attributes as NiFi writes them', async () => {
    const dir = freshDir();
    const r = runner({ Directory: `${dir}/\${kind}` });
    r.enqueue('hello\n', { filename: 'a.txt', kind: 'greetings' });
    r.enqueue('world\n', { filename: 'b.txt', kind: 'greetings' });
    await r.runUntilIdle();
    r.assertAllTransferred('success', 2);
    const [a, b] = r.flowFilesFor('success');
    a.assertAttributeEquals('filename', 'a.txt');
    a.assertAttributeEquals('absolute.hdfs.path', `${dir}/greetings`);
    a.assertAttributeEquals('target.dir.created', 'true');
    b.assertAttributeEquals('target.dir.created', 'false');
    assert.match(a.attribute('hadoop.file.url')!, new RegExp(`^(hdfs|webhdfs)://[^/]+${dir}/greetings/a\\.txt$`));
    assert.equal(await text(`${dir}/greetings/a.txt`), 'hello\n');
    assert.deepEqual(await names(`${dir}/greetings`), ['a.txt', 'b.txt'], 'no temporary file left');
    if (hdfs.faultsAvailable) {
      const stats = await hdfs.faults!.stats();
      assert.ok(JSON.stringify(stats).includes('RENAME'), 'renamed into place');
    }
  });

  test('simpleWrite writes the final name directly', async () => {
    const dir = freshDir();
    const r = runner({ Directory: dir, 'Writing Strategy': 'simpleWrite' });
    r.enqueue('direct', { filename: 'd.txt' });
    await r.runUntilIdle();
    r.assertAllTransferred('success', 1);
    assert.equal(await text(`${dir}/d.txt`), 'direct');
  });

  test('Conflict Resolution Strategy: fail, ignore, replace, append', async () => {
    const dir = freshDir();
    await client.mkdirs(dir);
    await client.create(`${dir}/f.txt`, Buffer.from('old\n'));
    const put = async (strategy: string, content: string) => {
      const r = runner({ Directory: dir, 'Conflict Resolution Strategy': strategy });
      r.enqueue(content, { filename: 'f.txt' });
      await r.runUntilIdle();
      return r;
    };
    (await put('fail', 'x')).assertAllTransferred('failure', 1);
    assert.equal(await text(`${dir}/f.txt`), 'old\n');
    (await put('ignore', 'x')).assertAllTransferred('success', 1);
    assert.equal(await text(`${dir}/f.txt`), 'old\n');
    (await put('replace', 'new\n')).assertAllTransferred('success', 1);
    assert.equal(await text(`${dir}/f.txt`), 'new\n');
    (await put('append', 'more\n')).assertAllTransferred('success', 1);
    assert.equal(await text(`${dir}/f.txt`), 'new\nmore\n');
    const fresh = runner({ Directory: dir, 'Conflict Resolution Strategy': 'append' });
    fresh.enqueue('first', { filename: 'g.txt' });
    await fresh.runUntilIdle();
    fresh.assertAllTransferred('success', 1);
    assert.equal(await text(`${dir}/g.txt`), 'first');
    assert.deepEqual(await names(dir), ['f.txt', 'g.txt']);
  });

  test('append lease errors are retried, then fail visibly', async (t) => {
    if (!hdfs.faultsAvailable) return t.skip('needs the test server');
    const dir = freshDir();
    await client.mkdirs(dir);
    await client.create(`${dir}/log.txt`, Buffer.from('a\n'));
    await hdfs.faults!.set({ appendLeaseError: { count: 2, exception: 'AlreadyBeingCreatedException' } });
    const r = runner({ Directory: dir, 'Conflict Resolution Strategy': 'append', 'Max Retries': '3' });
    r.enqueue('b\n', { filename: 'log.txt' });
    await r.runUntilIdle();
    r.assertAllTransferred('success', 1);
    assert.equal(await text(`${dir}/log.txt`), 'a\nb\n');

    for (const [exception, stage] of [['RecoveryInProgressException', 'datanode'], ['AlreadyBeingCreatedException', 'namenode']] as const) {
      await hdfs.faults!.set({ appendLeaseError: { count: 10, exception, stage } });
      const r2 = runner({ Directory: dir, 'Conflict Resolution Strategy': 'append', 'Max Retries': '2' });
      r2.enqueue('c\n', { filename: 'log.txt' });
      await r2.runUntilIdle();
      r2.assertAllTransferred('failure', 1);
      const bulletin = r2.bulletins.find((b) => b.level === 'ERROR');
      assert.match(bulletin?.message ?? '', new RegExp(exception));
      assert.equal(await text(`${dir}/log.txt`), 'a\nb\n', 'unchanged');
      const left = (await hdfs.faults!.set({})) as { appendLeaseError: { count: number } };
      assert.equal(left.appendLeaseError.count, 7, 'three attempts were made');
    }
  });

  test('a DataNode failure is retried; when it persists the FlowFile fails and no partial file is visible', async (t) => {
    if (!hdfs.faultsAvailable) return t.skip('needs the test server');
    const dir = freshDir();
    await hdfs.faults!.set({ datanodeWriteFailure: { count: 1 } });
    const r = runner({ Directory: dir });
    r.enqueue('survives', { filename: 'ok.txt' });
    await r.runUntilIdle();
    r.assertAllTransferred('success', 1);
    assert.equal(await text(`${dir}/ok.txt`), 'survives');

    for (const [mode, strategy] of [['error', 'writeAndRename'], ['drop', 'writeAndRename'], ['error', 'simpleWrite']] as const) {
      await hdfs.faults!.set({ datanodeWriteFailure: { count: 10, mode } });
      const r2 = runner({ Directory: dir, 'Max Retries': '2', 'Writing Strategy': strategy });
      r2.enqueue('lost?', { filename: `bad-${mode}-${strategy}.txt` });
      await r2.runUntilIdle();
      r2.assertAllTransferred('failure', 1);
      assert.ok(r2.bulletins.some((b) => b.level === 'ERROR' && /Failed to write/.test(b.message)));
      assert.deepEqual(await names(dir), ['ok.txt'], `${mode}/${strategy}: neither the final nor the temporary name is left`);
    }
  });

  test('RENAME answering {"boolean": false} is a failure even with 200', async (t) => {
    if (!hdfs.faultsAvailable) return t.skip('needs the test server');
    const dir = freshDir();
    await hdfs.faults!.set({ renameFalse: 1 });
    const r = runner({ Directory: dir });
    r.enqueue('x', { filename: 'once.txt' });
    await r.runUntilIdle();
    r.assertAllTransferred('success', 1);

    await hdfs.faults!.set({ renameFalse: 10 });
    const r2 = runner({ Directory: dir, 'Max Retries': '2' });
    r2.enqueue('y', { filename: 'never.txt' });
    await r2.runUntilIdle();
    r2.assertAllTransferred('failure', 1);
    assert.match(r2.bulletins.find((b) => b.level === 'ERROR')!.message, /could not rename/);
    assert.deepEqual(await names(dir), ['once.txt'], 'the temporary file was removed');
  });

  test('GZIP compression adds .gz and writes a gzip stream', async () => {
    const dir = freshDir();
    const r = runner({ Directory: dir, 'Compression codec': 'GZIP' });
    r.enqueue('line 1\nline 2\n', { filename: 'events.ndjson' });
    await r.runUntilIdle();
    r.assertAllTransferred('success', 1);
    r.flowFilesFor('success')[0].assertAttributeEquals('filename', 'events.ndjson.gz');
    assert.equal(gunzipSync(await client.read(`${dir}/events.ndjson.gz`)).toString(), 'line 1\nline 2\n');
  });

  test('Permissions umask, Replication, Remote Owner and Remote Group', async () => {
    const dir = freshDir();
    const r = runner({ Directory: dir, 'Permissions umask': '027', Replication: '2', 'Remote Owner': '${owner}', 'Remote Group': 'analysts' }, superClient);
    r.enqueue('secret', { filename: 'p.txt', owner: 'alice' });
    await r.runUntilIdle();
    r.assertAllTransferred('success', 1);
    const st = await superClient.getFileStatus(`${dir}/p.txt`);
    assert.equal(st?.permission, '640');
    assert.equal(st?.replication, 2);
    assert.equal(st?.owner, 'alice');
    assert.equal(st?.group, 'analysts');
    const d = await superClient.getFileStatus(dir);
    assert.equal(d?.permission, '750');
  });

  test('configuration problems', () => {
    assert.match(runner({ Directory: '/x', 'Block Size': '1 KB' }).validate().join(), /at least 1 MB/);
    assert.throws(() => runner({ Directory: '/x', 'Permissions umask': '999' }), /octal umask/);
    assert.deepEqual(runner({ Directory: '/x' }).validate(), []);
  });

  test('an unreachable cluster routes to failure and yields', async () => {
    const dead = await enableHdfsService({ 'NameNode URLs': 'http://127.0.0.1:1', 'Connect Timeout': '1 sec' });
    try {
      const r = runner({ Directory: '/x', 'Max Retries': '1' }, dead);
      r.enqueue('x', { filename: 'x' });
      await r.runUntilIdle();
      r.assertAllTransferred('failure', 1);
      assert.match(r.bulletins[0].message, /ECONNREFUSED/);
    } finally {
      dead.close();
    }
  });
});
