import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestRunner, InvalidPropertyError } from '../../../server/testing/test-runner.ts';
import { SplitText, BATCH_SPLITS } from '../../../processors/text/split-text.ts';
import { LineScanner } from '../../../processors/text/line-scanner.ts';
import { FileClaim, MemoryClaim } from '../../../server/engine/content/claim.ts';
import { FlowFile, updateAttributes, EMPTY_ATTRIBUTES } from '../../../server/engine/flowfile.ts';

const root = new URL('../../../', import.meta.url).pathname;

// NiFi's TestSplitText resources
const ORIGINAL = 'Header Line #1\nHeader Line #2\nLine #1\nLine #2\nLine #3\nLine #4\nLine #5\nLine #6\nLine #7\nLine #8\nLine #9\nLine #10';
const TEST_INPUT_DATA = 'HeaderLine1\nLine2SpacesAtEnd  \nLine3\nLine4\n\n\nLine8\nLine9\n\n\n13\n14\n15    EndofLine15\n16\n'
  + '\n'.repeat(33) + 'LastLine\n';

function runner(props: Record<string, string>): TestRunner {
  const r = new TestRunner(SplitText);
  for (const [k, v] of Object.entries(props)) r.setProperty(k, v);
  return r;
}

async function split(props: Record<string, string>, content: string | Buffer, attrs: Record<string, string> = { filename: 'original.txt' }) {
  const r = runner(props);
  r.enqueue(content, attrs);
  await r.runUntilIdle();
  return {
    r,
    splits: r.flowFilesFor('splits'),
    texts: r.flowFilesFor('splits').map((f) => f.text()),
    original: r.flowFilesFor('original'),
    failure: r.flowFilesFor('failure'),
  };
}

// ---------------------------------------------------------------- validation

test('Line Split Count is required and has no default', () => {
  const r = new TestRunner(SplitText);
  assert.ok(r.validate().some((p) => p.includes('Line Split Count')));
});

test('Line Split Count 0 without Maximum Fragment Size is invalid; with it, valid', () => {
  const r = runner({ 'Line Split Count': '0' });
  const problems = r.validate();
  assert.equal(problems.length, 1);
  assert.match(problems[0], /Maximum Fragment Size.*must be specified when Line Split Count is 0/);
  r.setProperty('Maximum Fragment Size', '1 KB');
  assert.deepEqual(r.validate(), []);
});

test('property validators: non-negative integers, data size, boolean, non-empty marker', () => {
  const r = new TestRunner(SplitText);
  assert.throws(() => r.setProperty('Line Split Count', '-1'), InvalidPropertyError);
  assert.throws(() => r.setProperty('Line Split Count', 'abc'), InvalidPropertyError);
  assert.throws(() => r.setProperty('Header Line Count', '-2'), InvalidPropertyError);
  assert.throws(() => r.setProperty('Maximum Fragment Size', 'big'), InvalidPropertyError);
  assert.throws(() => r.setProperty('Remove Trailing Newlines', 'yes'), InvalidPropertyError);
  r.setProperty('Header Line Marker Characters', ' ');
  r.setProperty('Maximum Fragment Size', '1.5 KB');
});

test('relationships and attributes are NiFi\'s', () => {
  const r = runner({ 'Line Split Count': '1' });
  assert.deepEqual(r.relationships().sort(), ['failure', 'original', 'splits']);
  assert.deepEqual(SplitText.writesAttributes!.map((a) => a.name).sort(),
    ['fragment.count', 'fragment.identifier', 'fragment.index', 'fragment.size', 'segment.original.filename', 'text.line.count']);
});

// ---------------------------------------------------------------- NiFi's own test cases

test('last line exceeding the size limit gets a split of its own', async () => {
  const { splits, original, failure, texts } = await split({ 'Header Line Count': '0', 'Line Split Count': '2', 'Maximum Fragment Size': '20 B' },
    'Line #1\nLine #2\nLine #3\nLong line exceeding limit');
  assert.equal(failure.length, 0);
  assert.equal(original.length, 1);
  assert.equal(original[0].attribute('fragment.count'), '3');
  assert.ok(original[0].attribute('fragment.identifier'));
  assert.equal(splits.length, 3);
  // the split closed by the size limit keeps its newline: NiFi measures the terminator of the line that did not fit
  assert.deepEqual(texts, ['Line #1\nLine #2', 'Line #3\n', 'Long line exceeding limit']);
});

