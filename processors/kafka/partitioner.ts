// The partitioner PublishKafka uses, compatible with the Java client's default partitioner for
// keyed records: partition = toPositive(murmur2(keyBytes)) % numPartitions, so the same key lands
// on the same partition whether Sluice, a Java producer or kafkajs's DefaultPartitioner wrote it.
// Records without a key are spread round-robin over the available partitions.
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const SEED = 0x9747b28c | 0;
const M = 0x5bd1e995 | 0;

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2) as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  switch (length & 3) {
    case 3: h ^= data[tail + 2] << 16; // falls through
    case 2: h ^= data[tail + 1] << 8; // falls through
    case 1:
      h ^= data[tail];
      h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

export const toPositive = (n: number): number => n & 0x7fffffff;

/** The partition for a key, as the Java client computes it. */
export function partitionForKey(key: Buffer | string, numPartitions: number): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  return toPositive(murmur2(bytes)) % numPartitions;
}

/**
 * A record names a partition the topic does not have. kafkajs would silently leave such records
 * out of the request and report success, so the partitioner fails the send instead.
 */
export class UnknownPartitionError extends Error {
  readonly retriable = false;
  constructor(topic: string, partition: number, count: number) {
    super(`topic "${topic}" has no partition ${partition} (it has ${count})`);
    this.name = 'UnknownPartitionError';
  }
}

/** kafkajs partitioner factory: explicit partition, else murmur2 of the key, else round-robin. */
export const createJavaCompatiblePartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    const explicit = message.partition;
    if (explicit !== undefined && explicit !== null) {
      if (!partitionMetadata.some((p) => p.partitionId === explicit)) throw new UnknownPartitionError(topic, explicit, partitionMetadata.length);
      return explicit;
    }
    const numPartitions = partitionMetadata.length;
    if (message.key !== undefined && message.key !== null) return partitionForKey(message.key, numPartitions);
    let counter = counters.get(topic);
    if (counter === undefined) counter = Math.floor(Math.random() * 0x7fffffff);
    counters.set(topic, ++counter);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return available[toPositive(counter) % available.length].partitionId;
    return toPositive(counter) % numPartitions;
  };
};
