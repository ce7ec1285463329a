// A cluster node: watches the state store and runs every flow it holds with BullMQ-backed
// connection queues (when it is a worker), keeps primary-node-only processors on the primary only,
// writes heartbeats to the node registry and answers cross-node acks.
import { hostname, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FlowRuntime } from '../engine/flow-runtime.ts';
import { TieredContentStore, type ContentStore } from '../engine/content/store.ts';
import { silentLogger, type Logger } from '../engine/logger.ts';
import { DEFAULT_BACK_PRESSURE } from '../engine/queue/queue.ts';
import { parseDataSize, parseTimePeriod } from '../engine/units.ts';
import type { ConnectionConfig } from '../flow/schema.ts';
import { validateFlow, formatProblems } from '../flow/validate.ts';
import type { ProcessorRegistry } from '../sdk/registry.ts';
import type { ServiceRegistry } from '../sdk/services.ts';
import type { Bulletin } from '../engine/bulletins.ts';
import type { ClusterSettings } from './settings.ts';
import { ClusterKeys } from './keys.ts';
import { checkRedis, connectRedis, type RedisCheck } from './connection.ts';
import { Ledger } from './ledger.ts';
import { ContentOffload } from './content.ts';
import { AckTracker } from './acks.ts';
import { RedisQueue, type NodeCounters, type QueueContext } from './queue.ts';
import { ClusterStateStore, withStates, type StoredFlow, type DesiredState } from './state-store.ts';
import { NodeRegistry, type FlowReport, type NodeRecord, type NodeReport, type ProcessorReport } from './registry.ts';
import { PrimaryLock } from './primary.ts';
import { clusterFlowIdle, clusterFlowStatus, type ClusterFlowStatus, type IdleCheck } from './status.ts';

export interface ClusterNodeOptions {
  settings: ClusterSettings;
  registry: ProcessorRegistry;
  services?: ServiceRegistry;
  logger?: Logger;
  /** Runs processors (default true). An API-only node only reads and writes the cluster state. */
  worker?: boolean;
  /** Extra roles reported in the registry (e.g. "api"). */
  roles?: string[];
  nodeId?: string;
  /** Where large content created by processors goes (default: a temporary directory). */
  contentDir?: string;
  /** Called for every bulletin of a flow running here. */
  onBulletin?: (flowId: string, bulletin: Bulletin) => void;
}

interface Totals { in: { count: number; bytes: number }; out: { count: number; bytes: number }; tasks: number }

class FlowHost {
  runtime: FlowRuntime | null = null;
  readonly queues = new Map<string, RedisQueue>();
  problems: string[] = [];
  /** The desired states and primary flag last applied, to skip no-op syncs and failed retries. */
  applied = '';
  unsubscribe: (() => void) | null = null;
  /** Latest warnings and errors, for the heartbeat. */
  readonly bulletins: { time: number; level: string; processorId: string; message: string }[] = [];
  constructor(readonly id: string, readonly version: number) {}
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch { return '0.0.0'; }
}

export class ClusterNode {
  readonly id: string;
  readonly keys: ClusterKeys;
  readonly settings: ClusterSettings;
  readonly worker: boolean;
  readonly version = packageVersion();
  redis!: Redis;
  private sub!: Redis;
  store!: ClusterStateStore;
  registry!: NodeRegistry;
  acks!: AckTracker;
  check: RedisCheck | null = null;
  private ledger!: Ledger;
  private content!: ContentOffload;
  private lock: PrimaryLock | null = null;
  private readonly hosts = new Map<string, FlowHost>();
  private readonly carried = new Map<string, Map<string, Totals>>();
  readonly counters: NodeCounters = { redelivered: 0, redeliveredJobs: 0, contentMissing: 0, jobsWritten: 0, jobsCompleted: 0, contentUploads: 0, contentBytesUploaded: 0 };
  private readonly log: Logger;
  private readonly contentStore: ContentStore;
  private readonly contentDir: string;
  private readonly ownContentDir: boolean;
  private timers: NodeJS.Timeout[] = [];
  private syncing: Promise<void> | null = null;
  private syncAgain = false;
  private lastRevision = -1;
  private seq = 0;
  private jobSeq = 0;
  private closed = false;
  private started = false;
  readonly startedAt = Date.now();

