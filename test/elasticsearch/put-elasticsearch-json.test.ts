// PutElasticsearchJson against the Elasticsearch test server (or a real cluster with ES_URL=...;
// the fault-injection tests then skip).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { elasticsearchForTests, type ServiceForTests } from '../support/env.ts';
import type { EsFaultPatch } from '../support/elasticsearch/faults.ts';
import { TestRunner } from '../../server/testing/test-runner.ts';
import { PutElasticsearchJson } from '../../processors/elasticsearch/put-elasticsearch-json.ts';
import type { ElasticsearchClientHandle } from '../../processors/elasticsearch/client.ts';
import { countDocs, enableClientService, getSource } from './helpers.ts';

let es: ServiceForTests<EsFaultPatch>;
let handle: ElasticsearchClientHandle;
let client: Client;
const prefix = `sluice-put-es-${process.pid}-`;
let n = 0;
const freshIndex = () => `${prefix}${++n}`;

before(async () => {
  es = await elasticsearchForTests();
  handle = await enableClientService({ 'HTTP Hosts': es.url });
  client = new Client({ node: es.url });
});

after(async () => {
  if (es?.real) await client.indices.delete({ index: `${prefix}*`, ignore_unavailable: true }).catch(() => {});
  await client?.close();
  await handle?.close();
  await es?.close();
});

beforeEach(async () => {
  await es.faults?.reset();
});

function runner(props: Record<string, string>, connected?: string[]): TestRunner {
  const r = new TestRunner(PutElasticsearchJson, { services: { es: handle } });
  r.setProperty('Client Service', 'es');
  r.setProperty('Initial Retry Backoff', '5 ms');
  r.setProperty('Max Retry Backoff', '50 ms');
  for (const [k, v] of Object.entries(props)) r.setProperty(k, v);
  if (connected) r.setConnected(connected);
  return r;
}

const doc = (i: number, extra: Record<string, unknown> = {}) => JSON.stringify({ seq: i, user: `u${i % 7}`, amount: i * 3, ...extra });

