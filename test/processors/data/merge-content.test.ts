import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { TestRunner, type MockFlowFile } from '../../../server/testing/test-runner.ts';
import { MergeContent } from '../../../processors/data/merge-content.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs until idle, draining held bins at the end. (TestRunner.runUntilIdle stops early when a trigger
 * only moves FlowFiles from the queue into bins, so bin them with one plain trigger first.)
 */
async function drain(r: TestRunner): Promise<void> {
  await r.run(1, { stopOnFinish: false });
  await r.runUntilIdle();
}

function runner(props: Record<string, string> = {}): TestRunner {
  const r = new TestRunner(MergeContent);
  for (const [k, v] of Object.entries(props)) r.setProperty(k, v);
  return r;
}

test('Binary Concatenation of a full bin: content in order, merge attributes, originals stamped with merge.uuid', async () => {
  const r = runner({ 'Maximum Number of Entries': '3' });
  r.enqueue('Hello', { 'mime.type': 'text/plain', shared: 'x' });
  r.enqueue(', ', { 'mime.type': 'text/plain', shared: 'x' });
  r.enqueue('World', { 'mime.type': 'text/plain', shared: 'x' });
  await r.run();
  r.assertTransferCount('merged', 1);
  r.assertTransferCount('original', 3);
  r.assertTransferCount('failure', 0);
  assert.equal(r.queueSize, 0);
  const merged = r.flowFilesFor('merged')[0];
  merged.assertContentEquals('Hello, World');
  merged.assertAttributeEquals('merge.count', '3');
  merged.assertAttributeEquals('merge.reason', 'MAX_ENTRIES_THRESHOLD_REACHED');
  merged.assertAttributeEquals('mime.type', 'text/plain');
  merged.assertAttributeEquals('shared', 'x');
  assert.match(merged.attribute('filename')!, /^\d+$/, 'several FlowFiles without segment.original.filename: a nanosecond timestamp');
  assert.match(merged.attribute('merge.bin.age')!, /^\d+$/);
  for (const o of r.flowFilesFor('original')) o.assertAttributeEquals('merge.uuid', merged.id);
});

test('a bin that is not full waits; the trigger that finds the queue empty merges bins meeting their minimums', async () => {
  const r = runner();
  r.enqueue('a');
  r.enqueue('b');
  await r.run(1, { stopOnFinish: false });
  r.assertTransferCount('merged', 0);
  await r.run(1);
  r.assertTransferCount('merged', 1);
  r.flowFilesFor('merged')[0].assertContentEquals('ab');
  r.flowFilesFor('merged')[0].assertAttributeEquals('merge.reason', 'MIN_THRESHOLDS_REACHED');
});

test('stopping returns the binned FlowFiles to the input queue', async () => {
  const r = runner({ 'Minimum Number of Entries': '5', 'Maximum Number of Entries': '10' });
  r.enqueue('a');
  r.enqueue('b');
  await r.run(3);
  r.assertTransferCount('merged', 0);
  assert.equal(r.queueSize, 2);
});

test('a FlowFile larger than Maximum Group Size is merged on its own (NiFi testFlowFileLargerThanBin)', async () => {
  const r = runner({ 'Minimum Number of Entries': '2', 'Maximum Number of Entries': '2', 'Minimum Group Size': '1 KB', 'Maximum Group Size': '5 KB' });
  r.enqueue(Buffer.alloc(1026));
  r.enqueue(Buffer.alloc(6 * 1024));
  await r.run(2);
  r.assertTransferCount('original', 1);
  r.assertTransferCount('merged', 1);
  r.assertTransferCount('failure', 0);
  const merged = r.flowFilesFor('merged')[0];
  assert.equal(merged.size, 6 * 1024);
  assert.equal(r.flowFilesFor('original')[0].attribute('merge.uuid'), merged.id);
  assert.equal(r.queueSize, 1, 'the small one went back to the queue on stop');
});

test('Maximum Group Size closes a bin', async () => {
  const r = runner({ 'Maximum Group Size': '10 B', 'Maximum Number of Entries': '100' });
  for (let i = 0; i < 4; i++) r.enqueue('12345');
  await r.run(1);
  r.assertTransferCount('merged', 2);
  for (const m of r.flowFilesFor('merged')) {
    m.assertContentEquals('1234512345');
    m.assertAttributeEquals('merge.reason', 'MAX_BYTES_THRESHOLD_REACHED');
  }
});

