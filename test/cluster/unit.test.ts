// Cluster pieces without a cluster: the batch codec, settings, key naming and the start-up checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowFile, Lineage, updateAttributes, EMPTY_ATTRIBUTES } from '../../server/engine/flowfile.ts';
import { MemoryClaim, EMPTY_CLAIM, type ContentClaim } from '../../server/engine/content/claim.ts';
import { AckHandle } from '../../server/engine/ack.ts';
import { encodeBatch, decodeBatch, accountingOf, subsetBatch, type EncodeHooks } from '../../server/cluster/codec.ts';
import { resolveClusterSettings, ClusterSettingsError } from '../../server/cluster/settings.ts';
import { ClusterKeys, safeName } from '../../server/cluster/keys.ts';
import { checkRedis, connectRedis, RedisStartupError } from '../../server/cluster/connection.ts';
import { silentLogger } from '../../server/engine/logger.ts';
import { PrivateRedis } from './support/harness.ts';

function hooks(offloadBytes = 1024): EncodeHooks & { stored: Map<ContentClaim, string> } {
  const ids = new Map<AckHandle, string>();
  const stored = new Map<ContentClaim, string>();
  return {
    offloadBytes, stored,
    ackId: (h) => { let id = ids.get(h); if (!id) ids.set(h, (id = `origin~${ids.size + 1}`)); return { id, origin: true }; },
    storedContent: (claim) => stored.get(claim),
    rememberContent: (claim, _o, _s, id) => { stored.set(claim, id); },
  };
}

test('the codec round-trips ids, attributes, content, lineage, parents and ack ids', () => {
  const parentClaim = new MemoryClaim(Buffer.from('alpha\nbeta\ngamma\n'));
  const base = updateAttributes(EMPTY_ATTRIBUTES, { filename: 'in.txt', path: './', 'fragment.identifier': 'x' });
  const ack = new AckHandle(() => undefined);
  const lineage = new Lineage('root-id', 1000);
  const children = [0, 6, 11].map((off, i) => new FlowFile(`child-${i}`, updateAttributes(base, { 'fragment.index': String(i + 1) }), parentClaim, off, [5, 4, 5][i], 2000 + i, lineage, 'parent-id', ack));
  const shared = updateAttributes(EMPTY_ATTRIBUTES, { a: '1' });
  const big = new MemoryClaim(Buffer.alloc(4096, 'z'));
  const others = [
    new FlowFile('same-1', shared, EMPTY_CLAIM, 0, 0, 3000, null, null, null),
    new FlowFile('same-2', shared, big, 0, 4096, 3001, null, ['p1', 'p2'], [ack, new AckHandle(() => undefined)]),
  ];
  const h = hooks();
  const { data, accounting, uploads } = encodeBatch([...children, ...others], h);
  // JSON is what BullMQ stores.
  const wire = JSON.parse(JSON.stringify(data));
  assert.equal(data.c.length, 1, 'the three splits share one blob');
  assert.equal(data.k.length, 1, 'the 4 KB content is offloaded');
  assert.equal(uploads.length, 1);
  assert.deepEqual(accounting.a, { 'origin~1': 4, 'origin~2': 1 });
  assert.deepEqual(accounting.s, { 'origin~1': 4, 'origin~2': 1 });
  assert.equal(accounting.n, 5);
  assert.equal(accounting.b, 14 + 4096);
  assert.deepEqual(accounting.c, { [uploads[0].id]: 1 });
  const proxies = new Map<string, AckHandle>();
  const { flowFiles, missing } = decodeBatch(wire, {
    ack: (id) => { let p = proxies.get(id); if (!p) proxies.set(id, (p = new AckHandle(() => undefined, id))); return p; },
    content: (id) => (id === uploads[0].id ? new MemoryClaim(big.read(0, 4096)) : undefined),
  });
  assert.deepEqual(missing, []);
  assert.deepEqual(flowFiles.map((f) => f.id), ['child-0', 'child-1', 'child-2', 'same-1', 'same-2']);
  assert.deepEqual(flowFiles.map((f) => f.content().toString()), ['alpha', 'beta', 'gamma', '', 'z'.repeat(4096)]);
  assert.deepEqual(flowFiles[1].attributes(), { filename: 'in.txt', path: './', 'fragment.identifier': 'x', 'fragment.index': '2', uuid: 'child-1' });
  assert.equal(flowFiles[2].lineage.rootId, 'root-id');
  assert.equal(flowFiles[2].lineage.startDate, 1000);
  assert.equal(flowFiles[0].lineage, flowFiles[2].lineage, 'one Lineage object per batch');
  assert.equal(flowFiles[0].parents, 'parent-id');
  assert.deepEqual(flowFiles[4].parents, ['p1', 'p2']);
  assert.equal(flowFiles[3].attributeMap, flowFiles[4].attributeMap, 'a shared attribute map stays shared');
  assert.equal(flowFiles[2].entryDate, 2002);
  assert.equal((flowFiles[0].acks as AckHandle).label, 'origin~1');
  assert.deepEqual((flowFiles[4].acks as AckHandle[]).map((a) => a.label), ['origin~1', 'origin~2']);
  assert.equal(flowFiles[3].lineage.rootId, 'same-1', 'a root keeps its own lineage');
  // Storing the same content again reuses the id.
  const again = encodeBatch([others[1]], h);
  assert.equal(again.uploads.length, 0);
  assert.deepEqual(again.data.k, data.k);
});

