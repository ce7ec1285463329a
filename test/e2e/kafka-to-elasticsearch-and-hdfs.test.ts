// End to end: the canonical flow (flows/examples/kafka-to-elasticsearch-and-hdfs.json) with the
// Kafka broker, Elasticsearch and WebHDFS as separate processes (the protocol test servers, or real
// services through KAFKA_BROKERS / ES_URL / WEBHDFS_URL) and Sluice itself in a child process.
//   normal run   ES holds exactly N documents under their deterministic ids, the HDFS files hold
//                exactly N lines, and committed Kafka offsets never run ahead of what both sinks hold
//   crash run    Sluice is SIGKILLed three times mid-run: ES still holds exactly N, HDFS at least N
//                lines with every record present; the duplicates are reported
// N = SLUICE_E2E_RECORDS (default 50,000).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { spawnKafkaTestBroker, type SpawnedKafkaBroker } from '../support/kafka/process.ts';
import { elasticsearchForTests, webhdfsForTests, type ServiceForTests } from '../support/env.ts';
import type { EsFaultPatch } from '../support/elasticsearch/faults.ts';
import type { WebHdfsFaultPatch } from '../support/webhdfs/faults.ts';
import { WebHdfsClient } from '../../processors/hdfs/webhdfs-client.ts';
import { validateFlow, formatProblems } from '../../server/flow/validate.ts';
import { fullProcessorRegistry, fullServiceRegistry } from './registry.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FLOW = join(ROOT, 'flows/examples/kafka-to-elasticsearch-and-hdfs.json');
const CHILD = fileURLToPath(new URL('./sluice-child.ts', import.meta.url));
const N = Number(process.env.SLUICE_E2E_RECORDS ?? 50_000);
const PARTITIONS = 3;
const RUN_TIMEOUT_MS = Number(process.env.SLUICE_E2E_TIMEOUT_MS ?? 150_000);

let work: string;
let broker: SpawnedKafkaBroker | null = null;
let brokers: string;
let es: ServiceForTests<EsFaultPatch>;
let hdfs: ServiceForTests<WebHdfsFaultPatch>;
let esClient: Client;
let hdfsClient: WebHdfsClient;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const children = new Set<ChildProcess>();
const runId = `${process.pid}-${Date.now().toString(36)}`;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
  const external = process.env.KAFKA_BROKERS?.trim();
  if (external) brokers = external;
  else {
    broker = await spawnKafkaTestBroker({ defaultPartitions: PARTITIONS, minSessionTimeoutMs: 1000 });
    brokers = broker.brokers;
  }
  [es, hdfs] = await Promise.all([elasticsearchForTests({ process: true }), webhdfsForTests({ process: true })]);
  esClient = new Client({ node: es.url });
  hdfsClient = new WebHdfsClient({ namenodes: [hdfs.url], user: 'sluice' });
  kafka = new Kafka({ clientId: 'sluice-e2e', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await Promise.all([admin.connect(), producer.connect()]);
});

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await producer?.disconnect().catch(() => {});
  await admin?.disconnect().catch(() => {});
  await esClient?.close();
  hdfsClient?.close();
  await Promise.all([es?.close(), hdfs?.close(), broker?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------- helpers

/** Produces N records "seq,user,action,amount", round-robin over the partitions; returns the count per partition. */
async function produce(topic: string): Promise<number[]> {
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
  const perPartition = new Array(PARTITIONS).fill(0);
  const actions = ['view', 'click', 'buy', 'share'];
  const BATCH = 5000;
  for (let start = 0; start < N; start += BATCH) {
    const messages = [];
    for (let i = start; i < Math.min(N, start + BATCH); i++) {
      const p = i % PARTITIONS;
      perPartition[p]++;
      messages.push({ partition: p, value: `${i},user${i % 97},${actions[i % actions.length]},${(i * 7) % 1000}` });
    }
    await producer.send({ topic, acks: -1, messages });
  }
  return perPartition;
}

interface Scenario {
  topic: string;
  group: string;
  indexPrefix: string;
  hdfsDir: string;
  flowPath: string;
  params: Record<string, string>;
  perPartition: number[];
  log: string;
}

async function scenario(name: string): Promise<Scenario> {
  const topic = `events-${name}-${runId}`;
  const perPartition = await produce(topic);
  const s: Scenario = {
    topic,
    group: `sluice-${name}-${runId}`,
    indexPrefix: `e2e-${name}-${runId}`.toLowerCase(),
    hdfsDir: `/e2e/${runId}/${name}/events`,
    flowPath: join(work, `${name}.flow.json`),
    params: {},
    perPartition,
    log: join(work, `${name}.sluice.log`),
  };
  s.params = {
    'kafka.brokers': brokers,
    'kafka.topic': s.topic,
    'kafka.group': s.group,
    'es.url': es.url,
    'es.index.prefix': s.indexPrefix,
    'hdfs.namenode.url': hdfs.url,
    'hdfs.user': 'sluice',
    'hdfs.dir': s.hdfsDir,
    'dead.letter.dir': `/e2e/${runId}/${name}/dead-letter`,
    'merge.max.age': '2 sec',
  };
  // The canonical flow as shipped, plus consumer timeouts short enough that a killed member's
  // partitions move to its successor within seconds.
  const flow = JSON.parse(readFileSync(FLOW, 'utf8'));
  const consume = flow.processors.find((p: { id: string }) => p.id === 'consume');
  Object.assign(consume.properties, { 'session.timeout.ms': '3000', 'heartbeat.interval.ms': '500', 'rebalance.timeout.ms': '6000' });
  writeFileSync(s.flowPath, JSON.stringify(flow));
  return s;
}

interface RunningSluice {
  child: ChildProcess;
  exited: Promise<number | null>;
}

function startSluice(s: Scenario): Promise<RunningSluice> {
  const out = createWriteStream(s.log, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, s.flowPath, JSON.stringify(s.params)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { children.delete(child); resolve(code); }));
  child.stderr!.pipe(out, { end: false });
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      out.write(d);
      seen += d.toString();
      if (seen.includes('sluice child started')) resolve({ child, exited });
    });
    child.once('exit', (code) => reject(new Error(`sluice exited with ${code} before starting; see ${s.log}:\n${readFileSync(s.log, 'utf8').slice(-3000)}`)));
  });
}