test('an incomplete header routes to failure', async () => {
  const { splits, original, failure, r } = await split({ 'Header Line Count': '2', 'Line Split Count': '2', 'Maximum Fragment Size': '50 B' }, 'Header Line #1');
  assert.equal(failure.length, 1);
  assert.equal(original.length, 0);
  assert.equal(splits.length, 0);
  assert.equal(failure[0].text(), 'Header Line #1');
  assert.ok(r.bulletins.some((b) => b.level === 'ERROR' && /header/.test(b.message)));
});

test('more header lines required than present routes to failure', async () => {
  const { failure, splits, original } = await split({ 'Header Line Count': '100', 'Line Split Count': '3' }, ORIGINAL);
  assert.equal(failure.length, 1);
  assert.equal(splits.length + original.length, 0);
});

test('single-character header marker', async () => {
  const { splits, original } = await split({ 'Line Split Count': '7', 'Header Line Marker Characters': 'H', 'Remove Trailing Newlines': 'false' }, ORIGINAL);
  assert.equal(original[0].attribute('fragment.count'), '2');
  assert.equal(splits.length, 2);
  assert.equal(splits[0].attribute('text.line.count'), '7');
  assert.equal(splits[0].attribute('fragment.size'), '86');
  assert.equal(splits[1].attribute('text.line.count'), '3');
  assert.equal(splits[1].attribute('fragment.size'), '54');
  const id = splits[0].attribute('fragment.identifier');
  assert.equal(id, original[0].attribute('fragment.identifier'));
  splits.forEach((s, i) => {
    assert.equal(s.attribute('fragment.index'), String(i + 1));
    assert.equal(s.attribute('fragment.identifier'), id);
    assert.equal(s.attribute('fragment.count'), '2');
    assert.equal(s.attribute('segment.original.filename'), 'original.txt');
  });
  assert.equal(splits[0].text(), 'Header Line #1\nHeader Line #2\nLine #1\nLine #2\nLine #3\nLine #4\nLine #5\nLine #6\nLine #7\n');
  assert.equal(splits[1].text(), 'Header Line #1\nHeader Line #2\nLine #8\nLine #9\nLine #10');
});

test('Header Line Count wins over Header Line Marker Characters', async () => {
  const { splits, original } = await split({ 'Header Line Count': '1', 'Header Line Marker Characters': 'Head', 'Line Split Count': '5', 'Remove Trailing Newlines': 'false' }, ORIGINAL);
  assert.equal(original[0].attribute('fragment.count'), '3');
  assert.deepEqual(splits.map((s) => [s.attribute('text.line.count'), s.attribute('fragment.size')]), [['5', '62'], ['5', '55'], ['1', '23']]);
});

test('header and line count and size limits together', async () => {
  const { splits, original } = await split({ 'Header Line Count': '2', 'Line Split Count': '2', 'Maximum Fragment Size': '50 B', 'Remove Trailing Newlines': 'false' },
    'Header Line #1\nHeader Line #2\nLine #1\nLine #2\n'
    + 'Line #3 This line has additional text added so that it exceeds the maximum fragment size\n'
    + 'Line #4\nLine #5\nLine #6\nLine #7\nLine #8\nLine #9\nLine #10\n');
  assert.equal(original[0].attribute('fragment.count'), '6');
  assert.deepEqual(splits.map((s) => s.size), [46, 119, 46, 46, 46, 39]);
});

test('a FlowFile that is only header lines yields one header split', async () => {
  let res = await split({ 'Header Line Count': '0', 'Line Split Count': '2', 'Maximum Fragment Size': '50 B', 'Header Line Marker Characters': 'Head' },
    'Header Line #1\nHeaderLine#2\n');
  assert.equal(res.failure.length, 0);
  assert.equal(res.original[0].attribute('fragment.count'), '1');
  assert.equal(res.splits.length, 1);
  assert.equal(res.texts[0], 'Header Line #1\nHeaderLine#2');
  // NiFi sets no fragment.count on this lone header split, and counts 0 lines
  assert.equal(res.splits[0].attribute('fragment.count'), undefined);
  assert.equal(res.splits[0].attribute('text.line.count'), '0');
  assert.equal(res.splits[0].attribute('fragment.index'), '1');

  res = await split({ 'Header Line Count': '2', 'Line Split Count': '2', 'Maximum Fragment Size': '50 B' }, 'Header Line #1\nHeaderLine #2\n');
  assert.equal(res.original[0].attribute('fragment.count'), '1');
  assert.deepEqual(res.texts, ['Header Line #1\nHeaderLine #2']);

  res = await split({ 'Header Line Count': '1', 'Line Split Count': '2', 'Maximum Fragment Size': '50 B' }, 'Header Line #1');
  assert.equal(res.original[0].attribute('fragment.count'), '1');
  assert.deepEqual(res.texts, ['Header Line #1']);
});

