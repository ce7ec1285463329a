// sluice serve: the HTTP API, live status and the UI, with flows persisted in the data dir.
// Loading the server is deferred to the action so other commands stay fast.
import { Command } from 'commander';
import { CliError } from '../load.ts';

export interface ServeOptions { host?: string; port?: string; dataDir?: string }

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the server: REST API, live status (socket.io) and UI, flows kept in the data dir')
    .option('--host <host>', 'address to bind (env SLUICE_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (env SLUICE_PORT, default 8080; 0 = any free port)')
    .option('--data-dir <dir>', 'where flows, the token and content live (env SLUICE_DATA_DIR, default ./data)')
    .addHelpText('after', '\nOther settings come from the environment: SLUICE_TOKEN, SLUICE_ALLOWED_PATHS, SLUICE_ALLOWED_HOSTS,\nSLUICE_PROVENANCE_EVENTS,\nSLUICE_PROVENANCE_RATE, SLUICE_MAX_BODY, SLUICE_SHUTDOWN_TIMEOUT, SLUICE_LOG_LEVEL (see docs/API.md).')
    .action(async (opts: ServeOptions) => { process.exitCode = await serve(opts); });
}

async function serve(opts: ServeOptions): Promise<number> {
  const { SettingsError } = await import('../../manager/settings.ts');
  const { startServer } = await import('../../http/server.ts');
  let server;
  try {
    server = await startServer({ host: opts.host, port: opts.port as unknown as number | undefined, dataDir: opts.dataDir });
  } catch (e) {
    if (e instanceof SettingsError) throw new CliError(e.message, 2);
    throw new CliError(`could not start: ${(e as Error).message}`, 1);
  }
  const where = server.settings.host === '0.0.0.0' || server.settings.host === '::' ? ` (bound to ${server.settings.host})` : '';
  process.stdout.write(`\nSluice is ready at ${server.url}${where}\nOpen: ${server.openUrl}\n${server.tokenGenerated ? `(a new access token was stored in ${server.settings.dataDir}/token)\n` : ''}\n`);

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
