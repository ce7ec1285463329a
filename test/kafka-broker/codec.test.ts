// Unit tests: primitives, schema codec, CRC-32C, RecordBatch v2 and framing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reader, Writer } from '../support/kafka/protocol/codec.ts';
import { loadDefinitions, stripJsonComments } from '../support/kafka/protocol/definitions.ts';
import { FrameDecoder } from '../support/kafka/protocol/framing.ts';
import { dataDef, decodeMessage, encodeMessage, requestDef, responseDef } from '../support/kafka/protocol/messages.ts';
import { SUPPORTED_VERSIONS } from '../support/kafka/protocol/api-keys.ts';
import { crc32c } from '../support/kafka/records/crc32c.ts';
import { buildBatch, buildControlBatch, controlBatchIsCommit, decodeBatchRecords, readBatchHeader, splitBatches, Compression } from '../support/kafka/records/batch.ts';

describe('codec primitives', () => {
  it('round-trips varints, varlongs and int64', () => {
    const values = [0, 1, -1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31), 2 ** 40 + 5, -(2 ** 45), Number.MAX_SAFE_INTEGER >> 2];
    const w = new Writer(4);
    for (const v of values) w.varint(v).int64(v).uvarint(Math.abs(v));
    const r = new Reader(w.toBuffer());
    for (const v of values) {
      assert.equal(r.varint(), v);
      assert.equal(r.int64(), v);
      assert.equal(r.uvarint(), Math.abs(v));
    }
    assert.equal(r.remaining, 0);
  });

  it('encodes zig-zag like protobuf', () => {
    assert.deepEqual([...new Writer().varint(-1).toBuffer()], [1]);
    assert.deepEqual([...new Writer().varint(1).toBuffer()], [2]);
    assert.deepEqual([...new Writer().varint(150).toBuffer()], [0xac, 0x02]);
  });

  it('compact and classic strings, nulls', () => {
    const w = new Writer();
    w.string('héllo', true, false).string(null as unknown as string, true, true).string('abc', false, false).string(null as unknown as string, false, true);
    const r = new Reader(w.toBuffer());
    assert.equal(r.compactString(), 'héllo');
    assert.equal(r.compactNullableString(), null);
    assert.equal(r.string(), 'abc');
    assert.equal(r.nullableString(), null);
  });

  it('keeps large byte payloads as separate chunks (zero copy)', () => {
    const big = Buffer.alloc(4096, 7);
    const w = new Writer();
    w.int32(1).bytesList([big, big], false).int16(2);
    const chunks = w.chunksOut();
    assert.ok(chunks.includes(big));
    const r = new Reader(Buffer.concat(chunks));
    assert.equal(r.int32(), 1);
    assert.equal(r.bytes().length, 8192);
    assert.equal(r.int16(), 2);
  });
});

