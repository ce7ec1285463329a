import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestRunner } from '../../../server/testing/test-runner.ts';
import { AttributesToJSON } from '../../../processors/data/attributes-to-json.ts';

function runner(props: Record<string, string> = {}): TestRunner {
  const r = new TestRunner(AttributesToJSON);
  for (const [k, v] of Object.entries(props)) r.setProperty(k, v);
  return r;
}

test('defaults: every attribute, core ones included, written to the JSONAttributes attribute', async () => {
  const r = runner();
  const ff = r.enqueue('content stays', { filename: 'f.txt', a: '1', b: 'two' });
  await r.run();
  r.assertTransferCount('success', 1);
  const out = r.flowFilesFor('success')[0];
  out.assertContentEquals('content stays');
  const json = JSON.parse(out.attribute('JSONAttributes')!);
  assert.deepEqual(json, { filename: 'f.txt', path: './', a: '1', b: 'two', uuid: ff.id });
});

test('Include Core Attributes = false drops the core attributes', async () => {
  const r = runner({ 'Include Core Attributes': 'false' });
  r.enqueue('', { filename: 'f.txt', 'mime.type': 'text/plain', priority: '1', 'absolute.path': '/x', keep: 'me' });
  await r.run();
  assert.equal(r.flowFilesFor('success')[0].attribute('JSONAttributes'), '{"keep":"me"}');
});

test('Attributes List: in list order, missing ones as "" (or null with Null Value)', async () => {
  const r = runner({ 'Attributes List': 'b, missing ,a,b' });
  r.enqueue('', { a: '1', b: '2', c: '3' });
  await r.run();
  assert.equal(r.flowFilesFor('success')[0].attribute('JSONAttributes'), '{"b":"2","missing":"","a":"1"}');

  const n = runner({ 'Attributes List': 'a,missing', 'Null Value': 'true' });
  n.enqueue('', { a: '1' });
  await n.run();
  assert.equal(n.flowFilesFor('success')[0].attribute('JSONAttributes'), '{"a":"1","missing":null}');
});

test('Attributes List may name core attributes even when Include Core Attributes is false', async () => {
  const r = runner({ 'Attributes List': 'filename,uuid', 'Include Core Attributes': 'false' });
  const ff = r.enqueue('', { filename: 'x.log' });
  await r.run();
  assert.deepEqual(JSON.parse(r.flowFilesFor('success')[0].attribute('JSONAttributes')!), { filename: 'x.log', uuid: ff.id });
});

test('Attributes Regular Expression selects names matching the whole (Java) pattern', async () => {
  const r = runner({ 'Attributes Regular Expression': 'access\\.(ip|status)', 'Include Core Attributes': 'false' });
  r.enqueue('', { 'access.ip': '1.2.3.4', 'access.status': '200', 'access.ipx': 'no', 'x.access.ip': 'no', other: 'no' });
  await r.run();
  assert.equal(r.flowFilesFor('success')[0].attribute('JSONAttributes'), '{"access.ip":"1.2.3.4","access.status":"200"}');
});

test('the regular expression sees core attributes regardless of Include Core Attributes', async () => {
  const r = runner({ 'Attributes Regular Expression': 'file.*', 'Include Core Attributes': 'false' });
  r.enqueue('', { filename: 'a.txt', filesize: '3' });
  await r.run();
  assert.deepEqual(JSON.parse(r.flowFilesFor('success')[0].attribute('JSONAttributes')!), { filename: 'a.txt', filesize: '3' });
});

test('Attributes List and Regular Expression combine (list first, no duplicates)', async () => {
  const r = runner({ 'Attributes List': 'z,a1', 'Attributes Regular Expression': 'a\\d' });
  r.enqueue('', { a1: 'x', a2: 'y', z: 'last' });
  await r.run();
  assert.equal(r.flowFilesFor('success')[0].attribute('JSONAttributes'), '{"z":"last","a1":"x","a2":"y"}');
});

test('the NiFi 1.x property name attributes-to-json-regex is accepted', async () => {
  const r = runner({ 'attributes-to-json-regex': 'k.*' });
  r.enqueue('', { k1: 'v' });
  await r.run();
  assert.equal(r.flowFilesFor('success')[0].attribute('JSONAttributes'), '{"k1":"v"}');
});

