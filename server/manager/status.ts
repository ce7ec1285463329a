// Status snapshots: what GET /api/flows/:id/status and the live socket.io feed send.
import type { FlowRuntime } from '../engine/flow-runtime.ts';
import type { Bulletin } from '../engine/bulletins.ts';
import type { FlowDefinition } from '../flow/schema.ts';
import { scrub } from './sensitive.ts';

export interface Counts { count: number; bytes: number }

export interface ProcessorStatus {
  id: string;
  name: string;
  type: string;
  state: 'RUNNING' | 'STOPPED' | 'DISABLED';
  desiredState: 'RUNNING' | 'STOPPED' | 'DISABLED';
  valid: boolean;
  validationErrors: string[];
  activeTasks: number;
  /** Last 5 minutes. */
  in: Counts;
  out: Counts;
  read: Counts;
  written: Counts;
  totals: { in: Counts; out: Counts; tasks: number };
}

export interface ConnectionStatus {
  id: string;
  name?: string;
  source: string;
  destination: string;
  relationships: string[];
  queued: Counts;
  backPressure: { objectThreshold: number; dataSizeThreshold: number; percent: number; full: boolean };
}

export interface FlowStatus {
  flowId: string;
  name: string;
  version: number;
  timestamp: number;
  /** RUNNING when every enabled processor runs, STOPPED when none does, otherwise PARTIAL; INVALID when the flow could not be built. */
  runState: 'RUNNING' | 'STOPPED' | 'PARTIAL' | 'INVALID';
  counts: { running: number; stopped: number; disabled: number; invalid: number };
  processors: ProcessorStatus[];
  connections: ConnectionStatus[];
  bulletins: Bulletin[];
  problems: { path: string; message: string }[];
}

export type DesiredState = ProcessorStatus['desiredState'];

export function desiredState(p: FlowDefinition['processors'][number]): DesiredState {
  return p.state ?? 'STOPPED';
}

export function buildStatus(args: {
  id: string; version: number; definition: FlowDefinition; runtime: FlowRuntime | null;
  problems: { path: string; message: string }[]; secrets: readonly string[]; bulletinLimit?: number; now?: number;
}): FlowStatus {
  const { id, version, definition, runtime, secrets } = args;
  const now = args.now ?? Date.now();
  const counts = { running: 0, stopped: 0, disabled: 0, invalid: 0 };
  const processors: ProcessorStatus[] = [];
  const connections: ConnectionStatus[] = [];
  const zero = { count: 0, bytes: 0 };
  for (const p of definition.processors) {
    const node = runtime?.nodes.get(p.id);
    const state = node?.state ?? (p.state === 'DISABLED' ? 'DISABLED' : 'STOPPED');
    const errors = node ? node.validationErrors.map((e) => scrub(e, secrets)) : ['the flow could not be loaded'];
    if (state === 'RUNNING') counts.running++;
    else if (state === 'DISABLED') counts.disabled++;
    else counts.stopped++;
    if (errors.length) counts.invalid++;
    const s = node?.stats;
    processors.push({
      id: p.id, name: p.name ?? p.id, type: p.type, state, desiredState: desiredState(p),
      valid: errors.length === 0, validationErrors: errors, activeTasks: node?.activeTasks ?? 0,
      in: s ? s.in.window(now) : zero, out: s ? s.out.window(now) : zero,
      read: s ? s.read.window(now) : zero, written: s ? s.written.window(now) : zero,
      totals: s ? { in: { count: s.in.totalCount, bytes: s.in.totalBytes }, out: { count: s.out.totalCount, bytes: s.out.totalBytes }, tasks: s.tasks } : { in: zero, out: zero, tasks: 0 },
    });
  }
  for (const c of definition.connections) {
    const q = runtime?.connections.get(c.id)?.queue;
    const count = q ? q.count() : 0;
    const bytes = q ? q.bytes() : 0;
    const bp = q?.backPressure ?? { objectThreshold: 0, dataSizeThreshold: 0 };
    const pct = Math.max(bp.objectThreshold > 0 ? count / bp.objectThreshold : 0, bp.dataSizeThreshold > 0 ? bytes / bp.dataSizeThreshold : 0) * 100;
    connections.push({
      id: c.id, name: c.name, source: c.source, destination: c.destination, relationships: [...c.relationships],
      queued: { count, bytes },
      backPressure: { objectThreshold: bp.objectThreshold, dataSizeThreshold: bp.dataSizeThreshold, percent: Math.round(pct * 10) / 10, full: q ? q.isFull() : false },
    });
  }
  const enabled = processors.length - counts.disabled;
  const runState: FlowStatus['runState'] = !runtime ? 'INVALID'
    : counts.running === 0 ? 'STOPPED'
      : counts.running === enabled ? 'RUNNING' : 'PARTIAL';
  const limit = args.bulletinLimit ?? 50;
  const bulletins = runtime && limit > 0 ? runtime.bulletins.list({ limit }).map((b) => ({ ...b, message: scrub(b.message, secrets) })) : [];
  return {
    flowId: id, name: definition.name, version, timestamp: now, runState, counts, processors, connections, bulletins,
    problems: args.problems.map((p) => ({ path: p.path, message: scrub(p.message, secrets) })),
  };
}
