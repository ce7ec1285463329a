// The pure parts of the Elasticsearch sink: request building, response mapping, back-off, the
// client service's configuration; and, through a whole flow, several _bulk requests in flight.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { actionLine, buildOperation, bulkBody, chunkOperations, DocumentError, suppressNulls } from '../../processors/elasticsearch/request.ts';
import { mapBulkResponse, verdictFor } from '../../processors/elasticsearch/response.ts';
import { backoffDelay, isRetryableStatus } from '../../processors/elasticsearch/retry.ts';
import { readClientConfig, validateClientConfig } from '../../processors/elasticsearch/config.ts';
import { ElasticsearchClientService } from '../../processors/elasticsearch/client-service.ts';
import { PutElasticsearchJson } from '../../processors/elasticsearch/put-elasticsearch-json.ts';
import { GenerateFlowFile } from '../../processors/standard/generate-flow-file.ts';
import { ProcessorRegistry } from '../../server/sdk/registry.ts';
import { ServiceRegistry, defineControllerService } from '../../server/sdk/services.ts';
import type { ElasticsearchClientHandle } from '../../processors/elasticsearch/client.ts';
import { FlowRuntime } from '../../server/engine/flow-runtime.ts';
import { validateFlow } from '../../server/flow/validate.ts';
import { elasticsearchForTests } from '../support/env.ts';
import { enableClientService } from './helpers.ts';

const input = (over: Partial<Parameters<typeof buildOperation>[0]> = {}) => ({
  op: 'index', index: 'ix', id: 'a', content: Buffer.from('{"x":1}'), charset: 'UTF-8', suppressNulls: false, ...over,
});

describe('bulk request building', () => {
  test('index/create send the document as it is', () => {
    const content = Buffer.from('{"big":12345678901234567890, "name":"Zoë"}');
    const op = buildOperation(input({ content }));
    assert.equal(op.text, '{"index":{"_index":"ix","_id":"a"}}\n{"big":12345678901234567890, "name":"Zoë"}\n', 'no precision loss, no re-serialization');
    assert.equal(op.bytes, Buffer.byteLength(op.text));
    assert.equal(buildOperation(input({ op: 'create', id: undefined })).text, '{"create":{"_index":"ix"}}\n{"x":1}\n');
    const unicodeId = buildOperation(input({ id: 'é-1' }));
    assert.equal(unicodeId.bytes, Buffer.byteLength(unicodeId.text));
  });

  test('update wraps the document in doc; upsert adds doc_as_upsert; delete has no source line', () => {
    const update = buildOperation(input({ op: 'update' }));
    assert.equal(update.text, '{"update":{"_index":"ix","_id":"a"}}\n{"doc":{"x":1}}\n');
    const upsert = buildOperation(input({ op: 'upsert' }));
    assert.equal(upsert.text, '{"update":{"_index":"ix","_id":"a"}}\n{"doc":{"x":1},"doc_as_upsert":true}\n');
    const del = buildOperation(input({ op: 'DELETE', content: Buffer.from('not json') }));
    assert.equal(del.text, '{"delete":{"_index":"ix","_id":"a"}}\n');
    for (const op of [update, upsert, del]) assert.equal(op.bytes, Buffer.byteLength(op.text));
  });

  test('problems that make a FlowFile unsendable are DocumentErrors', () => {
    assert.throws(() => buildOperation(input({ content: Buffer.from('{') })), DocumentError);
    assert.throws(() => buildOperation(input({ content: Buffer.from('"str"') })), /must be a JSON object/);
    assert.throws(() => buildOperation(input({ op: 'update', id: '' })), /needs a document identifier/);
    assert.throws(() => buildOperation(input({ index: ' ' })), /Index evaluated to an empty value/);
    assert.throws(() => buildOperation(input({ op: 'merge' })), /is not one of/);
  });

  test('ids and header fields are JSON-escaped; numbers and booleans stay literal', () => {
    const line = actionLine('index', 'i"x', 'a\nb', { routing: '42', version: '3', require_alias: 'true', pipeline: 'p1' });
    assert.ok(line.endsWith('}\n') && line.indexOf('\n') === line.length - 1);
    assert.deepEqual(JSON.parse(line), { index: { _index: 'i"x', _id: 'a\nb', routing: '42', version: 3, require_alias: true, pipeline: 'p1' } });
  });

  test('non-UTF-8 content and pretty-printed JSON are re-serialized onto one line', () => {
    const latin = Buffer.from('{"name":"café"}', 'latin1');
    const l = buildOperation(input({ content: latin, charset: 'ISO-8859-1' }));
    assert.equal(l.text.split('\n')[1], '{"name":"café"}');
    assert.equal(l.bytes, Buffer.byteLength(l.text));
    assert.equal(buildOperation(input({ content: Buffer.from('{\r\n "a" : 1\r\n}') })).text.split('\n')[1], '{"a":1}');
  });

  test('suppressNulls drops null and empty values at any depth', () => {
    assert.deepEqual(suppressNulls({ a: null, b: '', c: [], d: {}, e: [null, 1], f: { g: null, h: 'x' } }), { e: [null, 1], f: { h: 'x' } });
  });

  test('chunkOperations bounds bytes and count; an oversize operation travels alone', () => {
    const ops = [5, 5, 5, 20, 1, 1].map((bytes) => ({ bytes }));
    assert.deepEqual(chunkOperations(ops, 10).map((c) => c.map((o) => o.bytes)), [[5, 5], [5], [20], [1, 1]]);
    assert.deepEqual(chunkOperations(ops, 100, 4).map((c) => c.length), [4, 2]);
    const body = bulkBody([buildOperation(input()), buildOperation(input({ id: 'b' }))]);
    assert.equal(body.split('\n').length, 5);
    assert.ok(body.endsWith('\n'));
  });
});