test('Maximum Fragment Size with Line Split Count 0, with and without header', async () => {
  let res = await split({ 'Header Line Count': '2', 'Line Split Count': '0', 'Maximum Fragment Size': '71 B', 'Remove Trailing Newlines': 'false' }, ORIGINAL);
  assert.equal(res.original[0].attribute('fragment.count'), '2');
  for (const s of res.splits) {
    assert.equal(s.attribute('text.line.count'), '5');
    assert.equal(s.attribute('fragment.size'), '70');
  }
  res = await split({ 'Header Line Count': '0', 'Line Split Count': '0', 'Maximum Fragment Size': '71 B', 'Remove Trailing Newlines': 'false' }, ORIGINAL);
  assert.deepEqual(res.texts, ['Header Line #1\nHeader Line #2\nLine #1\nLine #2\nLine #3\nLine #4\nLine #5\n', 'Line #6\nLine #7\nLine #8\nLine #9\nLine #10']);
  assert.deepEqual(res.splits.map((s) => [s.attribute('text.line.count'), s.attribute('fragment.size'), s.attribute('fragment.index')]), [['7', '70', '1'], ['5', '40', '2']]);
});

test('bare carriage returns as line endings', async () => {
  let res = await split({ 'Header Line Count': '2', 'Line Split Count': '3' }, 'H1\rH2\r1\r2\r3\r\r\r\r\r\r\r10\r11\r12\r');
  assert.equal(res.original[0].attribute('fragment.count'), '4');
  assert.deepEqual(res.texts, ['H1\rH2\r1\r2\r3', 'H1\rH2', 'H1\rH2', 'H1\rH2\r10\r11\r12']);
  res = await split({ 'Header Line Count': '0', 'Line Split Count': '3' }, '1\r2\r3\r\r\r\r\r\r\r10\r11\r12\r');
  assert.equal(res.original[0].attribute('fragment.count'), '2');
  assert.deepEqual(res.texts, ['1\r2\r3', '10\r11\r12']);
});

test('CRLF line endings', async () => {
  let res = await split({ 'Header Line Count': '2', 'Line Split Count': '3' }, 'H1\r\nH2\r\n1\r\n2\r\n3\r\n\r\n\r\n\r\n\r\n\r\n\r\n10\r\n11\r\n12\r\n');
  assert.equal(res.original[0].attribute('fragment.count'), '4');
  assert.deepEqual(res.texts, ['H1\r\nH2\r\n1\r\n2\r\n3', 'H1\r\nH2', 'H1\r\nH2', 'H1\r\nH2\r\n10\r\n11\r\n12']);
  res = await split({ 'Header Line Count': '0', 'Line Split Count': '3' }, '1\r\n2\r\n3\r\n\r\n\r\n\r\n\r\n\r\n\r\n10\r\n11\r\n12\r\n');
  assert.deepEqual(res.texts, ['1\r\n2\r\n3', '10\r\n11\r\n12']);
});

test('mixed line endings, including "\\r\\r\\n" and a trailing bare "\\r"', async () => {
  const res = await split({ 'Line Split Count': '1', 'Remove Trailing Newlines': 'false' }, 'a\rb\r\nc\nd\r\r\ne\r');
  assert.deepEqual(res.texts, ['a\r', 'b\r\n', 'c\n', 'd\r', '\r\n', 'e\r']);
  const trimmed = await split({ 'Line Split Count': '1' }, 'a\rb\r\nc\nd\r\r\ne\r');
  assert.deepEqual(trimmed.texts, ['a', 'b', 'c', 'd', 'e']);
});

test('zero-byte input: no splits, original with fragment.count 0, with or without header', async () => {
  for (const h of ['0', '1']) {
    const res = await split({ 'Header Line Count': h, 'Line Split Count': '1' }, '');
    assert.equal(res.splits.length, 0);
    assert.equal(res.original.length, 1);
    assert.equal(res.failure.length, 0);
    assert.equal(res.original[0].attribute('fragment.count'), '0');
  }
});

test('split without header, 3 lines each', async () => {
  const res = await split({ 'Header Line Count': '0', 'Line Split Count': '3' }, ORIGINAL);
  assert.equal(res.original[0].attribute('fragment.count'), '4');
  assert.deepEqual(res.texts, ['Header Line #1\nHeader Line #2\nLine #1', 'Line #2\nLine #3\nLine #4', 'Line #5\nLine #6\nLine #7', 'Line #8\nLine #9\nLine #10']);
});

