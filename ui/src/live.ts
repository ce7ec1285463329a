// Live status: one socket.io connection (auth: {token}) subscribed to the open flow. Snapshots are
// merged so that a processor's or connection's status object keeps its identity while its numbers
// are unchanged — node and edge components select their own entry and re-render only when it changes.
import { create } from 'zustand';
import { io, type Socket } from 'socket.io-client';
import { api, getToken } from './api';
import type { Bulletin, ConnectionStatus, FlowStatus, ProcessorStatus } from './types';

export interface LiveState {
  flowId: string | null;
  connected: boolean;
  error: string | null;
  version: number;
  runState: FlowStatus['runState'] | null;
  procs: Record<string, ProcessorStatus>;
  conns: Record<string, ConnectionStatus>;
  counts: FlowStatus['counts'];
  queued: { count: number; bytes: number };
  bulletins: Bulletin[];
  lastSnapshot: number;
}

const MAX_BULLETINS = 300;

export const useLive = create<LiveState>(() => ({
  flowId: null, connected: false, error: null, version: 0, runState: null,
  procs: {}, conns: {}, counts: { running: 0, stopped: 0, disabled: 0, invalid: 0 },
  queued: { count: 0, bytes: 0 }, bulletins: [], lastSnapshot: 0,
}));

function procKey(p: ProcessorStatus): string {
  return `${p.state}|${p.desiredState}|${p.valid}|${p.activeTasks}|${p.in.count}|${p.in.bytes}|${p.out.count}|${p.out.bytes}|${p.validationErrors.join('\u0000')}|${p.relationships?.join('\u0000') ?? ''}|${p.name}`;
}
function connKey(c: ConnectionStatus): string {
  return `${c.queued.count}|${c.queued.bytes}|${c.backPressure.percent}|${c.backPressure.full}|${c.backPressure.objectThreshold}|${c.backPressure.dataSizeThreshold}`;
}

const keys = new WeakMap<object, string>();
function keyed<T extends object>(o: T, fn: (o: T) => string): string {
  let k = keys.get(o);
  if (k === undefined) { k = fn(o); keys.set(o, k); }
  return k;
}

export function applySnapshot(s: FlowStatus): void {
  const st = useLive.getState();
  if (st.flowId !== s.flowId) return;
  let procsChanged = Object.keys(st.procs).length !== s.processors.length;
  const procs: Record<string, ProcessorStatus> = {};
  for (const p of s.processors) {
    const prev = st.procs[p.id];
    if (prev && keyed(prev, procKey) === keyed(p, procKey)) procs[p.id] = prev;
    else { procs[p.id] = p; procsChanged = true; }
  }
  let connsChanged = Object.keys(st.conns).length !== s.connections.length;
  const conns: Record<string, ConnectionStatus> = {};
  let qc = 0;
  let qb = 0;
  for (const c of s.connections) {
    qc += c.queued.count;
    qb += c.queued.bytes;
    const prev = st.conns[c.id];
    if (prev && keyed(prev, connKey) === keyed(c, connKey)) conns[c.id] = prev;
    else { conns[c.id] = c; connsChanged = true; }
  }
  const next: Partial<LiveState> = { version: s.version, runState: s.runState, lastSnapshot: s.timestamp };
  if (procsChanged) next.procs = procs;
  if (connsChanged) next.conns = conns;
  const c = s.counts;
  if (c.running !== st.counts.running || c.stopped !== st.counts.stopped || c.disabled !== st.counts.disabled || c.invalid !== st.counts.invalid) next.counts = c;
  if (qc !== st.queued.count || qb !== st.queued.bytes) next.queued = { count: qc, bytes: qb };
  if (s.bulletins?.length) next.bulletins = mergeBulletins(st.bulletins, s.bulletins);
  useLive.setState(next);
}

