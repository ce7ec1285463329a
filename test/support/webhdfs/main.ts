// CLI: node --import tsx test/support/webhdfs/main.ts [--port 19870] [--datanode-port 19864] [--host 127.0.0.1]
//      [--datanode-host 127.0.0.1] [--data-dir DIR] [--superuser hdfs] [--no-permissions]
// Prints "webhdfs test server listening on http://HOST:PORT datanode http://HOST:DNPORT" once ready;
// exits on SIGTERM/SIGINT.
import { startWebHdfsTestServer } from './server.ts';
import { parseFlags, closeOnSignals } from '../cli.ts';

const args = parseFlags(process.argv.slice(2));
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

closeOnSignals(() => server.close());
