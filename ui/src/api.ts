// The REST client: every call carries the access token as a Bearer header; errors become ApiErrors
// carrying the server's {"error", "details"} body.
import type { FlowDefinition, FlowRecord, FlowStatus, FlowSummary, Problem, ProcessorDoc, QueueListing } from './types';

const TOKEN_KEY = 'sluice.token';

/** Reads ?token= once, keeps it in sessionStorage for this tab and removes it from the address bar. */
export function captureToken(): void {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  }
}

export function getToken(): string | null { return sessionStorage.getItem(TOKEN_KEY); }
export function setToken(token: string): void { sessionStorage.setItem(TOKEN_KEY, token.trim()); }
export function clearToken(): void { sessionStorage.removeItem(TOKEN_KEY); }

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly details: Problem[] = []) { super(message); }
}

type AuthListener = (message: string) => void;
let onAuthFailure: AuthListener = () => {};
export function setAuthFailureHandler(fn: AuthListener): void { onAuthFailure = fn; }

async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const token = getToken();
  if (!token) {
    onAuthFailure('No access token.');
    throw new ApiError(401, 'No access token.');
  }
  const init: RequestInit = { method, headers: { Authorization: `Bearer ${token}`, ...headers } };
  if (body !== undefined) {
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(`/api${path}`, init);
  } catch {
    throw new ApiError(0, 'The server cannot be reached.');
  }
  if (!res.ok) {
    let error = `${method} ${path} failed (${res.status})`;
    let details: Problem[] = [];
    try {
      const j = (await res.json()) as { error?: string; details?: Problem[] };
      if (j.error) error = j.error;
      if (Array.isArray(j.details)) details = j.details;
    } catch { /* not JSON */ }
    if (res.status === 401) onAuthFailure(error);
    throw new ApiError(res.status, error, details);
  }
  return res;
}

async function json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const res = await request(method, path, body, headers);
  return (await res.json()) as T;
}

const enc = encodeURIComponent;

export interface ClusterNode {
  id: string; self: boolean; alive: boolean; heartbeatAgeMs: number; roles: string[]; primary: boolean;
  activeTasks: number; version: string; host: string; pid: number; startedAt: string; flows: number;
}
export type ClusterInfo = { mode: 'embedded' } | { mode: 'cluster'; nodeId: string; nodes: ClusterNode[] };

export const api = {
  cluster: () => json<ClusterInfo>('GET', '/cluster'),
  processorTypes: () => json<{ processorTypes: ProcessorDoc[] }>('GET', '/processor-types').then((r) => r.processorTypes),
  listFlows: () => json<{ flows: FlowSummary[] }>('GET', '/flows').then((r) => r.flows),
  getFlow: (id: string) => json<FlowRecord>('GET', `/flows/${enc(id)}`),
  createFlow: (flow: FlowDefinition) => json<FlowRecord>('POST', '/flows', flow),
  importFlow: (flow: unknown) => json<FlowRecord>('POST', '/flows/import', flow),
  putFlow: (id: string, flow: FlowDefinition, version?: number) =>
    json<FlowRecord>('PUT', `/flows/${enc(id)}`, flow, version === undefined ? {} : { 'If-Match': `"v${version}"` }),
  deleteFlow: (id: string) => json<{ deleted: string }>('DELETE', `/flows/${enc(id)}`),
  validate: (id: string, flow: FlowDefinition) => json<{ valid: boolean; problems: Problem[] }>('POST', `/flows/${enc(id)}/validate`, flow),
  exportFlow: (id: string) => request('GET', `/flows/${enc(id)}/export`).then((r) => r.text()),
  startFlow: (id: string) => json<unknown>('POST', `/flows/${enc(id)}/start`),
  stopFlow: (id: string) => json<unknown>('POST', `/flows/${enc(id)}/stop`),
  processorAction: (id: string, pid: string, action: 'start' | 'stop' | 'run-once' | 'enable' | 'disable') =>
    json<{ id: string; state: string }>('POST', `/flows/${enc(id)}/processors/${enc(pid)}/${action}`),
  status: (id: string) => json<FlowStatus>('GET', `/flows/${enc(id)}/status`),
  listQueue: (id: string, cid: string, limit = 100) => json<QueueListing>('GET', `/flows/${enc(id)}/connections/${enc(cid)}/flowfiles?limit=${limit}`),
  emptyQueue: (id: string, cid: string) => json<{ dropped: number }>('DELETE', `/flows/${enc(id)}/connections/${enc(cid)}/flowfiles`),
  contentAs: async (id: string, cid: string, ffid: string, as: 'text' | 'hex') => {
    const res = await request('GET', `/flows/${enc(id)}/connections/${enc(cid)}/flowfiles/${enc(ffid)}/content?as=${as}`);
    return { text: await res.text(), truncated: res.headers.get('X-Sluice-Truncated') === 'true' };
  },
  contentBlob: async (id: string, cid: string, ffid: string) => {
    const res = await request('GET', `/flows/${enc(id)}/connections/${enc(cid)}/flowfiles/${enc(ffid)}/content`);
    return res.blob();
  },
};

/** Saves a blob as a file through a temporary object URL. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
