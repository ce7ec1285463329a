// Unit tests of the Kafka building blocks that need no broker: the murmur2 partitioner, offset
// tracking, the record buffer, demarcators, header mapping, request packing, the connection
// service's validation and client configuration, and the processors' property validation.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Partitioners, CompressionTypes, type KafkaMessage, type PartitionMetadata } from 'kafkajs';
import { murmur2, partitionForKey, createJavaCompatiblePartitioner, UnknownPartitionError } from '../../processors/kafka/partitioner.ts';
import { OffsetTracker, PartitionTracker } from '../../processors/kafka/offset-tracker.ts';
import { RecordBuffer } from '../../processors/kafka/record-buffer.ts';
import { splitByDemarcator, joinWithDemarcator } from '../../processors/kafka/demarcator.ts';
import { attributesToHeaders, encodeKey, headersToAttributes, namePattern } from '../../processors/kafka/headers.ts';
import { packRequests, publish, type PublishItem } from '../../processors/kafka/publisher.ts';
import { kafkaClientConfig } from '../../processors/kafka/client-config.ts';
import { KafkaConnectionService, ConsumeKafka, PublishKafka, kafkaProcessors, kafkaServices } from '../../processors/kafka/index.ts';
import { resolveConfig } from '../../server/sdk/validate-config.ts';
import { FlowFile, updateAttributes, EMPTY_ATTRIBUTES } from '../../server/engine/flowfile.ts';
import { silentLogger } from '../../server/engine/logger.ts';
import { TestRunner } from '../../server/testing/test-runner.ts';

const meta = (n: number): PartitionMetadata[] => Array.from({ length: n }, (_, i) => ({ partitionErrorCode: 0, partitionId: i, leader: 1, replicas: [1], isr: [1] }));
const msg = (offset: number, value = `v${offset}`, key: string | null = null): KafkaMessage => ({ offset: String(offset), value: Buffer.from(value), key: key === null ? null : Buffer.from(key), timestamp: '0', attributes: 0, headers: {} });

describe('murmur2 partitioner', () => {
  it('matches the Java client\'s murmur2 test vectors', () => {
    const vectors: [string, number][] = [
      ['21', -973932308], ['foobar', -790332482], ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829], ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971], ['abc', 479470107],
    ];
    for (const [s, h] of vectors) assert.equal(murmur2(Buffer.from(s)), h, s);
  });

  it('agrees with kafkajs\'s (Java-compatible) DefaultPartitioner on random keys', () => {
    const theirs = Partitioners.DefaultPartitioner();
    const ours = createJavaCompatiblePartitioner();
    for (let i = 0; i < 2000; i++) {
      const key = randomBytes(i % 40);
      for (const n of [1, 3, 7, 32]) {
        const args = { topic: 't', partitionMetadata: meta(n), message: { key, value: null } };
        assert.equal(ours(args), theirs(args));
        assert.equal(partitionForKey(key, n), theirs(args));
      }
    }
  });

  it('honours an explicit partition, rejects an unknown one, and spreads keyless records', () => {
    const p = createJavaCompatiblePartitioner();
    assert.equal(p({ topic: 't', partitionMetadata: meta(3), message: { key: 'k', value: null, partition: 2 } }), 2);
    assert.throws(() => p({ topic: 't', partitionMetadata: meta(3), message: { value: null, partition: 3 } }), UnknownPartitionError);
    const seen = new Set<number>();
    for (let i = 0; i < 30; i++) seen.add(p({ topic: 't', partitionMetadata: meta(3), message: { value: null } }));
    assert.deepEqual([...seen].sort(), [0, 1, 2]);
  });
});

