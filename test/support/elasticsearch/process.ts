// Run the Elasticsearch test server as a child process (as the Kafka → ES benchmark does) and wait for its
// "listening" line.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ElasticsearchProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** SIGTERM and wait for exit */
  stop(): Promise<void>;
}

export interface ElasticsearchProcessOptions {
  /** 0 (default) picks a free port */
  port?: number;
  extraArgs?: string[];
  timeoutMs?: number;
}

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export function spawnElasticsearchTestServer(opts: ElasticsearchProcessOptions = {}): Promise<ElasticsearchProcess> {
  const args = ['--import', 'tsx', MAIN, '--port', String(opts.port ?? 0), ...(opts.extraArgs ?? [])];
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`elasticsearch test server did not start within ${opts.timeoutMs ?? 20000} ms\n${out}${err}`));
    }, opts.timeoutMs ?? 20000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1],
        port: Number(new URL(m[1]).port),
        child,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`elasticsearch test server exited with code ${code} before listening\n${out}${err}`));
    });
  });
}
