import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestRunner } from '../../../server/testing/test-runner.ts';
import { ReplaceText, ERROR_ATTRIBUTE, substituteVariables } from '../../../processors/text/replace-text.ts';

const root = new URL('../../../', import.meta.url).pathname;
const HELLO = 'Hello, World!';

function runner(props: Record<string, string>): TestRunner {
  const r = new TestRunner(ReplaceText);
  for (const [k, v] of Object.entries(props)) r.setProperty(k, v);
  return r;
}

async function replace(props: Record<string, string>, content: string | Buffer, attrs: Record<string, string> = {}) {
  const r = runner(props);
  r.enqueue(content, attrs);
  await r.runUntilIdle();
  const success = r.flowFilesFor('success');
  const failure = r.flowFilesFor('failure');
  return { r, success, failure, text: success[0]?.text(), out: success[0] ?? failure[0] };
}

const ENTIRE = { 'Evaluation Mode': 'Entire text' };

// ---------------------------------------------------------------- configuration

test('properties, defaults and relationships', () => {
  const r = new TestRunner(ReplaceText);
  assert.deepEqual(r.validate(), []);
  assert.deepEqual(r.relationships().sort(), ['failure', 'success']);
  const byName = new Map(ReplaceText.properties.map((p) => [p.name, p]));
  assert.equal(byName.get('Replacement Strategy')!.defaultValue, 'Regex Replace');
  assert.equal(byName.get('Regular Expression')!.defaultValue, '(?s)(^.*$)');
  assert.deepEqual(byName.get('Regular Expression')!.aliases, ['Search Value']);
  assert.equal(byName.get('Replacement Value')!.defaultValue, '$1');
  assert.equal(byName.get('Evaluation Mode')!.defaultValue, 'Line-by-Line');
  assert.equal(byName.get('Line-by-Line Evaluation Mode')!.defaultValue, 'All');
  assert.equal(byName.get('Maximum Buffer Size')!.defaultValue, '1 MB');
  assert.equal(byName.get('Character Set')!.defaultValue, 'UTF-8');
});

test('an invalid regex is invalid for Regex Replace only; an empty Search Value is invalid for Literal Replace', () => {
  const r = runner({ 'Search Value': '(?<!\\),*', 'Replacement Value': 'hello', 'Replacement Strategy': 'Regex Replace', ...ENTIRE });
  assert.ok(r.validate().length > 0);
  r.setProperty('Replacement Strategy', 'Literal Replace');
  assert.deepEqual(r.validate(), []);
  r.setProperty('Search Value', '');
  assert.ok(r.validate().length > 0);
  for (const s of ['Append', 'Prepend', 'Always Replace', 'Substitute Variables']) {
    r.setProperty('Replacement Strategy', s);
    assert.deepEqual(r.validate(), [], s);
  }
});

test('a Search Value with Expression Language is checked as evaluated without attributes', () => {
  assert.ok(runner({ 'Search Value': '(${x}' }).validate().some((p) => p.includes('Regular Expression')));
  assert.deepEqual(runner({ 'Search Value': '(${x})' }).validate(), []);
});

test('an untranslatable regex names the construct', () => {
  const r = runner({ 'Search Value': '\\G(a)' });
  assert.ok(r.validate().some((p) => p.includes('\\G')));
});

// ---------------------------------------------------------------- Regex Replace

test('default configuration leaves the content as it is', async () => {
  const { text } = await replace({}, 'line one\nline two\r\nthree');
  assert.equal(text, 'line one\nline two\r\nthree');
});

test('simple regex replace and back-references', async () => {
  assert.equal((await replace({ 'Search Value': 'ell', 'Replacement Value': 'lle' }, HELLO)).text, 'Hlleo, World!');
  assert.equal((await replace({ 'Search Value': '(ell)', 'Replacement Value': '[$1]' }, HELLO)).text, 'H[ell]o, World!');
  assert.equal((await replace({ 'Search Value': 'l', 'Replacement Value': 'R' }, HELLO)).text, 'HeRRo, WorRd!');
  assert.equal((await replace({ 'Search Value': 'Z', 'Replacement Value': 'Morning' }, HELLO)).text, HELLO);
  assert.equal((await replace({ 'Search Value': '(ell)', 'Replacement Value': '' }, HELLO)).text, 'Ho, World!');
});

