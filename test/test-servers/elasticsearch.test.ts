// The Elasticsearch test server, driven through the official client (and fetch where the wire matters).
// Runs against a real cluster when ES_URL is set; fault tests then skip.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, errors as esErrors } from '@elastic/elasticsearch';
import { elasticsearchForTests, type ServiceForTests } from '../support/env.ts';
import type { EsFaultPatch } from '../support/elasticsearch/faults.ts';
import { startElasticsearchTestServer } from '../support/elasticsearch/server.ts';

let es: ServiceForTests<EsFaultPatch>;
let client: Client;
const prefix = `sluice-es-test-${process.pid}-`;
let n = 0;
const freshIndex = () => `${prefix}${++n}`;

async function responseError(p: Promise<unknown>): Promise<esErrors.ResponseError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof esErrors.ResponseError, `expected a ResponseError, got ${e}`);
    return e;
  }
  assert.fail('expected the request to fail');
}

before(async () => {
  es = await elasticsearchForTests();
  client = new Client({ node: es.url, maxRetries: 2 });
});

after(async () => {
  if (es?.real) await client.indices.delete({ index: `${prefix}*`, ignore_unavailable: true }).catch(() => {});
  await client?.close();
  await es?.close();
});

describe('elasticsearch test server', () => {
  test('info() and the product header', async () => {
    const info = await client.info();
    assert.match(info.version.number, /^9\.\d+\.\d+/);
    assert.equal(info.version.build_flavor, 'default');
    assert.equal(info.tagline, 'You Know, for Search');
    for (const res of [
      await fetch(es.url + '/'),
      await fetch(es.url + '/', { method: 'HEAD' }),
      await fetch(es.url + '/no-such-index-' + process.pid + '/_doc/1'),
    ]) {
      assert.equal(res.headers.get('x-elastic-product'), 'Elasticsearch');
      assert.match(res.headers.get('content-type') ?? 'application/json', /json/);
      await res.arrayBuffer();
    }
    const vnd = await fetch(es.url + '/', { headers: { accept: 'application/vnd.elasticsearch+json; compatible-with=9' } });
    assert.match(vnd.headers.get('content-type')!, /^application\/vnd\.elasticsearch\+json;\s*compatible-with=9/);
    await vnd.arrayBuffer();
    assert.equal((await client.cluster.health()).status, 'green');
  });

  test('indices: create, exists, already exists, delete', async () => {
    const index = freshIndex();
    const created = await client.indices.create({ index });
    assert.deepEqual(created, { acknowledged: true, shards_acknowledged: true, index });
    assert.equal(await client.indices.exists({ index }), true);
    assert.equal(await client.indices.exists({ index: index + '-missing' }), false);
    const err = await responseError(client.indices.create({ index }));
    assert.equal(err.statusCode, 400);
    assert.equal(err.body.error.type, 'resource_already_exists_exception');
    assert.equal(err.body.error.root_cause[0].type, 'resource_already_exists_exception');
    assert.match(err.body.error.reason, new RegExp(`^index \\[${index}/.+\\] already exists$`));
    assert.equal(err.body.status, 400);
    await client.indices.delete({ index });
    assert.equal(await client.indices.exists({ index }), false);
    const missing = await responseError(client.indices.delete({ index }));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.body.error.type, 'index_not_found_exception');
    const bad = await responseError(client.indices.create({ index: 'Upper' + index }));
    assert.equal(bad.body.error.type, 'invalid_index_name_exception');
  });

  test('documents: index, get, create conflict, update, delete', async () => {
    const index = freshIndex();
    const first = await client.index({ index, id: 'a', document: { n: 1, tags: ['x'] } });
    assert.equal(first.result, 'created');
    assert.equal(first._version, 1);
    const second = await client.index({ index, id: 'a', document: { n: 2 } });
    assert.equal(second.result, 'updated');
    assert.equal(second._version, 2);
    const got = await client.get({ index, id: 'a' });
    assert.equal(got.found, true);
    assert.deepEqual(got._source, { n: 2 });
    assert.equal(got._seq_no, second._seq_no);

    const auto = await client.index({ index, document: { n: 3 } });
    assert.equal(auto._id.length, 20);

    const conflict = await responseError(client.create({ index, id: 'a', document: { n: 9 } }));
    assert.equal(conflict.statusCode, 409);
    assert.equal(conflict.body.error.type, 'version_conflict_engine_exception');
    assert.equal(conflict.body.error.reason, '[a]: version conflict, document already exists (current version [2])');

    const upd = await client.update({ index, id: 'a', doc: { m: { k: 1 } } });
    assert.equal(upd.result, 'updated');
    assert.deepEqual((await client.get({ index, id: 'a' }))._source, { n: 2, m: { k: 1 } });
    assert.equal((await client.update({ index, id: 'a', doc: { n: 2 } })).result, 'noop');
    assert.equal((await client.update({ index, id: 'b', doc: { n: 5 }, doc_as_upsert: true })).result, 'created');
    assert.equal((await client.update({ index, id: 'c', doc: { n: 6 }, upsert: { n: 0 } })).result, 'created');
    assert.deepEqual((await client.get({ index, id: 'c' }))._source, { n: 0 });
    const missingUpdate = await responseError(client.update({ index, id: 'zz', doc: { n: 1 } }));
    assert.equal(missingUpdate.statusCode, 404);
    assert.equal(missingUpdate.body.error.type, 'document_missing_exception');

    const del = await client.delete({ index, id: 'a' });
    assert.equal(del.result, 'deleted');
    const notFound = await responseError(client.get({ index, id: 'a' }));
    assert.equal(notFound.statusCode, 404);
    assert.deepEqual(notFound.body, { _index: index, _id: 'a', found: false });
    const delAgain = await responseError(client.delete({ index, id: 'a' }));
    assert.equal(delAgain.statusCode, 404);
    assert.equal(delAgain.body.result, 'not_found');
    const noIndex = await responseError(client.get({ index: index + '-none', id: 'a' }));
    assert.equal(noIndex.body.error.type, 'index_not_found_exception');
  });

  test('bulk with mixed results sets the errors flag and per-item statuses', async () => {
    const index = freshIndex();
    await client.index({ index, id: 'exists', document: { count: 1, name: 'x' }, refresh: true });
    const res = await client.bulk({
      operations: [
        { index: { _index: index, _id: '1', routing: 'r1' } },
        { count: 5, name: 'five' },
        { create: { _index: index, _id: 'exists' } },
        { count: 2 },
        { delete: { _index: index, _id: 'never' } },
        { update: { _index: index, _id: 'never' } },
        { doc: { count: 3 } },
        { index: { _index: index, _id: 'bad' } },
        { count: 'not a number' },
        { update: { _index: index, _id: 'exists' } },
        { doc: { name: 'y' } },
        { delete: { _index: index, _id: '1' } },
      ],
    });
    assert.equal(res.errors, true);
    assert.equal(typeof res.took, 'number');
    const items = res.items.map((item) => {
      const [action, r] = Object.entries(item)[0];
      return { action, status: r.status, result: r.result, error: r.error?.type };
    });
    assert.deepEqual(items, [
      { action: 'index', status: 201, result: 'created', error: undefined },
      { action: 'create', status: 409, result: undefined, error: 'version_conflict_engine_exception' },
      { action: 'delete', status: 404, result: 'not_found', error: undefined },
      { action: 'update', status: 404, result: undefined, error: 'document_missing_exception' },
      // ES 8.8+ and 9 report document_parsing_exception (older: mapper_parsing_exception)
      { action: 'index', status: 400, result: undefined, error: 'document_parsing_exception' },
      { action: 'update', status: 200, result: 'updated', error: undefined },
      { action: 'delete', status: 200, result: 'deleted', error: undefined },
    ]);
    const mapping = res.items[4].index!.error!;
    assert.match(String(mapping.reason), /failed to parse field \[count\] of type \[long\] in document with id 'bad'/);

    const ok = await client.bulk({ index, refresh: true, operations: [{ index: { _id: 'x' } }, { count: 1 }, { create: {} }, { count: 2 }] });
    assert.equal(ok.errors, false);
    assert.deepEqual(ok.items.map((i) => Object.values(i)[0].status), [201, 201]);
  });

  test('count and search: match_all, term, .keyword, size/from, refresh', async () => {
    const index = freshIndex();
    const docs = [
      { user: 'Alice Smith', level: 3, active: true },
      { user: 'Bob', level: 5, active: false },
      { user: 'alice', level: 3, active: true },
      { user: 'Carol', level: 7, active: true },
    ];
    await client.bulk({ refresh: 'wait_for', operations: docs.flatMap((d, i) => [{ index: { _index: index, _id: String(i) } }, d]) });
    assert.equal((await client.count({ index })).count, 4);
    assert.equal((await client.count({ index, query: { term: { level: 3 } } })).count, 2);

    const text = await client.search({ index, query: { term: { user: 'alice' } } });
    assert.deepEqual(text.hits.total, { value: 2, relation: 'eq' });
    const exact = await client.search({ index, query: { term: { 'user.keyword': 'Alice Smith' } } });
    assert.deepEqual(exact.hits.hits.map((h) => h._id), ['0']);
    assert.equal((await client.search({ index, query: { term: { 'user.keyword': 'alice smith' } } })).hits.hits.length, 0);
    assert.equal((await client.search({ index, query: { term: { active: { value: false } } } })).hits.hits[0]._id, '1');

    const page = await client.search({ index, query: { match_all: {} }, size: 2, from: 1, sort: [{ level: 'desc' }] });
    assert.deepEqual(page.hits.total, { value: 4, relation: 'eq' });
    assert.deepEqual(page.hits.hits.map((h) => h._id), ['1', '0']);
    assert.deepEqual(page.hits.hits[0]._source, docs[1]);

    const unknown = await responseError(client.search({ index, query: { nonsense: {} } as never }));
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.body.error.type, 'parsing_exception');
  });

  test('dynamic mapping: first-seen types, conflicts reported like ES', async () => {
    const index = freshIndex();
    await client.index({ index, id: '1', document: { s: 'text', l: 1, f: 1.5, b: true, o: { x: 1 }, d: '2024-05-01T10:00:00Z' } });
    const mapping = await client.indices.getMapping({ index });
    const props = mapping[index].mappings.properties as Record<string, { type?: string; properties?: unknown }>;
    assert.equal(props.s.type, 'text');
    assert.equal(props.l.type, 'long');
    assert.equal(props.f.type, 'float');
    assert.equal(props.b.type, 'boolean');
    assert.equal(props.d.type, 'date');
    assert.ok(props.o.properties);
    const coerced = await client.index({ index, id: '2', document: { l: '42', s: 7 } });
    assert.equal(coerced.result, 'created');
    for (const [doc, field] of [
      [{ l: 'abc' }, 'l'],
      [{ b: 'yes' }, 'b'],
      [{ o: 5 }, 'o'],
      [{ d: 'not a date' }, 'd'],
    ] as const) {
      const err = await responseError(client.index({ index, id: 'bad', document: doc }));
      assert.equal(err.statusCode, 400);
      assert.equal(err.body.error.type, 'document_parsing_exception');
      assert.ok(String(err.body.error.reason).includes(`[${field}]`), err.body.error.reason);
    }
  });

  test('malformed NDJSON is one 400 with an ES error body, nothing written', async () => {
    const index = freshIndex();
    const post = async (body: string, contentType = 'application/x-ndjson') => {
      const res = await fetch(`${es.url}/${index}/_bulk`, { method: 'POST', headers: { 'content-type': contentType }, body });
      return { status: res.status, body: (await res.json()) as { error: { type: string; root_cause: unknown[]; reason: string }; status: number } };
    };
    for (const body of [
      '{"index":{"_id":"1"}}\n{"a":1}', // no trailing newline
      '{"index":{"_id":"1"}}\n{"a":1}\n{oops\n',
      '{"upsert_it":{"_id":"1"}}\n{"a":1}\n',
      '{"index":{"_id":"1","bogus":1}}\n{"a":1}\n',
      '{"delete":{}}\n',
    ]) {
      const r = await post(body);
      assert.equal(r.status, 400, body);
      assert.equal(r.body.status, 400);
      assert.equal(typeof r.body.error.type, 'string');
      assert.ok(Array.isArray(r.body.error.root_cause));
    }
    assert.equal(await client.indices.exists({ index }), false);
    const wrongType = await fetch(`${es.url}/${index}/_doc/1`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: '{"a":1}' });
    assert.equal(wrongType.status, 406);
    await wrongType.arrayBuffer();
  });

  test('429 rejections: every k-th item, seeded fraction, whole request; stats', async (t) => {
    if (!es.faultsAvailable) return t.skip('fault injection needs the test server');
    const index = freshIndex();
    await es.faults!.set({ rejectEvery: 3 });
    const ops = Array.from({ length: 9 }, (_, i) => [{ index: { _index: index, _id: String(i) } }, { i }]).flat();
    const res = await client.bulk({ operations: ops });
    assert.equal(res.errors, true);
    const statuses = res.items.map((i) => i.index!.status);
    assert.deepEqual(statuses, [201, 201, 429, 201, 201, 429, 201, 201, 429]);
    assert.equal(res.items[2].index!.error!.type, 'es_rejected_execution_exception');

    const pattern = async () => {
      await es.faults!.set({ reset: true, rejectFraction: 0.3, rejectSeed: 42 });
      const r = await client.bulk({ operations: ops });
      return r.items.map((i) => i.index!.status === 429);
    };
    const a = await pattern();
    assert.deepEqual(await pattern(), a);
    assert.ok(a.some(Boolean));

    await es.faults!.set({ reset: true, rejectBulkRequests: 1 });
    const whole = await responseError(client.bulk({ operations: ops }));
    assert.equal(whole.statusCode, 429);
    assert.equal(whole.body.error.type, 'es_rejected_execution_exception');
    await es.faults!.reset();
    assert.equal((await client.bulk({ operations: ops })).errors, false);
    const stats = await es.faults!.stats();
    assert.equal(stats.faults.rejectedBulkRequests, 1);
    assert.ok(stats.faults.rejectedItems >= 3);
    assert.ok(stats.bulk.items >= 27);
  });

  test('the client bulk helper retries 429 items to completion', async (t) => {
    if (!es.faultsAvailable) return t.skip('fault injection needs the test server');
    const index = freshIndex();
    await es.faults!.set({ reset: true, rejectEvery: 4 });
    const result = await client.helpers.bulk({
      datasource: Array.from({ length: 200 }, (_, i) => ({ i })),
      onDocument: () => ({ index: { _index: index } }),
      retries: 5,
      wait: 5,
      flushBytes: 2000,
      refreshOnCompletion: true,
    });
    await es.faults!.reset();
    assert.equal(result.failed, 0);
    assert.equal(result.successful, 200);
    assert.equal((await client.count({ index })).count, 200);
  });

  test('503 unavailable: the client retries a one-off, fails when it persists', async (t) => {
    if (!es.faultsAvailable) return t.skip('fault injection needs the test server');
    await es.faults!.set({ reset: true, unavailable: 1 });
    assert.match((await client.info()).version.number, /^9\./);
    await es.faults!.set({ unavailable: true });
    const err = await responseError(client.info());
    assert.equal(err.statusCode, 503);
    const stats = await es.faults!.stats();
    assert.ok(stats.faults.unavailable >= 2);
    await es.faults!.reset();
  });

  test('bad fault settings are refused', async (t) => {
    if (!es.faultsAvailable) return t.skip('fault injection needs the test server');
    await assert.rejects(es.faults!.set({ rejectFraction: 2 }), /400/);
    await assert.rejects(es.faults!.set({ nope: 1 } as EsFaultPatch), /400/);
  });
});

