// Run the WebHDFS test server as a child process (as a benchmark or a real-ish deployment would) and wait
// for its "listening" line.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface WebHdfsProcess {
  /** NameNode base URL */
  url: string;
  datanodeUrl: string;
  port: number;
  datanodePort: number;
  child: ChildProcess;
  /** SIGTERM and wait for exit */
  stop(): Promise<void>;
}

export interface WebHdfsProcessOptions {
  /** 0 (default) picks free ports */
  port?: number;
  datanodePort?: number;
  dataDir?: string;
  extraArgs?: string[];
  timeoutMs?: number;
}

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export function spawnWebHdfsTestServer(opts: WebHdfsProcessOptions = {}): Promise<WebHdfsProcess> {
  const args = ['--import', 'tsx', MAIN, '--port', String(opts.port ?? 0), '--datanode-port', String(opts.datanodePort ?? 0)];
  if (opts.dataDir) args.push('--data-dir', opts.dataDir);
  args.push(...(opts.extraArgs ?? []));
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`webhdfs test server did not start within ${opts.timeoutMs ?? 20000} ms\n${out}${err}`));
    }, opts.timeoutMs ?? 20000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+) datanode (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const url = m[1];
      const datanodeUrl = m[2];
      resolve({
        url,
        datanodeUrl,
        port: Number(new URL(url).port),
        datanodePort: Number(new URL(datanodeUrl).port),
        child,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`webhdfs test server exited with code ${code} before listening\n${out}${err}`));
    });
  });
}
