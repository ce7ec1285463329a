// `sluice run flow.json --redis URL [--until-idle]`: submits the flow to the cluster (every
// processor RUNNING), works on it alongside the workers, and with --until-idle waits until the
// flow is idle cluster-wide, then removes it from the cluster and prints the cluster's counters.
import { basename } from 'node:path';
import type { FlowDefinition } from '../flow/schema.ts';
import { consoleLogger } from '../engine/logger.ts';
import { formatDataSize } from '../engine/units.ts';
import { CliError, loadFlowToRun } from '../cli/load.ts';
import { resolveClusterSettings, ClusterSettingsError } from './settings.ts';
import { RedisStartupError } from './connection.ts';
import { ClusterNode } from './node.ts';
import type { ClusterFlowStatus } from './status.ts';

export interface ClusterRunOptions { redis: string; prefix?: string; param?: string[]; untilIdle?: boolean; quiet?: boolean }

export async function runOnCluster(file: string, opts: ClusterRunOptions): Promise<number> {
  const loaded = loadFlowToRun(file, opts.param);
  if (!loaded) return 2;
  const { flow, registry, services, parameters } = loaded;
  let settings;
  try { settings = resolveClusterSettings({ redisUrl: opts.redis, prefix: opts.prefix }); } catch (e) {
    if (e instanceof ClusterSettingsError) throw new CliError(e.message, 2);
    throw e;
  }
  const logger = consoleLogger();
  let errors = 0;
  const node = new ClusterNode({
    settings, registry, services, logger, roles: ['runner'],
    onBulletin: (_f, b) => { if (b.level === 'ERROR') errors++; },
  });
  try { await node.start(); } catch (e) {
    if (e instanceof RedisStartupError) throw new CliError(e.message, 2);
    throw e;
  }
  const flowId = flow.id ?? basename(file).replace(/\.json$/i, '').replace(/[^A-Za-z0-9._-]/g, '-');
  const submitted: FlowDefinition = {
    ...flow, id: flowId, parameters: { ...flow.parameters, ...parameters },
    processors: flow.processors.map((p) => (p.state === 'DISABLED' ? p : { ...p, state: 'RUNNING' as const })),
  };
  const started = Date.now();
  let status: ClusterFlowStatus | null = null;
  let idle = false;
  try {
    await node.store.putFlow(flowId, submitted, 'definition');
    if (opts.untilIdle) {
      idle = await waitForIdle(node, flowId);
    } else {
      await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
    }
    status = await node.flowStatus(flowId);
    if (idle) {
      await node.store.deleteFlow(flowId);
      await node.sync();
      // Workers let go of the queues within a state poll; then the (empty) queues are removed.
      await new Promise((r) => setTimeout(r, Math.max(settings.statePollMs, settings.heartbeatMs) + 200));
      await node.store.purgeQueues(flowId);
    } else {
      const stopped: Record<string, 'STOPPED'> = {};
      for (const p of flow.processors) if (p.state !== 'DISABLED') stopped[p.id] = 'STOPPED';
      await node.store.setRunStates(flowId, stopped);
      process.stderr.write(`sluice: flow "${flowId}" stopped; its queued FlowFiles stay in Redis\n`);
    }
  } finally {
    await node.close();
  }
  if (!opts.quiet && status) process.stdout.write(summary(status, Date.now() - started));
  return errors > 0 ? 1 : 0;
}

async function waitForIdle(node: ClusterNode, flowId: string): Promise<boolean> {
  let interrupted = false;
  const stop = () => { interrupted = true; };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await node.untilIdle(flowId, { stop: () => interrupted });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function summary(status: ClusterFlowStatus, ms: number): string {
  const nodes = status.nodes.map((n) => n.id);
  const rows = status.processors.map((p) => [
    p.name, p.type,
    String(p.totals.in.count), formatDataSize(p.totals.in.bytes),
    String(p.totals.out.count), formatDataSize(p.totals.out.bytes),
    nodes.map((id) => `${id}:${p.perNode[id]?.in.count ?? 0}`).join(' '),
  ]);
  const head = ['processor', 'type', 'in', 'in bytes', 'out', 'out bytes', 'in per node'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), ...rows.map(line), '', `${nodes.length} node(s); finished in ${(ms / 1000).toFixed(3)} s`, ''].join('\n');
}