test('one line per split drops blank lines (Remove Trailing Newlines)', async () => {
  const res = await split({ 'Header Line Count': '0', 'Line Split Count': '1' }, TEST_INPUT_DATA);
  assert.equal(res.original[0].attribute('fragment.count'), '11');
  assert.deepEqual(res.texts, ['HeaderLine1', 'Line2SpacesAtEnd  ', 'Line3', 'Line4', 'Line8', 'Line9', '13', '14', '15    EndofLine15', '16', 'LastLine']);
  assert.deepEqual(res.splits.map((s) => s.attribute('fragment.index')), Array.from({ length: 11 }, (_, i) => String(i + 1)));
});

test('five lines per split, trimmed', async () => {
  const res = await split({ 'Header Line Count': '0', 'Line Split Count': '5' }, TEST_INPUT_DATA);
  assert.deepEqual(res.texts, ['HeaderLine1\nLine2SpacesAtEnd  \nLine3\nLine4', '\nLine8\nLine9', '13\n14\n15    EndofLine15\n16', '\n\nLastLine']);
});

test('five lines per split, newlines retained', async () => {
  const res = await split({ 'Header Line Count': '0', 'Line Split Count': '5', 'Remove Trailing Newlines': 'false' }, TEST_INPUT_DATA);
  assert.deepEqual(res.texts, [
    'HeaderLine1\nLine2SpacesAtEnd  \nLine3\nLine4\n\n', '\nLine8\nLine9\n\n\n', '13\n14\n15    EndofLine15\n16\n\n',
    '\n\n\n\n\n', '\n\n\n\n\n', '\n\n\n\n\n', '\n\n\n\n\n', '\n\n\n\n\n', '\n\n\n\n\n', '\n\nLastLine\n',
  ]);
  // text.line.count never counts blank lines, even when they are kept
  assert.deepEqual(res.splits.map((s) => s.attribute('text.line.count')), ['4', '2', '4', '0', '0', '0', '0', '0', '0', '1']);
});

test('five lines per split with a header, newlines retained and trimmed', async () => {
  let res = await split({ 'Header Line Count': '1', 'Line Split Count': '5', 'Remove Trailing Newlines': 'false' }, TEST_INPUT_DATA);
  assert.deepEqual(res.texts, [
    'HeaderLine1\nLine2SpacesAtEnd  \nLine3\nLine4\n\n\n', 'HeaderLine1\nLine8\nLine9\n\n\n13\n', 'HeaderLine1\n14\n15    EndofLine15\n16\n\n\n',
    ...Array(6).fill('HeaderLine1\n\n\n\n\n\n'), 'HeaderLine1\n\nLastLine\n',
  ]);
  res = await split({ 'Header Line Count': '1', 'Line Split Count': '5', 'Remove Trailing Newlines': 'true' }, TEST_INPUT_DATA);
  assert.deepEqual(res.texts, [
    'HeaderLine1\nLine2SpacesAtEnd  \nLine3\nLine4', 'HeaderLine1\nLine8\nLine9\n\n\n13', 'HeaderLine1\n14\n15    EndofLine15\n16',
    ...Array(6).fill('HeaderLine1'), 'HeaderLine1\n\nLastLine',
  ]);
});

test('one line per split with a header: blank lines become header-only splits', async () => {
  const res = await split({ 'Header Line Count': '1', 'Line Split Count': '1' }, TEST_INPUT_DATA);
  assert.equal(res.splits.length, 47);
  assert.deepEqual(res.texts.slice(0, 13), ['HeaderLine1\nLine2SpacesAtEnd  ', 'HeaderLine1\nLine3', 'HeaderLine1\nLine4', 'HeaderLine1', 'HeaderLine1',
    'HeaderLine1\nLine8', 'HeaderLine1\nLine9', 'HeaderLine1', 'HeaderLine1', 'HeaderLine1\n13', 'HeaderLine1\n14', 'HeaderLine1\n15    EndofLine15', 'HeaderLine1\n16']);
  for (let i = 13; i < 46; i++) assert.equal(res.texts[i], 'HeaderLine1');
  assert.equal(res.texts[46], 'HeaderLine1\nLastLine');
  assert.equal(res.splits[46].attribute('fragment.count'), '47');
});

