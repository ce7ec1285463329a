// CLI: node --import tsx test/support/webhdfs/main.ts [--port 19870] [--datanode-port 19864] [--host 127.0.0.1]
//      [--datanode-host 127.0.0.1] [--data-dir DIR] [--superuser hdfs] [--no-permissions]
// Prints "webhdfs test server listening on http://HOST:PORT datanode http://HOST:DNPORT" once ready;
// exits on SIGTERM/SIGINT.
import { startWebHdfsTestServer } from './server.ts';

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[a.slice(2)] = argv[++i];
    else out[a.slice(2)] = 'true';
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const server = await startWebHdfsTestServer({
  port: args.port !== undefined ? Number(args.port) : 19870,
  datanodePort: args['datanode-port'] !== undefined ? Number(args['datanode-port']) : 19864,
  host: args.host,
  datanodeHost: args['datanode-host'],
  dataDir: args['data-dir'],
  superuser: args.superuser,
  permissions: args['no-permissions'] === 'true' ? false : undefined,
});
console.log(`webhdfs test server listening on ${server.url} datanode ${server.datanodeUrl}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