test('Header, Footer and Demarcator (Text), with the NiFi 1.x property names', async () => {
  const r = runner({ 'Delimiter Strategy': 'Text', 'Header File': '[', 'Footer File': ']', 'Demarcator File': ',', 'Maximum Number of Entries': '3' });
  for (const v of ['1', '2', '3']) r.enqueue(v);
  await r.run();
  r.flowFilesFor('merged')[0].assertContentEquals('[1,2,3]');
});

test('delimiters are evaluated with Expression Language against the first FlowFile', async () => {
  const r = runner({ 'Delimiter Strategy': 'Text', Header: '${title}:', Demarcator: '\n', 'Maximum Number of Entries': '2' });
  r.enqueue('a', { title: 'first' });
  r.enqueue('b', { title: 'second' });
  await r.run();
  r.flowFilesFor('merged')[0].assertContentEquals('first:a\nb');
});

test('delimiters are ignored with Do Not Use Delimiters', async () => {
  const r = runner({ Demarcator: '|', 'Maximum Number of Entries': '2' });
  r.enqueue('a');
  r.enqueue('b');
  await r.run();
  r.flowFilesFor('merged')[0].assertContentEquals('ab');
});

test('Delimiter Strategy Filename reads the delimiters from files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'merge-'));
  try {
    writeFileSync(join(dir, 'h'), '<h>');
    writeFileSync(join(dir, 'd'), Buffer.from([0, 1]));
    const r = runner({ 'Delimiter Strategy': 'Filename', Header: join(dir, 'h'), Demarcator: join(dir, 'd'), 'Maximum Number of Entries': '2' });
    r.enqueue('a');
    r.enqueue('b');
    await r.run();
    assert.deepEqual(r.flowFilesFor('merged')[0].content(), Buffer.concat([Buffer.from('<h>a'), Buffer.from([0, 1]), Buffer.from('b')]));
    const missing = runner({ 'Delimiter Strategy': 'Filename', Footer: join(dir, 'nope') });
    assert.ok(missing.validate().some((p) => p.includes('Footer')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mime.type: kept when all agree, application/octet-stream otherwise; one FlowFile keeps its filename', async () => {
  const r = runner({ 'Maximum Number of Entries': '2' });
  r.enqueue('a', { 'mime.type': 'text/plain' });
  r.enqueue('b', { 'mime.type': 'text/csv' });
  await r.run();
  r.flowFilesFor('merged')[0].assertAttributeEquals('mime.type', 'application/octet-stream');

  const one = runner();
  one.enqueue('solo', { filename: 'solo.txt' });
  await one.run(2);
  one.flowFilesFor('merged')[0].assertAttributeEquals('filename', 'solo.txt');
  one.flowFilesFor('merged')[0].assertAttributeEquals('merge.count', '1');
});

test('Max Bin Age merges a bin that is not full (merge.reason TIMEOUT)', async () => {
  const r = runner({ 'Minimum Number of Entries': '10', 'Max Bin Age': '1 sec' });
  r.enqueue('a');
  r.enqueue('b');
  await r.run(1, { stopOnFinish: false });
  r.assertTransferCount('merged', 0);
  await sleep(1050);
  await r.run(1);
  r.assertTransferCount('merged', 1);
  const merged = r.flowFilesFor('merged')[0];
  merged.assertAttributeEquals('merge.reason', 'TIMEOUT');
  assert.ok(Number(merged.attribute('merge.bin.age')) >= 1000);
});

test('Max Bin Age must be at least 1 second; min/max consistency is validated', () => {
  assert.throws(() => runner({ 'Max Bin Age': '500 ms' }), /at least 1 sec/);
  assert.ok(runner({ 'Minimum Number of Entries': '5', 'Maximum Number of Entries': '2' }).validate().some((p) => p.includes('Min Entries')));
  assert.ok(runner({ 'Minimum Group Size': '5 KB', 'Maximum Group Size': '1 KB' }).validate().some((p) => p.includes('Min Size')));
  assert.deepEqual(runner({ 'Maximum Number of Bins': '3' }).validate(), [], 'the capitalised spelling is an alias');
});

test('Correlation Attribute Name bins like FlowFiles together', async () => {
  const r = runner({ 'Correlation Attribute Name': 'group', 'Maximum Number of Entries': '2' });
  r.enqueue('a1', { group: 'a' });
  r.enqueue('b1', { group: 'b' });
  r.enqueue('a2', { group: 'a' });
  r.enqueue('b2', { group: 'b' });
  await r.run();
  const merged = r.flowFilesFor('merged').map((m) => m.text()).sort();
  assert.deepEqual(merged, ['a1a2', 'b1b2']);
  for (const m of r.flowFilesFor('merged')) assert.ok(['a', 'b'].includes(m.attribute('group')!));
});

test('when there are too many bins, the oldest is merged (BIN_MANAGER_FULL)', async () => {
  const r = runner({ 'Correlation Attribute Name': 'group', 'Minimum Number of Entries': '10', 'Maximum number of Bins': '1' });
  r.enqueue('a', { group: 'a' });
  r.enqueue('b', { group: 'b' });
  r.enqueue('c', { group: 'c' });
  await r.run(1, { stopOnFinish: false });
  r.assertTransferCount('merged', 1);
  r.flowFilesFor('merged')[0].assertContentEquals('a');
  r.flowFilesFor('merged')[0].assertAttributeEquals('merge.reason', 'BIN_MANAGER_FULL');
  await r.run(2);
  assert.deepEqual(r.flowFilesFor('merged').map((m) => m.text()), ['a', 'b'], 'one eviction per trigger while over the limit');
  assert.equal(r.queueSize, 1);
});

test('Attribute Strategy: Keep Only Common, Keep All Unique, Keep First', async () => {
  const attrs: Record<string, string>[] = [{ common: '1', diff: 'x', onlyFirst: 'f' }, { common: '1', diff: 'y', onlySecond: 's' }];
  const merge = async (strategy: string) => {
    const r = runner({ 'Attribute Strategy': strategy, 'Maximum Number of Entries': '2' });
    for (const a of attrs) r.enqueue('', a);
    await r.run();
    return r.flowFilesFor('merged')[0];
  };
  const common = await merge('Keep Only Common Attributes');
  assert.equal(common.attribute('common'), '1');
  assert.equal(common.attribute('diff'), undefined);
  assert.equal(common.attribute('onlyFirst'), undefined);
  const unique = await merge('Keep All Unique Attributes');
  assert.equal(unique.attribute('common'), '1');
  assert.equal(unique.attribute('diff'), undefined);
  assert.equal(unique.attribute('onlyFirst'), 'f');
  assert.equal(unique.attribute('onlySecond'), 's');
  const first = await merge('Keep First Attributes');
  assert.equal(first.attribute('diff'), 'x');
  assert.equal(first.attribute('onlySecond'), 's');
  assert.notEqual(first.attribute('uuid'), undefined);
});

test('Bin Termination Check: Last in Bin, First in New Bin, Isolated', async () => {
  const run = async (insertion: string) => {
    const r = runner({ 'Bin Termination Check': "${end:equals('true')}", 'FlowFile Insertion Strategy': insertion, 'Minimum Number of Entries': '100', 'Maximum Number of Entries': '100' });
    r.enqueue('a');
    r.enqueue('b');
    r.enqueue('END', { end: 'true' });
    r.enqueue('c');
    await drain(r);
    return r.flowFilesFor('merged').map((m) => `${m.text()}:${m.attribute('merge.reason')}`);
  };
  assert.deepEqual(await run('Last in Bin'), ['abEND:BIN_TERMINATION_SIGNAL', 'c:TIMEOUT']);
  assert.deepEqual(await run('First in New Bin'), ['ab:BIN_TERMINATION_SIGNAL', 'ENDc:TIMEOUT']);
  assert.deepEqual(await run('Isolated'), ['ab:BIN_TERMINATION_SIGNAL', 'END:BIN_TERMINATION_SIGNAL', 'c:TIMEOUT']);
});

test('draining (--until-idle) merges partial bins', async () => {
  const r = runner({ 'Minimum Number of Entries': '100', 'Maximum Number of Entries': '100' });
  for (let i = 0; i < 5; i++) r.enqueue(String(i));
  await drain(r);
  r.assertTransferCount('merged', 1);
  r.flowFilesFor('merged')[0].assertContentEquals('01234');
  r.flowFilesFor('merged')[0].assertAttributeEquals('merge.reason', 'TIMEOUT');
  assert.equal(r.queueSize, 0);
});

// ---- Defragment ----

function fragments(text: string, parts: string[], id: string, filename = 'orig.txt'): { content: string; attrs: Record<string, string> }[] {
  assert.equal(parts.join(''), text);
  return parts.map((p, i) => ({ content: p, attrs: { 'fragment.identifier': id, 'fragment.index': String(i), 'fragment.count': String(parts.length), 'segment.original.filename': filename } }));
}

test('Defragment reassembles fragments byte for byte, in fragment.index order, whatever the arrival order', async () => {
  const r = runner({ 'Merge Strategy': 'Defragment' });
  const text = 'line one\nline two\n\nline four\r\nlast line without newline';
  const parts = fragments(text, ['line one\n', 'line two\n', '\n', 'line four\r\n', 'last line without newline'], 'f1');
  for (const i of [3, 0, 4, 2, 1]) r.enqueue(parts[i].content, parts[i].attrs);
  await r.run();
  r.assertTransferCount('merged', 1);
  r.assertTransferCount('original', 5);
  const merged = r.flowFilesFor('merged')[0];
  merged.assertContentEquals(text);
  merged.assertAttributeEquals('filename', 'orig.txt');
  merged.assertAttributeEquals('fragment.identifier', 'f1');
  merged.assertAttributeEquals('fragment.count', '5');
  merged.assertAttributeEquals('fragment.index', undefined);
  merged.assertAttributeEquals('merge.reason', 'MAX_ENTRIES_THRESHOLD_REACHED');
});

test('Defragment keeps interleaved identifiers apart and handles many fragments', async () => {
  const r = runner({ 'Merge Strategy': 'Defragment' });
  const lines = Array.from({ length: 300 }, (_, i) => `row ${i}\n`);
  const a = fragments(lines.join(''), lines, 'A', 'a.txt');
  const b = fragments('x\ny\n', ['x\n', 'y\n'], 'B', 'b.txt');
  r.enqueue(b[1].content, b[1].attrs);
  for (let i = a.length - 1; i >= 0; i--) {
    r.enqueue(a[i].content, a[i].attrs);
    if (i === 150) r.enqueue(b[0].content, b[0].attrs);
  }
  await drain(r);
  const byName = new Map(r.flowFilesFor('merged').map((m) => [m.attribute('filename'), m.text()]));
  assert.equal(byName.get('a.txt'), lines.join(''));
  assert.equal(byName.get('b.txt'), 'x\ny\n');
  r.assertTransferCount('failure', 0);
});

test('Defragment: an incomplete set goes to failure when it times out or the flow drains', async () => {
  const r = runner({ 'Merge Strategy': 'Defragment' });
  const parts = fragments('abc', ['a', 'b', 'c'], 'F');
  r.enqueue(parts[0].content, parts[0].attrs);
  r.enqueue(parts[2].content, parts[2].attrs);
  await drain(r);
  r.assertTransferCount('merged', 0);
  r.assertTransferCount('failure', 2);
  assert.ok(r.bulletins.some((b) => /expected number of fragments is 3 but found only 2/.test(b.message)));
});

test('Defragment: differing fragment.count values and missing fragment.index go to failure', async () => {
  const r = runner({ 'Merge Strategy': 'Defragment' });
  r.enqueue('a', { 'fragment.identifier': 'X', 'fragment.index': '0', 'fragment.count': '2' });
  r.enqueue('b', { 'fragment.identifier': 'X', 'fragment.index': '1', 'fragment.count': '3' });
  r.enqueue('c', { 'fragment.identifier': 'Y', 'fragment.count': '1' });
  await drain(r);
  r.assertTransferCount('merged', 0);
  r.assertTransferCount('failure', 3);
  assert.ok(r.bulletins.some((b) => /differing values for the fragment.count attribute: 2 and 3/.test(b.message)));
  assert.ok(r.bulletins.some((b) => /does not have an integer value for the fragment.index/.test(b.message)));
});

test('Defragment: a fragment.count that arrives on only one fragment is enough', async () => {
  const r = runner({ 'Merge Strategy': 'Defragment' });
  r.enqueue('b', { 'fragment.identifier': 'Z', 'fragment.index': '1' });
  r.enqueue('a', { 'fragment.identifier': 'Z', 'fragment.index': '0', 'fragment.count': '2' });
  await r.run();
  r.flowFilesFor('merged')[0].assertContentEquals('ab');
});

test('Defragment: a duplicate fragment.index is not accepted into the bin', async () => {
  const r = runner({ 'Merge Strategy': 'Defragment' });
  r.enqueue('a', { 'fragment.identifier': 'D', 'fragment.index': '0', 'fragment.count': '2' });
  r.enqueue('dup', { 'fragment.identifier': 'D', 'fragment.index': '0', 'fragment.count': '2' });
  r.enqueue('b', { 'fragment.identifier': 'D', 'fragment.index': '1', 'fragment.count': '2' });
  await drain(r);
  r.assertTransferCount('merged', 1);
  r.flowFilesFor('merged')[0].assertContentEquals('ab');
  r.assertTransferCount('failure', 1);
  r.flowFilesFor('failure')[0].assertContentEquals('dup');
});

// ---- other formats ----

function readTar(buf: Buffer): { name: string; mode: number; data: string }[] {
  const out: { name: string; mode: number; data: string }[] = [];
  let off = 0;
  let longName: string | null = null;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const field = (a: number, n: number) => h.subarray(a, a + n).toString('latin1').replace(/\0.*$/s, '');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    assert.equal(parseInt(field(148, 8).trim(), 8), sum, 'header checksum');
    const size = parseInt(field(124, 12).trim(), 8);
    const type = field(156, 1);
    const data = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') { longName = data.toString('utf8').replace(/\0$/, ''); continue; }
    out.push({ name: longName ?? field(0, 100), mode: parseInt(field(100, 8).trim(), 8), data: data.toString('utf8') });
    longName = null;
  }
  assert.equal(buf.length % 10240, 0, 'padded to the record size');
  return out;
}

test('TAR: one entry per FlowFile, Keep Path, long names and tar.permissions', async () => {
  const r = runner({ 'Merge Format': 'TAR', 'Keep Path': 'true', 'Maximum Number of Entries': '3' });
  const long = 'n'.repeat(120) + '.txt';
  r.enqueue('one', { filename: 'a.txt', path: './dir/sub' });
  r.enqueue('two', { filename: long, 'tar.permissions': '755' });
  r.enqueue('three', { filename: 'c.txt', 'segment.original.filename': 'ignored' });
  await r.run();
  const merged = r.flowFilesFor('merged')[0];
  merged.assertAttributeEquals('mime.type', 'application/tar');
  assert.match(merged.attribute('filename')!, /^\d+\.tar$/);
  const entries = readTar(merged.content());
  assert.deepEqual(entries.map((e) => [e.name, e.data]), [['dir/sub/a.txt', 'one'], [long, 'two'], ['c.txt', 'three']]);
  assert.equal(entries[0].mode, 0o100644);
  assert.equal(entries[1].mode, 755, 'NiFi passes Integer.parseInt(tar.permissions) as the mode');
});

function readZip(buf: Buffer): { name: string; data: string }[] {
  const out: { name: string; data: string }[] = [];
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(end + 10);
  let cd = buf.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    const nameLen = buf.readUInt16LE(cd + 28);
    const csize = buf.readUInt32LE(cd + 20);
    const local = buf.readUInt32LE(cd + 42);
    const name = buf.subarray(cd + 46, cd + 46 + nameLen).toString('utf8');
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    out.push({ name, data: inflateRawSync(buf.subarray(dataStart, dataStart + csize)).toString('utf8') });
    cd += 46 + nameLen + buf.readUInt16LE(cd + 30) + buf.readUInt16LE(cd + 32);
  }
  return out;
}