describe('message definitions', () => {
  it('loads every JSON file from shared/kafka-protocol, comments stripped', () => {
    const defs = loadDefinitions();
    for (const key of Object.keys(SUPPORTED_VERSIONS).map(Number)) {
      assert.ok(defs.requests.get(key), `request ${key}`);
      assert.ok(defs.responses.get(key), `response ${key}`);
    }
    assert.equal(stripJsonComments('{"a": "x//y", // c\n "b": 1 /* z */}'), '{"a": "x//y", \n "b": 1 }');
  });

  it('round-trips a flexible Metadata v12 response with tagged fields and uuids', () => {
    const def = responseDef(3)!;
    const msg = {
      ThrottleTimeMs: 5,
      Brokers: [{ NodeId: 1, Host: 'h', Port: 9092, Rack: null }],
      ClusterId: 'c',
      ControllerId: 1,
      Topics: [{ ErrorCode: 0, Name: 't', TopicId: Buffer.alloc(16, 1), IsInternal: false, Partitions: [{ ErrorCode: 0, PartitionIndex: 0, LeaderId: 1, LeaderEpoch: 3, ReplicaNodes: [1], IsrNodes: [1], OfflineReplicas: [] }], TopicAuthorizedOperations: 7 }],
    };
    const buf = encodeMessage(def, 12, msg).toBuffer();
    const back = decodeMessage(def, 12, buf).msg;
    assert.equal(back.Topics[0].Name, 't');
    assert.deepEqual(back.Topics[0].TopicId, Buffer.alloc(16, 1));
    assert.equal(back.Topics[0].Partitions[0].LeaderEpoch, 3);
    assert.equal(back.ClusterAuthorizedOperations, -2147483648, 'absent in v12: its default');
  });

  it('fills defaults for fields absent from old versions', () => {
    const def = requestDef(1)!; // Fetch v4 has no SessionId / RackId
    const req = { ReplicaId: -1, MaxWaitMs: 100, MinBytes: 1, MaxBytes: 1000, IsolationLevel: 1, Topics: [{ Topic: 't', Partitions: [{ Partition: 0, FetchOffset: 5, PartitionMaxBytes: 100 }] }] };
    const back = decodeMessage(def, 4, encodeMessage(def, 4, req).toBuffer()).msg;
    assert.equal(back.SessionId, 0);
    assert.equal(back.SessionEpoch, -1);
    assert.equal(back.Topics[0].Partitions[0].FetchOffset, 5);
    assert.equal(back.Topics[0].Partitions[0].LogStartOffset, -1);
  });

  it('decodes the consumer protocol subscription used by JoinGroup', () => {
    const def = dataDef('ConsumerProtocolSubscription');
    const buf = encodeMessage(def, 1, { Topics: ['a', 'b'], UserData: null, OwnedPartitions: [{ Topic: 'a', Partitions: [0, 2] }] }).toBuffer();
    const back = decodeMessage(def, 1, buf).msg;
    assert.deepEqual(back.Topics, ['a', 'b']);
    assert.deepEqual(back.OwnedPartitions[0].Partitions, [0, 2]);
  });
});

describe('records', () => {
  it('computes CRC-32C (Castagnoli)', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(32)), 0x8a9136aa);
    const big = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff));
    assert.equal(crc32c(big, 0, 1000), crc32c(big.subarray(0, 1000)));
  });

  it('builds, validates and decodes RecordBatch v2 (plain and gzip)', () => {
    for (const compression of [Compression.none, Compression.gzip]) {
      const batch = buildBatch(
        [
          { key: 'k1', value: 'v1', timestamp: 1000, headers: { h: 'x' } },
          { key: null, value: 'v2', timestamp: 1500 },
        ],
        { compression },
      );
      const [{ header }] = splitBatches(batch);
      assert.equal(header.recordsCount, 2);
      assert.equal(header.lastOffsetDelta, 1);
      assert.equal(header.maxTimestamp, 1500);
      const recs = decodeBatchRecords(batch);
      assert.equal(recs[0].key?.toString(), 'k1');
      assert.equal(recs[0].headers[0].value?.toString(), 'x');
      assert.equal(recs[1].key, null);
      assert.equal(recs[1].timestamp, 1500);
      batch[batch.length - 1] ^= 1;
      assert.throws(() => splitBatches(batch), /CRC/);
    }
  });

  it('control batches carry the commit/abort marker', () => {
    const c = buildControlBatch(true, 42, 3);
    const h = readBatchHeader(c);
    assert.equal(h.producerId, 42);
    assert.equal(h.attributes & 0x30, 0x30);
    assert.equal(controlBatchIsCommit(c), true);
    assert.equal(controlBatchIsCommit(buildControlBatch(false, 42, 3)), false);
  });
});

describe('framing', () => {
  it('reassembles frames split at every byte boundary', () => {
    const frames = [Buffer.from('hello'), Buffer.alloc(0), Buffer.alloc(70000, 3)];
    const wire = Buffer.concat(frames.flatMap((f) => [Buffer.from([0, 0, 0, 0].map((_, i) => (f.length >>> (24 - i * 8)) & 0xff)), f]));
    for (const step of [1, 3, 7, 65536]) {
      const d = new FrameDecoder();
      const out: Buffer[] = [];
      for (let i = 0; i < wire.length; i += step) out.push(...d.push(wire.subarray(i, i + step)));
      assert.deepEqual(out.map((b) => b.length), [5, 0, 70000]);
      assert.ok(out[2].every((x) => x === 3));
    }
  });
});
