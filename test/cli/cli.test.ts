import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowJsonSchemaText } from '../../server/flow/json-schema.ts';
import { createProcessorRegistry, createServiceRegistry } from '../../processors/index.ts';

const root = new URL('../../', import.meta.url).pathname;
const sluice = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/sluice.js'), ...args], { cwd: root, encoding: 'utf8' });

test('every example flow validates', () => {
  const files = readdirSync(join(root, 'flows/examples')).filter((f) => f.endsWith('.json')).map((f) => join('flows/examples', f));
  assert.ok(files.length > 0);
  const r = sluice('validate', ...files);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('a broken flow reports every planted problem with its path, and exits 2', () => {
  const r = sluice('validate', 'test/fixtures/broken-flow.json');
  assert.equal(r.status, 2);
  const expected = [
    'processors[0].properties["Batch Size"]: must be a positive integer, got "abc"',
    'processors[1].type: unknown processor type "GenerateFlowFiles" (did you mean "GenerateFlowFile"?)',
    'processors[2].properties.Colour: is not a property of PutFile',
    'processors[2].properties.Directory: is required',
    'processors[2].autoTerminate[2]: PutFile has no relationship "retry"',
    'processors[3].id: duplicate processor id "gen" (also processors[0])',
    'connections[1].destination: no processor with id "ghost"',
    'connections[0].relationships[1]: GenerateFlowFile "gen" has no relationship "matched"',
  ];
  for (const line of expected) assert.ok(r.stdout.includes(line), `missing: ${line}\n--- got:\n${r.stdout}`);
});

test('a relationship that is neither connected nor auto-terminated is reported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
  const file = join(dir, 'f.json');
  writeFileSync(file, JSON.stringify({ formatVersion: 1, name: 'x', processors: [{ id: 'g', type: 'GenerateFlowFile' }] }));
  const r = sluice('validate', file);
  assert.equal(r.status, 2);
  assert.match(r.stdout, /processors\[0\]: relationship "success" is neither connected nor auto-terminated/);
});

test('sluice run --until-idle runs the generate-to-files example to the end', () => {
  const out = mkdtempSync(join(tmpdir(), 'sluice-run-'));
  const r = sluice('run', 'flows/examples/generate-to-files.json', '--until-idle', '--param', `output.dir=${out}`);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const files = readdirSync(out);
  assert.equal(files.length, 100);
  assert.ok(files.every((f) => f.endsWith('.txt')));
  assert.equal(readFileSync(join(out, files[0]), 'utf8'), 'hello from sluice\n');
  assert.match(r.stdout, /Write files\s+PutFile\s+100\b/);
  assert.match(r.stdout, /finished in/);
});

test('an invalid flow given to run exits 2 with the report', () => {
  const r = sluice('run', 'test/fixtures/broken-flow.json', '--until-idle');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown processor type "GenerateFlowFiles"/);
});

test('test-processor prints transfers as JSON, and invalid properties as errors with exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tp-'));
  writeFileSync(join(dir, 'in.txt'), 'payload');
  const r = sluice('test-processor', 'UpdateAttribute', '--property', 'greeting=hello=world', '--attribute', 'a=1', '--input', join(dir, 'in.txt'));
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.valid, true);
  assert.equal(doc.transfers.success.length, 1);
  assert.equal(doc.transfers.success[0].content, 'payload');
  assert.equal(doc.transfers.success[0].attributes.greeting, 'hello=world');
  assert.equal(doc.transfers.success[0].attributes.filename, 'in.txt');
  assert.equal(doc.transfers.success[0].attributes.a, '1');

  const bad = sluice('test-processor', 'GenerateFlowFile', '--property', 'Batch Size=0');
  assert.equal(bad.status, 2);
  assert.deepEqual(JSON.parse(bad.stdout), { valid: false, errors: ['"Batch Size" must be a positive integer, got "0"'] });
});

test('every command has --help', () => {
  for (const cmd of ['run', 'validate', 'processors', 'test-processor']) {
    const r = sluice(cmd, '--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: sluice/);
  }
});

test('sluice processors --json describes every processor', () => {
  const r = sluice('processors', '--json');
  assert.equal(r.status, 0);
  const docs = JSON.parse(r.stdout);
  const put = docs.find((d: { type: string }) => d.type === 'PutFile');
  assert.ok(put.properties.some((p: { name: string; required: boolean }) => p.name === 'Directory' && p.required));
  assert.deepEqual(put.relationships.map((x: { name: string }) => x.name), ['success', 'failure']);
});

test('flows/flow.schema.json is up to date (run `npm run schema` to refresh it)', () => {
  const current = readFileSync(join(root, 'flows/flow.schema.json'), 'utf8');
  assert.equal(current, flowJsonSchemaText(createProcessorRegistry(), createServiceRegistry()));
});
