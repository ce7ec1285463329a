// sluice serve: the HTTP API, live status and the UI, with flows persisted in the data dir.
// Loading the server is deferred to the action so other commands stay fast.
import { Command } from 'commander';
import { CliError } from '../load.ts';

export interface ServeOptions { host?: string; port?: string; dataDir?: string; redis?: string; prefix?: string; worker?: boolean }

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the server: REST API, live status (socket.io) and UI, flows kept in the data dir')
    .option('--host <host>', 'address to bind (env SLUICE_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (env SLUICE_PORT, default 8080; 0 = any free port)')
    .option('--data-dir <dir>', 'where flows, the token and content live (env SLUICE_DATA_DIR, default ./data)')
    .option('--redis <url>', 'cluster mode: join the cluster at this Redis URL; the flows run on its workers (env SLUICE_REDIS_URL)')
    .option('--prefix <prefix>', 'cluster mode: prefix of every Redis key (env SLUICE_REDIS_PREFIX, default "sluice")')
    .option('--worker', 'cluster mode: this server runs processors too (env SLUICE_WORKER)')
    .addHelpText('after', '\nOther settings come from the environment: SLUICE_TOKEN, SLUICE_ALLOWED_PATHS, SLUICE_ALLOWED_HOSTS,\nSLUICE_PROVENANCE_EVENTS,\nSLUICE_PROVENANCE_RATE, SLUICE_MAX_BODY, SLUICE_SHUTDOWN_TIMEOUT, SLUICE_LOG_LEVEL (see docs/API.md).\nCluster tuning (with --redis): SLUICE_BATCH_COUNT, SLUICE_PREFETCH, SLUICE_JOB_LOCK_MS, ... (see docs/DISTRIBUTED.md).')
    .action(async (opts: ServeOptions) => { process.exitCode = await serve(opts); });
}

async function serve(opts: ServeOptions): Promise<number> {
  const { SettingsError } = await import('../../manager/settings.ts');
  const { startServer } = await import('../../http/server.ts');
  let server;
  try {
    server = await startServer({
      host: opts.host, port: opts.port as unknown as number | undefined, dataDir: opts.dataDir,
      redisUrl: opts.redis, worker: opts.worker, redisPrefix: opts.prefix,
    });
  } catch (e) {
    if (e instanceof SettingsError) throw new CliError(e.message, 2);
    if (opts.redis !== undefined || process.env.SLUICE_REDIS_URL) {
      // Loaded only in cluster mode: embedded mode never loads the cluster code.
      const { ClusterSettingsError } = await import('../../cluster/settings.ts');
      const { RedisStartupError } = await import('../../cluster/connection.ts');
      if (e instanceof RedisStartupError || e instanceof ClusterSettingsError) throw new CliError(`cannot join the cluster: ${e.message}`, 2);
    }
    throw new CliError(`could not start: ${(e as Error).message}`, 1);
  }
  const where = server.settings.host === '0.0.0.0' || server.settings.host === '::' ? ` (bound to ${server.settings.host})` : '';
  const mode = server.cluster
    ? `Cluster mode: node ${server.cluster.node.id} (prefix "${server.cluster.node.settings.prefix}"), ${server.settings.worker ? 'API and worker' : 'API only: flows run on `sluice worker` nodes'}\n`
    : '';
  process.stdout.write(`\nSluice is ready at ${server.url}${where}\n${mode}Open: ${server.openUrl}\n${server.tokenGenerated ? `(a new access token was stored in ${server.settings.dataDir}/token)\n` : ''}\n`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write(`sluice: ${signal} again, exiting now\n`);
        process.exit(1);
      }
      stopping = true;
      server.close().then(resolve, (e) => { process.stderr.write(`sluice: shutdown failed: ${(e as Error).message}\n`); resolve(); });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  // Timers of third-party libraries (metrics) must not keep the process alive after a clean shutdown.
  setTimeout(() => process.exit(0), 200).unref();
  return 0;
}
