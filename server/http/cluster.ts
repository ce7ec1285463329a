// Cluster mode (`sluice serve --redis`): the flows run on the cluster's workers, so the API's status
// and queue sizes come from the cluster (counters summed over the nodes' heartbeats, queue sizes from
// the shared counters in Redis), laid over the flow manager's status in the embedded format.
import type { Bulletin } from '../engine/bulletins.ts';
import type { BulletinLevel } from '../sdk/context.ts';
import type { ClusterFlowStatus } from '../cluster/status.ts';
import type { NodeRecord } from '../cluster/registry.ts';
import type { FlowStatus } from '../manager/status.ts';
import { scrub } from '../manager/sensitive.ts';

/** What the API needs of the cluster attachment (ClusterAttachment satisfies it). */
export interface ClusterView {
  readonly node: { readonly id: string };
  nodes(): Promise<NodeRecord[]>;
  flowStatus(flowId: string): Promise<ClusterFlowStatus | null>;
}

/** How long the API waits for Redis before answering with the manager's status alone. */
const CLUSTER_TIMEOUT_MS = 2_000;

/** The cluster's status of a flow, or null when it is not there yet or Redis does not answer in time. */
export async function clusterFlowStatus(cluster: ClusterView, flowId: string): Promise<ClusterFlowStatus | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), CLUSTER_TIMEOUT_MS); });
  try {
    return await Promise.race([cluster.flowStatus(flowId).catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The manager's status (desired states, problems) with the cluster's run states, counters, queue
 * sizes and bulletins. The cluster reports totals only, so `in`/`out` carry the totals and
 * `read`/`written` stay zero.
 */
export function overlayClusterStatus(base: FlowStatus, cs: ClusterFlowStatus | null, secrets: readonly string[], bulletinLimit = 50): FlowStatus {
  if (!cs || base.runState === 'INVALID') return base;
  const counts = { running: 0, stopped: 0, disabled: 0, invalid: base.counts.invalid };
  const byId = new Map(cs.processors.map((p) => [p.id, p]));
  const processors = base.processors.map((p) => {
    const c = byId.get(p.id);
    if (!c) {
      if (p.state === 'RUNNING') counts.running++; else if (p.state === 'DISABLED') counts.disabled++; else counts.stopped++;
      return p;
    }
    const state: FlowStatus['processors'][number]['state'] = p.desiredState === 'DISABLED' ? 'DISABLED' : c.running > 0 ? 'RUNNING' : 'STOPPED';
    if (state === 'RUNNING') counts.running++; else if (state === 'DISABLED') counts.disabled++; else counts.stopped++;
    return {
      ...p, state, activeTasks: c.activeTasks,
      in: { ...c.totals.in }, out: { ...c.totals.out },
      totals: { in: { ...c.totals.in }, out: { ...c.totals.out }, tasks: c.totals.tasks },
    };
  });
  const queues = new Map(cs.connections.map((c) => [c.id, c]));
  const connections = base.connections.map((c) => {
    const q = queues.get(c.id);
    return q ? { ...c, queued: { ...q.queued }, backPressure: { ...q.backPressure } } : c;
  });
  const enabled = processors.length - counts.disabled;
  const runState: FlowStatus['runState'] = counts.running === 0 ? 'STOPPED' : counts.running === enabled ? 'RUNNING' : 'PARTIAL';
  const names = new Map(base.processors.map((p) => [p.id, p.name]));
  const bulletins: Bulletin[] = bulletinLimit > 0
    ? cs.bulletins.slice(-bulletinLimit).map((b, i) => ({
      id: i + 1, time: b.time, flowId: base.flowId, processorId: b.processorId, processorName: names.get(b.processorId) ?? b.processorId,
      level: b.level as BulletinLevel, message: scrub(`[${b.node}] ${b.message}`, secrets),
    }))
    : [];
  return { ...base, runState, counts, processors, connections, bulletins, timestamp: cs.timestamp };
}

/** GET /api/cluster's node list: what the editor's Cluster panel shows. */
export function describeNodes(nodes: readonly NodeRecord[], self: string) {
  return nodes.map((n) => ({
    id: n.id, self: n.id === self, alive: n.alive, heartbeatAgeMs: n.heartbeatAgeMs, roles: [...n.roles], primary: n.primary,
    activeTasks: n.activeTasks, version: n.version, host: n.host, pid: n.pid, startedAt: new Date(n.startedAt).toISOString(),
    flows: Object.keys(n.flows).length,
  }));
}