async function stopSluice(r: RunningSluice): Promise<void> {
  r.child.kill('SIGTERM');
  const t = setTimeout(() => r.child.kill('SIGKILL'), 15_000);
  await r.exited;
  clearTimeout(t);
}

/** Committed offset (next offset to read) per partition; 0 when none. */
async function committed(s: Scenario): Promise<number[]> {
  const res = await admin.fetchOffsets({ groupId: s.group, topics: [s.topic] });
  const out = new Array(PARTITIONS).fill(0);
  for (const p of res[0]?.partitions ?? []) out[p.partition] = Math.max(0, Number(p.offset));
  return out;
}

async function esCount(s: Scenario): Promise<number> {
  await esClient.indices.refresh({ index: `${s.indexPrefix}-*`, allow_no_indices: true, ignore_unavailable: true });
  return (await esClient.count({ index: `${s.indexPrefix}-*`, allow_no_indices: true, ignore_unavailable: true })).count;
}

/** Every expected document id present: counted through ids queries in chunks. */
async function esIdsPresent(s: Scenario): Promise<number> {
  const ids: string[] = [];
  s.perPartition.forEach((n, p) => { for (let o = 0; o < n; o++) ids.push(`${s.topic}-${p}-${o}`); });
  let found = 0;
  for (let i = 0; i < ids.length; i += 5000) {
    const res = await esClient.count({ index: `${s.indexPrefix}-*`, query: { ids: { values: ids.slice(i, i + 5000) } } });
    found += res.count;
  }
  return found;
}

/** Lines of the finished (renamed, not dot-prefixed) HDFS files, cached: such files never change. */
class HdfsLines {
  private readonly files = new Map<string, string[]>();
  async scan(dir: string): Promise<void> {
    const st = await hdfsClient.getFileStatus(dir);
    if (!st) return;
    for (const e of await hdfsClient.listStatus(dir)) {
      const path = `${dir}/${e.pathSuffix}`;
      if (e.type === 'DIRECTORY') await this.scan(path);
      else if (!e.pathSuffix.startsWith('.') && !this.files.has(path)) {
        this.files.set(path, (await hdfsClient.read(path)).toString('utf8').split('\n').filter((l) => l.trim() !== ''));
      }
    }
  }
  get fileCount(): number { return this.files.size; }
  summary(perPartition: number[]): { lines: number; unique: number; present: Set<string>[] } {
    const present = perPartition.map(() => new Set<string>());
    let lines = 0;
    for (const list of this.files.values()) {
      for (const line of list) {
        lines++;
        const doc = JSON.parse(line) as Record<string, string>;
        present[Number(doc['kafka.partition'])].add(doc['kafka.offset']);
      }
    }
    return { lines, unique: present.reduce((a, s) => a + s.size, 0), present };
  }
}

interface Sample { committed: number[]; es: number; lines: number; unique: number }

/** One observation. Commits are read first: anything committed then must already be in both sinks. */
async function sample(s: Scenario, hdfsLines: HdfsLines): Promise<Sample> {
  const c = await committed(s);
  const esN = await esCount(s);
  await hdfsLines.scan(s.hdfsDir);
  const h = hdfsLines.summary(s.perPartition);
  const totalCommitted = c.reduce((a, b) => a + b, 0);
  assert.ok(totalCommitted <= esN, `offsets for ${totalCommitted} records committed, but Elasticsearch holds ${esN}`);
  c.forEach((upTo, p) => {
    for (let o = 0; o < upTo; o++) {
      if (!h.present[p].has(String(o))) assert.fail(`partition ${p}: offset ${upTo} committed but record ${o} is not in HDFS`);
    }
  });
  return { committed: c, es: esN, lines: h.lines, unique: h.unique };
}

