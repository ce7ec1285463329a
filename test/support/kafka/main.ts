// CLI: node --import tsx test/support/kafka/main.ts --port 19092 [--host 127.0.0.1] [--data-dir DIR] [--partitions 3] [--debug]
// (also: npm run test-server:kafka -- --port 19092). Prints "kafka test broker listening on HOST:PORT".
import { startKafkaTestBroker } from './broker.ts';

function parseArgs(argv: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[a.slice(2)] = argv[++i];
    else out[a.slice(2)] = true;
  }
  return out;
}

const USAGE = 'usage: main.ts [--port 9092] [--host 127.0.0.1] [--data-dir DIR] [--partitions 3] [--min-session-timeout MS] [--debug]';

async function main(): Promise<void> {
  let args: Record<string, string | true>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const num = (k: string): number | undefined => {
    const v = args[k];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) {
      console.error(`--${k} needs a non-negative integer\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  // handlers first, so a signal arriving right after the "listening" line is never missed
  let broker: Awaited<ReturnType<typeof startKafkaTestBroker>> | null = null;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`kafka test broker stopping (${signal})`);
    (broker ? broker.close() : Promise.resolve()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  broker = await startKafkaTestBroker({
    port: num('port') ?? 9092,
    host: typeof args.host === 'string' ? args.host : undefined,
    dataDir: typeof args['data-dir'] === 'string' ? args['data-dir'] : undefined,
    defaultPartitions: num('partitions'),
    minSessionTimeoutMs: num('min-session-timeout'),
    log: args.debug === true,
  });
  if (stopping) {
    await broker.close();
    return;
  }
  console.log(`kafka test broker listening on ${broker.brokers}`);
}

main().catch((err) => {
  console.error(`kafka test broker failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