test('back-reference digits: $123 with one group, $0123 with none', async () => {
  assert.equal((await replace({ 'Search Value': '(ell)', 'Replacement Value': '$123' }, HELLO)).text, 'Hell23o, World!');
  assert.equal((await replace({ 'Search Value': 'ell', 'Replacement Value': '$0123' }, HELLO)).text, 'Hell123o, World!');
});

test('references to missing groups and $<non-digit> are literal; \\$ escapes', async () => {
  assert.equal((await replace({ 'Search Value': '(ell)', 'Replacement Value': '$1$2' }, HELLO)).text, 'Hell$2o, World!');
  assert.equal((await replace({ 'Search Value': '(ell)', 'Replacement Value': '$d' }, HELLO)).text, 'H$do, World!');
  assert.equal((await replace({ 'Search Value': '(ell)', 'Replacement Value': '\\$1' }, HELLO)).text, 'H$1o, World!');
  assert.equal((await replace({ 'Search Value': '(?s:^.*$)', 'Replacement Value': 'a\\$b' }, 'a$a,b,c,d')).text, 'a\\$b');
  assert.equal((await replace({ 'Search Value': '(?s:^.*$)', 'Replacement Value': 'a$b' }, 'a$a,b,c,d')).text, 'a$b');
  // a "$" followed by a non-digit anywhere makes the whole replacement literal, back-references included
  assert.equal((await replace({ 'Search Value': '(ell)', 'Replacement Value': '$1 costs $x' }, HELLO)).text, 'H$1 costs $xo, World!');
});

test('Expression Language in the Search Value: attribute values are literal', async () => {
  assert.equal((await replace({ 'Search Value': '${replaceKey}', 'Replacement Value': 'GoodBye' }, HELLO, { replaceKey: 'H.*o' })).text, HELLO);
  assert.equal((await replace({ 'Search Value': '${replaceKey}', 'Replacement Value': '${replaceValue}' }, HELLO, { replaceKey: 'Hello', replaceValue: 'Good-bye' })).text, 'Good-bye, World!');
});

test('Expression Language in the Replacement Value: values are escaped, capture groups are attributes', async () => {
  assert.equal((await replace({ 'Search Value': '(ell)', 'Replacement Value': '[${abc}]' }, HELLO, { abc: '$1' })).text, 'H[$1]o, World!');
  const json = '{"name":"Smith","middle":"nifi","firstname":"John"}';
  for (const mode of ['Entire text', 'Line-by-Line']) {
    const { text } = await replace({ 'Evaluation Mode': mode, 'Search Value': '"([a-z]+?)":"(.*?)"', 'Replacement Value': '"${\'$1\':toUpper()}":"$2"' }, json);
    assert.equal(text, '{"NAME":"Smith","MIDDLE":"nifi","FIRSTNAME":"John"}');
  }
});

test('capture groups through Expression Language functions, line by line with mixed endings', async () => {
  const { text } = await replace({ 'Search Value': '(.*)/(.*?).jpg', 'Replacement Value': '$1/${ \'$2\':substring(0,1) }.png' },
    '1,2,3,https://123.jpg,email@mydomain.com\n3,2,1,https://321.jpg,other.email@mydomain.com');
  assert.equal(text, '1,2,3,https://1.png,email@mydomain.com\n3,2,1,https://3.png,other.email@mydomain.com');
  const dates = await replace({ 'Search Value': '(.*?),(.*?),(\\d+.*)', 'Replacement Value': '$1,$2,${ \'$3\':toDate(\'ddMMMyyyy\'):format(\'yyyy/MM/dd\') }' },
    '2006,10-01-2004,10may2004\n2007,15-05-2006,10jun2005\r\n2009,8-8-2008,10aug2008');
  assert.equal(dates.text, '2006,10-01-2004,2004/05/10\n2007,15-05-2006,2005/06/10\r\n2009,8-8-2008,2008/08/10');
});

test('a group value containing $ and $1 stays literal', async () => {
  const props = { 'Search Value': '(?s)(^.*$)', 'Replacement Value': '${\'$1\':toUpper()}', ...ENTIRE };
  assert.equal((await replace(props, 'wo$rd')).text, 'WO$RD');
  assert.equal((await replace(props, 'wo$1rd')).text, 'WO$1RD');
  assert.equal((await replace(props, 'wo$1r$2d')).text, 'WO$1R$2D');
});

