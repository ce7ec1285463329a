// Cluster-wide status: processor counters summed over the nodes' heartbeats, queue sizes from the
// shared counters in Redis, and the cluster-wide idle test used by `sluice run --redis --until-idle`.
import type { Redis } from 'ioredis';
import { DEFAULT_BACK_PRESSURE } from '../engine/queue/queue.ts';
import { parseDataSize } from '../engine/units.ts';
import type { ClusterKeys } from './keys.ts';
import type { ClusterStateStore, DesiredState } from './state-store.ts';
import type { Counts, NodeRecord, NodeRegistry } from './registry.ts';

export interface StatusDeps { redis: Redis; keys: ClusterKeys; store: ClusterStateStore; registry: NodeRegistry }

export interface ClusterProcessorStatus {
  id: string;
  name: string;
  type: string;
  desiredState: DesiredState;
  /** Run state on each live node. */
  states: Record<string, string>;
  /** Nodes where it runs. */
  running: number;
  activeTasks: number;
  totals: { in: Counts; out: Counts; tasks: number };
  /** The same counters per node (dead nodes keep their last report until forgotten). */
  perNode: Record<string, { in: Counts; out: Counts; tasks: number }>;
}

export interface ClusterConnectionStatus {
  id: string;
  name?: string;
  source: string;
  destination: string;
  queue: string;
  queued: Counts;
  backPressure: { objectThreshold: number; dataSizeThreshold: number; percent: number; full: boolean };
}

export interface ClusterFlowStatus {
  flowId: string;
  name: string;
  version: number;
  timestamp: number;
  nodes: { id: string; alive: boolean; heartbeatAgeMs: number; primary: boolean; version: number | null; idle: boolean | null; problems: string[] }[];
  processors: ClusterProcessorStatus[];
  connections: ClusterConnectionStatus[];
  /** Latest warnings and errors from every node, newest last. */
  bulletins: { node: string; time: number; level: string; processorId: string; message: string }[];
}

/** Queued FlowFiles and bytes per connection, cluster-wide. */
export async function queuedCounts(redis: Redis, keys: ClusterKeys, flowId: string, connectionIds: readonly string[]): Promise<Map<string, Counts>> {
  const out = new Map<string, Counts>();
  if (connectionIds.length === 0) return out;
  const p = redis.pipeline();
  for (const c of connectionIds) p.hmget(keys.counters(keys.queueName(flowId, c)), 'n', 'b');
  const res = (await p.exec()) ?? [];
  connectionIds.forEach((c, i) => {
    const v = (res[i]?.[1] ?? [null, null]) as (string | null)[];
    out.set(c, { count: Math.max(0, Number(v[0] ?? 0)), bytes: Math.max(0, Number(v[1] ?? 0)) });
  });
  return out;
}