test('two-line header, 3 and 5 lines per split', async () => {
  let res = await split({ 'Header Line Count': '2', 'Line Split Count': '3' }, ORIGINAL);
  const h = 'Header Line #1\nHeader Line #2\n';
  assert.deepEqual(res.texts, [`${h}Line #1\nLine #2\nLine #3`, `${h}Line #4\nLine #5\nLine #6`, `${h}Line #7\nLine #8\nLine #9`, `${h}Line #10`]);
  res = await split({ 'Header Line Count': '2', 'Line Split Count': '5' }, ORIGINAL);
  assert.deepEqual(res.texts, [`${h}Line #1\nLine #2\nLine #3\nLine #4\nLine #5`, `${h}Line #6\nLine #7\nLine #8\nLine #9\nLine #10`]);
});

test('splits with newlines retained concatenate back to the original', async () => {
  const res = await split({ 'Line Split Count': '3', 'Remove Trailing Newlines': 'false' }, ORIGINAL);
  assert.equal(res.splits.length, 4);
  assert.equal(res.texts.join(''), ORIGINAL);
  for (const s of res.splits) assert.equal(s.attribute('fragment.count'), '4');
});

test('runs of blank lines longer than the line count', async () => {
  let res = await split({ 'Header Line Count': '2', 'Line Split Count': '3' }, 'H1\nH2\n1\n2\n3\n\n\n\n\n\n\n10\n11\n12\n');
  assert.deepEqual(res.texts, ['H1\nH2\n1\n2\n3', 'H1\nH2', 'H1\nH2', 'H1\nH2\n10\n11\n12']);
  res = await split({ 'Header Line Count': '0', 'Line Split Count': '3' }, '1\n2\n3\n\n\n\n\n\n\n10\n11\n12\n');
  assert.deepEqual(res.texts, ['1\n2\n3', '10\n11\n12']);
});

test('blank lines at the end are trimmed', async () => {
  let res = await split({ 'Header Line Count': '2', 'Line Split Count': '10' }, 'H1\nH2\n1\n\n\n');
  assert.deepEqual(res.texts, ['H1\nH2\n1']);
  res = await split({ 'Header Line Count': '0', 'Line Split Count': '10' }, '1\n2\n\n\n\n');
  assert.deepEqual(res.texts, ['1\n2']);
});

test('all trailing newlines trimmed and empty splits dropped; fragment.count is the real count', async () => {
  let res = await split({ 'Header Line Count': '0', 'Line Split Count': '3' }, '1\n2\n\n\n\n\n\n\n\n');
  assert.deepEqual(res.texts, ['1\n2']);
  assert.deepEqual([res.splits[0].attribute('fragment.index'), res.splits[0].attribute('fragment.count'), res.splits[0].attribute('text.line.count')], ['1', '1', '2']);
  res = await split({ 'Header Line Count': '0', 'Line Split Count': '1' }, '1\n2\n\n\n\n\n\n\n\n');
  assert.deepEqual(res.texts, ['1', '2']);
  assert.deepEqual(res.splits.map((s) => [s.attribute('fragment.index'), s.attribute('fragment.count'), s.attribute('text.line.count')]), [['1', '2', '1'], ['2', '2', '1']]);
  assert.equal(res.original[0].attribute('fragment.count'), '2');
});

test('trailing newlines are trimmed consistently with a header', async () => {
  const res = await split({ 'Header Line Count': '1', 'Line Split Count': '3' }, 'H1\n1\n\n\n\n\n\n\n\n');
  assert.deepEqual(res.texts, ['H1\n1', 'H1', 'H1']);
});

test('a split that starts with blank lines keeps them', async () => {
  let res = await split({ 'Header Line Count': '1', 'Line Split Count': '3' }, 'H1\n1\n2\n3\n\n\n4\n');
  assert.deepEqual(res.texts, ['H1\n1\n2\n3', 'H1\n\n\n4']);
  res = await split({ 'Header Line Count': '0', 'Line Split Count': '3' }, '1\n2\n3\n\n\n4\n');
  assert.deepEqual(res.texts, ['1\n2\n3', '\n\n4']);
});

test('empty header lines', async () => {
  const res = await split({ 'Header Line Count': '2', 'Line Split Count': '3' }, '\n\n1\n\n\n\n\n');
  assert.deepEqual(res.texts, ['\n\n1', '\n']);
});

test('Maximum Fragment Size with trimmed endlines and a header', async () => {
  const res = await split({ 'Header Line Count': '2', 'Line Split Count': '0', 'Maximum Fragment Size': '30 B' },
    'header1\nheader2\nline1 longer than limit\nline2\nline3\n\n\n\n\n');
  assert.deepEqual(res.texts, ['header1\nheader2\nline1 longer than limit', 'header1\nheader2\nline2\nline3', 'header1\nheader2']);
  assert.deepEqual(res.splits.map((s) => s.attribute('text.line.count')), ['1', '2', '1']);
});

