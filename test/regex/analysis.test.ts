// Static worst-case analysis: classification of typical and hostile patterns, and
// the guarantee behind the inline fast path (inputs up to maxInlineLength stay fast).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileSafeRegex } from '../../server/regex/index.ts';

const cls = (p: string): string => compileSafeRegex(p).complexity.class;

describe('complexity classification', () => {
  it('exponential (nested/overlapping repetition)', () => {
    for (const p of ['(a+)+$', '(a|a)*c', '(a|aa)+$', '(\\w+\\s?)+$', '((a+)+)+$', '(x+x+)+y', '(\\s*,\\s*)*$', '(?:a*)*b', '^(a|b|ab)*$', '(?=(?:a+)+b)']) {
      assert.equal(cls(p), 'exponential', p);
    }
  });
  it('polynomial (repetitions that can re-scan the same text)', () => {
    for (const p of ['\\d+x', '.*ERROR.*', '.*ERROR.*X', 'a*a*$', '^(.*?),(.*?),(.*?)$', '\\s+$', '(?U)\\w+\\b']) {
      assert.equal(cls(p), 'polynomial', p);
    }
    assert.equal(compileSafeRegex('^a*a*a*$').complexity.searchExponent, 3);
  });
  it('linear / constant for typical NiFi patterns', () => {
    for (const p of [
      '^(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] "(\\S+) (.*?) (\\S+)" (\\d{3}) (\\S+)',
      'id=(\\d+) size=(\\d+)',
      '(?i)error',
      '\\b(?:foo|bar|baz)\\b',
      '\\p{L}+',
      '(\\d{1,3}\\.){3}\\d{1,3}',
      '^[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)*\\.[a-z]{2,}$',
      '\\d+',
    ]) {
      assert.ok(['linear', 'constant'].includes(cls(p)), `${p}: ${cls(p)}`);
    }
    assert.equal(cls('^abc'), 'constant');
  });
  it('the exponential base shrinks the inline limit', () => {
    const two = compileSafeRegex('(a+)+$').maxInlineLength;
    const eight = compileSafeRegex('(?:a|a|a|a|a|a|a|a)+$').maxInlineLength;
    assert.ok(eight < two && eight >= 1, `${eight} < ${two}`);
  });
  it('large loop-free patterns (keyword lists) are linear, analysed quickly', () => {
    const words = Array.from({ length: 500 }, (_, i) => `kw${(i * 7919).toString(36)}x`);
    const t = performance.now();
    const r = compileSafeRegex(`\\b(?:${words.join('|')})\\b`);
    assert.equal(r.complexity.class, 'linear');
    assert.ok(r.maxInlineLength > 1000);
    assert.ok(performance.now() - t < 5000);
  });
  it('analysis effort is bounded for very complex patterns (sound fallback)', () => {
    const p = Array.from({ length: 40 }, (_, i) => `f${i}=(.*?)`).join(',');
    const t = performance.now();
    const r = compileSafeRegex(p);
    assert.equal(r.complexity.class, 'polynomial');
    assert.ok(r.maxInlineLength >= 12 && r.maxInlineLength < 100);
    assert.ok(performance.now() - t < 5000);
  });
});

describe('inline fast path bound', () => {
  // Adversarial inputs of exactly maxInlineLength chars: the worst case the
  // event loop can ever see for these patterns. Target ~10 ms; generous bound
  // because CI machines may be loaded.
  const cases: [string, (n: number) => string][] = [
    ['\\d+x', (n) => '1'.repeat(n)],
    ['a*a*$', (n) => 'a'.repeat(n - 1) + '!'],
    ['^a*a*a*$', (n) => 'a'.repeat(n - 1) + '!'],
    ['a*a*a*a*$', (n) => 'a'.repeat(n - 1) + '!'],
    ['(.*),(.*),(.*),(.*)x', (n) => ','.repeat(n)],
    ['\\s*\\s*\\s*x', (n) => ' '.repeat(n)],
    ['.*ERROR.*X', (n) => 'ERROR'.repeat(Math.ceil(n / 5)).slice(0, n)],
    ['(a+)+$', (n) => 'a'.repeat(n - 1) + '!'],
    ['((a+)+)+$', (n) => 'a'.repeat(n - 1) + '!'],
    ['(?:a|a|a|a|a|a|a|a)+$', (n) => 'a'.repeat(n - 1) + '!'],
    ['(\\w+\\s?)+$', (n) => 'a'.repeat(n - 1) + '!'],
  ];
  for (const [p, gen] of cases) {
    it(p, () => {
      const re = compileSafeRegex(p);
      const input = gen(re.maxInlineLength);
      assert.equal(input.length, re.maxInlineLength);
      assert.ok(re.canRunInline(input));
      const t = performance.now();
      const r = re.exec(input);
      const ms = performance.now() - t;
      assert.notEqual(r.kind, 'budget-exceeded');
      assert.ok(ms < 150, `${p} on ${input.length} chars took ${ms.toFixed(1)} ms inline`);
    });
  }
});