function mergeBulletins(have: Bulletin[], incoming: Bulletin[]): Bulletin[] {
  const seen = new Set(have.map((b) => `${b.id}|${b.time}`));
  const add = incoming.filter((b) => !seen.has(`${b.id}|${b.time}`));
  if (!add.length) return have;
  return [...have, ...add].sort((a, b) => a.time - b.time || a.id - b.id).slice(-MAX_BULLETINS);
}

let socket: Socket | null = null;
let pollTimer: ReturnType<typeof setInterval> | null = null;
type FlowEventHandler = (e: { flowId: string; change: 'created' | 'updated' | 'deleted'; version: number }) => void;
let flowEventHandler: FlowEventHandler = () => {};
type RunStateHandler = (e: { flowId: string; processorId: string; state: string; desiredState: string }) => void;
let runStateHandler: RunStateHandler = () => {};

export function onFlowEvent(fn: FlowEventHandler): void { flowEventHandler = fn; }
export function onRunState(fn: RunStateHandler): void { runStateHandler = fn; }

function subscribe(flowId: string): void {
  socket?.emit('subscribe', { flowId }, (reply: { error?: string } | undefined) => {
    if (reply?.error) useLive.setState({ error: reply.error });
  });
}

export function connectLive(): void {
  if (socket) return;
  const token = getToken();
  if (!token) return;
  socket = io({ auth: { token }, transports: ['websocket'], reconnectionDelayMax: 5000 });
  socket.on('connect', () => {
    useLive.setState({ connected: true, error: null });
    const id = useLive.getState().flowId;
    if (id) subscribe(id);
  });
  socket.on('disconnect', () => useLive.setState({ connected: false }));
  socket.on('connect_error', (err: Error & { data?: { status?: number } }) => {
    useLive.setState({ connected: false, error: err.data?.status === 401 ? 'The access token was rejected by the live feed.' : null });
  });
  socket.on('status', (s: FlowStatus) => applySnapshot(s));
  socket.on('bulletins', (m: { flowId: string; bulletins: Bulletin[] }) => {
    const st = useLive.getState();
    if (m.flowId !== st.flowId) return;
    useLive.setState({ bulletins: mergeBulletins(st.bulletins, m.bulletins) });
  });
  socket.on('runState', (e: { flowId: string; processorId: string; state: string; desiredState: string }) => {
    const st = useLive.getState();
    if (e.flowId !== st.flowId) return;
    const prev = st.procs[e.processorId];
    if (prev) useLive.setState({ procs: { ...st.procs, [e.processorId]: { ...prev, state: e.state as ProcessorStatus['state'], desiredState: e.desiredState as ProcessorStatus['desiredState'] } } });
    runStateHandler(e);
  });
  socket.on('flow', (e: Parameters<FlowEventHandler>[0]) => flowEventHandler(e));
  // While the socket is down, poll.
  pollTimer = setInterval(() => {
    const { connected, flowId } = useLive.getState();
    if (!connected && flowId) void refreshStatus();
  }, 2000);
}

export function disconnectLive(): void {
  socket?.close();
  socket = null;
  if (pollTimer) clearInterval(pollTimer);
  pollTimer = null;
}

export async function refreshStatus(): Promise<void> {
  const id = useLive.getState().flowId;
  if (!id) return;
  try { applySnapshot(await api.status(id)); } catch { /* shown elsewhere */ }
}

export function watchFlow(flowId: string | null, initial?: FlowStatus | null): void {
  const prev = useLive.getState().flowId;
  if (prev === flowId) { if (initial) applySnapshot(initial); return; }
  if (prev) socket?.emit('unsubscribe', { flowId: prev });
  useLive.setState({
    flowId, version: 0, runState: null, procs: {}, conns: {}, bulletins: [],
    counts: { running: 0, stopped: 0, disabled: 0, invalid: 0 }, queued: { count: 0, bytes: 0 },
  });
  if (flowId) {
    if (initial) applySnapshot(initial);
    if (socket?.connected) subscribe(flowId);
    if (!initial) void refreshStatus();
  }
}