// ---------------------------------------------------------------- further edge cases

test('a header larger than Maximum Fragment Size routes to failure', async () => {
  const res = await split({ 'Header Line Count': '1', 'Line Split Count': '1', 'Maximum Fragment Size': '5 B' }, 'a long header\nx\n');
  assert.equal(res.failure.length, 1);
  assert.equal(res.splits.length, 0);
});

test('marker header followed by one data line keeps that line\'s newline (carried line)', async () => {
  const res = await split({ 'Line Split Count': '1', 'Header Line Marker Characters': '#' }, '#h\ndata\n');
  assert.deepEqual(res.texts, ['#h\ndata\n']);
  assert.equal(res.splits[0].attribute('text.line.count'), '1');
});

test('marker header: a carried line counts toward Line Split Count, plus one more line', async () => {
  const res = await split({ 'Line Split Count': '1', 'Header Line Marker Characters': '#' }, '#h\r\n\nx\ny\n');
  assert.deepEqual(res.texts, ['#h\r\n\nx', '#h\r\ny']);
  assert.deepEqual(res.splits.map((s) => s.attribute('text.line.count')), ['2', '1']);
});

test('marker header: a header-only split drops as many bytes as the terminator of the line that ended the header', async () => {
  const res = await split({ 'Line Split Count': '1', 'Header Line Marker Characters': '#' }, '#h\r\n\n\n');
  assert.deepEqual(res.texts, ['#h\r']);
});

test('a marker that matches no line: NiFi drops the first line and shifts later splits', async () => {
  const res = await split({ 'Line Split Count': '1', 'Header Line Marker Characters': '#', 'Remove Trailing Newlines': 'false' }, 'a\nbb\nccc\n');
  // NiFi consumes "a\n" while looking for header lines and never accounts for it: the splits have the
  // lengths of lines 2 and 3 but start at offsets 0 and 3
  assert.deepEqual(res.texts, ['a\nb', 'b\ncc']);
  assert.equal(res.original[0].attribute('fragment.count'), '2');
});

test('a line shorter than a multi-character marker that prefixes it routes to failure', async () => {
  const res = await split({ 'Line Split Count': '1', 'Header Line Marker Characters': '##' }, '##a\n#');
  assert.equal(res.failure.length, 1);
  assert.equal(res.splits.length, 0);
});

test('marker lines shorter than the marker but not a prefix end the header normally', async () => {
  const res = await split({ 'Line Split Count': '2', 'Header Line Marker Characters': '###' }, '### h\n#\nx\ny\n');
  assert.deepEqual(res.texts, ['### h\n#\nx', '### h\ny']);
});

test('Maximum Fragment Size alone packs whole lines; an over-long line goes alone', async () => {
  const res = await split({ 'Line Split Count': '0', 'Maximum Fragment Size': '10 B', 'Remove Trailing Newlines': 'false' }, 'aaa\nbbb\nccc\ndddddddddddddd\ne\n');
  assert.deepEqual(res.texts, ['aaa\nbbb\n', 'ccc\n', 'dddddddddddddd\n', 'e\n']);
});

test('Line Split Count limits before Maximum Fragment Size when it is reached first', async () => {
  const res = await split({ 'Line Split Count': '2', 'Maximum Fragment Size': '1 KB' }, 'a\nb\nc\nd\ne');
  assert.deepEqual(res.texts, ['a\nb', 'c\nd', 'e']);
});

test('content without a final newline', async () => {
  const res = await split({ 'Line Split Count': '2' }, 'a\nb\nc');
  assert.deepEqual(res.texts, ['a\nb', 'c']);
  assert.deepEqual(res.splits.map((s) => s.attribute('fragment.size')), ['3', '1']);
});

test('content that is only newlines yields no splits without a header', async () => {
  const res = await split({ 'Line Split Count': '2' }, '\n\n\r\n\r');
  assert.equal(res.splits.length, 0);
  assert.equal(res.original[0].attribute('fragment.count'), '0');
  const kept = await split({ 'Line Split Count': '2', 'Remove Trailing Newlines': 'false' }, '\n\n\r\n\r');
  assert.deepEqual(kept.texts, ['\n\n', '\r\n\r']);
});

test('splits inherit the parent\'s attributes and get segment.original.filename', async () => {
  const res = await split({ 'Line Split Count': '1' }, 'x\ny\n', { filename: 'in.csv', 'custom.attr': 'v', 'fragment.index': 'old' });
  for (const s of res.splits) {
    assert.equal(s.attribute('custom.attr'), 'v');
    assert.equal(s.attribute('filename'), 'in.csv');
    assert.equal(s.attribute('segment.original.filename'), 'in.csv');
  }
  assert.deepEqual(res.splits.map((s) => s.attribute('fragment.index')), ['1', '2']);
  assert.equal(res.original[0].attribute('fragment.index'), 'old');
});

