// Runs the test broker as a separate child process (so a test can kill the system under test
// without killing Kafka, or restart the broker itself).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SpawnedKafkaBroker {
  brokers: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  defaultPartitions?: number;
  minSessionTimeoutMs?: number;
  /** forward the broker's stdout/stderr to this process */
  inheritOutput?: boolean;
  startTimeoutMs?: number;
}

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function spawnKafkaTestBroker(opts: SpawnOptions = {}): Promise<SpawnedKafkaBroker> {
  const args = ['--import', 'tsx', MAIN, '--port', String(opts.port ?? 0)];
  if (opts.host) args.push('--host', opts.host);
  if (opts.dataDir) args.push('--data-dir', opts.dataDir);
  if (opts.defaultPartitions) args.push('--partitions', String(opts.defaultPartitions));
  if (opts.minSessionTimeoutMs !== undefined) args.push('--min-session-timeout', String(opts.minSessionTimeoutMs));
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kafka test broker did not start within ${opts.startTimeoutMs ?? 20000} ms:\n${output}`));
    }, opts.startTimeoutMs ?? 20000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (opts.inheritOutput) process.stdout.write(chunk);
      const m = /listening on (\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => {
      output += c.toString();
      if (opts.inheritOutput) process.stderr.write(c);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`kafka test broker exited early (code ${code}, signal ${signal}):\n${output}`));
    });
  });
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  let stopping: Promise<void> | null = null;
  return {
    brokers: address,
    port,
    pid: child.pid!,
    child,
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      })()),
  };
}