export async function clusterFlowStatus(deps: StatusDeps, flowId: string): Promise<ClusterFlowStatus | null> {
  const [flow, nodes] = await Promise.all([deps.store.getFlow(flowId), deps.registry.list()]);
  if (!flow) return null;
  const def = flow.definition;
  const queued = await queuedCounts(deps.redis, deps.keys, flowId, def.connections.map((c) => c.id));
  const zero = (): Counts => ({ count: 0, bytes: 0 });
  const processors: ClusterProcessorStatus[] = def.processors.map((p) => {
    const s: ClusterProcessorStatus = {
      id: p.id, name: p.name ?? p.id, type: p.type, desiredState: flow.states[p.id] ?? 'STOPPED',
      states: {}, running: 0, activeTasks: 0, totals: { in: zero(), out: zero(), tasks: 0 }, perNode: {},
    };
    for (const n of nodes) {
      const r = n.flows[flowId]?.processors[p.id];
      if (!r) continue;
      if (n.alive) {
        s.states[n.id] = r.state;
        if (r.state === 'RUNNING') s.running++;
        s.activeTasks += r.activeTasks;
      }
      s.perNode[n.id] = { in: r.in, out: r.out, tasks: r.tasks };
      s.totals.in.count += r.in.count; s.totals.in.bytes += r.in.bytes;
      s.totals.out.count += r.out.count; s.totals.out.bytes += r.out.bytes;
      s.totals.tasks += r.tasks;
    }
    return s;
  });
  const connections: ClusterConnectionStatus[] = def.connections.map((c) => {
    const objectThreshold = c.backPressure?.objectThreshold ?? DEFAULT_BACK_PRESSURE.objectThreshold;
    const dataSizeThreshold = c.backPressure?.dataSizeThreshold !== undefined ? parseDataSize(c.backPressure.dataSizeThreshold) ?? DEFAULT_BACK_PRESSURE.dataSizeThreshold : DEFAULT_BACK_PRESSURE.dataSizeThreshold;
    const q = queued.get(c.id) ?? zero();
    const percent = Math.max(q.count / objectThreshold, dataSizeThreshold > 0 ? q.bytes / dataSizeThreshold : 0) * 100;
    return {
      id: c.id, name: c.name, source: c.source, destination: c.destination, queue: deps.keys.queueName(flowId, c.id), queued: q,
      backPressure: { objectThreshold, dataSizeThreshold, percent: Math.round(percent * 10) / 10, full: percent >= 100 },
    };
  });
  return {
    flowId, name: def.name, version: flow.version, timestamp: Date.now(),
    nodes: nodes.map((n) => ({
      id: n.id, alive: n.alive, heartbeatAgeMs: n.heartbeatAgeMs, primary: n.primary,
      version: n.flows[flowId]?.version ?? null, idle: n.flows[flowId]?.idle ?? null, problems: n.flows[flowId]?.problems ?? [],
    })),
    processors, connections,
    bulletins: nodes.flatMap((n) => (n.flows[flowId]?.bulletins ?? []).map((b) => ({ node: n.id, ...b }))).sort((a, b) => a.time - b.time).slice(-50),
  };
}

export interface IdleCheck {
  idle: boolean;
  /** Why not (for progress messages). */
  reason: string;
  /** Heartbeat sequence of every live worker at the time of the check. */
  seqs: Record<string, number>;
}

/**
 * Idle cluster-wide: every live worker runs the current version and reports nothing in flight
 * (sources exhausted, no active task, nothing buffered), and every connection's shared counter is
 * zero (nothing waiting, delayed or leased anywhere). Callers should see it twice, with every
 * worker's heartbeat having moved on in between.
 */
export async function clusterFlowIdle(deps: StatusDeps, flowId: string, primary: string | null): Promise<IdleCheck> {
  const flow = await deps.store.getFlow(flowId);
  const seqs: Record<string, number> = {};
  if (!flow) return { idle: false, reason: `flow "${flowId}" is not in the cluster`, seqs };
  const nodes: NodeRecord[] = (await deps.registry.list()).filter((n) => n.alive && n.roles.includes('worker'));
  if (nodes.length === 0) return { idle: false, reason: 'no live worker', seqs };
  for (const n of nodes) {
    seqs[n.id] = n.seq;
    const f = n.flows[flowId];
    if (!f || f.version !== flow.version) return { idle: false, reason: `node ${n.id} has not loaded version ${flow.version} yet`, seqs };
    if (!f.idle) return { idle: false, reason: `node ${n.id} is busy`, seqs };
  }
  // A processor meant to run must run somewhere (a primary-node-only one: on the primary), unless it cannot start.
  for (const p of flow.definition.processors) {
    if (flow.states[p.id] !== 'RUNNING') continue;
    const runs = nodes.some((n) => n.flows[flowId]?.processors[p.id]?.state === 'RUNNING');
    const broken = nodes.every((n) => (n.flows[flowId]?.problems ?? []).some((m) => m.startsWith(`${p.id}: `) || m.startsWith('flow version')));
    if (!runs && !broken) return { idle: false, reason: `processor "${p.id}" runs on no node yet${primary === null ? ' (no primary node)' : ''}`, seqs };
  }
  const queued = await queuedCounts(deps.redis, deps.keys, flowId, flow.definition.connections.map((c) => c.id));
  for (const [c, q] of queued) if (q.count > 0) return { idle: false, reason: `${q.count} FlowFile(s) queued in "${c}"`, seqs };
  return { idle: true, reason: '', seqs };
}
