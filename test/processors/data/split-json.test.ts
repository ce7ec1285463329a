import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestRunner } from '../../../server/testing/test-runner.ts';
import { SplitJson } from '../../../processors/data/split-json.ts';

function runner(path: string, props: Record<string, string> = {}): TestRunner {
  const r = new TestRunner(SplitJson);
  r.setProperty('JsonPath Expression', path);
  for (const [k, v] of Object.entries(props)) r.setProperty(k, v);
  return r;
}

test('splits an array into one FlowFile per element with fragment attributes', async () => {
  const r = runner('$.items');
  const original = r.enqueue('{"items":[{"a":1},{"b":[1,2.0]},"text",3,null,true]}', { filename: 'in.json', keep: 'yes' });
  await r.run();
  r.assertTransferCount('original', 1);
  r.assertTransferCount('split', 6);
  r.assertTransferCount('failure', 0);
  const splits = r.flowFilesFor('split');
  assert.deepEqual(splits.map((s) => s.text()), ['{"a":1}', '{"b":[1,2.0]}', 'text', '3', '', 'true']);
  const id = splits[0].attribute('fragment.identifier')!;
  assert.match(id, /^[0-9a-f-]{36}$/);
  splits.forEach((s, i) => {
    s.assertAttributeEquals('fragment.identifier', id);
    s.assertAttributeEquals('fragment.index', String(i));
    s.assertAttributeEquals('fragment.count', '6');
    s.assertAttributeEquals('segment.original.filename', 'in.json');
    s.assertAttributeEquals('keep', 'yes');
    assert.notEqual(s.id, original.id);
  });
  const orig = r.flowFilesFor('original')[0];
  assert.equal(orig.id, original.id);
  orig.assertAttributeEquals('fragment.identifier', id);
  orig.assertAttributeEquals('fragment.count', '6');
  orig.assertAttributeEquals('fragment.index', undefined);
  orig.assertContentEquals('{"items":[{"a":1},{"b":[1,2.0]},"text",3,null,true]}');
});

test("Null Value Representation applies to null elements", async () => {
  const r = runner('$[*]', { 'Null Value Representation': "the string 'null'" });
  r.enqueue('[null, 1]');
  await r.run();
  assert.deepEqual(r.flowFilesFor('split').map((s) => s.text()), ['null', '1']);
});

test('a root array and indefinite paths split their matches', async () => {
  const r = runner('$');
  r.enqueue('[1,2,3]');
  await r.run();
  assert.deepEqual(r.flowFilesFor('split').map((s) => s.text()), ['1', '2', '3']);

  const deep = runner('$..name');
  deep.enqueue('{"a":{"name":"x"},"b":[{"name":"y"}]}');
  await deep.run();
  assert.deepEqual(deep.flowFilesFor('split').map((s) => s.text()), ['x', 'y']);
});

test('an empty array gives no splits and fragment.count 0 on the original', async () => {
  const r = runner('$.items');
  r.enqueue('{"items":[]}');
  await r.run();
  r.assertTransferCount('split', 0);
  r.assertTransferCount('original', 1);
  r.flowFilesFor('original')[0].assertAttributeEquals('fragment.count', '0');
});

test('a path that is not found or not an array, and invalid JSON, go to failure', async () => {
  const r = runner('$.items');
  r.enqueue('{"other":[]}');
  r.enqueue('{"items":{"a":1}}');
  r.enqueue('{"items":"text"}');
  r.enqueue('not json');
  await r.run();
  r.assertTransferCount('failure', 4);
  r.assertTransferCount('original', 0);
  r.assertTransferCount('split', 0);
  for (const f of r.flowFilesFor('failure')) assert.equal(f.attribute('fragment.identifier'), undefined);
});

test('the JsonPath Expression is validated', () => {
  const r = new TestRunner(SplitJson);
  assert.ok(r.validate().some((p) => p.includes('JsonPath Expression') && p.includes('required')));
  r.setProperty('JsonPath Expression', '$.[');
  assert.ok(r.validate().some((p) => p.includes('specified expression was not valid')));
});

test('large arrays', async () => {
  const r = runner('$.rows');
  const rows = Array.from({ length: 5000 }, (_, i) => ({ i, s: `r${i}` }));
  r.enqueue(JSON.stringify({ rows }));
  await r.run();
  r.assertTransferCount('split', 5000);
  assert.equal(r.flowFilesFor('split')[4999].text(), '{"i":4999,"s":"r4999"}');
});