describe('elasticsearch test server in-process details', () => {
  test('search is near-real-time: writes appear after refresh', async () => {
    const server = await startElasticsearchTestServer({ port: 0, refreshIntervalMs: 0 });
    const c = new Client({ node: server.url });
    try {
      await c.index({ index: 'nrt', id: '1', document: { a: 1 } });
      assert.equal((await c.count({ index: 'nrt' })).count, 0);
      assert.equal((await c.get({ index: 'nrt', id: '1' })).found, true);
      await c.indices.refresh({ index: 'nrt' });
      assert.equal((await c.count({ index: 'nrt' })).count, 1);
    } finally {
      await c.close();
      await server.close();
    }
  });

  test('bulk throughput', async () => {
    const server = await startElasticsearchTestServer({ port: 0 });
    try {
      const docs = 20000;
      const batch = 2000;
      let body = '';
      const bodies: string[] = [];
      for (let i = 0; i < docs; i++) {
        body += `{"index":{"_index":"bench","_id":"${i}"}}\n{"id":${i},"user":"u${i % 50}","msg":"message number ${i}","value":${i * 1.5},"ok":${i % 2 === 0}}\n`;
        if ((i + 1) % batch === 0) {
          bodies.push(body);
          body = '';
        }
      }
      const started = performance.now();
      await Promise.all(
        [0, 1].map(async (w) => {
          for (let b = w; b < bodies.length; b += 2) {
            const res = await fetch(server.url + '/_bulk', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: bodies[b] });
            assert.equal(((await res.json()) as { errors: boolean }).errors, false);
          }
        }),
      );
      const rate = Math.round(docs / ((performance.now() - started) / 1000));
      console.log(`# elasticsearch test server _bulk: ${rate} docs/s (in-process, ${docs} docs)`);
      assert.equal(server.store.get('bench').docs.size, docs);
      assert.ok(rate > 5000, `bulk too slow: ${rate} docs/s`);
    } finally {
      await server.close();
    }
  });
});