test('splits without a header share the parent\'s bytes', async () => {
  const r = runner({ 'Line Split Count': '1' });
  const parent = r.enqueue('one\ntwo\n');
  await r.runUntilIdle();
  for (const s of r.flowFilesFor('splits')) assert.equal(s.flowFile.claim, parent.claim);
});

test('multiple FlowFiles in one run each get their own fragment.identifier', async () => {
  const r = runner({ 'Line Split Count': '1' });
  r.enqueue('a\nb\n', { filename: 'f1' });
  r.enqueue('c\nd\ne\n', { filename: 'f2' });
  await r.runUntilIdle();
  const splits = r.flowFilesFor('splits');
  assert.deepEqual(splits.map((s) => s.text()), ['a', 'b', 'c', 'd', 'e']);
  assert.notEqual(splits[0].attribute('fragment.identifier'), splits[2].attribute('fragment.identifier'));
  assert.deepEqual(splits.map((s) => s.attribute('fragment.count')), ['2', '2', '3', '3', '3']);
  assert.equal(r.flowFilesFor('original').length, 2);
});

test('multi-byte UTF-8 content is split on bytes and kept intact', async () => {
  const res = await split({ 'Line Split Count': '1' }, 'héllo\n日本語\n');
  assert.deepEqual(res.texts, ['héllo', '日本語']);
  assert.deepEqual(res.splits.map((s) => s.attribute('fragment.size')), ['6', '9']);
});

// ---------------------------------------------------------------- scanning large and file-backed content

test('LineScanner over a small window matches in-memory scanning, including CRLF across window edges', () => {
  const text = Buffer.from('ab\r\ncd\ref\n\r\n\r\rxyz' + 'q'.repeat(50) + '\r\nend\r');
  const lines = (sc: LineScanner) => {
    const out: [number, number, number][] = [];
    while (sc.next()) out.push([sc.lineStart, sc.lineLength, sc.crlf]);
    return out;
  };
  const expected = lines(new LineScanner(new MemoryClaim(text), 0, text.length));
  const dir = mkdtempSync(join(tmpdir(), 'sluice-split-'));
  const file = join(dir, 'c.txt');
  writeFileSync(file, text);
  for (let w = 1; w <= 7; w++) {
    const sc = new LineScanner(new FileClaim(file, 0, text.length), 0, text.length, w);
    assert.deepEqual(lines(sc), expected, `window ${w}`);
  }
});

test('file-backed content is split from chunked reads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-split-'));
  const file = join(dir, 'big.txt');
  const body = Array.from({ length: 3000 }, (_, i) => `line ${i}`).join('\n') + '\n';
  writeFileSync(file, body);
  const r = runner({ 'Line Split Count': '1000', 'Header Line Count': '1' });
  // a FlowFile over a FileClaim, as GetFile makes for large files
  const claim = new FileClaim(file, 0, Buffer.byteLength(body));
  (r as unknown as { input: { add: (f: FlowFile) => void } }).input.add(FlowFile.create(updateAttributes(EMPTY_ATTRIBUTES, { filename: 'big.txt' }), null, claim));
  await r.runUntilIdle();
  const texts = r.flowFilesFor('splits').map((s) => s.text());
  assert.equal(texts.length, 3);
  assert.ok(texts[0].startsWith('line 0\nline 1\n'));
  assert.ok(texts[2].endsWith('line 2998\nline 2999'));
});

test(`more than ${BATCH_SPLITS} splits are emitted over several triggers with the final fragment.count`, async () => {
  const n = BATCH_SPLITS * 2 + 17;
  const content = Buffer.from(Array.from({ length: n }, (_, i) => String(i)).join('\n'));
  const r = runner({ 'Line Split Count': '1' });
  r.enqueue(content, { filename: 'many' });
  await r.run(1, { stopOnFinish: false });
  assert.equal(r.flowFilesFor('splits').length, BATCH_SPLITS);
  assert.equal(r.flowFilesFor('original').length, 0);
  await r.runUntilIdle();
  const splits = r.flowFilesFor('splits');
  assert.equal(splits.length, n);
  assert.equal(splits[0].attribute('fragment.count'), String(n));
  assert.equal(splits[n - 1].attribute('fragment.index'), String(n));
  assert.equal(splits[n - 1].text(), String(n - 1));
  assert.equal(new Set(splits.map((s) => s.attribute('fragment.identifier'))).size, 1);
  const original = r.flowFilesFor('original');
  assert.equal(original.length, 1);
  assert.equal(original[0].attribute('fragment.count'), String(n));
});

