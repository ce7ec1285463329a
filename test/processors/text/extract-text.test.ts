import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestRunner, InvalidPropertyError } from '../../../server/testing/test-runner.ts';
import { ExtractText } from '../../../processors/text/extract-text.ts';

const root = new URL('../../../', import.meta.url).pathname;
const SAMPLE = 'foo\r\nbar1\r\nbar2\r\nbar3\r\nhello\r\nworld\r\n';

function runner(props: Record<string, string>): TestRunner {
  const r = new TestRunner(ExtractText);
  for (const [k, v] of Object.entries(props)) r.setProperty(k, v);
  return r;
}

async function extract(props: Record<string, string>, content: string | Buffer) {
  const r = runner(props);
  r.enqueue(content);
  await r.runUntilIdle();
  const matched = r.flowFilesFor('matched');
  const unmatched = r.flowFilesFor('unmatched');
  return { r, matched, unmatched, out: matched[0] ?? unmatched[0] };
}

// ---------------------------------------------------------------- NiFi's own test cases

test('greedy, reluctant and whole-content patterns with inline DOTALL', async () => {
  const { matched, out } = await extract({
    'regex.result1': '(?s)(.*)',
    'regex.result2': '(?s).*(bar1).*',
    'regex.result3': '(?s).*?(bar\\d).*',
    'regex.result4': '(?s).*?(?:bar\\d).*?(bar\\d).*?(bar3).*',
    'regex.result5': '(?s).*(bar\\d).*',
    'regex.result6': '(?s)^(.*)$',
    'regex.result7': '(?s)(XXX)',
  }, SAMPLE);
  assert.equal(matched.length, 1);
  assert.equal(out.attribute('regex.result1'), SAMPLE);
  assert.equal(out.attribute('regex.result2'), 'bar1');
  assert.equal(out.attribute('regex.result3'), 'bar1');
  assert.equal(out.attribute('regex.result4'), 'bar2');
  assert.equal(out.attribute('regex.result4.0'), SAMPLE);
  assert.equal(out.attribute('regex.result4.1'), 'bar2');
  assert.equal(out.attribute('regex.result4.2'), 'bar3');
  assert.equal(out.attribute('regex.result4.3'), undefined);
  assert.equal(out.attribute('regex.result5'), 'bar3');
  assert.equal(out.attribute('regex.result6'), SAMPLE);
  assert.equal(out.attribute('regex.result7'), undefined);
});

test('an optional group that does not participate gets no attribute', async () => {
  let res = await extract({ regex: 'abc(def)?(g)' }, 'abcg');
  assert.equal(res.matched.length, 1);
  assert.equal(res.out.attribute('regex.1'), undefined);
  assert.equal(res.out.attribute('regex.2'), 'g');
  assert.equal(res.out.attribute('regex'), undefined);
  assert.equal(res.out.attribute('regex.0'), 'abcg');
  res = await extract({ regex: 'abc(def)?(g)' }, 'abcdefg');
  assert.equal(res.out.attribute('regex.1'), 'def');
  assert.equal(res.out.attribute('regex.2'), 'g');
  assert.equal(res.out.attribute('regex'), 'def');
});

test('Enable DOTALL Mode', async () => {
  const { out } = await extract({
    'Enable DOTALL Mode': 'true',
    'regex.result1': '(.*)', 'regex.result2': '.*(bar1).*', 'regex.result3': '.*?(bar\\d).*', 'regex.result4': '.*?(?:bar\\d).*?(bar\\d).*',
    'regex.result5': '.*(bar\\d).*', 'regex.result6': '^(.*)$', 'regex.result7': '^(XXX)$',
  }, SAMPLE);
  assert.deepEqual(['1', '2', '3', '4', '5', '6', '7'].map((i) => out.attribute(`regex.result${i}`)), [SAMPLE, 'bar1', 'bar1', 'bar2', 'bar3', SAMPLE, undefined]);
});

