// Run the WebHDFS test server as a child process (as a benchmark or a real-ish deployment would) and wait
// for its "listening" line.
import type { ChildProcess } from 'node:child_process';
import { spawnUntilListening } from '../spawn-listening.ts';
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

export async function spawnWebHdfsTestServer(opts: WebHdfsProcessOptions = {}): Promise<WebHdfsProcess> {
  const args = ['--port', String(opts.port ?? 0), '--datanode-port', String(opts.datanodePort ?? 0)];
  if (opts.dataDir) args.push('--data-dir', opts.dataDir);
  args.push(...(opts.extraArgs ?? []));
  const { child, match, stop } = await spawnUntilListening('webhdfs test server', MAIN, args, /listening on (http:\/\/\S+) datanode (http:\/\/\S+)/, opts.timeoutMs);
  const [, url, datanodeUrl] = match;
  return { url, datanodeUrl, port: Number(new URL(url).port), datanodePort: Number(new URL(datanodeUrl).port), child, stop };
}
