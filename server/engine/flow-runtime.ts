// A running flow: processor nodes wired by connection queues, one scheduler, bulletins and services.
import type { FlowDefinition, ConnectionConfig } from '../flow/schema.ts';
import { resolvedProperties } from '../flow/validate.ts';
import type { ProcessorRegistry } from '../sdk/registry.ts';
import type { ServiceRegistry } from '../sdk/services.ts';
import type { BulletinLevel } from '../sdk/context.ts';
import { ProcessorNode, DEFAULT_SETTINGS, type NodeEnvironment, type ProcessorSettings } from './processor-node.ts';
import { MemoryQueue } from './queue/memory-queue.ts';
import type { FlowFileQueue, DropReason } from './queue/queue.ts';
import { DEFAULT_BACK_PRESSURE } from './queue/queue.ts';
import type { FlowFile } from './flowfile.ts';
import type { AckHandle } from './ack.ts';
import { Scheduler } from './scheduler.ts';
import { BulletinBoard } from './bulletins.ts';
import { TieredContentStore, type ContentStore } from './content/store.ts';
import { silentLogger, type Logger } from './logger.ts';
import type { ProvenanceSink } from './provenance.ts';
import { parseDataSize, parseTimePeriod } from './units.ts';
import { ServiceManager } from './service-manager.ts';

export type QueueFactory = (connection: ConnectionConfig, flowId: string) => FlowFileQueue;

export interface RuntimeOptions {
  registry: ProcessorRegistry;
  services?: ServiceRegistry;
  contentStore?: ContentStore;
  logger?: Logger;
  provenance?: ProvenanceSink | null;
  /** Overrides for the flow's parameters. */
  parameters?: Record<string, string>;
  queueFactory?: QueueFactory;
  sliceMs?: number;
}

export interface RuntimeConnection {
  config: ConnectionConfig;
  queue: FlowFileQueue;
}

export function memoryQueueFor(c: ConnectionConfig): MemoryQueue {
  return new MemoryQueue(c.id, {
    backPressure: {
      objectThreshold: c.backPressure?.objectThreshold ?? DEFAULT_BACK_PRESSURE.objectThreshold,
      dataSizeThreshold: c.backPressure?.dataSizeThreshold !== undefined ? parseDataSize(c.backPressure.dataSizeThreshold) ?? DEFAULT_BACK_PRESSURE.dataSizeThreshold : DEFAULT_BACK_PRESSURE.dataSizeThreshold,
    },
    expirationMs: c.expiration ? parseTimePeriod(c.expiration) ?? 0 : 0,
    prioritizers: c.prioritizers,
  });
}

export function settingsFor(p: FlowDefinition['processors'][number], defaults?: { runSchedule?: string; concurrentTasks?: number }): ProcessorSettings {
  const s = p.scheduling ?? {};
  const ms = (v: string | undefined, d: number) => (v === undefined ? d : parseTimePeriod(v) ?? d);
  return {
    concurrentTasks: s.concurrentTasks ?? defaults?.concurrentTasks ?? DEFAULT_SETTINGS.concurrentTasks,
    runScheduleMs: ms(s.runSchedule ?? defaults?.runSchedule, DEFAULT_SETTINGS.runScheduleMs),
    cron: s.cron,
    penaltyMs: ms(s.penaltyDuration, DEFAULT_SETTINGS.penaltyMs),
    yieldMs: ms(s.yieldDuration, DEFAULT_SETTINGS.yieldMs),
    bulletinLevel: p.bulletinLevel ?? DEFAULT_SETTINGS.bulletinLevel,
    triggerLimit: s.triggerLimit,
    retry: p.retry ? { relationships: p.retry.relationships, maxRetries: p.retry.maxRetries, strategy: p.retry.backoff, maxBackoffMs: parseTimePeriod(p.retry.maxBackoffPeriod) ?? 600_000 } : undefined,
  };
}