test('a pattern without the group the Expression Language asks for yields empty', async () => {
  const { text } = await replace({ 'Search Value': '(?s:^.*$)', 'Replacement Value': '${\'$1\':toUpper()}', ...ENTIRE }, 'testing\n123');
  assert.equal(text, '');
});

test('"$1" with a pattern without groups routes to failure (NiFi rolls back on this error)', async () => {
  const { failure, r } = await replace({ 'Search Value': '(?s:^.*$)', 'Replacement Value': '$1', ...ENTIRE }, 'testing\n123');
  assert.equal(failure.length, 1);
  assert.match(failure[0].attribute(ERROR_ATTRIBUTE)!, /No group 1/);
  assert.ok(r.bulletins.some((b) => b.level === 'ERROR'));
});

test('".*" always replaces, even beyond the buffer size; the default regex with the entire text too', async () => {
  assert.equal((await replace({ 'Search Value': '.*', 'Replacement Value': '${abc}' }, HELLO, { abc: 'Good' })).text, 'Good');
  assert.equal((await replace({ 'Search Value': '.*', 'Maximum Buffer Size': '1 b', 'Replacement Value': '${abc}' }, HELLO, { abc: 'Good' })).text, 'Good');
  assert.equal((await replace({ 'Search Value': '.*', 'Replacement Value': '${abc}' }, 'a\r\nb\r\nc\r', { abc: 'Good' })).text, 'Good\r\nGood\r\nGood\r');
  assert.equal((await replace({ 'Replacement Value': 'default-replacement-value' }, 'original-text')).text, 'default-replacement-value');
  assert.equal((await replace({ 'Replacement Value': 'default-replacement-value', ...ENTIRE }, 'line-1\nline-2')).text, 'default-replacement-value');
});

test('existing content through $1, line by line and entire', async () => {
  const tpl = 'attribute header\n\n${filename}\n\ndata header\n\n$1\n\nfooter';
  assert.equal((await replace({ 'Search Value': '(?s)(^.*)', 'Replacement Value': tpl, ...ENTIRE }, 'Hello\nWorld!', { filename: 'abc.txt' })).text,
    'attribute header\n\nabc.txt\n\ndata header\n\nHello\nWorld!\n\nfooter');
  assert.equal((await replace({ 'Search Value': '(?s)(^.*)', 'Replacement Value': `${tpl}\n` }, 'Hello\nWorld!', { filename: 'abc.txt' })).text,
    'attribute header\n\nabc.txt\n\ndata header\n\nHello\n\n\nfooter\nattribute header\n\nabc.txt\n\ndata header\n\nWorld!\n\nfooter\n');
});

test('braces around an expression', async () => {
  assert.equal((await replace({ 'Search Value': '.+', 'Replacement Value': '{ ${filename} }' }, 'Hello', { filename: 'abc.txt' })).text, '{ abc.txt }');
});

test('Entire text larger than Maximum Buffer Size routes to failure', async () => {
  const { failure } = await replace({ 'Search Value': '[123]', 'Maximum Buffer Size': '1 b', 'Replacement Value': '${abc}', ...ENTIRE }, HELLO, { abc: 'Good' });
  assert.equal(failure.length, 1);
  assert.equal(failure[0].text(), HELLO);
});

test('a line longer than the line buffer routes to failure', async () => {
  const long = 'x'.repeat(9000);
  const { failure } = await replace({ 'Search Value': '[123]', 'Maximum Buffer Size': '5 kb', 'Replacement Value': 'y' }, `short\n${long}\n`);
  assert.equal(failure.length, 1);
  const ok = await replace({ 'Search Value': 'x', 'Maximum Buffer Size': '16 KB', 'Replacement Value': 'y' }, `short\n${long}\n`);
  assert.equal(ok.text, `short\n${'y'.repeat(9000)}\n`);
});

test('Expression Language evaluation errors route to failure with the error in an attribute', async () => {
  const { failure, r } = await replace({ 'Search Value': '.*', 'Replacement Value': '${date:toDate("yyyy/MM/dd")}', ...ENTIRE }, 'hi', { date: '12' });
  assert.equal(failure.length, 1);
  assert.equal(failure[0].text(), 'hi');
  assert.ok(failure[0].attribute(ERROR_ATTRIBUTE));
  assert.ok(r.bulletins.length > 0);
});