describe('offset tracking', () => {
  it('commits only the acknowledged prefix, whatever the acknowledgement order', () => {
    const t = new PartitionTracker('t', 0);
    const r1 = t.open(0, 9);
    const r2 = t.open(10, 19);
    const r3 = t.open(20, 29);
    assert.equal(t.ack(r3), false);
    assert.equal(t.pendingCommit(), -1, 'nothing before r3 is done');
    assert.equal(t.ack(r1), true);
    assert.equal(t.pendingCommit(), 10);
    t.committed = 10;
    assert.equal(t.pendingCommit(), -1);
    assert.equal(t.ack(r2), true);
    assert.equal(t.pendingCommit(), 30, 'r2 completes the prefix through r3');
    assert.equal(t.ack(r2), false, 'a second acknowledgement changes nothing');
  });

  it('a failed range and everything after it are abandoned and fetched again', () => {
    const t = new PartitionTracker('t', 0);
    for (let o = 0; o < 30; o++) assert.equal(t.accept(o), true);
    const r1 = t.open(0, 9);
    const r2 = t.open(10, 19);
    const r3 = t.open(20, 29);
    assert.equal(t.fail(r2), 10);
    assert.equal(t.nextOffset, 10);
    assert.equal(t.ack(r3), false, 'r3 was cancelled');
    assert.equal(t.ack(r1), true);
    assert.equal(t.pendingCommit(), 10, 'never past the failed range');
    assert.equal(t.accept(5), false, 'records before the failure are still ours');
    assert.equal(t.accept(10), true, 'the failed records are accepted again');
    const again = t.open(10, 29);
    t.ack(again);
    assert.equal(t.pendingCommit(), 30);
    assert.equal(t.fail(r2), -1, 'a stale failure is ignored');
  });

  it('revoked partitions ignore late acknowledgements and are not committed', () => {
    const tracker = new OffsetTracker();
    const a = tracker.getOrCreate('t', 0);
    const b = tracker.getOrCreate('t', 1);
    const ra = a.open(0, 4);
    const rb = b.open(0, 4);
    const revoked = tracker.retain((t) => t.partition === 1);
    assert.deepEqual(revoked, [a]);
    assert.equal(a.ack(ra), false);
    b.ack(rb);
    assert.deepEqual(tracker.commitList(), [{ topic: 't', partition: 1, offset: '5' }]);
  });

  it('handles many ranges without slowing down', () => {
    const t = new PartitionTracker('t', 0);
    const ranges = Array.from({ length: 50_000 }, (_, i) => t.open(i, i));
    for (let i = ranges.length - 1; i >= 1; i--) t.ack(ranges[i]);
    assert.equal(t.pendingCommit(), -1);
    t.ack(ranges[0]);
    assert.equal(t.pendingCommit(), 50_000);
    assert.equal(t.inFlight, 0);
  });
});

describe('record buffer', () => {
  it('hands out records in order, in bounded takes, and discards a partition from an offset', () => {
    const buf = new RecordBuffer();
    const p0 = new PartitionTracker('t', 0);
    const p1 = new PartitionTracker('t', 1);
    buf.push(p0, [msg(0), msg(1), msg(2)]);
    buf.push(p1, [msg(0), msg(1)]);
    buf.push(p0, [msg(3), msg(4)]);
    assert.equal(buf.count, 7);
    const first = buf.take(2);
    assert.deepEqual(first.map((s) => [s.tracker.partition, s.messages.map((m) => m.offset)]), [[0, ['0', '1']]]);
    assert.equal(buf.discard(p0, 3), 2);
    assert.equal(buf.count, 3);
    const rest = buf.take(100);
    assert.deepEqual(rest.map((s) => [s.tracker.partition, s.messages.map((m) => m.offset)]), [[0, ['2']], [1, ['0', '1']]]);
    assert.equal(buf.count, 0);
    assert.equal(buf.bytes, 0);
  });
});