test('Enable Multiline Mode (and "." stops at \\r)', async () => {
  const { out } = await extract({
    'Enable Multiline Mode': 'true',
    'regex.result1': '(.*)', 'regex.result2': '(bar1)', 'regex.result3': '.*?(bar\\d).*', 'regex.result4': '.*?(?:bar\\d).*?(bar\\d).*',
    'regex.result4b': 'bar\\d\\r\\n(bar\\d)', 'regex.result5': '.*(bar\\d).*', 'regex.result5b': '(?:bar\\d\\r?\\n)*(bar\\d)',
    'regex.result6': '^(.*)$', 'regex.result7': '^(XXX)$',
  }, SAMPLE);
  assert.equal(out.attribute('regex.result1'), 'foo');
  assert.equal(out.attribute('regex.result2'), 'bar1');
  assert.equal(out.attribute('regex.result3'), 'bar1');
  assert.equal(out.attribute('regex.result4'), undefined);
  assert.equal(out.attribute('regex.result4b'), 'bar2');
  assert.equal(out.attribute('regex.result5'), 'bar1');
  assert.equal(out.attribute('regex.result5b'), 'bar3');
  assert.equal(out.attribute('regex.result6'), 'foo');
  assert.equal(out.attribute('regex.result7'), undefined);
});

test('Multiline and DOTALL together', async () => {
  const { out } = await extract({
    'Enable Multiline Mode': 'true', 'Enable DOTALL Mode': 'true',
    'regex.result1': '(.*)', 'regex.result2': '(bar1)', 'regex.result3': '.*?(bar\\d).*', 'regex.result4': '.*?(?:bar\\d).*?(bar\\d).*',
    'regex.result4b': 'bar\\d\\r\\n(bar\\d)', 'regex.result5': '.*(bar\\d).*', 'regex.result5b': '(?:bar\\d\\r?\\n)*(bar\\d)',
    'regex.result6': '^(.*)$', 'regex.result7': '^(XXX)$',
  }, SAMPLE);
  assert.deepEqual(['1', '2', '3', '4', '4b', '5', '5b', '6', '7'].map((i) => out.attribute(`regex.result${i}`)),
    [SAMPLE, 'bar1', 'bar1', 'bar2', 'bar2', 'bar3', 'bar3', SAMPLE, undefined]);
});

test('no match: unmatched with no attributes added', async () => {
  const { unmatched, matched, out } = await extract({ 'Enable Multiline Mode': 'true', 'Enable DOTALL Mode': 'true', 'regex.result2': '(bar1)', 'regex.result7': '^(XXX)$' }, 'YYY');
  assert.equal(matched.length, 0);
  assert.equal(unmatched.length, 1);
  assert.deepEqual(Object.keys(out.attributes).sort(), ['filename', 'path', 'uuid']);
});

test('Maximum Buffer Size: only the start of the content is evaluated', async () => {
  const { out, matched } = await extract({ 'Maximum Buffer Size': '3 B', 'regex.result1': '(foo)', 'regex.result2': '(world)' }, SAMPLE);
  assert.equal(matched.length, 1);
  assert.equal(out.attribute('regex.result1'), 'foo');
  assert.equal(out.attribute('regex.result2'), undefined);
  assert.equal(out.text(), SAMPLE); // content untouched
});

test('Include Capture Group 0 (default true) and false', async () => {
  let res = await extract({ 'regex.result': '(?s)(.*)' }, SAMPLE);
  assert.equal(res.out.attribute('regex.result.0'), SAMPLE);
  assert.equal(res.out.attribute('regex.result'), SAMPLE);
  res = await extract({ 'Include Capture Group 0': 'false', 'regex.result': '(?s)(.*)' }, SAMPLE);
  assert.equal(res.out.attribute('regex.result.0'), undefined);
  assert.equal(res.out.attribute('regex.result'), SAMPLE);
  assert.equal(res.out.attribute('regex.result.1'), SAMPLE);
});

test('repeating capture groups: one group', async () => {
  const { out } = await extract({ 'Enable repeating capture group': 'true', 'regex.result': '(?s)(\\w+)' }, 'This is my text');
  assert.deepEqual(['', '.0', '.1', '.2', '.3', '.4', '.5'].map((k) => out.attribute(`regex.result${k}`)), ['This', 'This', 'This', 'is', 'my', 'text', undefined]);
});

test('repeating capture groups: pairs continue the numbering', async () => {
  const { out } = await extract({ 'Enable repeating capture group': 'true', 'regex.result': '(\\w+)=(\\d+)' }, 'a=1,b=10,c=100');
  assert.deepEqual(['', '.0', '.1', '.2', '.3', '.4', '.5', '.6', '.7'].map((k) => out.attribute(`regex.result${k}`)), ['a', 'a=1', 'a', '1', 'b', '10', 'c', '100', undefined]);
});