export class FlowRuntime {
  readonly nodes = new Map<string, ProcessorNode>();
  readonly connections = new Map<string, RuntimeConnection>();
  readonly bulletins = new BulletinBoard();
  readonly scheduler: Scheduler;
  readonly contentStore: ContentStore;
  readonly logger: Logger;
  readonly services: ServiceManager;
  draining = false;
  private idleWaiters: { resolve: () => void }[] = [];
  private closed = false;
  readonly startedAt = Date.now();

  constructor(readonly id: string, readonly flow: FlowDefinition, private readonly options: RuntimeOptions) {
    this.scheduler = new Scheduler(options.sliceMs);
    this.contentStore = options.contentStore ?? new TieredContentStore(undefined);
    this.logger = options.logger ?? silentLogger;
    const params = { ...flow.parameters, ...options.parameters };
    this.services = new ServiceManager(flow.controllerServices, options.services, params, this.logger);

    const env: NodeEnvironment = {
      flowId: id,
      contentStore: this.contentStore,
      logger: this.logger,
      provenance: options.provenance ?? null,
      bulletin: (node, level, message) => this.bulletin(node, level, message),
      wake: () => this.scheduler.wake(),
      requestWake: (t) => this.scheduler.requestWake(t),
      controllerService: (sid) => this.services.instance(sid),
      get draining() { return runtime.draining; },
    };
    const runtime = this;

    for (const p of flow.processors) {
      const def = options.registry.get(p.type);
      if (!def) throw new Error(`unknown processor type "${p.type}"`);
      const node = new ProcessorNode(p.id, p.name ?? p.id, def, resolvedProperties(p.properties, params), settingsFor(p, def.defaultSchedule), p.autoTerminate, env);
      if (p.state === 'DISABLED') node.state = 'DISABLED';
      this.nodes.set(p.id, node);
    }
    for (const c of flow.connections) {
      const queue = options.queueFactory ? options.queueFactory(c, id) : memoryQueueFor(c);
      queue.onDrop = (dropped, reason) => this.onDrop(c.id, dropped, reason);
      queue.onAvailable = () => this.scheduler.wake();
      this.connections.set(c.id, { config: c, queue });
    }
    for (const node of this.nodes.values()) {
      const incoming: FlowFileQueue[] = [];
      const outgoing = new Map<string, FlowFileQueue[]>();
      for (const { config, queue } of this.connections.values()) {
        if (config.destination === node.id) incoming.push(queue);
        if (config.source === node.id) {
          for (const rel of config.relationships) {
            const list = outgoing.get(rel) ?? [];
            list.push(queue);
            outgoing.set(rel, list);
          }
        }
      }
      node.connect(incoming, outgoing);
      for (const desc of node.definition.properties) {
        if (!desc.controllerServiceType) continue;
        const ref = node.properties.get(desc.name)?.value;
        const problem = ref ? this.services.problemFor(ref) : undefined;
        if (problem) node.validationErrors.push(`"${desc.name}" ${problem}`);
      }
    }
    this.scheduler.setNodes(this.triggerOrder());
    this.scheduler.onQuiet = () => this.checkIdle();
  }