async function until(s: Scenario, hdfsLines: HdfsLines, done: (x: Sample) => boolean, what: string, timeoutMs = RUN_TIMEOUT_MS): Promise<Sample> {
  const deadline = Date.now() + timeoutMs;
  let last: Sample | null = null;
  for (;;) {
    last = await sample(s, hdfsLines);
    if (done(last)) return last;
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting for ${what}: ${JSON.stringify(last)}; Sluice log ${s.log}:\n${readFileSync(s.log, 'utf8').slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

const complete = (x: Sample) => x.es === N && x.unique === N && x.committed.reduce((a, b) => a + b, 0) === N;

async function esConflicts(): Promise<number> {
  if (!es.faultsAvailable) return NaN;
  const stats = await es.faults!.stats();
  return stats.bulk.itemsByResult.version_conflict_engine_exception ?? 0;
}

// ---------------------------------------------------------------- tests

describe(`Kafka → Sluice → Elasticsearch + HDFS, end to end (N = ${N})`, { timeout: 2 * RUN_TIMEOUT_MS + 60_000 }, () => {
  test('the canonical flow is valid with every processor and service registered', () => {
    const { flow, problems } = validateFlow(JSON.parse(readFileSync(FLOW, 'utf8')), fullProcessorRegistry(), { services: fullServiceRegistry() });
    assert.ok(flow, formatProblems(problems));
  });

  test('a normal run: exactly N documents by id, N lines in HDFS, offsets committed after both sinks', async () => {
    const s = await scenario('normal');
    const hdfsLines = new HdfsLines();
    const conflictsBefore = await esConflicts();
    const started = Date.now();
    const sluice = await startSluice(s);
    let final: Sample;
    try {
      final = await until(s, hdfsLines, complete, 'all records in both sinks and committed');
    } finally {
      await stopSluice(sluice);
    }
    const seconds = (Date.now() - started) / 1000;
    assert.equal(final.es, N);
    assert.equal(await esIdsPresent(s), N, 'every document is under its topic-partition-offset id');
    assert.equal(final.lines, N, 'no duplicates without a crash');
    assert.deepEqual(final.committed, s.perPartition);
    const dead = await hdfsClient.getFileStatus(s.params['dead.letter.dir']);
    assert.ok(dead === null || (await hdfsClient.listStatus(s.params['dead.letter.dir'])).length === 0, 'nothing went to the dead letters');
    const h = hdfsLines.summary(s.perPartition);
    console.log(`e2e normal: ${N} records in ${seconds.toFixed(1)} s (${Math.round(N / seconds)} records/s); ES ${final.es} docs; HDFS ${h.lines} lines in ${hdfsLines.fileCount} files; ` +
      `committed ${final.committed.join('/')}; ES create conflicts ${(await esConflicts()) - conflictsBefore}`);
  });

  test('SIGKILL three times mid-run: ES still exactly N, HDFS has every record (duplicates reported)', async () => {
    const s = await scenario('crash');
    const hdfsLines = new HdfsLines();
    const conflictsBefore = await esConflicts();
    const started = Date.now();
    const kills: string[] = [];
    let sluice = await startSluice(s);
    try {
      for (let k = 1; k <= 3; k++) {
        const threshold = Math.floor((N * k) / 4);
        const at = await until(s, hdfsLines, (x) => x.es >= threshold || complete(x), `progress past ${threshold}`);
        sluice.child.kill('SIGKILL');
        await sluice.exited;
        kills.push(`kill ${k} at ES ${at.es}, HDFS ${at.unique}, committed ${at.committed.reduce((a, b) => a + b, 0)}`);
        sluice = await startSluice(s);
      }
      await until(s, hdfsLines, complete, 'all records after three crashes');
    } finally {
      await stopSluice(sluice);
    }
    const final = await sample(s, hdfsLines);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(final.es, N, 'deterministic ids: replays create no extra documents');
    assert.equal(await esIdsPresent(s), N);
    assert.equal(final.unique, N, 'no record lost in HDFS');
    assert.ok(final.lines >= N);
    const duplicates = final.lines - N;
    console.log(`e2e crash: ${N} records in ${seconds.toFixed(1)} s with 3 SIGKILLs (${kills.join('; ')}); ES ${final.es} docs ` +
      `(${(await esConflicts()) - conflictsBefore} re-delivered creates answered 409 = already there); HDFS ${final.lines} lines, ${final.unique} distinct, ${duplicates} duplicates ` +
      `(${((duplicates / N) * 100).toFixed(2)} %)`);
  });
});
