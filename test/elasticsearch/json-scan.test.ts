// The allocation-free JSON object scanner must agree with JSON.parse on what is a single JSON object.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scanJsonObject } from '../../processors/elasticsearch/json-scan.ts';

function parseVerdict(text: string): boolean {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}

function check(text: string): void {
  const scan = scanJsonObject(Buffer.from(text));
  assert.equal(scan.ok, parseVerdict(text), `scanner and JSON.parse disagree on ${JSON.stringify(text)}`);
  if (scan.ok) assert.equal(scan.multiline, /[\r\n]/.test(text), `multiline for ${JSON.stringify(text)}`);
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 5 : 7));
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return Math.round((r() - 0.5) * 1e6) / (r() < 0.5 ? 1 : 1000);
    case 3: return ['', 'plain', 'quote " and \\ backslash', 'tab\there', 'line\nbreak', 'ünïcødé ✓ 😀', '\u0001ctl', '</script>'][Math.floor(r() * 8)];
    case 4: return 1e21 * (r() < 0.5 ? 1 : -1);
    case 5: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, (_, i) => [`k${i}${r() < 0.2 ? ' "x"' : ''}`, randomValue(r, depth + 1)]));
  }
}

describe('scanJsonObject', () => {
  test('hand-picked cases', () => {
    for (const t of [
      '{}', ' { } ', '{"a":1}', '{"a":[1,2,{"b":null}],"c":"x"}', '{"a":-0.5e+10}', '{"a":0}', '{"a":"\\u00e9\\n"}',
      '{\n"a": 1\n}', '{"a":1}\r\n', '\t{"a":true,"b":false}',
      '[]', '[1]', '"str"', '1', 'null', '', ' ', '{', '}', '{"a"}', '{"a":}', '{"a":1,}', '{,}', '{"a":1 "b":2}', '{"a":01}', '{"a":1.}',
      '{"a":.5}', '{"a":-}', '{"a":1e}', '{"a":+1}', '{"a":tru}', '{"a":nulls}', '{"a":"\\x"}', '{"a":"\\u12G4"}', '{"a":"unterminated}',
      '{"a":"ctl\u0001"}', '{"a":[1,]}', '{"a":[,1]}', '{"a":1}{"b":2}', '{"a":1} x', "{'a':1}", '{a:1}', '{"a":NaN}', '{"a":Infinity}',
      '{"a":[[[[]]]]}', '{"a":{"b":{"c":{}}}}', '{"a":"ünï 😀"}', '{"\\"":1}', '{"a":1]', '{"a":[1}', '{"a" : 1 , "b" : [ ] }',
    ]) check(t);
  });

  test('deep nesting is bounded', () => {
    const deep = '{"a":' + '['.repeat(600) + ']'.repeat(600) + '}';
    assert.equal(scanJsonObject(Buffer.from(deep)).ok, false, 'deeper than the scanner allows: falls back to JSON.parse');
    const ok = '{"a":' + '['.repeat(100) + ']'.repeat(100) + '}';
    assert.equal(scanJsonObject(Buffer.from(ok)).ok, true);
  });

  test('random documents, pretty-printed ones, and single-byte corruptions of them agree with JSON.parse', () => {
    const r = rng(42);
    for (let n = 0; n < 3000; n++) {
      const doc = Object.fromEntries(Array.from({ length: 1 + Math.floor(r() * 5) }, (_, i) => [`f${i}`, randomValue(r, 0)]));
      const text = r() < 0.2 ? JSON.stringify(doc, null, 2) : JSON.stringify(doc);
      check(text);
      const bytes = Buffer.from(text);
      const pos = Math.floor(r() * bytes.length);
      const mutated = Buffer.from(bytes);
      mutated[pos] = '{}[]",:0-.e tfn\\\n'.charCodeAt(Math.floor(r() * 17));
      const asText = mutated.toString('utf8');
      // compare on the decoded text, as PutElasticsearchJson would JSON.parse it
      if (Buffer.from(asText).equals(mutated)) check(asText);
      const truncated = text.slice(0, Math.floor(r() * text.length));
      check(truncated);
    }
  });
});