  /** Downstream first: reverse topological order, cycles broken by definition order. */
  private triggerOrder(): ProcessorNode[] {
    const order: ProcessorNode[] = [];
    const seen = new Set<string>();
    const visit = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      for (const { config } of this.connections.values()) if (config.source === id) visit(config.destination);
      const n = this.nodes.get(id);
      if (n) order.push(n);
    };
    for (const p of this.flow.processors) visit(p.id);
    return order;
  }

  node(id: string): ProcessorNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no processor with id "${id}"`);
    return n;
  }

  queue(connectionId: string): FlowFileQueue {
    const c = this.connections.get(connectionId);
    if (!c) throw new Error(`no connection with id "${connectionId}"`);
    return c.queue;
  }

  bulletin(node: ProcessorNode | null, level: BulletinLevel, message: string): void {
    this.bulletins.add({ flowId: this.id, processorId: node?.id ?? '', processorName: node?.name ?? '', level, message });
    const log = level === 'ERROR' ? 'error' : level === 'WARNING' ? 'warn' : 'info';
    this.logger[log]({ flow: this.id, processor: node?.id }, message);
  }

  private onDrop(connectionId: string, dropped: readonly FlowFile[], reason: DropReason): void {
    const why = reason === 'expired' ? `expired in connection "${connectionId}"` : `dropped when connection "${connectionId}" was emptied`;
    for (const ff of dropped) {
      const acks = ff.acks;
      if (acks === null) continue;
      if (Array.isArray(acks)) for (const h of acks as AckHandle[]) h.fail(`${ff.id} ${why}`);
      else (acks as AckHandle).fail(`${ff.id} ${why}`);
    }
    const prov = this.options.provenance;
    if (prov?.enabled) {
      const now = Date.now();
      for (const ff of dropped) prov.record({ timestamp: now, type: reason === 'expired' ? 'EXPIRE' : 'DROP', componentId: connectionId, componentType: 'Connection', flowFileId: ff.id, parentIds: [], childIds: [], details: why, size: ff.size, attributesAfter: ff.attributes() });
    }
    if (reason === 'expired') this.bulletin(null, 'WARNING', `${dropped.length} FlowFile(s) ${why}`);
  }

  // ---- run control ----

  /** Enables services and starts every processor that is valid and not disabled. Returns the ones that could not start. */
  async start(ids?: readonly string[]): Promise<{ id: string; error: string }[]> {
    await this.services.enableAll();
    const failures: { id: string; error: string }[] = [];
    for (const node of this.nodes.values()) {
      if (ids && !ids.includes(node.id)) continue;
      if (node.state === 'DISABLED') continue;
      try { await node.start(); } catch (e) { failures.push({ id: node.id, error: (e as Error).message }); }
    }
    this.scheduler.wake();
    return failures;
  }

  /** Stops sources first, then the rest, waiting for in-flight triggers. */
  async stop(): Promise<void> {
    const nodes = [...this.nodes.values()];
    await Promise.all(nodes.filter((n) => n.isSource).map((n) => n.stop()));
    await Promise.all(nodes.filter((n) => !n.isSource).map((n) => n.stop()));
  }

  async startProcessor(id: string): Promise<void> {
    const node = this.node(id);
    await this.services.enableAll();
    await node.start();
  }

  async stopProcessor(id: string): Promise<void> {
    await this.node(id).stop();
  }

  /** NiFi's "Run Once": one trigger, then stopped. */
  async runOnce(id: string): Promise<void> {
    const node = this.node(id);
    if (node.state === 'RUNNING') throw new Error(`processor "${node.name}" is already running`);
    await this.services.enableAll();
    const limit = node.settings.triggerLimit;
    node.settings = { ...node.settings, triggerLimit: 1 };
    try {
      await node.start();
      await new Promise<void>((resolve) => {
        const check = () => (node.triggerCount >= 1 && node.activeTasks === 0 ? resolve() : setTimeout(check, 5));
        check();
      });
    } finally {
      node.settings = { ...node.settings, triggerLimit: limit };
      await node.stop();
    }
  }

  /** Resolves once every source is exhausted, every queue is empty and nothing is in flight. */
  untilIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push({ resolve });
      this.scheduler.wake();
    });
  }

  isIdle(): boolean {
    for (const n of this.nodes.values()) {
      if (n.activeTasks > 0 || n.continuing) return false;
      if (n.state === 'RUNNING' && n.isSource && !n.isExhausted) return false;
    }
    for (const { queue } of this.connections.values()) if (queue.count() > 0) return false;
    return true;
  }

  private heldCount(): number {
    let held = 0;
    for (const n of this.nodes.values()) held += n.held.size;
    return held;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || this.closed) return;
    if (!this.isIdle()) { this.draining = false; return; }
    if (this.heldCount() > 0) {
      if (!this.draining) { this.draining = true; this.scheduler.wake(); }
      return;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.stop();
    this.closed = true;
    this.scheduler.close();
    await this.services.disableAll();
  }
}
