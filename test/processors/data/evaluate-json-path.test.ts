import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestRunner } from '../../../server/testing/test-runner.ts';
import { EvaluateJsonPath } from '../../../processors/data/evaluate-json-path.ts';

const DOC = JSON.stringify({
  id: 42,
  name: 'widget',
  price: 1.0,
  ratio: 0.25,
  big: 12345678901234567890,
  flag: true,
  none: null,
  tags: ['a', 'b'],
  dims: { w: 2, h: 3 },
  items: [{ sku: 'x1', qty: 1 }, { sku: 'x2', qty: 5 }, { sku: 'x3' }],
}).replace('"price":1', '"price":1.0').replace('"big":12345678901234567000', '"big":12345678901234567890');

function runner(props: Record<string, string>): TestRunner {
  const r = new TestRunner(EvaluateJsonPath);
  for (const [k, v] of Object.entries(props)) r.setProperty(k, v);
  return r;
}

test('flowfile-attribute: scalars become attributes (Java formatting of numbers)', async () => {
  const r = runner({ Destination: 'flowfile-attribute', id: '$.id', name: '$.name', price: '$.price', ratio: '$.ratio', big: '$.big', flag: '$.flag', w: '$.dims.w', sku: '$.items[1].sku', last: '$.items[-1].sku' });
  r.enqueue(DOC);
  await r.run();
  r.assertTransferCount('matched', 1);
  const out = r.flowFilesFor('matched')[0];
  out.assertContentEquals(DOC);
  const expect: Record<string, string> = { id: '42', name: 'widget', price: '1.0', ratio: '0.25', big: '12345678901234567890', flag: 'true', w: '2', sku: 'x2', last: 'x3' };
  for (const [k, v] of Object.entries(expect)) out.assertAttributeEquals(k, v);
});

test('flowfile-attribute: a missing path gives an empty attribute (ignore), a warning (warn) or no attribute (skip)', async () => {
  for (const [behavior, expected] of [['ignore', ''], ['warn', ''], ['skip', undefined]] as const) {
    const r = runner({ Destination: 'flowfile-attribute', 'Path Not Found Behavior': behavior, missing: '$.nope', deeper: '$.dims.nope.x' });
    r.enqueue(DOC, { missing: 'before' });
    await r.run();
    r.assertTransferCount('matched', 1);
    const out = r.flowFilesFor('matched')[0];
    out.assertAttributeEquals('deeper', expected);
    out.assertAttributeEquals('missing', expected === undefined ? 'before' : expected);
    assert.equal(r.bulletins.some((b) => b.level === 'WARNING'), behavior === 'warn', behavior);
  }
});

test('flowfile-attribute: an object or array with Return Type scalar (auto-detect) goes to failure unchanged', async () => {
  const r = runner({ Destination: 'flowfile-attribute', dims: '$.dims' });
  r.enqueue(DOC);
  await r.run();
  r.assertTransferCount('failure', 1);
  r.flowFilesFor('failure')[0].assertAttributeEquals('dims', undefined);

  const list = runner({ Destination: 'flowfile-attribute', skus: '$.items[*].sku' });
  list.enqueue(DOC);
  await list.run();
  list.assertTransferCount('failure', 1);
});

test('flowfile-attribute with Return Type json writes objects and lists as compact JSON', async () => {
  const r = runner({ Destination: 'flowfile-attribute', 'Return Type': 'json', dims: '$.dims', skus: '$.items[*].sku', qty: '$.items[*].qty', none: '$.items[?(@.qty > 100)]', name: '$.name' });
  r.enqueue(DOC);
  await r.run();
  const out = r.flowFilesFor('matched')[0];
  out.assertAttributeEquals('dims', '{"w":2,"h":3}');
  out.assertAttributeEquals('skus', '["x1","x2","x3"]');
  out.assertAttributeEquals('qty', '[1,5]');
  out.assertAttributeEquals('none', '[]');
  out.assertAttributeEquals('name', 'widget');
});

test('Null Value Representation', async () => {
  const empty = runner({ Destination: 'flowfile-attribute', none: '$.none' });
  empty.enqueue(DOC);
  await empty.run();
  empty.flowFilesFor('matched')[0].assertAttributeEquals('none', '');
  const word = runner({ Destination: 'flowfile-attribute', none: '$.none', 'Null Value Representation': "the string 'null'" });
  word.enqueue(DOC);
  await word.run();
  word.flowFilesFor('matched')[0].assertAttributeEquals('none', 'null');
});