describe('bulk response mapping', () => {
  const item = (status: number, extra: Record<string, unknown> = {}) => ({ status, ...extra });
  test('verdicts', () => {
    assert.equal(verdictFor({ op: 'index', id: 'a' }, item(201)).kind, 'success');
    assert.equal(verdictFor({ op: 'delete', id: 'a' }, item(404, { result: 'not_found' })).kind, 'not_found');
    assert.equal(verdictFor({ op: 'index', id: 'a' }, item(429, { error: { type: 'es_rejected_execution_exception' } })).kind, 'retry');
    assert.equal(verdictFor({ op: 'index', id: 'a' }, item(503, { error: { type: 'unavailable_shards_exception' } })).kind, 'retry');
    assert.equal(verdictFor({ op: 'index', id: 'a' }, item(400, { error: { type: 'document_parsing_exception' } })).kind, 'error');
    const conflict = item(409, { error: { type: 'version_conflict_engine_exception' } });
    assert.equal(verdictFor({ op: 'create', id: 'a' }, conflict).kind, 'success', 'our own id: re-delivery');
    assert.equal(verdictFor({ op: 'create', id: undefined }, conflict).kind, 'error');
    assert.equal(verdictFor({ op: 'index', id: 'a' }, conflict).kind, 'error', 'a 409 on index means if_seq_no lost a race');
  });

  test('items map back by position; a count mismatch is refused', () => {
    const reqs = [{ op: 'index' as const, id: 'a' }, { op: 'index' as const, id: 'b' }];
    const v = mapBulkResponse(reqs, { errors: true, items: [{ index: item(201) }, { index: item(400, { error: { type: 'x' } }) }] });
    assert.deepEqual(v.map((x) => x.kind), ['success', 'error']);
    assert.throws(() => mapBulkResponse(reqs, { errors: false, items: [{ index: item(201) }] }), /1 item\(s\) for 2/);
  });

  test('back-off grows exponentially within its bound, with jitter', () => {
    const p = { maxRetries: 5, initialMs: 100, maxMs: 1000 };
    assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffDelay(p, a, () => 1)), [100, 200, 400, 800, 1000]);
    assert.deepEqual([1, 2, 3].map((a) => backoffDelay(p, a, () => 0)), [50, 100, 200]);
    assert.ok(isRetryableStatus(429) && isRetryableStatus(503) && !isRetryableStatus(400) && !isRetryableStatus(409));
  });
});

