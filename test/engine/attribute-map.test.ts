import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttributeMap, AttributeShape, ShapeCache } from '../../server/engine/attribute-map.ts';
import { CommonAttributes } from '../../server/engine/common-attributes.ts';

const entries = (m: AttributeMap) => { const out: [string, string][] = []; m.forEach((v, k) => out.push([k, v])); return out; };

test('layers: get walks newest first; forEach lists each name once in first-insertion order', () => {
  const base = AttributeMap.from({ filename: 'a.log', path: './' });
  const shape = new AttributeShape(['fragment.index', 'filename']);
  const child = base.withShape(shape, ['1', 'b.log']);
  assert.equal(child.get('filename'), 'b.log');
  assert.equal(child.get('path'), './');
  assert.equal(child.shadowFree, false, 'filename overrides the base');
  assert.deepEqual(entries(child), [['filename', 'b.log'], ['path', './'], ['fragment.index', '1']]);
  assert.equal(child.size, 3);
  assert.deepEqual(child.toObject(), { filename: 'b.log', path: './', 'fragment.index': '1' });
  assert.equal(base.get('filename'), 'a.log', 'the parent is unchanged');
});

test('with: undefined removes, unchanged values add no layer, removals mark the chain as shadowing', () => {
  const base = AttributeMap.from({ a: '1', b: '2' });
  assert.equal(base.with({ a: '1' }), base);
  const removed = base.with({ a: undefined, c: '3' });
  assert.equal(removed.get('a'), undefined);
  assert.equal(removed.has('a'), false);
  assert.equal(removed.shadowFree, false);
  assert.deepEqual(entries(removed), [['b', '2'], ['c', '3']]);
  const added = base.with({ c: '3' });
  assert.equal(added.shadowFree, true);
  assert.deepEqual(added.keys(), ['a', 'b', 'c']);
});

test('deep chains flatten and keep every value', () => {
  let m = AttributeMap.from({ root: 'r' });
  for (let i = 0; i < 20; i++) m = m.with({ [`k${i}`]: String(i), root: `r${i}` });
  assert.equal(m.get('root'), 'r19');
  assert.equal(m.get('k0'), '0');
  assert.equal(m.size, 21);
  assert.deepEqual(m.keys().slice(0, 3), ['root', 'k0', 'k1']);
});

test('withShape: the shadowing memo is keyed on the chain of shapes, not on the last map', () => {
  const shape = new AttributeShape(['x']);
  const plain = AttributeMap.from({ a: '1' });
  const withX = AttributeMap.from({ x: 'old' });
  assert.equal(plain.withShape(shape, ['new']).shadowFree, true);
  const over = withX.withShape(shape, ['new']);
  assert.equal(over.shadowFree, false);
  assert.deepEqual(entries(over), [['x', 'new']]);
  assert.equal(plain.withShape(shape, ['again']).shadowFree, true);
});

test('large layers index their names', () => {
  const names = Array.from({ length: 40 }, (_, i) => `n${i}`);
  const m = AttributeMap.EMPTY.withShape(new AttributeShape(names), names.map((n) => n.toUpperCase()));
  assert.equal(m.get('n37'), 'N37');
  assert.equal(m.get('missing'), undefined);
});

test('ShapeCache hands out one shape per name list', () => {
  const cache = new ShapeCache();
  const a = cache.of(['x', 'y', 'z'], 2);
  assert.equal(cache.of(['x', 'y']), a);
  assert.deepEqual(a.names, ['x', 'y']);
  assert.notEqual(cache.of(['y', 'x']), a);
});

test('CommonAttributes: by layer identity for siblings, by value otherwise, with snapshots', () => {
  const base = AttributeMap.from({ filename: 'f', path: './', host: 'h' });
  const split = new AttributeShape(['fragment.index', 'fragment.identifier']);
  const kids = [1, 2, 3].map((i) => base.withShape(split, [String(i), 'id-1']).with({ [`only${i}`]: 'x', shared: 'same' }));
  const common = new CommonAttributes(kids[0]);
  common.add(kids[1]);
  const snap = common.snapshot();
  common.add(AttributeMap.from({ filename: 'f', path: './', host: 'other', 'fragment.identifier': 'id-1', shared: 'same' }));
  assert.deepEqual(common.result().names, ['filename', 'path', 'fragment.identifier', 'shared']);
  common.restore(snap);
  common.add(kids[2]);
  const { names, values } = common.result();
  assert.deepEqual(names, ['filename', 'path', 'host', 'fragment.identifier', 'shared']);
  assert.deepEqual(values, ['f', './', 'h', 'id-1', 'same']);
  assert.deepEqual(CommonAttributes.of([AttributeMap.from({ a: '1', b: '2' }).with({ a: undefined }), AttributeMap.from({ b: '2' })]).names, ['b']);
});