test('without repeating, only the first match is used', async () => {
  const { out } = await extract({ 'regex.result': '(\\w+)=(\\d+)' }, 'a=1,b=10,c=100');
  assert.equal(out.attribute('regex.result.2'), '1');
  assert.equal(out.attribute('regex.result.3'), undefined);
});

test('a pattern without groups: only <name>.0', async () => {
  const { out, matched } = await extract({ 'regex.result': '(?s).*' }, SAMPLE);
  assert.equal(matched.length, 1);
  assert.equal(out.attribute('regex.result'), undefined);
  assert.equal(out.attribute('regex.result.0'), SAMPLE);
});

test('a pattern without groups is invalid when Include Capture Group 0 is false', () => {
  const r = runner({ 'Include Capture Group 0': 'false', 'regex.result': '(?s).*' });
  assert.ok(r.validate().some((p) => p.includes('regex.result') && /Capturing Groups/.test(p)));
});

test('repeating with no groups: <name>.0 holds the last match', async () => {
  const { out } = await extract({ 'Enable repeating capture group': 'true', w: '\\d+' }, 'a1 b22 c333');
  assert.equal(out.attribute('w.0'), '333');
  assert.equal(out.attribute('w.1'), undefined);
});

test('an empty match adds nothing: unmatched', async () => {
  const { unmatched } = await extract({ x: 'z*' }, 'abc');
  assert.equal(unmatched.length, 1);
});

// ---------------------------------------------------------------- named groups

test('named groups: <name>.<group>, and <name> = group 0', async () => {
  const { out } = await extract({ 'Enable named group support': 'true', regex: 'abc(?<NAMED>def)?(?<NAMEDTWO>g)' }, 'abcdefg');
  assert.equal(out.attribute('regex.NAMED'), 'def');
  assert.equal(out.attribute('regex.NAMEDTWO'), 'g');
  assert.equal(out.attribute('regex'), 'abcdefg');
  assert.equal(out.attribute('regex.1'), undefined);
  const res = await extract({ 'Enable named group support': 'true', regex: 'abc(?<NAMED>def)?(?<NAMEDTWO>g)' }, 'abcg');
  assert.equal(res.out.attribute('regex.NAMED'), undefined);
  assert.equal(res.out.attribute('regex.NAMEDTWO'), 'g');
});

test('named groups with repeating: later matches get a .<k> suffix', async () => {
  const { out } = await extract({ 'Enable named group support': 'true', 'Enable repeating capture group': 'true', kv: '(?<key>\\w+)=(?<val>\\d+)' }, 'a=1,b=10,c=100');
  assert.equal(out.attribute('kv'), 'a=1');
  assert.deepEqual([out.attribute('kv.key'), out.attribute('kv.val'), out.attribute('kv.key.1'), out.attribute('kv.val.1'), out.attribute('kv.key.2'), out.attribute('kv.val.2')],
    ['a', '1', 'b', '10', 'c', '100']);
});

test('named groups without group 0', async () => {
  const { out } = await extract({ 'Enable named group support': 'true', 'Include Capture Group 0': 'false', kv: '(?<key>\\w+)=(?<val>\\d+)' }, 'x=5');
  assert.equal(out.attribute('kv'), undefined);
  assert.equal(out.attribute('kv.key'), 'x');
});

test('named groups: every group must be named', () => {
  const r = runner({ 'Enable named group support': 'true', kv: '(?<key>\\w+)=(\\d+)' });
  assert.ok(r.validate().some((p) => p.includes('Named group count does not match total group count')));
  const ok = runner({ 'Enable named group support': 'false', kv: '(?<key>\\w+)=(\\d+)' });
  assert.deepEqual(ok.validate(), []);
});

test('named groups off: named groups are numbered like any other', async () => {
  const { out } = await extract({ kv: '(?<key>\\w+)=(?<val>\\d+)' }, 'x=5');
  assert.deepEqual([out.attribute('kv'), out.attribute('kv.1'), out.attribute('kv.2'), out.attribute('kv.key')], ['x', 'x', '5', undefined]);
});

// ---------------------------------------------------------------- flags, Java syntax, validation

