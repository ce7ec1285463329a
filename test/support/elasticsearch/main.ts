// CLI: node --import tsx test/support/elasticsearch/main.ts [--port 19200] [--host 127.0.0.1]
//      [--version 9.1.0] [--refresh-interval-ms 1000]
// Prints "elasticsearch test server listening on http://HOST:PORT" once ready; exits on SIGTERM/SIGINT.
import { startElasticsearchTestServer } from './server.ts';

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
const server = await startElasticsearchTestServer({
  port: args.port !== undefined ? Number(args.port) : 19200,
  host: args.host,
  version: args.version,
  refreshIntervalMs: args['refresh-interval-ms'] !== undefined ? Number(args['refresh-interval-ms']) : undefined,
});
console.log(`elasticsearch test server listening on ${server.url}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