test('flowfile-content: the content becomes the result; a missing path goes to unmatched', async () => {
  const r = runner({ result: '$.items[?(@.qty >= 5)]' });
  r.enqueue(DOC);
  r.enqueue('{"items":[]}');
  r.enqueue('{"other":1}');
  await r.run();
  assert.deepEqual(r.flowFilesFor('matched').map((f) => f.text()), ['[{"sku":"x2","qty":5}]', '[]']);
  // Jayway: a missing property below definite tokens is "not found", even when a filter follows.
  r.assertTransferCount('unmatched', 1);

  const definite = runner({ result: '$.dims' });
  definite.enqueue(DOC);
  definite.enqueue('{"other":1}', { keep: 'me' });
  await definite.run();
  definite.assertTransferCount('matched', 1);
  definite.flowFilesFor('matched')[0].assertContentEquals('{"w":2,"h":3}');
  definite.assertTransferCount('unmatched', 1);
  definite.flowFilesFor('unmatched')[0].assertContentEquals('{"other":1}');
});

test('flowfile-content with a scalar result writes it as text', async () => {
  const r = runner({ result: '$.name' });
  r.enqueue(DOC);
  await r.run();
  r.flowFilesFor('matched')[0].assertContentEquals('widget');
});

test('flowfile-content needs exactly one JsonPath', () => {
  const none = new TestRunner(EvaluateJsonPath);
  assert.ok(none.validate().some((p) => p.includes('Exactly one JsonPath')));
  const two = runner({ a: '$.a', b: '$.b' });
  assert.ok(two.validate().some((p) => p.includes('Exactly one JsonPath')));
  const attr = runner({ Destination: 'flowfile-attribute', a: '$.a', b: '$.b' });
  assert.deepEqual(attr.validate(), []);
});

test('invalid JsonPath expressions are rejected', () => {
  const r = new TestRunner(EvaluateJsonPath);
  assert.throws(() => r.setProperty('bad', '$.a['), /specified expression was not valid/);
  assert.throws(() => r.setProperty('blank', ' '), /cannot be empty/);
  assert.throws(() => r.setProperty('el', '${x}'), /does not support Expression Language/);
});

test('invalid JSON (and the JSON literal null) goes to failure', async () => {
  const r = runner({ Destination: 'flowfile-attribute', a: '$.a' });
  for (const bad of ['{"a":', '', '   ', "{'a':1}", '{"a":01}', 'null', '{"a":1,}']) r.enqueue(bad);
  await r.run();
  r.assertTransferCount('failure', 7);
  r.assertTransferCount('matched', 0);
});

test('content after the first JSON value is ignored, as Jackson does', async () => {
  const r = runner({ Destination: 'flowfile-attribute', a: '$.a' });
  r.enqueue('{"a":"x"} trailing garbage');
  await r.run();
  r.flowFilesFor('matched')[0].assertAttributeEquals('a', 'x');
});

test('Max String Length limits string values', async () => {
  const r = runner({ Destination: 'flowfile-attribute', a: '$.a', 'Max String Length': '10 B' });
  r.enqueue('{"a":"short"}');
  r.enqueue('{"a":"this one is far too long"}');
  await r.run();
  r.assertTransferCount('matched', 1);
  r.assertTransferCount('failure', 1);
});

test('a filter applied to a scalar under definite tokens goes to failure instead of looping', async () => {
  const r = runner({ Destination: 'flowfile-attribute', x: '$.name[?(@ == 1)]' });
  r.enqueue(DOC);
  await r.run();
  r.assertTransferCount('failure', 1);
});

test('paths without a leading $ are accepted, and root scalars can be read', async () => {
  const r = runner({ Destination: 'flowfile-attribute', 'Return Type': 'json', n: 'dims.h', root: '$' });
  r.enqueue(DOC);
  r.enqueue('7');
  await r.run();
  const [a, b] = r.flowFilesFor('matched');
  a.assertAttributeEquals('n', '3');
  assert.deepEqual(JSON.parse(a.attribute('root')!).dims, { w: 2, h: 3 });
  b.assertAttributeEquals('root', '7');
  b.assertAttributeEquals('n', '');
});
