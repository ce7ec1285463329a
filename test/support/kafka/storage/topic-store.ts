// Topics and their partition logs. With a data dir, each topic is a folder holding meta.json and
// one append-only `<partition>.log` per partition.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import { PartitionLog } from './partition-log.ts';

export interface Topic {
  name: string;
  id: Buffer;
  partitions: PartitionLog[];
  configs: Record<string, string | null>;
}

interface TopicMeta {
  name: string;
  id: string;
  partitions: number;
  configs: Record<string, string | null>;
}

const LEGAL = /^[a-zA-Z0-9._-]+$/;

export function validateTopicName(name: string | null | undefined): void {
  if (!name || name.length > 249 || name === '.' || name === '..' || !LEGAL.test(name)) {
    throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `invalid topic name ${JSON.stringify(name)}`);
  }
}

export class TopicStore {
  readonly topics = new Map<string, Topic>();
  private readonly dir: string | null;

  constructor(
    dataDir: string | null,
    readonly defaultPartitions: number,
  ) {
    this.dir = dataDir ? join(dataDir, 'topics') : null;
    if (this.dir) {
      mkdirSync(this.dir, { recursive: true });
      this.load();
    }
  }

  private load(): void {
    for (const name of readdirSync(this.dir!).sort()) {
      const metaPath = join(this.dir!, name, 'meta.json');
      if (!existsSync(metaPath)) continue;
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as TopicMeta;
      this.open(meta.name, Buffer.from(meta.id, 'hex'), meta.partitions, meta.configs ?? {});
    }
  }

  private open(name: string, id: Buffer, partitions: number, configs: Record<string, string | null>): Topic {
    const folder = this.dir ? join(this.dir, name) : null;
    const logs: PartitionLog[] = [];
    for (let p = 0; p < partitions; p++) logs.push(new PartitionLog(name, p, folder ? join(folder, `${p}.log`) : null));
    const topic: Topic = { name, id, partitions: logs, configs };
    this.topics.set(name, topic);
    return topic;
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  getById(id: Buffer): Topic | undefined {
    for (const t of this.topics.values()) if (t.id.equals(id)) return t;
    return undefined;
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  create(name: string, numPartitions = -1, configs: Record<string, string | null> = {}, validateOnly = false): Topic | null {
    validateTopicName(name);
    if (this.topics.has(name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${name}' already exists`);
    const n = numPartitions === -1 ? this.defaultPartitions : numPartitions;
    if (!Number.isInteger(n) || n < 1 || n > 10000) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `invalid partition count ${numPartitions}`);
    if (validateOnly) return null;
    const id = randomBytes(16);
    if (this.dir) {
      const folder = join(this.dir, name);
      mkdirSync(folder, { recursive: true });
      const meta: TopicMeta = { name, id: id.toString('hex'), partitions: n, configs };
      writeFileSync(join(folder, 'meta.json'), JSON.stringify(meta, null, 2));
    }
    return this.open(name, id, n, configs);
  }

  /** Returns the topic, creating it with the default partition count when `autoCreate`. */
  getOrCreate(name: string, autoCreate: boolean): Topic | undefined {
    const t = this.topics.get(name);
    if (t || !autoCreate) return t;
    return this.create(name) ?? undefined;
  }

  delete(name: string): void {
    const t = this.topics.get(name);
    if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${name}'`);
    for (const p of t.partitions) p.close();
    this.topics.delete(name);
    if (this.dir) rmSync(join(this.dir, name), { recursive: true, force: true });
  }

  close(): void {
    for (const t of this.topics.values()) for (const p of t.partitions) p.close();
  }
}
