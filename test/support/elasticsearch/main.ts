// CLI: node --import tsx test/support/elasticsearch/main.ts [--port 19200] [--host 127.0.0.1]
//      [--version 9.1.0] [--refresh-interval-ms 1000]
// Prints "elasticsearch test server listening on http://HOST:PORT" once ready; exits on SIGTERM/SIGINT.
import { startElasticsearchTestServer } from './server.ts';
import { parseFlags, closeOnSignals } from '../cli.ts';

const args = parseFlags(process.argv.slice(2));
const server = await startElasticsearchTestServer({
  port: args.port !== undefined ? Number(args.port) : 19200,
  host: args.host,
  version: args.version,
  refreshIntervalMs: args['refresh-interval-ms'] !== undefined ? Number(args['refresh-interval-ms']) : undefined,
});
console.log(`elasticsearch test server listening on ${server.url}`);

closeOnSignals(() => server.close());
