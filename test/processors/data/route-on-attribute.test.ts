import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestRunner } from '../../../server/testing/test-runner.ts';
import { RouteOnAttribute } from '../../../processors/data/route-on-attribute.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('relationships: one per dynamic property plus unmatched (Route to Property name)', () => {
  const r = new TestRunner(RouteOnAttribute);
  r.setProperty('jpg', "${filename:endsWith('.jpg')}");
  r.setProperty('png', "${filename:endsWith('.png')}");
  assert.deepEqual(r.relationships().sort(), ['jpg', 'png', 'unmatched']);
});

test("relationships: matched and unmatched for the 'all'/'any' strategies, under both spellings", () => {
  for (const strategy of ["Route to 'match' if all match", "Route to 'matched' if all match", "Route to 'match' if any matches", "Route to 'matched' if any matches"]) {
    const r = new TestRunner(RouteOnAttribute);
    r.setProperty('Routing Strategy', strategy);
    r.setProperty('a', '${x:equals(1)}');
    assert.deepEqual(r.relationships().sort(), ['matched', 'unmatched'], strategy);
  }
});

test('routes to the matching property and records RouteOnAttribute.Route', async () => {
  const r = new TestRunner(RouteOnAttribute);
  r.setProperty('jpg', "${filename:endsWith('.jpg')}");
  r.setProperty('png', "${filename:endsWith('.png')}");
  r.enqueue('a', { filename: 'a.jpg' });
  r.enqueue('b', { filename: 'b.png' });
  r.enqueue('c', { filename: 'c.txt' });
  await r.run();
  r.assertTransferCount('jpg', 1);
  r.assertTransferCount('png', 1);
  r.assertTransferCount('unmatched', 1);
  r.flowFilesFor('jpg')[0].assertContentEquals('a');
  r.flowFilesFor('jpg')[0].assertAttributeEquals('RouteOnAttribute.Route', 'jpg');
  r.flowFilesFor('png')[0].assertAttributeEquals('RouteOnAttribute.Route', 'png');
  r.flowFilesFor('unmatched')[0].assertAttributeEquals('RouteOnAttribute.Route', 'unmatched');
});

test('a FlowFile matching several properties is cloned to each relationship', async () => {
  const r = new TestRunner(RouteOnAttribute);
  r.setProperty('big', '${size:gt(10)}');
  r.setProperty('even', '${size:mod(2):equals(0)}');
  r.setProperty('never', '${size:equals(-1)}');
  const original = r.enqueue('payload', { size: '12' });
  await r.run();
  r.assertTransferCount('big', 1);
  r.assertTransferCount('even', 1);
  r.assertTransferCount('never', 0);
  r.assertTransferCount('unmatched', 0);
  const big = r.flowFilesFor('big')[0];
  const even = r.flowFilesFor('even')[0];
  assert.equal(big.id, original.id, 'the original goes to the first matching relationship');
  assert.notEqual(even.id, original.id, 'the other relationship gets a clone');
  even.assertContentEquals('payload');
  even.assertAttributeEquals('size', '12');
  big.assertAttributeEquals('RouteOnAttribute.Route', 'big');
  even.assertAttributeEquals('RouteOnAttribute.Route', 'even');
});

test("Route to 'matched' if all match", async () => {
  const r = new TestRunner(RouteOnAttribute);
  r.setProperty('Routing Strategy', "Route to 'match' if all match");
  r.setProperty('txt', "${filename:endsWith('.txt')}");
  r.setProperty('large', '${fileSize:ge(5)}');
  r.enqueue('12345', { filename: 'a.txt' });
  r.enqueue('1', { filename: 'b.txt' });
  r.enqueue('12345', { filename: 'c.csv' });
  await r.run();
  r.assertTransferCount('matched', 1);
  r.assertTransferCount('unmatched', 2);
  r.flowFilesFor('matched')[0].assertAttributeEquals('filename', 'a.txt');
  r.flowFilesFor('matched')[0].assertAttributeEquals('RouteOnAttribute.Route', 'matched');
});