test('flag properties: case-insensitive, literal, comments, unix lines', async () => {
  let res = await extract({ 'Enable Case-insensitive Matching': 'true', x: '(HELLO)' }, 'say hello');
  assert.equal(res.out.attribute('x'), 'hello');
  res = await extract({ 'Enable Literal Parsing of the Pattern': 'true', x: 'a.b(c)' }, 'axbc a.b(c)');
  assert.equal(res.out.attribute('x.0'), 'a.b(c)');
  assert.equal(res.out.attribute('x'), undefined);
  res = await extract({ 'Permit Whitespace and Comments in Pattern': 'true', x: '(\\d+) \\s* # a number\n (\\w+)' }, '42   apples');
  assert.deepEqual([res.out.attribute('x.1'), res.out.attribute('x.2')], ['42', 'apples']);
  res = await extract({ 'Enable Unix Lines Mode': 'true', 'Enable Multiline Mode': 'true', x: '^(b.*)$' }, 'a\r\nb1\r\nc');
  assert.equal(res.out.attribute('x'), 'b1\r');
});

test('Java syntax: inline flags, \\A \\Z \\z, possessive quantifiers, atomic groups', async () => {
  let res = await extract({ x: '(?i)^(abc)' }, 'ABCdef');
  assert.equal(res.out.attribute('x'), 'ABC');
  res = await extract({ x: '\\A(\\w+)', y: '(\\w+)\\Z', z: '(\\w+)\\z' }, 'first middle last\n');
  assert.deepEqual([res.out.attribute('x'), res.out.attribute('y'), res.out.attribute('z')], ['first', 'last', undefined]);
  res = await extract({ x: '(a++)b', y: '(?>a+)(b)' }, 'aaab');
  assert.deepEqual([res.out.attribute('x'), res.out.attribute('y')], ['aaa', 'b']);
  res = await extract({ x: '(a++)a' }, 'aaaa');
  assert.equal(res.unmatched.length, 1);
});

test('an invalid Java regex is a validation error when set', () => {
  const r = new TestRunner(ExtractText);
  assert.throws(() => r.setProperty('bad', '(unclosed'), (e: Error) => e instanceof InvalidPropertyError && /bad/.test(e.message));
});

test('an untranslatable construct is a validation error naming it', () => {
  const r = new TestRunner(ExtractText);
  assert.throws(() => r.setProperty('g', '\\G(\\d)'), (e: Error) => e instanceof InvalidPropertyError && e.message.includes('\\G'));
  const canon = runner({ 'Enable Canonical Equivalence': 'true', x: '(a)' });
  assert.ok(canon.validate().some((p) => /CANON_EQ|canonical/i.test(p)));
});

test('more than 40 capturing groups is invalid', () => {
  const r = new TestRunner(ExtractText);
  assert.throws(() => r.setProperty('many', '(a)'.repeat(41)), InvalidPropertyError);
  r.setProperty('forty', '(a)'.repeat(40));
});

test('Maximum Capture Group Length truncates values (group 0 too, not the named <name>)', async () => {
  let res = await extract({ 'Maximum Capture Group Length': '3', x: '(\\w+) (\\w+)' }, 'abcdef gh');
  assert.deepEqual([res.out.attribute('x'), res.out.attribute('x.0'), res.out.attribute('x.1'), res.out.attribute('x.2')], ['abc', 'abc', 'abc', 'gh']);
  res = await extract({ 'Maximum Capture Group Length': '2', 'Enable named group support': 'true', x: '(?<w>\\w+)' }, 'hello');
  assert.deepEqual([res.out.attribute('x'), res.out.attribute('x.w')], ['hello', 'he']);
  assert.throws(() => new TestRunner(ExtractText).setProperty('Maximum Capture Group Length', '0'), InvalidPropertyError);
});

test('Character Set decodes the content (ISO-8859-1, UTF-16)', async () => {
  let res = await extract({ 'Character Set': 'ISO-8859-1', x: 'caf(.)' }, Buffer.from([0x63, 0x61, 0x66, 0xe9]));
  assert.equal(res.out.attribute('x'), 'é');
  res = await extract({ 'Character Set': 'UTF-16', x: '(\\w+)' }, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('hi', 'utf16le').swap16()]));
  assert.equal(res.out.attribute('x'), 'hi');
  assert.throws(() => new TestRunner(ExtractText).setProperty('Character Set', 'NOPE-1'), InvalidPropertyError);
});

test('NiFi 1.x property names (and title-case variants) are accepted', async () => {
  let res = await extract({ 'extract-text-enable-repeating-capture-group': 'true', x: '(\\d)' }, '1 2');
  assert.equal(res.out.attribute('x.2'), '2');
  res = await extract({ 'Enable Named Groups': 'true', x: '(?<d>\\d)' }, '7');
  assert.equal(res.out.attribute('x.d'), '7');
  res = await extract({ 'extract-text-enable-named-groups': 'true', x: '(?<d>\\d)' }, '8');
  assert.equal(res.out.attribute('x.d'), '8');
  assert.equal(res.out.attribute('extract-text-enable-named-groups.0'), undefined);
});