test('a hostile regex fails the FlowFile without blocking the event loop', async () => {
  // warm-up: the guard's worker threads start on first use
  const warm = runner({ 'Search Value': '(a+)+$', 'Replacement Value': 'x', ...ENTIRE });
  warm.enqueue('a'.repeat(1000) + '!');
  await warm.runUntilIdle();
  // measure the synchronous part of each trigger: that is what blocks the event loop
  let syncMax = 0;
  const timed = { ...ReplaceText, onTrigger(ctx: Parameters<typeof ReplaceText.onTrigger>[0], session: Parameters<typeof ReplaceText.onTrigger>[1]) {
    const t = performance.now();
    const r = ReplaceText.onTrigger(ctx, session);
    syncMax = Math.max(syncMax, performance.now() - t);
    return r;
  } };
  const r = new TestRunner(timed);
  for (const [k, v] of Object.entries({ 'Search Value': '(a+)+$', 'Replacement Value': 'x', ...ENTIRE })) r.setProperty(k, v);
  r.enqueue('a'.repeat(100_000) + '!');
  r.enqueue('aaa');
  await r.runUntilIdle();
  assert.ok(syncMax < 100, `a trigger blocked the event loop for ${syncMax.toFixed(0)} ms`);
  assert.equal(r.flowFilesFor('failure').length, 1);
  assert.match(r.flowFilesFor('failure')[0].attribute(ERROR_ATTRIBUTE)!, /budget/);
  assert.equal(r.flowFilesFor('success')[0].text(), 'x');
});

test('a long input with a polynomial pattern is matched off the event loop and still replaced', async () => {
  const input = `${'ab '.repeat(200_000)}end`;
  const { text } = await replace({ 'Search Value': '(\\w+) end', 'Replacement Value': '<$1>', ...ENTIRE, 'Maximum Buffer Size': '10 MB' }, input);
  assert.equal(text, `${'ab '.repeat(199_999)}<ab>`);
});

// ---------------------------------------------------------------- Literal Replace

test('literal replace: entire text and line by line, with Expression Language', async () => {
  assert.equal((await replace({ 'Replacement Strategy': 'Literal Replace', 'Search Value': 'ell', 'Replacement Value': 'lle' }, HELLO)).text, 'Hlleo, World!');
  assert.equal((await replace({ 'Replacement Strategy': 'Literal Replace', 'Search Value': 'ell', 'Replacement Value': '[$1]' }, HELLO)).text, 'H[$1]o, World!');
  assert.equal((await replace({ 'Replacement Strategy': 'Literal Replace', 'Search Value': '.ell.', 'Replacement Value': 'test' }, 'H.ell.o, World! .ell.')).text, 'Htesto, World! test');
  assert.equal((await replace({ 'Replacement Strategy': 'Literal Replace', 'Search Value': '.ell.', 'Replacement Value': 'test' }, 'H.ell.o, World! .ell. \n .ell. .ell.')).text, 'Htesto, World! test \n test test');
  for (const mode of ['Entire text', 'Line-by-Line']) {
    assert.equal((await replace({ 'Replacement Strategy': 'Literal Replace', 'Evaluation Mode': mode, 'Search Value': 'Me, ${search.value}', 'Replacement Value': '"Replacement"' },
      'Me, you, and the other', { 'search.value': 'you, and' })).text, '"Replacement" the other');
    assert.equal((await replace({ 'Replacement Strategy': 'Literal Replace', 'Evaluation Mode': mode, 'Search Value': 'Me, you,', 'Replacement Value': 'With ${replacement.value}' },
      'Me, you, and the other', { 'replacement.value': 'us' })).text, 'With us and the other');
  }
});

// ---------------------------------------------------------------- Prepend / Append / Surround / Always Replace

test('prepend and append, entire text', async () => {
  assert.equal((await replace({ 'Replacement Strategy': 'Prepend', 'Replacement Value': 'TEST', ...ENTIRE }, HELLO)).text, `TEST${HELLO}`);
  assert.equal((await replace({ 'Replacement Strategy': 'Append', 'Replacement Value': 'TEST', ...ENTIRE }, HELLO)).text, `${HELLO}TEST`);
});

test('Line-by-Line Evaluation Mode selects lines (prepend)', async () => {
  const cases: [string, string][] = [
    ['All', '_hello\n_there\n_madam'], ['First-Line', '_hello\nthere\nmadam'], ['Last-Line', 'hello\nthere\n_madam'],
    ['Except-First-Line', 'hello\n_there\n_madam'], ['Except-Last-Line', '_hello\n_there\nmadam'],
  ];
  for (const [mode, expected] of cases) {
    const { text } = await replace({ 'Replacement Strategy': 'Prepend', 'Replacement Value': '_', 'Line-by-Line Evaluation Mode': mode }, 'hello\nthere\nmadam');
    assert.equal(text, expected, mode);
  }
});