test('a parent held between batches resumes where it left off after a stop', async () => {
  const n = BATCH_SPLITS + 5;
  const content = Buffer.from(Array.from({ length: n }, (_, i) => `r${i}`).join('\n'));
  const r = runner({ 'Line Split Count': '1' });
  r.enqueue(content);
  await r.run(1); // stops: the held parent goes back to the input queue
  assert.equal(r.flowFilesFor('splits').length, BATCH_SPLITS);
  assert.equal(r.queueSize, 1);
  await r.runUntilIdle();
  const texts = r.flowFilesFor('splits').map((s) => s.text());
  assert.equal(texts.length, n);
  assert.equal(texts[BATCH_SPLITS], `r${BATCH_SPLITS}`);
  assert.equal(new Set(texts).size, n);
});

test('100k lines, Line Split Count 1: every split, in order (speed is measured by npm run bench -- w1)', async () => {
  const n = 100_000;
  const content = Buffer.from(Array.from({ length: n }, (_, i) => `${i},some,fields,of,a,csv,line,with,text`).join('\n') + '\n');
  const r = runner({ 'Line Split Count': '1' });
  r.enqueue(content);
  await r.runUntilIdle();
  const splits = r.flowFilesFor('splits');
  assert.equal(splits.length, n);
  for (const i of [0, 1, n / 2, n - 1]) {
    assert.equal(splits[i].text(), `${i},some,fields,of,a,csv,line,with,text`);
    assert.equal(splits[i].attribute('fragment.index'), String(i + 1));
  }
});

// ---------------------------------------------------------------- CLI

test('CLI: sluice test-processor SplitText prints the transfers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-split-cli-'));
  const file = join(dir, 'file.txt');
  writeFileSync(file, 'h\na\nb\nc\n');
  const r = spawnSync(process.execPath, ['bin/sluice.js', 'test-processor', 'SplitText', '--property', 'Line Split Count=2', '--property', 'Header Line Count=1', '--input', file], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.valid, true);
  assert.deepEqual(out.transfers.splits.map((s: { content: string }) => s.content), ['h\na\nb', 'h\nc']);
  assert.equal(out.transfers.splits[0].attributes['segment.original.filename'], 'file.txt');
  assert.equal(out.transfers.original[0].attributes['fragment.count'], '2');
});

test('CLI: the 0-lines-without-size rule is reported as invalid', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-split-cli-'));
  const file = join(dir, 'file.txt');
  writeFileSync(file, 'a\n');
  const r = spawnSync(process.execPath, ['bin/sluice.js', 'test-processor', 'SplitText', '--property', 'Line Split Count=0', '--input', file], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 2);
  const out = JSON.parse(r.stdout);
  assert.equal(out.valid, false);
  assert.match(out.errors.join(' '), /Maximum Fragment Size/);
});

test('a parent parked between batches resumes after a trigger that failed and rolled back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-split-'));
  const file = join(dir, 'wide.txt');
  const lines = BATCH_SPLITS * 2 + 100;
  const line = 'x'.repeat(20_000);
  const body = Buffer.from(Array.from({ length: lines }, (_, i) => `${i} ${line}`).join('\n') + '\n');
  writeFileSync(file, body);
  const r = runner({ 'Line Split Count': '1' });
  const claim = new FileClaim(file, 0, body.length);
  (r as unknown as { input: { add: (f: FlowFile) => void } }).input.add(FlowFile.create(updateAttributes(EMPTY_ATTRIBUTES, { filename: 'wide.txt' }), null, claim));
  await r.run(1, { stopOnFinish: false });
  assert.equal(r.flowFilesFor('splits').length, BATCH_SPLITS);
  // the next batch needs bytes past the end of a truncated file: the trigger throws and rolls back
  truncateSync(file, Math.floor(body.length / 2));
  claim.close();
  await r.run(1, { stopOnFinish: false });
  assert.equal(r.flowFilesFor('splits').length, BATCH_SPLITS, 'the failed batch emitted nothing');
  writeFileSync(file, body);
  claim.close();
  await r.runUntilIdle();
  const splits = r.flowFilesFor('splits');
  assert.equal(splits.length, lines);
  assert.equal(splits[lines - 1].attribute('fragment.index'), String(lines));
  assert.ok(splits[lines - 1].text().startsWith(`${lines - 1} `));
  assert.equal(r.flowFilesFor('original').length, 1);
});