test('relationships', () => {
  assert.deepEqual(runner({ x: '(a)' }).relationships().sort(), ['matched', 'unmatched']);
});

test('many FlowFiles in one trigger are each evaluated', async () => {
  const r = runner({ n: '(\\d+)' });
  for (let i = 0; i < 250; i++) r.enqueue(i % 5 === 0 ? 'none' : `v${i}`);
  await r.runUntilIdle();
  assert.equal(r.flowFilesFor('unmatched').length, 50);
  assert.equal(r.flowFilesFor('matched').length, 200);
  assert.equal(r.flowFilesFor('matched')[0].attribute('n'), '1');
});

// ---------------------------------------------------------------- hostile patterns

test('a hostile pattern does not block the event loop and routes to unmatched with a bulletin', async () => {
  // warm-up: the guard's worker threads start on first use
  const warm = runner({ x: '(a+)+$' });
  warm.enqueue('a'.repeat(1000) + '!');
  await warm.runUntilIdle();
  // measure the synchronous part of each trigger: that is what blocks the event loop
  let syncMax = 0;
  const timed = { ...ExtractText, onTrigger(ctx: Parameters<typeof ExtractText.onTrigger>[0], session: Parameters<typeof ExtractText.onTrigger>[1]) {
    const t = performance.now();
    const r = ExtractText.onTrigger(ctx, session);
    syncMax = Math.max(syncMax, performance.now() - t);
    return r;
  } };
  const r = new TestRunner(timed);
  r.setProperty('x', '(a+)+$');
  r.setProperty('ok', '(b)');
  r.enqueue('a'.repeat(100_000) + '!');
  r.enqueue('b');
  const t0 = performance.now();
  await r.runUntilIdle();
  const elapsed = performance.now() - t0;
  assert.ok(syncMax < 100, `a trigger blocked the event loop for ${syncMax.toFixed(0)} ms`);
  assert.ok(elapsed < 10_000, `took ${elapsed.toFixed(0)} ms`);
  const unmatched = r.flowFilesFor('unmatched');
  assert.equal(unmatched.length, 1);
  assert.equal(unmatched[0].size, 100_001);
  assert.equal(r.flowFilesFor('matched').length, 1);
  assert.ok(r.bulletins.some((b) => /"x".*budget/.test(b.message)), JSON.stringify(r.bulletins));
});

// ---------------------------------------------------------------- throughput and CLI

test('100k lines, one regex with 6 groups: every line matched (speed is measured by npm run bench -- w1)', async () => {
  const r = runner({ log: '^(\\S+) (\\S+) (\\w+) \\[([^\\]]+)\\] (\\S+) (.*)$' });
  const n = 100_000;
  for (let i = 0; i < n; i++) r.enqueue(`2024-05-01 12:00:${String(i % 60).padStart(2, '0')} INFO [worker-${i % 16}] o.a.Thing processed id=${i}`);
  await r.runUntilIdle();
  assert.equal(r.flowFilesFor('matched').length, n);
  assert.equal(r.flowFilesFor('matched')[n - 1].attribute('log.6'), `processed id=${n - 1}`);
});

test('CLI: sluice test-processor ExtractText', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-extract-cli-'));
  const file = join(dir, 'in.txt');
  writeFileSync(file, 'a=1,b=10');
  const r = spawnSync(process.execPath, ['bin/sluice.js', 'test-processor', 'ExtractText', '--property', 'kv=(\\w+)=(\\d+)', '--property', 'Enable repeating capture group=true', '--input', file], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const attrs = out.transfers.matched[0].attributes;
  assert.deepEqual([attrs.kv, attrs['kv.0'], attrs['kv.1'], attrs['kv.2'], attrs['kv.3'], attrs['kv.4']], ['a', 'a=1', 'a', '1', 'b', '10']);
});

test('CLI: an untranslatable pattern is reported as invalid', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-extract-cli-'));
  const file = join(dir, 'in.txt');
  writeFileSync(file, 'x');
  const r = spawnSync(process.execPath, ['bin/sluice.js', 'test-processor', 'ExtractText', '--property', 'g=\\G(x)', '--input', file], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(JSON.parse(r.stdout).errors.join(' '), /\\G/);
});