describe('PutElasticsearchJson', () => {
  test('indexes a batch with ids from Expression Language; original gets every sent FlowFile', async () => {
    const index = freshIndex();
    const r = runner({ Index: index, 'Identifier Expression': '${kafka.topic}-${kafka.partition}-${kafka.offset}', 'Max FlowFiles Per Batch': '50' });
    for (let i = 0; i < 120; i++) r.enqueue(doc(i), { 'kafka.topic': 'events', 'kafka.partition': String(i % 3), 'kafka.offset': String(i) });
    await r.runUntilIdle();
    r.assertTransferCount('successful', 120);
    r.assertTransferCount('original', 120);
    for (const rel of ['errors', 'retry', 'failure']) r.assertTransferCount(rel, 0);
    assert.equal(await countDocs(client, index), 120);
    assert.deepEqual(await getSource(client, index, 'events-2-5'), { seq: 5, user: 'u5', amount: 15 });
  });

  test('Identifier Attribute and re-delivery with create: a 409 for our own id counts as success', async () => {
    const index = freshIndex();
    const r1 = runner({ Index: index, 'Index Operation': 'create', 'Identifier Attribute': 'doc.id' }, ['successful', 'errors', 'retry', 'failure']);
    for (let i = 0; i < 10; i++) r1.enqueue(doc(i), { 'doc.id': `d${i}` });
    await r1.runUntilIdle();
    r1.assertTransferCount('successful', 10);
    // the same records again (a replay after a crash), plus two new ones
    const r2 = runner({ Index: index, 'Index Operation': 'create', 'Identifier Attribute': 'doc.id' }, ['successful', 'errors', 'retry', 'failure']);
    for (let i = 0; i < 12; i++) r2.enqueue(doc(i, { replay: true }), { 'doc.id': `d${i}` });
    await r2.runUntilIdle();
    r2.assertAllTransferred('successful', 12);
    assert.equal(await countDocs(client, index), 12);
    assert.deepEqual(await getSource(client, index, 'd3'), { seq: 3, user: 'u3', amount: 9 }, 'create does not overwrite');
  });

  test('create without an id lets Elasticsearch generate ids', async () => {
    const index = freshIndex();
    const r = runner({ Index: index, 'Index Operation': 'create' }, ['successful']);
    for (let i = 0; i < 5; i++) r.enqueue(doc(i));
    await r.runUntilIdle();
    r.assertTransferCount('successful', 5);
    assert.equal(await countDocs(client, index), 5);
  });

  test('a FlowFile that is not a JSON object goes to failure; the rest of the batch is sent', async () => {
    const index = freshIndex();
    const r = runner({ Index: index, 'Identifier Attribute': 'id' });
    r.enqueue(doc(1), { id: 'a' });
    r.enqueue('{"broken": ', { id: 'b' });
    r.enqueue('[1,2,3]', { id: 'c' });
    r.enqueue(doc(2), { id: 'd' });
    await r.runUntilIdle();
    r.assertTransferCount('successful', 2);
    r.assertTransferCount('original', 2);
    const failed = r.flowFilesFor('failure');
    assert.deepEqual(failed.map((f) => f.attribute('id')), ['b', 'c']);
    assert.match(failed[0].attribute('elasticsearch.put.error')!, /not valid JSON/);
    assert.match(failed[1].attribute('elasticsearch.put.error')!, /must be a JSON object/);
    failed[0].assertContentEquals('{"broken": ');
  });

  test('a mapping conflict routes exactly the bad documents to errors, with elasticsearch.bulk.error', async () => {
    const index = freshIndex();
    const r0 = runner({ Index: index, 'Identifier Attribute': 'id' }, ['successful']);
    r0.enqueue(JSON.stringify({ amount: 1, user: 'seed' }), { id: 'seed' });
    await r0.runUntilIdle(); // maps amount as a number
    const r = runner({ Index: index, 'Identifier Attribute': 'id', 'Max FlowFiles Per Batch': '1000' });
    const bad = new Set([3, 17, 18, 40]);
    for (let i = 0; i < 50; i++) {
      r.enqueue(JSON.stringify({ amount: bad.has(i) ? `not-a-number-${i}` : i, user: `u${i}` }), { id: `doc-${i}` });
    }
    await r.runUntilIdle();
    const errors = r.flowFilesFor('errors');
    assert.deepEqual(errors.map((f) => f.attribute('id')).sort(), [...bad].map((i) => `doc-${i}`).sort());
    r.assertTransferCount('successful', 46);
    r.assertTransferCount('original', 50);
    r.assertTransferCount('retry', 0);
    for (const f of errors) {
      const item = JSON.parse(f.attribute('elasticsearch.bulk.error')!);
      assert.equal(item.status, 400);
      assert.match(item.error.type, /document_parsing_exception|mapper_parsing_exception/);
      assert.ok(item.error.reason.length > 0);
    }
    assert.equal(await countDocs(client, index), 47);
    assert.equal(await getSource(client, index, 'doc-3'), null);
    assert.ok(r.bulletins.some((b) => /4 document\(s\) resulted in an error/.test(b.message)));
  });

  test('Output Error Responses adds error_responses with the failed items', async () => {
    const index = freshIndex();
    const r0 = runner({ Index: index }, ['successful']);
    r0.enqueue(JSON.stringify({ n: 1 }));
    await r0.runUntilIdle();
    const r = runner({ Index: index, 'Output Error Responses': 'true' });
    assert.ok(r.relationships().includes('error_responses'));
    r.enqueue(JSON.stringify({ n: 'x' }));
    r.enqueue(JSON.stringify({ n: 2 }));
    await r.runUntilIdle();
    const reports = r.flowFilesFor('error_responses');
    assert.equal(reports.length, 1);
    const items = JSON.parse(reports[0].text());
    assert.equal(items.length, 1);
    assert.equal(reports[0].attribute('elasticsearch.put.error.count'), '1');
  });

  test('a 429 storm is retried with back-off and everything eventually succeeds', async (t) => {
    if (!es.faultsAvailable) return t.skip('needs the test server');
    const index = freshIndex();
    await es.faults!.set({ rejectFraction: 0.4, rejectSeed: 7 });
    const r = runner({ Index: index, 'Identifier Attribute': 'id', 'Max FlowFiles Per Batch': '200', 'Max Bulk Retries': '20' });
    for (let i = 0; i < 400; i++) r.enqueue(doc(i), { id: String(i) });
    await r.runUntilIdle();
    r.assertTransferCount('successful', 400);
    r.assertTransferCount('retry', 0);
    const stats = await es.faults!.stats();
    assert.ok(stats.bulk.itemsByResult.es_rejected_execution_exception > 100, 'the storm happened');
    await es.faults!.reset();
    assert.equal(await countDocs(client, index), 400);
  });

  test('whole-request 429 and 503 answers are retried in place', async (t) => {
    if (!es.faultsAvailable) return t.skip('needs the test server');
    const index = freshIndex();
    await es.faults!.set({ rejectBulkRequests: 2, unavailable: 1 });
    const r = runner({ Index: index, 'Identifier Attribute': 'id' }, ['successful', 'errors', 'retry', 'failure']);
    for (let i = 0; i < 30; i++) r.enqueue(doc(i), { id: String(i) });
    await r.runUntilIdle();
    r.assertAllTransferred('successful', 30);
    const stats = await es.faults!.stats();
    assert.ok(stats.byStatus['429'] >= 2 && stats.byStatus['503'] >= 1, JSON.stringify(stats.byStatus));
  });

  test('documents still rejected after the bound go to retry, penalized, with the reason', async (t) => {
    if (!es.faultsAvailable) return t.skip('needs the test server');
    const index = freshIndex();
    await es.faults!.set({ rejectEvery: 2 });
    const r = runner({ Index: index, 'Identifier Attribute': 'id', 'Max Bulk Retries': '2' });
    for (let i = 0; i < 10; i++) r.enqueue(doc(i), { id: String(i) });
    await r.runUntilIdle({ maxTriggers: 1 });
    const retried = r.flowFilesFor('retry');
    const ok = r.flowFilesFor('successful');
    assert.equal(retried.length + ok.length, 10);
    assert.ok(retried.length > 0 && ok.length > 0, `${retried.length} retried, ${ok.length} successful`);
    assert.match(retried[0].attribute('elasticsearch.put.error')!, /es_rejected_execution_exception.*after 3 attempt/);
    assert.equal(r.flowFilesFor('original').length, ok.length, 'retried FlowFiles do not go to original');
  });

  test('an unavailable cluster sends the whole batch to retry; a refused request goes to failure', async (t) => {
    if (!es.faultsAvailable) return t.skip('needs the test server');
    const index = freshIndex();
    await es.faults!.set({ unavailable: true });
    const r = runner({ Index: index, 'Max Bulk Retries': '1' });
    for (let i = 0; i < 5; i++) r.enqueue(doc(i));
    await r.runUntilIdle({ maxTriggers: 1 });
    r.assertAllTransferred('retry', 5);
    assert.match(r.flowFilesFor('retry')[0].attribute('elasticsearch.put.error')!, /503/);
    await es.faults!.reset();

    const dead = await enableClientService({ 'HTTP Hosts': 'http://127.0.0.1:1', 'Connect timeout': '500' });
    try {
      const r2 = new TestRunner(PutElasticsearchJson, { services: { dead } });
      r2.setProperty('Client Service', 'dead').setProperty('Index', index).setProperty('Max Bulk Retries', '0');
      r2.enqueue(doc(1));
      await r2.runUntilIdle({ maxTriggers: 1 });
      r2.assertAllTransferred('retry', 1);
      assert.match(r2.flowFilesFor('retry')[0].attribute('elasticsearch.put.error')!, /ConnectionError/);
    } finally {
      await dead.close();
    }

    // a request the cluster refuses as a whole (400) cannot succeed by re-sending
    const r3 = runner({ Index: index, require_alias: 'maybe' });
    r3.enqueue(doc(1));
    await r3.runUntilIdle({ maxTriggers: 1 });
    r3.assertAllTransferred('failure', 1);
    assert.match(r3.flowFilesFor('failure')[0].attribute('elasticsearch.put.error')!, /400/);
  });

  test('update, upsert, delete and Treat Not Found as Success', async () => {
    const index = freshIndex();
    const put = async (op: string, docs: [string, string][], extra: Record<string, string> = {}) => {
      const r = runner({ Index: index, 'Index Operation': op, 'Identifier Attribute': 'id', ...extra }, ['successful', 'errors', 'retry', 'failure']);
      for (const [id, body] of docs) r.enqueue(body, { id });
      await r.runUntilIdle();
      return r;
    };
    await put('index', [['a', '{"x":1,"y":1}']]);
    let r = await put('update', [['a', '{"y":2}'], ['missing', '{"y":3}']]);
    r.assertTransferCount('successful', 1);
    assert.equal(JSON.parse(r.flowFilesFor('errors')[0].attribute('elasticsearch.bulk.error')!).error.type, 'document_missing_exception');
    assert.deepEqual(await getSource(client, index, 'a'), { x: 1, y: 2 });
    r = await put('upsert', [['a', '{"z":1}'], ['b', '{"z":2}']]);
    r.assertAllTransferred('successful');
    assert.deepEqual(await getSource(client, index, 'b'), { z: 2 });
    r = await put('delete', [['a', ''], ['nope', '']]);
    r.assertTransferCount('successful', 2);
    r = await put('delete', [['nope', '']], { 'Treat Not Found as Success': 'false' });
    r.assertTransferCount('errors', 1);
    assert.equal(await getSource(client, index, 'a'), null);
  });

  test('update without an id is invalid when the operation is literal, and a failure when it comes from EL', async () => {
    const r = runner({ Index: 'x', 'Index Operation': 'update' });
    assert.match(r.validate().join('\n'), /Identifier Attribute/);
    const bad = runner({ Index: 'x', 'Index Operation': 'explode' });
    assert.match(bad.validate().join('\n'), /must be Expression Language or one of/);
    const index = freshIndex();
    const el = runner({ Index: index, 'Index Operation': '${op}' });
    el.enqueue(doc(1), { op: 'delete' });
    el.enqueue(doc(2), { op: 'frobnicate' });
    await el.runUntilIdle();
    const failed = el.flowFilesFor('failure');
    assert.equal(failed.length, 2);
    assert.match(failed[0].attribute('elasticsearch.put.error')!, /needs a document identifier/);
    assert.match(failed[1].attribute('elasticsearch.put.error')!, /is not one of/);
  });

  test('Max Batch Size splits a batch into several _bulk requests; dynamic properties become URL parameters', async (t) => {
    const index = freshIndex();
    const before = es.faultsAvailable ? (await es.faults!.stats()).bulk.requests : 0;
    const r = runner({ Index: index, 'Max FlowFiles Per Batch': '100', 'Max Batch Size': '1 KB', refresh: 'true' }, ['successful']);
    for (let i = 0; i < 40; i++) r.enqueue(doc(i, { pad: 'x'.repeat(80) }));
    await r.run(1);
    r.assertTransferCount('successful', 40);
    // refresh=true made the documents searchable at once
    const res = await client.count({ index });
    assert.equal(res.count, 40);
    if (!es.faultsAvailable) return t.skip('request counting needs the test server');
    const requests = (await es.faults!.stats()).bulk.requests - before;
    assert.ok(requests >= 4, `${requests} bulk requests`);
  });

  test('Suppress Nulls removes null and empty values; line breaks inside a document are re-serialized', async () => {
    const index = freshIndex();
    const r = runner({ Index: index, 'Identifier Attribute': 'id', 'Suppress Nulls': 'always-suppress' }, ['successful']);
    r.enqueue('{"a":1,"b":null,"c":"","d":[],"e":{"f":null,"g":2}}', { id: 's' });
    await r.runUntilIdle();
    assert.deepEqual(await getSource(client, index, 's'), { a: 1, e: { g: 2 } });
    const r2 = runner({ Index: index, 'Identifier Attribute': 'id' }, ['successful']);
    r2.enqueue('{\n  "pretty": true,\n  "b": null\n}\n', { id: 'p' });
    await r2.runUntilIdle();
    assert.deepEqual(await getSource(client, index, 'p'), { pretty: true, b: null });
  });

  test('BULK: dynamic properties go into the action line per FlowFile', async () => {
    const index = freshIndex();
    const r = runner({ Index: index, 'Identifier Attribute': 'id', 'BULK:routing': '${tenant}' }, ['successful']);
    r.enqueue(doc(1), { id: 'r1', tenant: 'acme' });
    await r.runUntilIdle();
    r.assertTransferCount('successful', 1);
    const res = await client.get({ index, id: 'r1', routing: 'acme' });
    assert.equal(res._routing ?? 'acme', 'acme');
  });
});