test('offloaded content that is gone decodes as missing; subsets keep their accounting', () => {
  const big = new MemoryClaim(Buffer.alloc(2048, 'q'));
  const ffs = [0, 1, 2].map((i) => new FlowFile(`f${i}`, EMPTY_ATTRIBUTES, i === 1 ? big : new MemoryClaim(Buffer.from(`v${i}`)), 0, i === 1 ? 2048 : 2, 1, null, null, null));
  const { data } = encodeBatch(ffs, hooks());
  const { flowFiles, missing } = decodeBatch(data, { ack: () => new AckHandle(() => undefined), content: () => undefined });
  assert.deepEqual(missing, [1]);
  assert.deepEqual(flowFiles.map((f) => f.id), ['f0', 'f2']);
  const rest = subsetBatch(data, [1, 2]);
  assert.equal(rest.f.length, 2);
  const acc = accountingOf(data, [1, 2]);
  assert.equal(acc.n, 2);
  assert.equal(acc.b, 2050);
  assert.deepEqual(Object.values(acc.c), [1]);
});

test('sparse ranges of one big claim are not shipped whole', () => {
  const claim = new MemoryClaim(Buffer.alloc(1_000_000, 'a'));
  const ffs = [new FlowFile('x', EMPTY_ATTRIBUTES, claim, 0, 10, 1, null, null, null), new FlowFile('y', EMPTY_ATTRIBUTES, claim, 999_990, 10, 1, null, null, null)];
  const { data } = encodeBatch(ffs, hooks(1_000_000));
  assert.equal(data.c.length, 2);
  assert.ok(JSON.stringify(data).length < 500);
});

test('settings come from options, then SLUICE_* variables, and are checked', () => {
  assert.throws(() => resolveClusterSettings({}, {}), ClusterSettingsError);
  assert.throws(() => resolveClusterSettings({ redisUrl: 'http://x' }, {}), /redis:\/\//);
  assert.throws(() => resolveClusterSettings({ redisUrl: 'redis://x', prefix: 'a b' }, {}), /prefix/);
  assert.throws(() => resolveClusterSettings({ redisUrl: 'redis://x' }, { SLUICE_BATCH_COUNT: 'many' }), /SLUICE_BATCH_COUNT/);
  const s = resolveClusterSettings({ batchCount: 7 }, { SLUICE_REDIS_URL: 'redis://h:1', SLUICE_BATCH_COUNT: '9', SLUICE_PREFETCH: '3', SLUICE_REDIS_PREFIX: 'p' });
  assert.equal(s.redisUrl, 'redis://h:1');
  assert.equal(s.batchCount, 7);
  assert.equal(s.prefetch, 3);
  assert.equal(s.prefix, 'p');
});

test('queue names escape what BullMQ and SCAN patterns cannot take', () => {
  const k = new ClusterKeys('px');
  assert.equal(k.queueName('flow.1', 'a:b*c'), 'flow~2e~1.a~3a~b~2a~c');
  assert.equal(safeName('ok_-9'), 'ok_-9');
  assert.deepEqual(k.flowPatterns('f'), ['px:f.*', 'px:sl:bp:f.*', 'px:sl:ledger:f.*']);
});

test('start-up refuses a Redis that may evict keys, saying how to fix it, and warns when AOF is off', { timeout: 30_000 }, async () => {
  const redis = await PrivateRedis.start(['--maxmemory-policy', 'allkeys-lru', '--appendonly', 'no']);
  const r = connectRedis(redis.url, 'check');
  const warnings: string[] = [];
  const logger = { ...silentLogger, warn: (_o: object | string, m?: string) => { warnings.push(String(m)); } };
  try {
    await assert.rejects(checkRedis(r, redis.url, logger), (e: Error) => e instanceof RedisStartupError && /allkeys-lru/.test(e.message) && /CONFIG SET maxmemory-policy noeviction/.test(e.message) && /redis\.conf/.test(e.message));
    await r.config('SET', 'maxmemory-policy', 'noeviction');
    const ok = await checkRedis(r, redis.url, logger);
    assert.equal(ok.aof, false);
    assert.ok(warnings.some((w) => /AOF/.test(w) && /appendonly yes/.test(w)), warnings.join('\n'));
  } finally {
    r.disconnect();
    await redis.destroy();
  }
});