test('append before each line ending: \\r, \\n, \\r\\n, with the line modes', async () => {
  const base = { 'Replacement Strategy': 'Append', 'Replacement Value': '!' };
  assert.equal((await replace(base, 'hello\rthere\rsir')).text, 'hello!\rthere!\rsir!');
  assert.equal((await replace({ ...base, 'Line-by-Line Evaluation Mode': 'First-Line' }, 'hello\rthere\rsir')).text, 'hello!\rthere\rsir');
  assert.equal((await replace({ ...base, 'Line-by-Line Evaluation Mode': 'Except-First-Line' }, 'hello\rthere\rsir')).text, 'hello\rthere!\rsir!');
  assert.equal((await replace({ ...base, 'Line-by-Line Evaluation Mode': 'Last-Line' }, 'hello\rthere\rsir')).text, 'hello\rthere\rsir!');
  assert.equal((await replace({ ...base, 'Line-by-Line Evaluation Mode': 'Except-Last-Line' }, 'hello\rthere\rsir')).text, 'hello!\rthere!\rsir');
  assert.equal((await replace(base, 'hello\nthere\nsir')).text, 'hello!\nthere!\nsir!');
  assert.equal((await replace(base, 'hello\r\nthere\r\nsir')).text, 'hello!\r\nthere!\r\nsir!');
  assert.equal((await replace({ ...base, 'Line-by-Line Evaluation Mode': 'Except-First-Line' }, 'hello\r\nthere\r\nsir')).text, 'hello\r\nthere!\r\nsir!');
  assert.equal((await replace({ 'Replacement Strategy': 'Append', 'Replacement Value': 'TEST' }, 'Hello \rWorld \r')).text, 'Hello TEST\rWorld TEST\r');
  assert.equal((await replace({ 'Replacement Strategy': 'Append', 'Replacement Value': 'TEST' }, 'Hello \r\nWorld \r\n')).text, 'Hello TEST\r\nWorld TEST\r\n');
});

test('a single line: First-Line applies, Except-First-Line does not', async () => {
  assert.equal((await replace({ 'Replacement Strategy': 'Prepend', 'Replacement Value': '_', 'Line-by-Line Evaluation Mode': 'First-Line' }, 'only')).text, '_only');
  assert.equal((await replace({ 'Replacement Strategy': 'Prepend', 'Replacement Value': '_', 'Line-by-Line Evaluation Mode': 'Except-First-Line' }, 'only')).text, 'only');
  assert.equal((await replace({ 'Replacement Strategy': 'Prepend', 'Replacement Value': '_', 'Line-by-Line Evaluation Mode': 'Except-Last-Line' }, 'only')).text, 'only');
});

test('surround, entire text and line by line', async () => {
  const props = { 'Replacement Strategy': 'Surround', 'Text to Prepend': '<pre>', 'Text to Append': '<post>' };
  const input = 'Hello\nThere\nHow are you\nToday?';
  assert.equal((await replace({ ...props, ...ENTIRE }, input)).text, `<pre>${input}<post>`);
  assert.equal((await replace(props, input)).text, '<pre>Hello<post>\n<pre>There<post>\n<pre>How are you<post>\n<pre>Today?<post>');
});

test('always replace keeps each line\'s ending', async () => {
  assert.equal((await replace({ 'Replacement Strategy': 'Always Replace', 'Search Value': 'nope', 'Replacement Value': '${filename}', ...ENTIRE }, 'Hello\nWorld!', { filename: 'abc.txt' })).text, 'abc.txt');
  assert.equal((await replace({ 'Replacement Strategy': 'Always Replace', 'Replacement Value': '${filename}' }, 'Hello\nWorld!\r\ntoday!\n', { filename: 'abc.txt' })).text, 'abc.txt\nabc.txt\r\nabc.txt\n');
});

test('zero-byte content stays empty line by line; prepend over the entire text writes the value', async () => {
  assert.equal((await replace({ 'Search Value': 'odo', 'Replacement Value': 'ood' }, '')).text, '');
  assert.equal((await replace({ 'Replacement Strategy': 'Prepend', 'Replacement Value': 'x' }, '')).text, '');
  assert.equal((await replace({ 'Replacement Strategy': 'Prepend', 'Replacement Value': 'x', ...ENTIRE }, '')).text, 'x');
});