describe('ElasticsearchClientService', () => {
  test('configuration: hosts, auth schemes, timeouts', () => {
    const get = (m: Record<string, string>) => (n: string) => m[n];
    const c = readClientConfig(get({ 'HTTP Hosts': 'http://a:9200/, http://b:9200', 'Authorization Scheme': 'BASIC', Username: 'u', Password: 'p', 'Connect timeout': '2 secs', 'Read timeout': '1500' }));
    assert.deepEqual(c.hosts, ['http://a:9200', 'http://b:9200']);
    assert.deepEqual(c.auth, { scheme: 'BASIC', username: 'u', password: 'p' });
    assert.equal(c.connectTimeoutMs, 2000);
    assert.equal(c.readTimeoutMs, 1500);
    assert.match(validateClientConfig(get({ 'HTTP Hosts': 'http://a', 'Authorization Scheme': 'BASIC' })).map((p) => p.message).join(), /required with Basic/);
    assert.match(validateClientConfig(get({ 'HTTP Hosts': 'ftp://a' })).map((p) => p.message).join(), /http:\/\/ or https:\/\//);
    assert.ok(ElasticsearchClientService.properties.find((p) => p.name === 'Password')?.sensitive);
    assert.ok(ElasticsearchClientService.properties.find((p) => p.name === 'API Key')?.sensitive);
  });

  test('sends Basic and ApiKey authorization headers', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end('{"errors":false,"items":[{"index":{"status":201}}]}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const body = Buffer.from('{"index":{"_index":"i"}}\n{}\n');
      const basic = await enableClientService({ 'HTTP Hosts': url, 'Authorization Scheme': 'BASIC', Username: 'elastic', Password: 's3cret' });
      await basic.bulk(body);
      await basic.close();
      const key = await enableClientService({ 'HTTP Hosts': url, 'Authorization Scheme': 'API_KEY', 'API Key ID': 'kid', 'API Key': 'kval' });
      await key.bulk(body);
      await key.close();
      const encoded = await enableClientService({ 'HTTP Hosts': url, 'Authorization Scheme': 'API_KEY', 'API Key': 'ZW5jb2RlZA==' });
      await encoded.bulk(body);
      await encoded.close();
    } finally {
      server.close();
    }
    assert.deepEqual(seen, [
      `Basic ${Buffer.from('elastic:s3cret').toString('base64')}`,
      `ApiKey ${Buffer.from('kid:kval').toString('base64')}`,
      'ApiKey ZW5jb2RlZA==',
    ]);
  });
});

describe('PutElasticsearchJson in a flow', () => {
  test('Concurrent Tasks keep several _bulk requests in flight; the service is wired by id', async (t) => {
    const es = await elasticsearchForTests();
    if (!es.faultsAvailable) { await es.close(); return t.skip('needs the test server (latency injection)'); }
    // the real service, with its bulk() instrumented to see how many requests are in flight at once
    let inFlight = 0;
    let maxInFlight = 0;
    const instrumented = defineControllerService<ElasticsearchClientHandle>({
      ...ElasticsearchClientService,
      async enable(ctx) {
        const handle = await ElasticsearchClientService.enable(ctx);
        return {
          ...handle,
          async bulk(body, params, signal) {
            maxInFlight = Math.max(maxInFlight, ++inFlight);
            try { return await handle.bulk(body, params, signal); } finally { inFlight--; }
          },
        };
      },
    });
    const registry = new ProcessorRegistry([GenerateFlowFile, PutElasticsearchJson]);
    const services = new ServiceRegistry([instrumented]);
    const index = `sluice-flow-${process.pid}`;
    const flowJson = {
      formatVersion: 1, name: 'gen to es',
      parameters: { 'es.url': es.url },
      controllerServices: [{ id: 'es', type: 'ElasticsearchClientService', properties: { 'HTTP Hosts': '#{es.url}' } }],
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': '400', 'Custom Text': '{"v":1}' }, scheduling: { triggerLimit: 1 } },
        { id: 'put', type: 'PutElasticsearchJson', properties: { 'Client Service': 'es', Index: index, 'Max FlowFiles Per Batch': '50' },
          scheduling: { concurrentTasks: 4 }, autoTerminate: ['original', 'successful', 'errors', 'retry', 'failure'] },
      ],
      connections: [{ id: 'c', source: 'gen', relationships: ['success'], destination: 'put' }],
    };
    const { flow, problems } = validateFlow(flowJson, registry, { services });
    assert.deepEqual(problems, []);
    await es.faults!.set({ latencyMs: 100 });
    const runtime = new FlowRuntime('t', flow!, { registry, services });
    try {
      assert.deepEqual(await runtime.start(), []);
      await runtime.untilIdle();
      const stats = await es.faults!.stats();
      assert.equal(stats.bulk.items, 400);
      assert.equal(stats.bulk.requests, 8);
      assert.equal(runtime.node('put').stats.in.totalCount, 400);
      assert.equal(maxInFlight, 4, 'four _bulk requests were in flight together');
    } finally {
      await runtime.close();
      await es.close();
    }
  });
});