test("Route to 'matched' if any matches (display-name spelling accepted)", async () => {
  const r = new TestRunner(RouteOnAttribute);
  r.setProperty('Routing Strategy', "Route to 'matched' if any matches");
  r.setProperty('has_a', "${uuid:contains('a')}");
  r.setProperty('is_x', "${kind:equals('x')}");
  r.enqueue('1', { kind: 'x', uuid: 'ignored' });
  r.enqueue('2', { kind: 'y' });
  await r.run();
  const all = [...r.flowFilesFor('matched'), ...r.flowFilesFor('unmatched')];
  assert.equal(all.length, 2);
  const x = all.find((f) => f.attribute('kind') === 'x')!;
  assert.equal(x.attribute('RouteOnAttribute.Route'), 'matched');
});

test('boolean results are read like Boolean.parseBoolean: case-insensitive, trimmed', async () => {
  const r = new TestRunner(RouteOnAttribute);
  r.setProperty('yes', '${flag}');
  r.enqueue('1', { flag: ' TRUE ' });
  r.enqueue('2', { flag: 'yes' });
  r.enqueue('3', {});
  await r.run();
  r.assertTransferCount('yes', 1);
  r.assertTransferCount('unmatched', 2);
});

test('with no dynamic properties everything is unmatched', async () => {
  const r = new TestRunner(RouteOnAttribute);
  r.enqueue('x');
  await r.run();
  r.assertTransferCount('unmatched', 1);
});

test('a dynamic property must be an Expression Language expression', () => {
  const r = new TestRunner(RouteOnAttribute);
  assert.throws(() => r.setProperty('always', 'true'), /Expression Language/);
  assert.throws(() => r.setProperty('broken', '${unclosed'), /invalid expression/);
});

test('an unknown Routing Strategy is rejected', () => {
  const r = new TestRunner(RouteOnAttribute);
  assert.throws(() => r.setProperty('Routing Strategy', 'Route somewhere'), /must be one of/);
});

test('an expression that fails to evaluate rolls the FlowFile back (no failure relationship); the others still go through', async () => {
  const r = new TestRunner(RouteOnAttribute, { settings: { penaltyMs: 5 } });
  r.setProperty('big', '${n:toNumber():gt(10)}');
  r.setProperty('parsed', "${d:toDate('yyyy-MM-dd'):format('yyyy')}");
  r.enqueue('good1', { n: '50', d: '2024-01-01' });
  r.enqueue('bad', { n: '5', d: 'not a date' });
  r.enqueue('good2', { n: '1', d: '2024-01-01' });
  for (let i = 0; i < 12 && r.flowFilesFor('big').length + r.flowFilesFor('unmatched').length < 2; i++) {
    await r.run(1, { stopOnFinish: false });
    await sleep(10);
  }
  assert.equal(r.flowFilesFor('big').length, 1, 'good1 routed');
  r.flowFilesFor('big')[0].assertContentEquals('good1');
  const unmatched = r.flowFilesFor('unmatched').map((f) => f.text());
  assert.deepEqual(unmatched, ['good2']);
  assert.equal(r.flowFilesFor('parsed').length, 0);
  assert.equal(r.queueSize, 1, 'the failing FlowFile is back in the queue');
  assert.ok(r.bulletins.some((b) => b.level === 'ERROR' && /could not evaluate/.test(b.message)), 'an error bulletin is raised');
});

test('processes large batches', async () => {
  const r = new TestRunner(RouteOnAttribute);
  r.setProperty('odd', '${i:mod(2):equals(1)}');
  for (let i = 0; i < 2500; i++) r.enqueue('', { i: String(i) });
  await r.run(3);
  r.assertTransferCount('odd', 1250);
  r.assertTransferCount('unmatched', 1250);
});
