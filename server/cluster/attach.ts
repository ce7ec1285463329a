// What `sluice serve --redis URL [--worker]` calls: joins the cluster (an API node, and a worker too
// with --worker), mirrors the flow manager's flows and desired run states into the cluster state
// store, and answers cluster-wide status and the node registry for the API.
import type { FlowDefinition } from '../flow/schema.ts';
import type { ProcessorRegistry } from '../sdk/registry.ts';
import type { ServiceRegistry } from '../sdk/services.ts';
import { silentLogger, type Logger } from '../engine/logger.ts';
import type { Bulletin } from '../engine/bulletins.ts';
import { resolveClusterSettings, type ClusterSettings } from './settings.ts';
import { ClusterNode } from './node.ts';
import type { ClusterStateStore, DesiredState } from './state-store.ts';
import type { NodeRecord } from './registry.ts';
import type { ClusterFlowStatus } from './status.ts';

/** The parts of the FlowManager the mirror uses (FlowManager satisfies it). */
export interface ManagerLike {
  readonly events: {
    on(event: 'flow' | 'runState', listener: (e: any) => void): unknown;
    off(event: 'flow' | 'runState', listener: (e: any) => void): unknown;
  };
  all(): Iterable<{ readonly id: string; definition: FlowDefinition }>;
  has(id: string): boolean;
  require(id: string): { definition: FlowDefinition };
}

export interface AttachClusterOptions {
  /** Default: SLUICE_REDIS_URL. */
  redisUrl?: string;
  /** Default: SLUICE_REDIS_PREFIX, else "sluice". */
  prefix?: string;
  /** Also run processors here (`serve --worker`). */
  worker: boolean;
  registry: ProcessorRegistry;
  services?: ServiceRegistry;
  logger?: Logger;
  /** Mirror this manager's flows and desired run states into Redis (the API node's job). */
  manager?: ManagerLike;
  /** Bulletins of flows running on this node (with `worker`). */
  onBulletin?: (flowId: string, bulletin: Bulletin) => void;
  /** Other settings (tests); environment variables fill the rest. */
  settings?: Partial<ClusterSettings>;
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ClusterAttachment {
  readonly node: ClusterNode;
  readonly store: ClusterStateStore;
  /** Every node with heartbeat age, liveness, roles, version, active tasks, primary flag and counters. */
  nodes(): Promise<NodeRecord[]>;
  /** Cluster-wide status of one flow: counters summed over nodes, queue sizes from Redis. */
  flowStatus(flowId: string): Promise<ClusterFlowStatus | null>;
  /** Resolves once the manager's state has been written (tests). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Joins the cluster. Throws RedisStartupError (a clear message) when Redis may evict keys, and
 * ClusterSettingsError for a missing or malformed URL.
 */
export async function attachCluster(options: AttachClusterOptions): Promise<ClusterAttachment> {
  const settings = resolveClusterSettings({ ...options.settings, ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}), ...(options.prefix ? { prefix: options.prefix } : {}) }, options.env ?? process.env);
  const logger = options.logger ?? silentLogger;
  const node = new ClusterNode({
    settings, registry: options.registry, services: options.services, logger, worker: options.worker, roles: ['api'], onBulletin: options.onBulletin,
  });
  await node.start();
  const mirror = options.manager ? new ManagerMirror(options.manager, node.store, logger) : null;
  if (mirror) {
    try { await mirror.start(); } catch (e) { await node.close(); throw e; }
  }
  return {
    node,
    store: node.store,
    nodes: () => node.nodes(),
    flowStatus: (id) => node.flowStatus(id),
    settled: () => mirror?.settled() ?? Promise.resolve(),
    async close() {
      mirror?.stop();
      await mirror?.settled();
      await node.close();
    },
  };
}

function stripStates(def: FlowDefinition): string {
  return JSON.stringify({ ...def, processors: def.processors.map(({ state: _s, ...p }) => p) });
}

function desiredStates(def: FlowDefinition): Record<string, DesiredState> {
  return Object.fromEntries(def.processors.map((p) => [p.id, p.state ?? 'STOPPED']));
}

/** Writes the manager's flows and run states to the store, in the order they happen. */
export class ManagerMirror {
  private chain: Promise<void> = Promise.resolve();
  private readonly onFlow = (e: { flowId: string; change: 'created' | 'updated' | 'deleted' }) => this.enqueue(() => this.flowChanged(e.flowId, e.change));
  private readonly onRunState = (e: { flowId: string; processorId: string; desiredState: DesiredState }) => this.enqueue(() => this.store.setRunState(e.flowId, e.processorId, e.desiredState));

  constructor(private readonly manager: ManagerLike, private readonly store: ClusterStateStore, private readonly logger: Logger) {}

  /** Pushes every flow the manager holds (unchanged definitions keep their version), then follows changes. */
  async start(): Promise<void> {
    for (const f of this.manager.all()) {
      const stored = await this.store.getFlow(f.id);
      if (stored && JSON.stringify(stored.definition) === stripStates({ ...f.definition, id: f.id })) {
        await this.store.setRunStates(f.id, desiredStates(f.definition));
      } else {
        await this.store.putFlow(f.id, f.definition, 'definition');
      }
    }
    this.manager.events.on('flow', this.onFlow);
    this.manager.events.on('runState', this.onRunState);
  }

  stop(): void {
    this.manager.events.off('flow', this.onFlow);
    this.manager.events.off('runState', this.onRunState);
  }

  settled(): Promise<void> { return this.chain; }

  private enqueue(fn: () => Promise<void>): void {
    this.chain = this.chain.then(fn).catch((e) => this.logger.error({}, `could not write a flow change to the cluster: ${(e as Error).message}`));
  }

  private async flowChanged(flowId: string, change: 'created' | 'updated' | 'deleted'): Promise<void> {
    if (change === 'deleted' || !this.manager.has(flowId)) {
      await this.store.deleteFlow(flowId);
      // Nodes let go of the flow within a state poll; its queues (and what they held) go after.
      setTimeout(() => {
        void this.store.getFlow(flowId).then((again) => (again ? undefined : this.store.purgeQueues(flowId))).catch(() => undefined);
      }, 5_000).unref();
      return;
    }
    await this.store.putFlow(flowId, this.manager.require(flowId).definition, 'definition');
  }
}