describe('demarcators and headers', () => {
  it('splits and joins exactly', () => {
    const d = Buffer.from('||');
    const parts = splitByDemarcator(Buffer.from('a||bb||||c||'), d);
    assert.deepEqual(parts.map(String), ['a', 'bb', 'c']);
    assert.equal(joinWithDemarcator(parts, d).toString(), 'a||bb||c');
    assert.equal(joinWithDemarcator([Buffer.from('x'), null, Buffer.from('y')], Buffer.from('\n')).toString(), 'x\n\ny');
    assert.deepEqual(splitByDemarcator(Buffer.alloc(0), d), []);
  });

  it('maps headers to attributes and attributes to headers with whole-name patterns', () => {
    const out: Record<string, string> = {};
    headersToAttributes({ 'a.1': Buffer.from('x'), 'a.2': ['p', Buffer.from('q')], 'xa.3': 'no' }, namePattern('a\\..*'), 'utf8', out);
    assert.deepEqual(out, { 'a.1': 'x', 'a.2': 'q' });
    const ff = FlowFile.create(updateAttributes(EMPTY_ATTRIBUTES, { 'h.one': '1', other: '2' }));
    const headers = attributesToHeaders(ff, namePattern('h\\..*|filename'), 'utf8')!;
    assert.deepEqual(Object.keys(headers).sort(), ['filename', 'h.one']);
    assert.equal(String(headers['h.one']), '1');
    assert.equal(attributesToHeaders(ff, null, 'utf8'), undefined);
    assert.equal(encodeKey(Buffer.from([1, 0xab]), 'hex'), '01ab');
    assert.equal(encodeKey(Buffer.from('k'), 'do-not-add'), undefined);
    assert.equal(encodeKey(null, 'utf-8'), undefined);
  });
});

describe('request packing', () => {
  const item = (id: number, sizes: number[]): PublishItem<number> => ({ ref: id, topic: 't', messages: sizes.map((s) => ({ value: Buffer.alloc(s) })) });

  it('packs records into requests bounded by size and count; an oversized record fails its FlowFile', () => {
    const { requests, errors } = packRequests([item(0, [400, 400]), item(1, [5000]), item(2, [300, 300, 300])], 1024, 2);
    assert.match(errors[1]!, /exceeds the Max Request Size/);
    assert.equal(errors[0], undefined);
    assert.equal(requests.length, 3);
    assert.deepEqual(requests.map((r) => [...r.items]), [[0], [2], [2]]);
    for (const r of requests) assert.ok(r.bytes <= 1024 && r.count <= 2);
  });

  it('maps a failed request to the FlowFiles that had records in it', async () => {
    let calls = 0;
    const sender = { sendBatch: async () => { if (calls++ === 1) throw new Error('boom'); return []; } };
    const { errors, requests } = await publish(sender as never, [item(0, [600]), item(1, [600]), item(2, [600])], { acks: 1, compression: CompressionTypes.None, timeoutMs: 1000, maxRequestSize: 1024 });
    assert.equal(requests, 3);
    assert.deepEqual(errors.map((e) => e !== undefined), [false, true, false]);
  });
});