// ---------------------------------------------------------------- Substitute Variables

test('substitute variables', async () => {
  const attrs = { var1: 'foo', var2: 'bar' };
  const props = { 'Replacement Strategy': 'Substitute Variables' };
  assert.equal((await replace({ ...props, ...ENTIRE }, 'Line1: ${var1}\nLine2: ${var2}', attrs)).text, 'Line1: foo\nLine2: bar');
  assert.equal((await replace(props, 'Line1: ${var1}\nLine2: ${var2}', attrs)).text, 'Line1: foo\nLine2: bar');
  assert.equal((await replace({ ...props, ...ENTIRE }, 'Line1: ${var1}\nLine2: ${var2}')).text, 'Line1: ${var1}\nLine2: ${var2}');
  assert.equal((await replace({ ...props, ...ENTIRE }, 'Line1: $${var1}\nLine2: $${var2}', attrs)).text, 'Line1: ${var1}\nLine2: ${var2}');
  assert.equal((await replace({ ...props, ...ENTIRE }, 'Line1: ${}\nLine2: ${}', attrs)).text, 'Line1: ${}\nLine2: ${}');
});

test('substituteVariables: defaults, recursion and cycles', () => {
  assert.equal(substituteVariables('${a:-dflt} ${b:-x}', { b: 'B' }), 'dflt B');
  assert.equal(substituteVariables('${a}', { a: '${b}!', b: 'B' }), 'B!');
  assert.throws(() => substituteVariables('${a}', { a: '${a}' }), /Infinite loop/);
  assert.equal(substituteVariables('$$${x}', { x: '1' }), '$${x}');
});

// ---------------------------------------------------------------- character sets

test('Character Set: decode and encode in ISO-8859-1 and UTF-16', async () => {
  const latin = await replace({ 'Character Set': 'ISO-8859-1', 'Search Value': 'é', 'Replacement Value': 'è' }, Buffer.from([0x63, 0x61, 0x66, 0xe9]));
  assert.deepEqual([...latin.success[0].content()], [0x63, 0x61, 0x66, 0xe8]);
  const utf16 = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('a\nb', 'utf16le').swap16()]);
  const res = await replace({ 'Character Set': 'UTF-16', 'Replacement Strategy': 'Prepend', 'Replacement Value': '>' }, utf16);
  assert.deepEqual(res.success[0].content(), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('>a\n>b', 'utf16le').swap16()]));
});

// ---------------------------------------------------------------- large content, throughput, CLI

test('content larger than one window is processed line by line in pieces', async () => {
  const line = `${'0123456789'.repeat(10)}\n`;
  const count = Math.ceil((17 * 1024 * 1024) / line.length);
  const content = Buffer.from(line.repeat(count));
  const { success } = await replace({ 'Replacement Strategy': 'Append', 'Replacement Value': '!' }, content);
  const out = success[0].content();
  assert.equal(out.length, content.length + count);
  assert.equal(out.subarray(0, line.length + 1).toString(), `${line.slice(0, -1)}!\n`);
});

test('100k lines, regex replace line by line: every line replaced', async () => {
  const n = 100_000;
  const content = Array.from({ length: n }, (_, i) => `id=${i} name=n${i} value=${i * 3}`).join('\n');
  const { text } = await replace({ 'Search Value': 'name=(\\w+)', 'Replacement Value': 'NAME=$1' }, content);
  const lines = text!.split('\n');
  assert.equal(lines.length, n);
  assert.equal(lines[0], 'id=0 NAME=n0 value=0');
  assert.equal(lines[n - 1], `id=${n - 1} NAME=n${n - 1} value=${(n - 1) * 3}`);
  assert.ok(lines.every((l) => l.includes(' NAME=')));
});

test('CLI: sluice test-processor ReplaceText with the NiFi 1.x "Search Value" name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-replace-cli-'));
  const file = join(dir, 'in.txt');
  writeFileSync(file, 'hello world\nfoo bar\n');
  const r = spawnSync(process.execPath, ['bin/sluice.js', 'test-processor', 'ReplaceText', '--property', 'Search Value=(\\w+) (\\w+)', '--property', 'Replacement Value=$2 $1', '--input', file], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).transfers.success[0].content, 'world hello\nbar foo\n');
});
