// sluice run <flow.json>: runs a flow headless, optionally until it is idle.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowRuntime } from '../../engine/flow-runtime.ts';
import { TieredContentStore } from '../../engine/content/store.ts';
import { consoleLogger } from '../../engine/logger.ts';
import { formatDataSize } from '../../engine/units.ts';
import { CliError, loadFlowToRun } from '../load.ts';

export interface RunOptions { param?: string[]; untilIdle?: boolean; quiet?: boolean; redis?: string }

export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  if (opts.redis) return (await import('../../cluster/run.ts')).runOnCluster(file, { ...opts, redis: opts.redis });
  const loaded = loadFlowToRun(file, opts.param);
  if (!loaded) return 2;
  const { flow, registry, services, parameters } = loaded;
  const contentDir = mkdtempSync(join(tmpdir(), 'sluice-content-'));
  const runtime = new FlowRuntime(flow.id ?? 'cli', flow, {
    registry, services, parameters, logger: consoleLogger(), contentStore: new TieredContentStore(contentDir),
  });
  let errors = 0;
  runtime.bulletins.subscribe((b) => { if (b.level === 'ERROR') errors++; });
  const started = Date.now();
  try {
    const failures = await runtime.start();
    if (failures.length) {
      throw new CliError(`could not start:\n${failures.map((f) => `  ${f.id}: ${f.error}`).join('\n')}`, 1);
    }
    if (opts.untilIdle) await runtime.untilIdle();
    else {
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    await runtime.close();
    rmSync(contentDir, { recursive: true, force: true });
  }
  if (!opts.quiet) process.stdout.write(summary(runtime, Date.now() - started));
  return errors > 0 ? 1 : 0;
}

function summary(runtime: FlowRuntime, ms: number): string {
  const rows = [...runtime.nodes.values()].map((n) => [
    n.name, n.type,
    String(n.stats.in.totalCount), formatDataSize(n.stats.in.totalBytes),
    String(n.stats.out.totalCount), formatDataSize(n.stats.out.totalBytes),
  ]);
  const head = ['processor', 'type', 'in', 'in bytes', 'out', 'out bytes'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const bulletins = runtime.bulletins.list().filter((b) => b.level === 'ERROR' || b.level === 'WARNING');
  return [
    line(head), ...rows.map(line),
    ...(bulletins.length ? ['', `${bulletins.length} bulletin(s):`, ...bulletins.slice(-20).map((b) => `  ${b.level} ${b.processorName}: ${b.message}`)] : []),
    '', `finished in ${(ms / 1000).toFixed(3)} s`, '',
  ].join('\n');
}