test('ZIP: deflated entries; a duplicate entry name is cloned to failure', async () => {
  const r = runner({ 'Merge Format': 'ZIP', 'Maximum Number of Entries': '3', 'Compression Level': '9' });
  r.enqueue('first '.repeat(50), { filename: 'x.txt' });
  r.enqueue('second', { filename: 'y.txt' });
  r.enqueue('dup', { filename: 'x.txt' });
  await r.run();
  const merged = r.flowFilesFor('merged')[0];
  merged.assertAttributeEquals('mime.type', 'application/zip');
  assert.match(merged.attribute('filename')!, /\.zip$/);
  assert.deepEqual(readZip(merged.content()), [{ name: 'x.txt', data: 'first '.repeat(50) }, { name: 'y.txt', data: 'second' }]);
  r.assertTransferCount('failure', 1);
  r.flowFilesFor('failure')[0].assertContentEquals('dup');
  r.assertTransferCount('original', 3);
});

test('FlowFile Stream, v3 packages attributes and content', async () => {
  const r = runner({ 'Merge Format': 'FlowFile Stream, v3', 'Maximum Number of Entries': '2' });
  r.enqueue('abc', { k: 'v' });
  r.enqueue('', { filename: 'e' });
  await r.run();
  const merged = r.flowFilesFor('merged')[0];
  merged.assertAttributeEquals('mime.type', 'application/flowfile-v3');
  const buf = merged.content();
  let off = 0;
  const packages: { attrs: Record<string, string>; content: string }[] = [];
  while (off < buf.length) {
    assert.equal(buf.subarray(off, off + 7).toString('latin1'), 'NiFiFF3');
    off += 7;
    const n = buf.readUInt16BE(off); off += 2;
    const attrs: Record<string, string> = {};
    const str = () => { const len = buf.readUInt16BE(off); off += 2; const s = buf.subarray(off, off + len).toString('utf8'); off += len; return s; };
    for (let i = 0; i < n; i++) { const k = str(); attrs[k] = str(); }
    const len = Number(buf.readBigUInt64BE(off)); off += 8;
    packages.push({ attrs, content: buf.subarray(off, off + len).toString('utf8') });
    off += len;
  }
  assert.equal(packages.length, 2);
  assert.equal(packages[0].content, 'abc');
  assert.equal(packages[0].attrs.k, 'v');
  assert.ok(packages[0].attrs.uuid);
  assert.equal(packages[1].attrs.filename, 'e');
});