test('an invalid regular expression is a validation error', () => {
  const r = runner({ 'Attributes Regular Expression': 'a(' });
  assert.ok(r.validate().some((p) => p.includes('Attributes Regular Expression')));
});

test('Destination flowfile-content replaces the content and sets mime.type', async () => {
  const r = runner({ Destination: 'flowfile-content', 'Attributes List': 'a' });
  r.enqueue('old content', { a: 'é "quoted" \\ \n\t\u0001' });
  await r.run();
  const out = r.flowFilesFor('success')[0];
  out.assertAttributeEquals('mime.type', 'application/json');
  assert.equal(out.attribute('JSONAttributes'), undefined);
  // Jackson escapes control characters with upper-case hex.
  out.assertContentEquals('{"a":"é \\"quoted\\" \\\\ \\n\\t\\u0001"}');
  assert.deepEqual(JSON.parse(out.text()), { a: 'é "quoted" \\ \n\t\u0001' });
});

test('Pretty Print uses Jackson\'s default pretty printer (content only)', async () => {
  const r = runner({ Destination: 'flowfile-content', 'Pretty Print': 'true', 'Attributes List': 'a,b' });
  r.enqueue('', { a: '1', b: '2' });
  await r.run();
  r.flowFilesFor('success')[0].assertContentEquals('{\n  "a" : "1",\n  "b" : "2"\n}');

  const attr = runner({ 'Pretty Print': 'true', 'Attributes List': 'a' });
  attr.enqueue('', { a: '1' });
  await attr.run();
  assert.equal(attr.flowFilesFor('success')[0].attribute('JSONAttributes'), '{"a":"1"}', 'ignored for the attribute destination');
});

test('JSON Handling Strategy: Escaped keeps JSON-looking values as strings', async () => {
  const r = runner({ 'Attributes List': 'obj' });
  r.enqueue('', { obj: '{"x":1}' });
  await r.run();
  assert.equal(r.flowFilesFor('success')[0].attribute('JSONAttributes'), '{"obj":"{\\"x\\":1}"}');
});

test('JSON Handling Strategy: Nested embeds objects and arrays', async () => {
  const r = runner({ 'Attributes List': 'obj,arr,num,text', 'JSON Handling Strategy': 'NESTED' });
  r.enqueue('', { obj: ' {"x": 1.0, "y": [true, null]} ', arr: '[1, 2]', num: '5', text: '[not closed' });
  await r.run();
  assert.equal(r.flowFilesFor('success')[0].attribute('JSONAttributes'), '{"obj":{"x":1.0,"y":[true,null]},"arr":[1,2],"num":"5","text":"[not closed"}');
});

test('Nested pretty printing', async () => {
  const r = runner({ Destination: 'flowfile-content', 'Pretty Print': 'true', 'Attributes List': 'obj', 'JSON Handling Strategy': 'NESTED' });
  r.enqueue('', { obj: '{"a":{"b":[1,{"c":2}]},"e":{}}' });
  await r.run();
  r.flowFilesFor('success')[0].assertContentEquals('{\n  "obj" : {\n    "a" : {\n      "b" : [ 1, {\n        "c" : 2\n      } ]\n    },\n    "e" : { }\n  }\n}');
});

test('Nested: a value that looks like JSON but is not goes to failure unchanged', async () => {
  const r = runner({ 'JSON Handling Strategy': 'NESTED' });
  r.enqueue('keep', { bad: '{"x": }' });
  r.enqueue('fine', { ok: '1' });
  await r.run();
  r.assertTransferCount('failure', 1);
  r.assertTransferCount('success', 1);
  const failed = r.flowFilesFor('failure')[0];
  failed.assertContentEquals('keep');
  assert.equal(failed.attribute('JSONAttributes'), undefined);
});

test('an empty attribute list value is rejected (NON_EMPTY)', () => {
  const r = runner();
  assert.throws(() => r.setProperty('Attributes List', '   '), /must not be empty/);
});

test('many FlowFiles go through in batches', async () => {
  const r = runner({ 'Attributes Regular Expression': 'k\\d', Destination: 'flowfile-content' });
  for (let i = 0; i < 3000; i++) r.enqueue('', { k1: String(i), k2: 'x', other: 'y' });
  await r.run(3);
  r.assertTransferCount('success', 3000);
  assert.equal(r.flowFilesFor('success')[2999].text(), '{"k1":"2999","k2":"x"}');
});
