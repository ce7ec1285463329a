// Test harness for the cluster: a Redis to use (the one at REDIS_URL when its maxmemory-policy is
// noeviction, else a private redis-server), a unique key prefix per test with clean-up, private
// redis-server instances (AOF on) that can be stopped and restarted, and `sluice worker` processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { connectRedis, deleteMatching } from '../../../server/cluster/connection.ts';

export const root = new URL('../../../', import.meta.url).pathname;
export const SHARED_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(name: string): string {
  return `sltest-${name}-${randomBytes(4).toString('hex')}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => Promise<T | false | null | undefined> | T | false | null | undefined, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}

/** A redis-server of our own on a free port: AOF everysec, noeviction (unless told otherwise). */
export class PrivateRedis {
  proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'sluice-redis-'));
  constructor(readonly port: number, private readonly extra: string[] = []) {}

  get url(): string { return `redis://127.0.0.1:${this.port}`; }

  static async start(extra: string[] = []): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort(), extra);
    await r.start();
    return r;
  }

  async start(): Promise<void> {
    const args = [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '',
      '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', ...this.extra,
    ];
    const p = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    let out = '';
    p.stdout!.on('data', (d) => { out += d; });
    p.stderr!.on('data', (d) => { out += d; });
    await waitFor(`redis-server on ${this.port} (${out.slice(-300)})`, async () => {
      if (p.exitCode !== null) throw new Error(`redis-server exited: ${out.slice(-500)}`);
      const c = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => undefined);
      try { await c.connect(); return (await c.ping()) === 'PONG'; } catch { return false; } finally { c.disconnect(); }
    }, 10_000, 50);
  }

  /** Stops the server: SIGKILL (a crash; AOF everysec may lose up to a second) or SIGTERM (clean). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(signal);
    await exited;
    this.proc = null;
  }

  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let privateShared: PrivateRedis | null = null;

/** The Redis URL tests use: REDIS_URL if it has maxmemory-policy noeviction, else a private instance (started once per file). */
export async function testRedisUrl(): Promise<string> {
  const c = new Redis(SHARED_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  c.on('error', () => undefined);
  try {
    await c.connect();
    const [, policy] = (await c.config('GET', 'maxmemory-policy')) as string[];
    if (policy === 'noeviction') return SHARED_URL;
  } catch { /* fall through to a private instance */ } finally { c.disconnect(); }
  privateShared ??= await PrivateRedis.start();
  return privateShared.url;
}

export async function stopPrivateShared(): Promise<void> {
  await privateShared?.destroy();
  privateShared = null;
}

/** Removes every key of a test's prefix. */
export async function cleanPrefix(url: string, prefix: string): Promise<void> {
  const r = connectRedis(url, 'sluice-test-cleanup');
  try { await deleteMatching(r, `${prefix}:*`); } finally { r.disconnect(); }
}

export interface WorkerProcess {
  proc: ChildProcess;
  id: string;
  output(): string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Environment that makes a cluster react fast enough for tests. Locks stay generous: on a loaded
 * machine event-loop stalls of a second or two are common, and a lock lost to one causes duplicates.
 * Tests that kill nodes shorten them.
 */
export const FAST_ENV: Record<string, string> = {
  SLUICE_HEARTBEAT_MS: '250',
  SLUICE_STATE_POLL_MS: '500',
  SLUICE_PRIMARY_TTL_MS: '10000',
  SLUICE_JOB_LOCK_MS: '10000',
  SLUICE_STALLED_INTERVAL_MS: '2000',
};

/** Starts `sluice worker` and waits until it joined the cluster. */
export async function spawnWorker(url: string, prefix: string, env: Record<string, string> = {}, nodeId?: string): Promise<WorkerProcess> {
  const args = [join(root, 'bin/sluice.js'), 'worker', '--redis', url, '--prefix', prefix, ...(nodeId ? ['--node-id', nodeId] : [])];
  const proc = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...FAST_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const id = await waitFor(`worker to join (${out})`, () => {
    if (proc.exitCode !== null) throw new Error(`worker exited with ${proc.exitCode}: ${out}`);
    return /sluice worker (\S+) joined/.exec(out)?.[1];
  }, 30_000, 50);
  return {
    proc, id, output: () => out, exited,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      await exited;
    },
  };
}