test('W1 shape: bins of 10,000 joined with a newline demarcator', async () => {
  const r = runner({ 'Minimum Number of Entries': '10000', 'Maximum Number of Entries': '10000', 'Delimiter Strategy': 'Text', Demarcator: '\n', 'Max Bin Age': '30 sec' });
  const n = 25_000;
  for (let i = 0; i < n; i++) r.enqueue(`{"i":${i}}`);
  await drain(r);
  const merged = r.flowFilesFor('merged');
  assert.deepEqual(merged.map((m: MockFlowFile) => m.attribute('merge.count')), ['10000', '10000', '5000']);
  assert.deepEqual(merged.map((m: MockFlowFile) => m.attribute('merge.reason')), ['MAX_ENTRIES_THRESHOLD_REACHED', 'MAX_ENTRIES_THRESHOLD_REACHED', 'TIMEOUT']);
  const lines = merged.flatMap((m: MockFlowFile) => m.text().split('\n'));
  assert.equal(lines.length, n);
  assert.equal(lines[0], '{"i":0}');
  assert.equal(lines[n - 1], `{"i":${n - 1}}`);
  r.assertTransferCount('original', n);
});

test('in a running flow, --until-idle draining merges what is left in the bins', async () => {
  const { FlowRuntime } = await import('../../../server/engine/flow-runtime.ts');
  const { validateFlow } = await import('../../../server/flow/validate.ts');
  const { createProcessorRegistry } = await import('../../../processors/index.ts');
  const { readdirSync, readFileSync } = await import('node:fs');
  const out = mkdtempSync(join(tmpdir(), 'merge-flow-'));
  try {
    const registry = createProcessorRegistry();
    const { flow, problems } = validateFlow({
      formatVersion: 1, name: 'drain',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': '10', 'Custom Text': 'x' }, scheduling: { triggerLimit: 25 } },
        { id: 'merge', type: 'MergeContent', properties: { 'Minimum Number of Entries': '1000', 'Maximum Number of Entries': '1000', 'Delimiter Strategy': 'Text', Demarcator: ',' }, autoTerminate: ['original', 'failure'] },
        { id: 'put', type: 'PutFile', properties: { Directory: out }, autoTerminate: ['success', 'failure'] },
      ],
      connections: [
        { id: 'c1', source: 'gen', relationships: ['success'], destination: 'merge' },
        { id: 'c2', source: 'merge', relationships: ['merged'], destination: 'put' },
      ],
    }, registry);
    assert.deepEqual(problems, []);
    const rt = new FlowRuntime('t', flow!, { registry });
    await rt.start();
    await rt.untilIdle();
    await rt.close();
    const files = readdirSync(out);
    assert.equal(files.length, 1);
    assert.equal(readFileSync(join(out, files[0]), 'utf8'), Array(250).fill('x').join(','));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

// ---- lean bins: 'original' and 'failure' not connected, no provenance ----

/** Split-like FlowFiles: shared file attributes plus per-line ones. */
function enqueueLines(r: TestRunner, n: number, extra: (i: number) => Record<string, string> = () => ({})): void {
  for (let i = 0; i < n; i++) {
    r.enqueue(`line ${i}`, { filename: 'access.log', path: './', 'fragment.identifier': 'f1', 'fragment.index': String(i + 1), 'mime.type': 'text/plain', ...extra(i) });
  }
}

async function mergedOf(connected: string[], props: Record<string, string>, fill: (r: TestRunner) => void): Promise<MockFlowFile[]> {
  const r = runner(props);
  r.setConnected(connected);
  fill(r);
  await drain(r);
  return r.flowFilesFor('merged');
}

test('lean bins give the same merged content and attributes as bins holding whole FlowFiles', async () => {
  const props = { 'Minimum Number of Entries': '50', 'Maximum Number of Entries': '50', 'Delimiter Strategy': 'Text', Demarcator: '\n' };
  const fill = (r: TestRunner) => enqueueLines(r, 120, (i): Record<string, string> => (i % 7 === 3 ? { odd: 'yes', 'mime.type': 'text/csv' } : { odd: 'no' }));
  const whole = await mergedOf(['merged', 'original', 'failure'], props, fill);
  const lean = await mergedOf(['merged'], props, fill);
  assert.equal(lean.length, 3);
  assert.equal(whole.length, lean.length);
  for (let i = 0; i < whole.length; i++) {
    assert.equal(lean[i].content().toString(), whole[i].content().toString());
    const drop = (a: Record<string, string>) => { const { uuid: _u, 'merge.bin.age': _a, filename: _f, ...rest } = a; return rest; };
    assert.deepEqual(drop(lean[i].attributes), drop(whole[i].attributes));
  }
  // the mixed mime types leave no common mime.type; the file attributes survive
  assert.equal(lean[0].attribute('mime.type'), 'application/octet-stream');
  assert.equal(lean[0].attribute('fragment.identifier'), 'f1');
  assert.equal(lean[0].attribute('odd'), undefined);
  assert.equal(lean[0].attribute('fragment.index'), undefined);
});

test('stopping a lean MergeContent merges its bins instead of returning attribute-less FlowFiles to the queue', async () => {
  const r = runner({ 'Minimum Number of Entries': '100', 'Maximum Number of Entries': '100', 'Delimiter Strategy': 'Text', Demarcator: ',' });
  r.setConnected(['merged']);
  enqueueLines(r, 10);
  await r.run(1); // bins the ten, then stops
  assert.equal(r.queueSize, 0, 'nothing went back to the queue');
  r.assertTransferCount('merged', 1);
  const merged = r.flowFilesFor('merged')[0];
  merged.assertContentEquals(Array.from({ length: 10 }, (_, i) => `line ${i}`).join(','));
  merged.assertAttributeEquals('merge.count', '10');
  merged.assertAttributeEquals('path', './');
  merged.assertAttributeEquals('fragment.identifier', 'f1');
  merged.assertAttributeEquals('mime.type', 'text/plain');
});

test('with the original relationship connected, bins keep whole FlowFiles and stopping returns them to the queue', async () => {
  const r = runner({ 'Minimum Number of Entries': '100', 'Maximum Number of Entries': '100' });
  r.setConnected(['merged', 'original']);
  enqueueLines(r, 10);
  await r.run(1);
  r.assertTransferCount('merged', 0);
  assert.equal(r.queueSize, 10);
});