  constructor(private readonly options: ClusterNodeOptions) {
    this.settings = options.settings;
    this.id = options.nodeId ?? `n${randomBytes(5).toString('hex')}`;
    if (!/^[A-Za-z0-9_-]+$/.test(this.id)) throw new Error(`node id "${this.id}" may only use letters, digits, "_" and "-"`);
    this.keys = new ClusterKeys(this.settings.prefix);
    this.worker = options.worker ?? true;
    this.log = (options.logger ?? silentLogger).child({ node: this.id });
    this.ownContentDir = !options.contentDir;
    this.contentDir = options.contentDir ?? mkdtempSync(join(tmpdir(), 'sluice-node-'));
    this.contentStore = new TieredContentStore(this.contentDir);
  }

  get isPrimary(): boolean { return this.lock?.isPrimary ?? false; }

  /** Connects (refusing a Redis that may evict keys), then joins the cluster. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const s = this.settings;
    this.redis = connectRedis(s.redisUrl, `sluice-${this.id}`);
    try {
      this.check = await checkRedis(this.redis, s.redisUrl, this.log);
    } catch (e) {
      this.redis.disconnect();
      throw e;
    }
    this.sub = connectRedis(s.redisUrl, `sluice-${this.id}-sub`);
    this.store = new ClusterStateStore(this.redis, this.keys);
    this.registry = new NodeRegistry(this.redis, this.keys, s.heartbeatMs);
    this.ledger = new Ledger(this.redis, this.keys.root, s.contentTtlSec, this.id);
    this.content = new ContentOffload(this.redis, this.keys, s.contentTtlSec);
    this.acks = new AckTracker(this.redis, this.sub, this.keys, this.id, this.log);
    const changes = this.keys.changes();
    const ackChannel = this.keys.ackChannel(this.id);
    this.sub.on('message', (channel: string, message: string) => {
      if (channel === ackChannel) this.acks.handleMessage(message);
      else if (channel === changes) this.requestSync();
    });
    await this.sub.subscribe(changes);
    await this.acks.start();
    if (this.worker) {
      this.lock = new PrimaryLock(this.redis, this.keys.primary(), this.id, s.primaryTtlMs, (primary) => {
        this.log.info({ primary }, primary ? 'this node is now the primary node' : 'this node is no longer the primary node');
        for (const h of this.hosts.values()) h.applied = '';
        this.requestSync();
      }, this.log);
      this.lock.start();
    }
    await this.sync();
    await this.beat().catch(() => undefined);
    this.every(s.heartbeatMs, () => this.beat());
    this.every(s.statePollMs, async () => {
      const rev = await this.store.revision();
      if (rev !== this.lastRevision) this.requestSync();
    });
    this.every(s.counterRefreshMs, () => this.refreshCounters());
    if (this.worker) this.every(5_000, () => this.reconcile());
    this.log.info({ redis: s.redisUrl, worker: this.worker, aof: this.check.aof }, 'joined the cluster');
  }

  private every(ms: number, fn: () => Promise<unknown>): void {
    let busy = false;
    const t = setInterval(() => {
      if (busy || this.closed) return;
      busy = true;
      fn().catch((e) => this.log.debug({}, `periodic task failed: ${(e as Error).message}`)).finally(() => { busy = false; });
    }, ms);
    this.timers.push(t);
  }

  // ---- following the state store ----

  requestSync(): void {
    void this.sync();
  }

  /** Brings the flows running here in line with the store; resolves after a pass that started after the call. */
  sync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.syncAgain = true;
    if (!this.syncing) this.syncing = this.syncLoop();
    return this.syncing;
  }

  private async syncLoop(): Promise<void> {
    try {
      while (this.syncAgain && !this.closed) {
        this.syncAgain = false;
        await this.syncOnce().catch((e) => this.log.warn({}, `could not follow the cluster state: ${(e as Error).message}`));
      }
    } finally {
      this.syncing = null;
    }
  }

  private async syncOnce(): Promise<void> {
    const rev = await this.store.revision();
    const flows = await this.store.listFlows();
    this.lastRevision = rev;
    const seen = new Set<string>();
    for (const f of flows) {
      seen.add(f.id);
      if (!this.worker) continue;
      let host = this.hosts.get(f.id);
      if (host && host.version !== f.version) {
        await this.closeHost(host);
        this.hosts.delete(f.id);
        host = undefined;
      }
      if (!host) {
        host = this.build(f);
        this.hosts.set(f.id, host);
      }
      await this.apply(host, f);
    }
    for (const [id, host] of this.hosts) {
      if (!seen.has(id)) { await this.closeHost(host); this.hosts.delete(id); }
    }
  }

  private build(f: StoredFlow): FlowHost {
    const host = new FlowHost(f.id, f.version);
    const { flow, problems } = validateFlow(withStates(f), this.options.registry, { services: this.options.services });
    if (!flow) {
      host.problems = [`flow version ${f.version} cannot run on this node:\n${formatProblems(problems)}`];
      this.log.error({ flow: f.id }, host.problems[0]);
      return host;
    }
    const queues = host.queues;
    const ctx: QueueContext = {
      redis: this.redis,
      keys: this.keys,
      settings: this.settings,
      ledger: this.ledger,
      content: this.content,
      acks: this.acks,
      logger: this.log.child({ flow: f.id }),
      counters: this.counters,
      nextJobId: () => `${this.id}.${(++this.jobSeq).toString(36)}`,
      barrier: () => {
        let waits: Promise<void>[] | null = null;
        for (const q of queues.values()) if (q.hasPendingOut) (waits ??= []).push(q.whenFlushed());
        return waits ? Promise.all(waits).then(() => undefined) : Promise.resolve();
      },
      warn: (message) => host.runtime?.bulletin(null, 'WARNING', message),
    };
    try {
      const runtime = new FlowRuntime(f.id, flow, {
        registry: this.options.registry,
        services: this.options.services,
        contentStore: this.contentStore,
        logger: this.log.child({ flow: f.id }),
        queueFactory: (c: ConnectionConfig, flowId: string) => {
          const q = new RedisQueue(c.id, flowId, ctx, queueOptions(c));
          queues.set(c.id, q);
          return q;
        },
      });
      host.runtime = runtime;
      const onBulletin = this.options.onBulletin;
      host.unsubscribe = runtime.bulletins.subscribe((b) => {
        if (b.level === 'WARNING' || b.level === 'ERROR') {
          host.bulletins.push({ time: b.time, level: b.level, processorId: b.processorId, message: b.message.slice(0, 500) });
          if (host.bulletins.length > 10) host.bulletins.shift();
        }
        onBulletin?.(f.id, b);
      });
      this.log.info({ flow: f.id, version: f.version }, 'flow loaded');
    } catch (e) {
      host.problems = [(e as Error).message];
      this.log.error({ flow: f.id }, `flow version ${f.version} cannot run on this node: ${(e as Error).message}`);
    }
    return host;
  }

  /** Starts and stops processors to match the desired states (primary-node-only ones on the primary only). */
  private async apply(host: FlowHost, f: StoredFlow): Promise<void> {
    const rt = host.runtime;
    if (!rt) return;
    const primary = this.isPrimary;
    const key = `${primary}|${JSON.stringify(f.states)}`;
    if (host.applied === key) return;
    host.applied = key;
    const failures: string[] = [];
    const order = [...rt.nodes.values()].sort((a, b) => Number(a.isSource) - Number(b.isSource));
    // Stop first (sources last in the list above, so stop them first by walking it backwards)...
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i];
      const desired: DesiredState = f.states[node.id] ?? 'STOPPED';
      const run = desired === 'RUNNING' && (!node.definition.primaryNodeOnly || primary);
      if (!run && node.state === 'RUNNING') await rt.stopProcessor(node.id);
      if (desired === 'DISABLED' && node.state !== 'DISABLED') node.disable();
      if (desired !== 'DISABLED' && node.state === 'DISABLED') node.enable();
    }
    // ...then start, downstream before sources.
    for (const node of order) {
      const desired: DesiredState = f.states[node.id] ?? 'STOPPED';
      const run = desired === 'RUNNING' && (!node.definition.primaryNodeOnly || primary);
      if (run && node.state !== 'RUNNING') {
        try { await rt.startProcessor(node.id); } catch (e) { failures.push(`${node.id}: ${(e as Error).message}`); }
      }
    }
    for (const [cid, q] of host.queues) {
      const c = rt.connections.get(cid)!;
      await q.setConsuming(rt.nodes.get(c.config.destination)?.state === 'RUNNING');
    }
    host.problems = failures;
    if (failures.length) this.log.warn({ flow: host.id }, `could not start: ${failures.join('; ')}`);
  }

  private async closeHost(host: FlowHost): Promise<void> {
    const rt = host.runtime;
    if (!rt) return;
    await rt.stop();
    await Promise.all([...host.queues.values()].map((q) => q.close()));
    await rt.close();
    host.unsubscribe?.();
    // Counters of this node survive a flow's new version.
    const carry = this.carried.get(host.id) ?? new Map<string, Totals>();
    for (const n of rt.nodes.values()) {
      const t = carry.get(n.id) ?? { in: { count: 0, bytes: 0 }, out: { count: 0, bytes: 0 }, tasks: 0 };
      t.in.count += n.stats.in.totalCount; t.in.bytes += n.stats.in.totalBytes;
      t.out.count += n.stats.out.totalCount; t.out.bytes += n.stats.out.totalBytes;
      t.tasks += n.stats.tasks;
      carry.set(n.id, t);
    }
    this.carried.set(host.id, carry);
    this.log.info({ flow: host.id, version: host.version }, 'flow unloaded');
  }

  // ---- reporting ----

  /** The runtime of a flow on this node (tests, the API node's local view). */
  runtime(flowId: string): FlowRuntime | null {
    return this.hosts.get(flowId)?.runtime ?? null;
  }

  report(left = false): NodeReport {
    const flows: Record<string, FlowReport> = {};
    let activeTasks = 0;
    for (const [id, host] of this.hosts) {
      const rt = host.runtime;
      const carry = this.carried.get(id);
      const processors: Record<string, ProcessorReport> = {};
      let idle = true;
      if (rt) {
        for (const n of rt.nodes.values()) {
          const c = carry?.get(n.id);
          activeTasks += n.activeTasks;
          if (n.held.size > 0) idle = false;
          processors[n.id] = {
            state: n.state, activeTasks: n.activeTasks, tasks: n.stats.tasks + (c?.tasks ?? 0),
            in: { count: n.stats.in.totalCount + (c?.in.count ?? 0), bytes: n.stats.in.totalBytes + (c?.in.bytes ?? 0) },
            out: { count: n.stats.out.totalCount + (c?.out.count ?? 0), bytes: n.stats.out.totalBytes + (c?.out.bytes ?? 0) },
          };
        }
        if (!rt.isIdle()) idle = false;
        for (const q of host.queues.values()) if (q.hasPendingOut || q.leasedCount > 0) idle = false;
      }
      flows[id] = { version: host.version, idle, problems: host.problems, processors, bulletins: host.bulletins };
    }
    const c = this.counters;
    return {
      id: this.id, host: hostname(), pid: process.pid, version: this.version,
      roles: [...(this.worker ? ['worker'] : []), ...(this.options.roles ?? [])],
      startedAt: this.startedAt, seq: ++this.seq, primary: this.isPrimary, activeTasks, ...(left ? { left: true } : {}),
      counters: { ...c, acksCompleted: this.acks.completed, acksFailed: this.acks.failed },
      flows,
    };
  }

  private async beat(): Promise<void> {
    await this.registry.beat(this.report());
  }

  private async refreshCounters(): Promise<void> {
    const queues: RedisQueue[] = [];
    for (const h of this.hosts.values()) for (const q of h.queues.values()) queues.push(q);
    if (queues.length === 0) return;
    const p = this.redis.pipeline();
    for (const q of queues) p.hmget(q.countersKey, 'n', 'b');
    const res = (await p.exec()) ?? [];
    queues.forEach((q, i) => {
      const v = res[i]?.[1] as (string | null)[] | undefined;
      if (v) q.applyCounters({ n: Number(v[0] ?? 0), b: Number(v[1] ?? 0) });
    });
  }

  /** Primary only: settles ledger entries of jobs that no longer exist (a node died between steps). */
  private async reconcile(): Promise<void> {
    if (!this.isPrimary) return;
    // Generous: a node whose event loop stalls for a few seconds must not count as dead here.
    const deadAfter = Math.max(10_000, 10 * this.settings.heartbeatMs);
    const live = (await this.registry.list()).filter((n) => n.heartbeatAgeMs < deadAfter).map((n) => n.id);
    for (const h of this.hosts.values()) {
      for (const q of h.queues.values()) {
        const ids = await this.redis.hkeys(q.ledgerKey);
        for (let i = 0; i < ids.length; i += 500) {
          const n = await this.ledger.reconcile(q.countersKey, q.ledgerKey, this.keys.bullJobPrefix(q.queueName), 15, live, ids.slice(i, i + 500));
          if (n) this.log.warn({ queue: q.queueName, jobs: n }, 'settled ledger entries of jobs that vanished');
        }
      }
    }
  }

  async nodes(): Promise<NodeRecord[]> {
    return this.registry.list();
  }

  async flowStatus(flowId: string): Promise<ClusterFlowStatus | null> {
    return clusterFlowStatus({ redis: this.redis, keys: this.keys, store: this.store, registry: this.registry }, flowId);
  }

  async flowIdle(flowId: string): Promise<IdleCheck> {
    return clusterFlowIdle({ redis: this.redis, keys: this.keys, store: this.store, registry: this.registry }, flowId, await this.primaryHolder());
  }

  /**
   * Resolves true once the flow is idle cluster-wide twice in a row, with every live worker's
   * heartbeat having moved on in between; false when `stop()` says so or the timeout passes.
   */
  async untilIdle(flowId: string, options: { timeoutMs?: number; stop?: () => boolean; onWait?: (reason: string) => void } = {}): Promise<boolean> {
    const until = Date.now() + (options.timeoutMs ?? Infinity);
    let previous: Record<string, number> | null = null;
    while (!options.stop?.() && Date.now() < until && !this.closed) {
      await new Promise((r) => setTimeout(r, Math.max(50, this.settings.heartbeatMs / 2)));
      const check = await this.flowIdle(flowId);
      if (!check.idle) { previous = null; options.onWait?.(check.reason); continue; }
      const prev = previous;
      if (prev && Object.keys(check.seqs).every((id) => prev[id] !== undefined && check.seqs[id] > prev[id])) return true;
      if (!prev) previous = check.seqs;
    }
    return false;
  }

  async primaryHolder(): Promise<string | null> {
    return this.redis.get(this.keys.primary());
  }

  /** Leaves the cluster: stops processors, writes what is buffered, gives leased jobs back. */
  async close(): Promise<void> {
    if (this.closed || !this.started) { this.closed = true; return; }
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    while (this.syncing) await this.syncing;
    await this.lock?.stop();
    for (const host of this.hosts.values()) await this.closeHost(host).catch((e) => this.log.warn({ flow: host.id }, `close failed: ${(e as Error).message}`));
    this.hosts.clear();
    // The last heartbeat stays listed (not alive) so the cluster's counters keep this node's share.
    await this.registry.beat(this.report(true)).catch(() => undefined);
    this.acks.close();
    this.sub.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
    if (this.ownContentDir) rmSync(this.contentDir, { recursive: true, force: true });
    this.log.info({}, 'left the cluster');
  }
}

function queueOptions(c: ConnectionConfig): { backPressure: { objectThreshold: number; dataSizeThreshold: number }; expirationMs: number } {
  return {
    backPressure: {
      objectThreshold: c.backPressure?.objectThreshold ?? DEFAULT_BACK_PRESSURE.objectThreshold,
      dataSizeThreshold: c.backPressure?.dataSizeThreshold !== undefined ? parseDataSize(c.backPressure.dataSizeThreshold) ?? DEFAULT_BACK_PRESSURE.dataSizeThreshold : DEFAULT_BACK_PRESSURE.dataSizeThreshold,
    },
    expirationMs: c.expiration ? parseTimePeriod(c.expiration) ?? 0 : 0,
  };
}