describe('KafkaConnectionService', () => {
  const problems = (props: Record<string, string>) => resolveConfig(KafkaConnectionService, props).problems.map((p) => `${p.property}: ${p.message}`);

  it('validates brokers, SASL credentials and PEM settings', () => {
    assert.deepEqual(problems({ 'Bootstrap Servers': 'a:9092, b:9093' }), []);
    assert.match(problems({ 'Bootstrap Servers': 'nohost' }).join(), /not host:port/);
    assert.match(problems({ 'Security Protocol': 'SASL_SSL' }).join(), /SASL Username: is required/);
    assert.deepEqual(problems({ 'Security Protocol': 'SASL_PLAINTEXT', 'SASL Mechanism': 'SCRAM-SHA-512', 'SASL Username': 'u', 'SASL Password': 'p' }), []);
    assert.match(problems({ 'Security Protocol': 'SSL', 'SSL CA Certificate': '/does/not/exist.pem' }).join(), /neither PEM text nor/);
    assert.match(problems({ 'Security Protocol': 'SSL', 'SSL Client Certificate': '-----BEGIN CERTIFICATE-----\nx' }).join(), /must be set together/);
    assert.match(problems({ 'SASL Mechanism': 'GSSAPI', 'Security Protocol': 'SASL_SSL', 'SASL Username': 'u', 'SASL Password': 'p' }).join(), /must be one of/);
    assert.ok(KafkaConnectionService.properties.find((p) => p.name === 'SASL Password')!.sensitive);
  });

  it('builds the kafkajs configuration for TLS and SASL', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n';
    const cfg = kafkaClientConfig({
      bootstrapServers: 'a:1,b:2', clientId: 'c', securityProtocol: 'SASL_SSL', saslMechanism: 'SCRAM-SHA-256', saslUsername: 'u', saslPassword: 'p',
      sslCa: pem, clientTimeoutMs: 1234, connectTimeoutMs: 567,
    }, silentLogger);
    assert.deepEqual(cfg.brokers, ['a:1', 'b:2']);
    assert.deepEqual(cfg.sasl, { mechanism: 'scram-sha-256', username: 'u', password: 'p' });
    assert.deepEqual((cfg.ssl as { ca: string[] }).ca, [pem]);
    assert.equal(cfg.requestTimeout, 1234);
    assert.equal(cfg.connectionTimeout, 567);
    const plain = kafkaClientConfig({ bootstrapServers: 'a:1', clientId: 'c', securityProtocol: 'PLAINTEXT', clientTimeoutMs: 1, connectTimeoutMs: 1 }, silentLogger);
    assert.equal(plain.ssl, undefined);
    assert.equal(plain.sasl, undefined);
  });

  it('is exported under both names, providing KafkaConnectionService', () => {
    assert.deepEqual(kafkaServices.map((s) => s.type), ['KafkaConnectionService', 'Kafka3ConnectionService']);
    for (const s of kafkaServices) assert.deepEqual(s.provides, ['KafkaConnectionService']);
    assert.deepEqual(kafkaProcessors.map((p) => p.type), ['ConsumeKafka', 'PublishKafka']);
  });
});

describe('processor configuration', () => {
  it('ConsumeKafka validates its NiFi properties and the Kafka consumer dynamic properties', () => {
    const r = new TestRunner(ConsumeKafka);
    r.setProperty('Kafka Connection Service', 'kafka');
    r.setProperty('Group ID', 'g');
    r.setProperty('Topics', 'a, b');
    assert.deepEqual(r.validate(), []);
    r.setProperty('Processing Strategy', 'DEMARCATOR');
    assert.match(r.validate().join(), /Message Demarcator" is required/);
    r.setProperty('Message Demarcator', '\n');
    r.setProperty('session.timeout.ms', '10000');
    assert.deepEqual(r.validate(), []);
    r.setProperty('bogus.setting', '1');
    assert.match(r.validate().join(), /not a supported Kafka consumer property/);
    r.removeProperty('bogus.setting');
    r.setProperty('Topic Format', 'pattern');
    r.setProperty('Topics', 'events-(');
    assert.match(r.validate().join(), /not a valid pattern/);
    assert.throws(() => r.setProperty('Auto Offset Reset', 'smallest'), /must be one of/);
    assert.throws(() => r.setProperty('Key Attribute Encoding', 'base64'), /must be one of/);
    assert.deepEqual(ConsumeKafka.relationships.map((x) => x.name), ['success']);
    assert.equal(ConsumeKafka.inputRequirement, 'forbidden');
  });

  it('PublishKafka uses NiFi\'s delivery guarantee and failure strategy names', () => {
    const names = (prop: string) => PublishKafka.properties.find((p) => p.name === prop)!.allowableValues!.map((v) => (typeof v === 'string' ? v : v.value));
    assert.deepEqual(names('Delivery Guarantee'), ['Best Effort', 'Guarantee Single Node Delivery', 'Guarantee Replicated Delivery']);
    assert.deepEqual(names('Failure Strategy'), ['Route to Failure', 'Rollback']);
    assert.deepEqual(names('Compression Type'), ['none', 'gzip']);
    assert.deepEqual(PublishKafka.relationships.map((x) => x.name), ['success', 'failure']);
  });
});
