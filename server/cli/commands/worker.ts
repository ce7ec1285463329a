// sluice worker: joins a Redis-backed cluster and runs the processors of every flow in it.
// Loading the cluster code is deferred to the action so other commands stay fast.
import { Command } from 'commander';
import { CliError } from '../load.ts';

export interface WorkerOptions { redis?: string; prefix?: string; nodeId?: string }

export function workerCommand(): Command {
  return new Command('worker')
    .description('Join a cluster as a worker: runs the processors of the flows kept in Redis')
    .option('--redis <url>', 'Redis URL, e.g. redis://host:6379 (env SLUICE_REDIS_URL)')
    .option('--prefix <prefix>', 'prefix of every Redis key (env SLUICE_REDIS_PREFIX, default "sluice")')
    .option('--node-id <id>', 'this node\'s id in the node registry (default: random)')
    .addHelpText('after', '\nTuning comes from the environment: SLUICE_BATCH_COUNT, SLUICE_BATCH_BYTES, SLUICE_BATCH_LINGER_MS,\nSLUICE_PREFETCH, SLUICE_JOB_LOCK_MS, SLUICE_PRIMARY_TTL_MS, SLUICE_HEARTBEAT_MS (see docs/DISTRIBUTED.md).')
    .action(async (opts: WorkerOptions) => { process.exitCode = await runWorker(opts); });
}

async function runWorker(opts: WorkerOptions): Promise<number> {
  const { resolveClusterSettings, ClusterSettingsError } = await import('../../cluster/settings.ts');
  const { RedisStartupError } = await import('../../cluster/connection.ts');
  const { ClusterNode } = await import('../../cluster/node.ts');
  const { consoleLogger } = await import('../../engine/logger.ts');
  const { createProcessorRegistry, createServiceRegistry } = await import('../../../processors/index.ts');
  let settings;
  try { settings = resolveClusterSettings({ redisUrl: opts.redis, prefix: opts.prefix }); } catch (e) {
    if (e instanceof ClusterSettingsError) throw new CliError(e.message, 2);
    throw e;
  }
  const node = new ClusterNode({
    settings, registry: createProcessorRegistry(), services: createServiceRegistry(), logger: consoleLogger(), nodeId: opts.nodeId,
  });
  try { await node.start(); } catch (e) {
    if (e instanceof RedisStartupError) throw new CliError(e.message, 2);
    throw e;
  }
  process.stdout.write(`sluice worker ${node.id} joined the cluster at ${settings.redisUrl.replace(/\/\/[^@/]*@/, '//***@')} (prefix "${settings.prefix}")\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) { process.stderr.write(`sluice: ${signal} again, exiting now\n`); process.exit(1); }
      stopping = true;
      resolve();
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  await node.close();
  process.stdout.write(`sluice worker ${node.id} left the cluster\n`);
  setTimeout(() => process.exit(0), 200).unref();
  return 0;
}
