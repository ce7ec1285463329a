import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer } from '../../server/engine/queue/ring.ts';
import { MemoryQueue } from '../../server/engine/queue/memory-queue.ts';
import { FlowFile, updateAttributes, EMPTY_ATTRIBUTES } from '../../server/engine/flowfile.ts';
import { MemoryClaim } from '../../server/engine/content/claim.ts';

const ff = (attrs: Record<string, string> = {}, size = 0, entryDate = Date.now()) =>
  FlowFile.create(updateAttributes(EMPTY_ATTRIBUTES, attrs), null, new MemoryClaim(Buffer.alloc(size)), entryDate);

test('ring buffer keeps FIFO order across growth and unshift', () => {
  const r = new RingBuffer<number>(2);
  for (let i = 0; i < 100; i++) r.push(i);
  assert.equal(r.shift(), 0);
  r.unshift(-1);
  const out: number[] = [];
  while (r.length) out.push(r.shift()!);
  assert.deepEqual(out, [-1, ...Array.from({ length: 99 }, (_, i) => i + 1)]);
});

test('queue counts objects and bytes and reports back pressure at either threshold', () => {
  const q = new MemoryQueue('q', { backPressure: { objectThreshold: 3, dataSizeThreshold: 100 } });
  q.offer([ff({}, 10), ff({}, 10)]);
  assert.equal(q.count(), 2);
  assert.equal(q.bytes(), 20);
  assert.equal(q.isFull(), false);
  q.offer([ff({}, 10)]);
  assert.equal(q.isFull(), true, 'object threshold reached');
  const out: FlowFile[] = [];
  q.poll(3, Date.now(), out);
  assert.equal(q.isFull(), false);
  q.offer([ff({}, 100)]);
  assert.equal(q.isFull(), true, 'size threshold reached');
});

test('poll takes FIFO order and requeue without penalty puts FlowFiles back in front', () => {
  const q = new MemoryQueue('q');
  const items = [ff({ n: '1' }), ff({ n: '2' }), ff({ n: '3' })];
  q.offer(items);
  const a: FlowFile[] = [];
  q.poll(2, Date.now(), a);
  assert.deepEqual(a.map((f) => f.attrs.n), ['1', '2']);
  q.requeue(a, 0);
  const b: FlowFile[] = [];
  q.poll(10, Date.now(), b);
  assert.deepEqual(b.map((f) => f.attrs.n), ['1', '2', '3']);
});

test('penalized FlowFiles are skipped until their penalty ends', () => {
  const q = new MemoryQueue('q');
  const now = Date.now();
  q.requeue([ff({ n: 'late' })], now + 1000);
  q.offer([ff({ n: 'ready' })]);
  const out: FlowFile[] = [];
  q.poll(10, now, out);
  assert.deepEqual(out.map((f) => f.attrs.n), ['ready']);
  assert.equal(q.hasReady(now), false);
  assert.equal(q.nextReadyAt(), now + 1000);
  q.poll(10, now + 1000, out);
  assert.deepEqual(out.map((f) => f.attrs.n), ['ready', 'late']);
});

test('prioritizers order the queue', () => {
  const q = new MemoryQueue('q', { prioritizers: ['PriorityAttributePrioritizer'] });
  q.offer([ff({ priority: '3' }), ff({ priority: '1' }), ff({}), ff({ priority: '2' })]);
  const out: FlowFile[] = [];
  q.poll(10, Date.now(), out);
  assert.deepEqual(out.map((f) => f.attrs.priority), ['1', '2', '3', undefined]);

  const newest = new MemoryQueue('n', { prioritizers: ['NewestFlowFileFirstPrioritizer'] });
  newest.offer([ff({ n: 'old' }, 0, 1000), ff({ n: 'new' }, 0, 2000)]);
  const o2: FlowFile[] = [];
  newest.poll(10, Date.now(), o2);
  assert.deepEqual(o2.map((f) => f.attrs.n), ['new', 'old']);

  const oldest = new MemoryQueue('o', { prioritizers: ['OldestFlowFileFirstPrioritizer'] });
  oldest.offer([ff({ n: 'new' }, 0, 2000), ff({ n: 'old' }, 0, 1000)]);
  const o3: FlowFile[] = [];
  oldest.poll(10, Date.now(), o3);
  assert.deepEqual(o3.map((f) => f.attrs.n), ['old', 'new']);
});

test('expired FlowFiles are dropped with reason "expired" and never polled', () => {
  const q = new MemoryQueue('q', { expirationMs: 1000 });
  const dropped: string[] = [];
  q.onDrop = (list, reason) => dropped.push(...list.map((f) => `${f.attrs.n}:${reason}`));
  const now = Date.now();
  q.offer([ff({ n: 'old' }, 0, now - 5000), ff({ n: 'fresh' }, 0, now)]);
  const out: FlowFile[] = [];
  q.poll(10, now, out);
  assert.deepEqual(out.map((f) => f.attrs.n), ['fresh']);
  assert.deepEqual(dropped, ['old:expired']);
});

test('listing shows the first N with attributes; emptying reports the count dropped', () => {
  const q = new MemoryQueue('q');
  q.offer(Array.from({ length: 5 }, (_, i) => ff({ n: String(i) }, 3)));
  const list = q.list(2);
  assert.equal(list.length, 2);
  assert.equal(list[0].attributes.n, '0');
  assert.equal(list[0].size, 3);
  assert.ok(list[0].attributes.uuid);
  let reason = '';
  q.onDrop = (_l, r) => { reason = r; };
  assert.equal(q.empty(), 5);
  assert.equal(reason, 'emptied');
  assert.equal(q.count(), 0);
  assert.equal(q.bytes(), 0);
});
