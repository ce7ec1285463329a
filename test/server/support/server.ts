// Test helpers: a real server on an ephemeral port with a temp data dir, and a small HTTP client
// (node:http, so tests can send any Host/Origin header and raw bodies).
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type ServerOptions } from '../../../server/http/server.ts';

export const TOKEN = 'test-token-0123456789abcdef';

export function tempDir(prefix = 'sluice-server-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function start(options: ServerOptions = {}): Promise<RunningServer> {
  return startServer({ port: 0, host: '127.0.0.1', token: TOKEN, env: {}, logLevel: 'silent', examplesDir: null, dataDir: options.dataDir ?? tempDir(), ...options });
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: Buffer;
  json: any;
}

export interface RequestOptions {
  body?: unknown;
  raw?: string | Buffer;
  headers?: Record<string, string>;
  token?: string | null;
}

export function call(server: { url: string }, method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
  const url = new URL(path, server.url);
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) headers.Authorization = `Bearer ${token}`;
  let payload: Buffer | undefined;
  if (opts.raw !== undefined) payload = Buffer.isBuffer(opts.raw) ? opts.raw : Buffer.from(opts.raw);
  else if (opts.body !== undefined) payload = Buffer.from(JSON.stringify(opts.body));
  if (payload && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  if (payload) headers['Content-Length'] = String(payload.length);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        let json: unknown;
        if (String(res.headers['content-type'] ?? '').includes('json')) { try { json = JSON.parse(text); } catch { json = undefined; } }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export interface TestFlow {
  formatVersion: number;
  id?: string;
  name: string;
  processors: { id: string; type: string; properties: Record<string, string>; autoTerminate?: string[]; scheduling?: Record<string, unknown>; state?: string }[];
  connections: { id: string; source: string; relationships: string[]; destination: string }[];
  [key: string]: unknown;
}

/** GenerateFlowFile → UpdateAttribute (auto-terminated). */
export function chainFlow(name = 'Chain', opts: { batch?: number; runSchedule?: string; id?: string } = {}): TestFlow {
  return {
    formatVersion: 1,
    ...(opts.id ? { id: opts.id } : {}),
    name,
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': String(opts.batch ?? 5), 'Custom Text': 'hello sluice' }, scheduling: { runSchedule: opts.runSchedule ?? '50 ms' } },
      { id: 'tag', type: 'UpdateAttribute', properties: { stage: 'tagged' }, autoTerminate: ['success'] },
    ],
    connections: [{ id: 'gen-to-tag', source: 'gen', relationships: ['success'], destination: 'tag' }],
  };
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
