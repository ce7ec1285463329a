import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestRunner, InvalidPropertyError } from '../../server/testing/test-runner.ts';
import { GenerateFlowFile } from '../../processors/standard/generate-flow-file.ts';
import { GetFile } from '../../processors/standard/get-file.ts';
import { PutFile } from '../../processors/standard/put-file.ts';
import { UpdateAttribute } from '../../processors/standard/update-attribute.ts';
import { LogAttribute } from '../../processors/standard/log-attribute.ts';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), `sluice-${p}-`));

test('setProperty throws with the validation message', () => {
  const r = new TestRunner(GenerateFlowFile);
  assert.throws(() => r.setProperty('Batch Size', 'many'), (e: Error) => e instanceof InvalidPropertyError && e.message === '"Batch Size" must be a positive integer, got "many"');
  assert.throws(() => r.setProperty('Data Format', 'Hex'), /must be one of "Binary", "Text", got "Hex"/);
  assert.throws(() => new TestRunner(PutFile).setProperty('Nope', '1'), /"Nope" is not a property of PutFile/);
});

test('GenerateFlowFile: batch, custom text, shared content unless unique, dynamic attributes', async () => {
  const r = new TestRunner(GenerateFlowFile);
  r.setProperty('Batch Size', '3').setProperty('Custom Text', 'hi ${literal("there")}').setProperty('source', 'test');
  await r.run(2);
  r.assertAllTransferred('success', 6);
  const [a, b] = r.flowFilesFor('success');
  assert.equal(a.text(), 'hi there');
  assert.equal(a.attribute('source'), 'test');
  assert.notEqual(a.id, b.id);
  assert.equal(a.flowFile.claim, b.flowFile.claim, 'non-unique FlowFiles share one content claim');

  const u = new TestRunner(GenerateFlowFile);
  u.setProperty('File Size', '16 B').setProperty('Unique FlowFiles', 'true').setProperty('Batch Size', '2');
  await u.run(1);
  const [x, y] = u.flowFilesFor('success');
  assert.equal(x.size, 16);
  assert.notDeepEqual(x.content(), y.content());
});

test('UpdateAttribute: EL sees incoming attributes; delete expression wins over updates', async () => {
  const r = new TestRunner(UpdateAttribute);
  r.setProperty('greeting', 'hello ${name:toUpper()}').setProperty('name', 'renamed').setProperty('Delete Attributes Expression', 'tmp\\..*');
  r.enqueue('x', { name: 'ada', 'tmp.a': '1', 'tmp.b': '2', keep: 'yes' });
  await r.run(1);
  const [ff] = r.flowFilesFor('success');
  assert.equal(ff.attribute('greeting'), 'hello ADA');
  assert.equal(ff.attribute('name'), 'renamed');
  assert.equal(ff.attribute('tmp.a'), undefined);
  assert.equal(ff.attribute('tmp.b'), undefined);
  assert.equal(ff.attribute('keep'), 'yes');
  assert.equal(ff.text(), 'x');
});

test('UpdateAttribute: an evaluation error rolls back with a bulletin and never loses the FlowFile', async () => {
  const r = new TestRunner(UpdateAttribute);
  r.setProperty('n', '${x:toNumber()}');
  r.enqueue('x', { x: 'abc' });
  await r.run(1);
  r.assertTransferCount('success', 0);
  assert.equal(r.queueSize, 1, 'the input went back to its queue');
  assert.ok(r.bulletins.some((b) => b.level === 'ERROR'));
});

test('GetFile picks files up with NiFi attributes and deletes them only after the ack', async () => {
  const dir = tmp('getfile');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'a.txt'), 'A');
  writeFileSync(join(dir, 'sub', 'b.txt'), 'B');
  writeFileSync(join(dir, '.hidden'), 'H');
  const r = new TestRunner(GetFile);
  r.setProperty('Input Directory', dir);
  await r.run(1);
  const files = r.flowFilesFor('success');
  assert.deepEqual(files.map((f) => f.attribute('filename')).sort(), ['a.txt', 'b.txt']);
  const b = files.find((f) => f.attribute('filename') === 'b.txt')!;
  assert.equal(b.attribute('path'), 'sub/');
  assert.equal(b.attribute('absolute.path'), `${join(dir, 'sub')}/`);
  assert.match(b.attribute('file.permissions')!, /^[rwx-]{9}$/);
  assert.equal(b.text(), 'B');
  // The FlowFiles sit in the harness's output queue (not terminal yet): sources stay on disk.
  assert.ok(existsSync(join(dir, 'a.txt')));
  assert.ok(existsSync(join(dir, '.hidden')));
});

test('GetFile with a File Filter and no recursion', async () => {
  const dir = tmp('getfile2');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'a.log'), 'A');
  writeFileSync(join(dir, 'b.txt'), 'B');
  writeFileSync(join(dir, 'sub', 'c.log'), 'C');
  const r = new TestRunner(GetFile);
  r.setProperty('Input Directory', dir).setProperty('File Filter', '.*\\.log').setProperty('Recurse Subdirectories', 'false');
  await r.run(1);
  assert.deepEqual(r.flowFilesFor('success').map((f) => f.attribute('filename')), ['a.log']);
});

test('PutFile writes by filename, creates directories, and follows the conflict strategy', async () => {
  const base = tmp('putfile');
  const out = join(base, 'nested', 'dir');
  const r = new TestRunner(PutFile);
  r.setProperty('Directory', join(base, 'nested', '${sub}'));
  r.enqueue('one', { filename: 'x.txt', sub: 'dir' });
  await r.run(1);
  r.assertAllTransferred('success', 1);
  assert.equal(readFileSync(join(out, 'x.txt'), 'utf8'), 'one');

  r.clearTransferState();
  r.enqueue('two', { filename: 'x.txt', sub: 'dir' });
  await r.run(1);
  r.assertAllTransferred('failure', 1); // default strategy: fail
  assert.equal(readFileSync(join(out, 'x.txt'), 'utf8'), 'one');

  const rep = new TestRunner(PutFile);
  rep.setProperty('Directory', out).setProperty('Conflict Resolution Strategy', 'replace');
  rep.enqueue('three', { filename: 'x.txt' });
  await rep.run(1);
  assert.equal(readFileSync(join(out, 'x.txt'), 'utf8'), 'three');

  const ign = new TestRunner(PutFile);
  ign.setProperty('Directory', out).setProperty('Conflict Resolution Strategy', 'ignore');
  ign.enqueue('four', { filename: 'x.txt' });
  await ign.run(1);
  ign.assertAllTransferred('success', 1);
  assert.equal(readFileSync(join(out, 'x.txt'), 'utf8'), 'three');
  assert.deepEqual(readdirSync(out), ['x.txt'], 'no temporary files left behind');
});

test('PutFile refuses file names that escape the directory', async () => {
  const r = new TestRunner(PutFile);
  r.setProperty('Directory', tmp('putfile-escape'));
  r.enqueue('x', { filename: '../../etc/passwd' });
  await r.run(1);
  r.assertAllTransferred('failure', 1);
});

test('LogAttribute passes everything to success', async () => {
  const lines: string[] = [];
  const logger = { debug() {}, info: (_o: object | string, m?: string) => lines.push(String(m)), warn() {}, error() {}, child() { return logger; } };
  const r = new TestRunner(LogAttribute, { logger });
  r.setProperty('Log Payload', 'true');
  r.enqueue('payload!', { a: '1' });
  await r.run(1);
  r.assertAllTransferred('success', 1);
  assert.ok(lines.some((l) => l.includes("Key: 'a'") && l.includes('payload!')), lines.join('\n'));
});
