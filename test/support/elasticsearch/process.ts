// Run the Elasticsearch test server as a child process (as the Kafka → ES benchmark does) and wait for its
// "listening" line.
import type { ChildProcess } from 'node:child_process';
import { spawnUntilListening } from '../spawn-listening.ts';
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

export async function spawnElasticsearchTestServer(opts: ElasticsearchProcessOptions = {}): Promise<ElasticsearchProcess> {
  const args = ['--port', String(opts.port ?? 0), ...(opts.extraArgs ?? [])];
  const { child, match, stop } = await spawnUntilListening('elasticsearch test server', MAIN, args, /listening on (http:\/\/\S+)/, opts.timeoutMs);
  return { url: match[1], port: Number(new URL(match[1]).port), child, stop };
}
