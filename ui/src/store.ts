// The editor's state: the open flow as an editable draft (the single source of truth for the canvas),
// React Flow's node and edge objects derived from it with identity kept for unchanged processors,
// undo/redo history, the save pipeline to the API, the clipboard, and which dialog or menu is open.
import { create } from 'zustand';
import { applyEdgeChanges, applyNodeChanges, type Edge, type EdgeChange, type Node, type NodeChange, type XYPosition } from '@xyflow/react';
import { api, ApiError } from './api';
import { randomId, slugify } from './format';
import { problemsByProcessor } from './validation';
import { useLive, watchFlow, refreshStatus } from './live';
import type { ConnectionConfig, FlowDefinition, FlowRecord, FlowStatus, FlowSummary, Problem, ProcessorConfig, ProcessorDoc } from './types';

export interface ProcNodeData extends Record<string, unknown> { proc: ProcessorConfig; connected: string[] }
export type ProcNode = Node<ProcNodeData, 'processor'>;
export interface QueueEdgeData extends Record<string, unknown> { conn: ConnectionConfig }
export type QueueEdge = Edge<QueueEdgeData, 'queue'>;

export type SaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'invalid' | 'error';

export type DialogState =
  | { kind: 'configure'; id: string; tab?: string }
  | { kind: 'connection'; source: string; destination: string; relationship?: string; connectionId?: string }
  | { kind: 'queue'; connectionId: string }
  | { kind: 'import' }
  | { kind: 'shortcuts' }
  | { kind: 'flow-name'; mode: 'create' | 'rename' }
  | { kind: 'confirm-delete-flow' }
  | null;

export interface MenuState { kind: 'node' | 'edge'; id: string; x: number; y: number }

export interface Toast { id: number; kind: 'error' | 'info'; text: string }

interface Clipboard { processors: ProcessorConfig[]; connections: ConnectionConfig[] }

export interface EditorState {
  authError: string | null;
  loading: boolean;
  types: ProcessorDoc[];
  typeMap: Record<string, ProcessorDoc>;
  flows: FlowSummary[];
  flowId: string | null;
  flow: FlowDefinition | null;
  savedVersion: number;
  save: { state: SaveState; message?: string };
  problems: Problem[];
  procProblems: Record<string, string[]>;
  past: FlowDefinition[];
  future: FlowDefinition[];
  nodes: ProcNode[];
  edges: QueueEdge[];
  dialog: DialogState;
  menu: MenuState | null;
  toasts: Toast[];
  snapToGrid: boolean;
  showBulletins: boolean;
  showCluster: boolean;
  /** Bumped to ask the canvas to fit the view (after a flow loads or an auto-layout). */
  fitRequest: number;
}

const EMPTY: string[] = [];
const HISTORY_LIMIT = 100;

export const useEditor = create<EditorState>(() => ({
  authError: null, loading: true, types: [], typeMap: {}, flows: [], flowId: null, flow: null, savedVersion: 0,
  save: { state: 'idle' }, problems: [], procProblems: {}, past: [], future: [], nodes: [], edges: [],
  dialog: null, menu: null, toasts: [], snapToGrid: true, showBulletins: false, showCluster: false, fitRequest: 0,
}));

const get = useEditor.getState;
const set = useEditor.setState;

// ---------------------------------------------------------------- toasts

let toastSeq = 0;
export function toast(text: string, kind: Toast['kind'] = 'info'): void {
  const id = ++toastSeq;
  set({ toasts: [...get().toasts, { id, kind, text }].slice(-5) });
  setTimeout(() => dismissToast(id), kind === 'error' ? 8000 : 4000);
}
export function dismissToast(id: number): void { set({ toasts: get().toasts.filter((t) => t.id !== id) }); }

function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const details = e.details.slice(0, 5).map((d) => `${d.path}: ${d.message}`).join('; ');
    return details ? `${e.message} ${details}` : e.message;
  }
  return (e as Error).message ?? String(e);
}
export function toastError(e: unknown): void { if (!(e instanceof ApiError && e.status === 401)) toast(errorText(e), 'error'); }

// ---------------------------------------------------------------- graph derivation

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function buildGraph(flow: FlowDefinition | null, prevNodes: ProcNode[], prevEdges: QueueEdge[]): { nodes: ProcNode[]; edges: QueueEdge[] } {
  if (!flow) return { nodes: [], edges: [] };
  const connected = new Map<string, string[]>();
  for (const c of flow.connections) {
    const list = connected.get(c.source) ?? [];
    for (const r of c.relationships) if (!list.includes(r)) list.push(r);
    connected.set(c.source, list);
  }
  const prevN = new Map(prevNodes.map((n) => [n.id, n]));
  let nodesChanged = prevNodes.length !== flow.processors.length;
  const nodes = flow.processors.map((p, i) => {
    const prev = prevN.get(p.id);
    const conn = connected.get(p.id) ?? EMPTY;
    const sameConn = prev !== undefined && sameList(prev.data.connected, conn);
    if (prev && prev.data.proc === p && sameConn) {
      if (prevNodes[i] !== prev) nodesChanged = true;
      return prev;
    }
    nodesChanged = true;
    const node: ProcNode = {
      id: p.id, type: 'processor', position: p.position ?? { x: 0, y: 0 },
      data: { proc: p, connected: sameConn ? prev!.data.connected : conn },
    };
    if (prev?.selected) node.selected = true;
    if (prev?.measured) node.measured = prev.measured;
    return node;
  });
  const prevE = new Map(prevEdges.map((e) => [e.id, e]));
  let edgesChanged = prevEdges.length !== flow.connections.length;
  const edges = flow.connections.map((c, i) => {
    const prev = prevE.get(c.id);
    if (prev && prev.data?.conn === c) {
      if (prevEdges[i] !== prev) edgesChanged = true;
      return prev;
    }
    edgesChanged = true;
    const edge: QueueEdge = {
      id: c.id, type: 'queue', source: c.source, target: c.destination,
      sourceHandle: c.relationships[0], targetHandle: 'in', data: { conn: c },
    };
    if (prev?.selected) edge.selected = true;
    return edge;
  });
  return { nodes: nodesChanged ? nodes : prevNodes, edges: edgesChanged ? edges : prevEdges };
}

function setFlowState(flow: FlowDefinition | null, extra: Partial<EditorState> = {}): void {
  const s = get();
  const graph = buildGraph(flow, s.nodes, s.edges);
  set({ flow, ...graph, ...extra });
}

// ---------------------------------------------------------------- problems

function setProblems(problems: Problem[], flow: FlowDefinition): void {
  const grouped = problemsByProcessor(flow, problems);
  const prev = get().procProblems;
  const next: Record<string, string[]> = {};
  let changed = Object.keys(prev).length !== grouped.size;
  for (const [id, list] of grouped) {
    if (prev[id] && sameList(prev[id], list)) next[id] = prev[id];
    else { next[id] = list; changed = true; }
  }
  set({ problems, ...(changed ? { procProblems: next } : {}) });
}

// ---------------------------------------------------------------- loading

/** Set by the canvas: frames a flow before its nodes first render (so they render at the final zoom). */
let prepareViewport: ((flow: FlowDefinition) => void) | null = null;
export function setPrepareViewport(fn: ((flow: FlowDefinition) => void) | null): void { prepareViewport = fn; }

export function normalizeFlow(raw: FlowDefinition): FlowDefinition {
  return {
    ...raw,
    formatVersion: 1,
    processors: (raw.processors ?? []).map((p) => {
      const out: ProcessorConfig = { ...p, properties: { ...(p.properties ?? {}) }, autoTerminate: [...(p.autoTerminate ?? [])], scheduling: { ...(p.scheduling ?? {}) } };
      if (out.state !== 'DISABLED') delete out.state;
      return out;
    }),
    connections: (raw.connections ?? []).map((c) => ({ ...c, relationships: [...c.relationships] })),
  };
}

export async function init(): Promise<void> {
  try {
    // The flow named in the address is fetched alongside the catalog.
    const wanted = decodeURIComponent(window.location.hash.replace(/^#\/?flow\//, ''));
    const early = wanted ? fetchFlow(wanted) : null;
    early?.catch(() => undefined);
    const [types, flows] = await Promise.all([api.processorTypes(), api.listFlows()]);
    const typeMap: Record<string, ProcessorDoc> = {};
    for (const t of types) {
      typeMap[t.type] = t;
      for (const a of t.aliases ?? []) typeMap[a] ??= t;
    }
    set({ types: [...types].sort((a, b) => a.type.localeCompare(b.type)), typeMap, flows, loading: false });
    const pick = flows.find((f) => f.id === wanted) ?? flows[0];
    if (pick) await openFlow(pick.id, pick.id === wanted && early ? early : undefined);
  } catch (e) {
    set({ loading: false });
    toastError(e);
  }
}

export async function refreshFlows(): Promise<void> {
  try { set({ flows: await api.listFlows() }); } catch (e) { toastError(e); }
}

function fetchFlow(id: string): Promise<[FlowRecord, FlowStatus | null]> {
  return Promise.all([api.getFlow(id), api.status(id).catch(() => null)]);
}

export async function openFlow(id: string | null, prefetched?: Promise<[FlowRecord, FlowStatus | null]>): Promise<void> {
  if (get().flowId && get().flowId !== id) await flushSave();
  if (!id) {
    watchFlow(null);
    set({ flowId: null, flow: null, nodes: [], edges: [], past: [], future: [], problems: [], procProblems: {}, save: { state: 'idle' }, dialog: null, menu: null });
    window.history.replaceState(null, '', window.location.pathname);
    return;
  }
  try {
    // The status comes with the definition so that nodes render once, with their numbers.
    const [rec, status] = await (prefetched ?? fetchFlow(id));
    const flow = normalizeFlow(rec.flow);
    watchFlow(id, status);
    set({ nodes: [], edges: [], flowId: id, savedVersion: rec.version, past: [], future: [], problems: [], procProblems: {}, dialog: null, menu: null, save: { state: 'idle' } });
    prepareViewport?.(flow);
    setFlowState(flow);
    setProblems(rec.problems ?? [], flow);
    window.history.replaceState(null, '', `${window.location.pathname}#/flow/${encodeURIComponent(id)}`);
    // (An empty flow is not fitted: React Flow would queue the fit and apply it to the first node added.)
    if (flow.processors.length) set({ fitRequest: get().fitRequest + 1 });
  } catch (e) {
    toastError(e);
  }
}

async function reloadFlow(): Promise<void> {
  const id = get().flowId;
  if (!id) return;
  const rec = await api.getFlow(id);
  const flow = normalizeFlow(rec.flow);
  setFlowState(flow, { savedVersion: rec.version, save: { state: 'saved' } });
  setProblems(rec.problems ?? [], flow);
}

// ---------------------------------------------------------------- edits and history

/** Applies an edit to the draft: recorded for undo, then saved. */
export function commit(next: FlowDefinition): void {
  const s = get();
  if (!s.flow || next === s.flow) return;
  const past = [...s.past, s.flow].slice(-HISTORY_LIMIT);
  setFlowState(next, { past, future: [] });
  scheduleSave();
}

export function edit(fn: (flow: FlowDefinition) => FlowDefinition): void {
  const flow = get().flow;
  if (flow) commit(fn(flow));
}

export function undo(): void {
  const s = get();
  if (!s.flow || !s.past.length) return;
  const prev = s.past[s.past.length - 1];
  setFlowState(prev, { past: s.past.slice(0, -1), future: [s.flow, ...s.future].slice(0, HISTORY_LIMIT) });
  scheduleSave();
}

export function redo(): void {
  const s = get();
  if (!s.flow || !s.future.length) return;
  const [next, ...rest] = s.future;
  setFlowState(next, { past: [...s.past, s.flow].slice(-HISTORY_LIMIT), future: rest });
  scheduleSave();
}

export function updateProcessor(id: string, fn: (p: ProcessorConfig) => ProcessorConfig): void {
  edit((f) => ({ ...f, processors: f.processors.map((p) => (p.id === id ? fn(p) : p)) }));
}

export function updateConnection(id: string, fn: (c: ConnectionConfig) => ConnectionConfig): void {
  edit((f) => ({ ...f, connections: f.connections.map((c) => (c.id === id ? fn(c) : c)) }));
}

export function renameFlow(name: string): void {
  edit((f) => ({ ...f, name }));
  const id = get().flowId;
  set({ flows: get().flows.map((f) => (f.id === id ? { ...f, name } : f)) });
}

function uniqueProcessorId(flow: FlowDefinition, type: string, taken: Set<string> = new Set()): string {
  for (;;) {
    const id = randomId(slugify(type));
    if (!taken.has(id) && !flow.processors.some((p) => p.id === id)) return id;
  }
}

export function addProcessor(type: string, position: XYPosition): string | null {
  const flow = get().flow;
  const def = get().typeMap[type];
  if (!flow || !def) return null;
  const id = uniqueProcessorId(flow, def.type);
  const proc: ProcessorConfig = {
    id, type: def.type, name: def.type, properties: {}, autoTerminate: [], scheduling: {},
    position: { x: Math.round(position.x), y: Math.round(position.y) },
  };
  set({ nodes: get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)) });
  commit({ ...flow, processors: [...flow.processors, proc] });
  set({ nodes: get().nodes.map((n) => (n.id === id ? { ...n, selected: true } : n)) });
  return id;
}

export function addConnection(c: Omit<ConnectionConfig, 'id'>): void {
  const flow = get().flow;
  if (!flow) return;
  let id: string;
  do { id = randomId('conn'); } while (flow.connections.some((x) => x.id === id));
  const conn: ConnectionConfig = { id, ...c };
  // A relationship that is now connected is no longer auto-terminated.
  const processors = flow.processors.map((p) => (p.id === c.source && p.autoTerminate.some((r) => c.relationships.includes(r))
    ? { ...p, autoTerminate: p.autoTerminate.filter((r) => !c.relationships.includes(r)) } : p));
  commit({ ...flow, processors, connections: [...flow.connections, conn] });
}

export function deleteSelection(): void {
  const s = get();
  if (!s.flow) return;
  const procs = useLive.getState().procs;
  const running = s.nodes.filter((n) => n.selected && procs[n.id]?.state === 'RUNNING');
  if (running.length) {
    toast(`Stop ${running.map((n) => n.data.proc.name || n.id).join(', ')} before deleting.`, 'error');
    return;
  }
  const nodeIds = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
  const edgeIds = new Set(s.edges.filter((e) => e.selected).map((e) => e.id));
  if (!nodeIds.size && !edgeIds.size) return;
  deleteElements(nodeIds, edgeIds);
}

export function deleteElements(nodeIds: Set<string>, edgeIds: Set<string>): void {
  const flow = get().flow;
  if (!flow) return;
  commit({
    ...flow,
    processors: flow.processors.filter((p) => !nodeIds.has(p.id)),
    connections: flow.connections.filter((c) => !edgeIds.has(c.id) && !nodeIds.has(c.source) && !nodeIds.has(c.destination)),
  });
}

export function clearSelection(): void {
  const s = get();
  set({ nodes: s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)) });
}

export function selectAll(): void {
  set({ nodes: get().nodes.map((n) => (n.selected ? n : { ...n, selected: true })) });
}

// ---------------------------------------------------------------- React Flow change handlers

export function onNodesChange(changes: NodeChange<ProcNode>[]): void {
  const relevant = changes.filter((c) => c.type !== 'remove' && c.type !== 'add' && c.type !== 'replace');
  if (!relevant.length) return;
  set({ nodes: applyNodeChanges(relevant, get().nodes) });
}

export function onEdgesChange(changes: EdgeChange<QueueEdge>[]): void {
  const relevant = changes.filter((c) => c.type === 'select');
  if (!relevant.length) return;
  set({ edges: applyEdgeChanges(relevant, get().edges) });
}

/** After a drag: the moved nodes' positions go into the draft as one undoable edit. */
export function commitPositions(): void {
  const s = get();
  if (!s.flow) return;
  const pos = new Map(s.nodes.map((n) => [n.id, n.position]));
  let changed = false;
  const processors = s.flow.processors.map((p) => {
    const np = pos.get(p.id);
    if (!np) return p;
    const x = Math.round(np.x);
    const y = Math.round(np.y);
    if (p.position && p.position.x === x && p.position.y === y) return p;
    changed = true;
    return { ...p, position: { x, y } };
  });
  if (changed) commit({ ...s.flow, processors });
}

// ---------------------------------------------------------------- clipboard

let clipboard: Clipboard | null = null;
let pasteCount = 0;
const CLIP_KEY = 'sluice.clipboard';

function selectionClip(): Clipboard | null {
  const s = get();
  if (!s.flow) return null;
  const ids = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
  if (!ids.size) return null;
  return {
    processors: s.flow.processors.filter((p) => ids.has(p.id)).map((p) => structuredClone(p)),
    connections: s.flow.connections.filter((c) => ids.has(c.source) && ids.has(c.destination)).map((c) => structuredClone(c)),
  };
}

export function copySelection(): boolean {
  const clip = selectionClip();
  if (!clip) return false;
  clipboard = clip;
  pasteCount = 0;
  try { localStorage.setItem(CLIP_KEY, JSON.stringify(clip)); } catch { /* storage full or denied */ }
  toast(`Copied ${clip.processors.length} processor${clip.processors.length === 1 ? '' : 's'}.`);
  return true;
}

function readClipboard(): Clipboard | null {
  try {
    const raw = localStorage.getItem(CLIP_KEY);
    if (raw) {
      const c = JSON.parse(raw) as Clipboard;
      if (Array.isArray(c.processors) && Array.isArray(c.connections)) return c;
    }
  } catch { /* ignore */ }
  return clipboard;
}

function pasteClip(clip: Clipboard, offset: number): void {
  const flow = get().flow;
  if (!flow || !clip.processors.length) return;
  const idMap = new Map<string, string>();
  const taken = new Set<string>();
  const processors = clip.processors.map((p) => {
    const id = uniqueProcessorId(flow, p.type, taken);
    taken.add(id);
    idMap.set(p.id, id);
    const copy: ProcessorConfig = { ...structuredClone(p), id, position: { x: (p.position?.x ?? 0) + offset, y: (p.position?.y ?? 0) + offset } };
    delete copy.state;
    return copy;
  });
  const connections = clip.connections.filter((c) => idMap.has(c.source) && idMap.has(c.destination)).map((c) => {
    let id: string;
    do { id = randomId('conn'); } while (flow.connections.some((x) => x.id === id));
    return { ...structuredClone(c), id, source: idMap.get(c.source)!, destination: idMap.get(c.destination)! };
  });
  set({ nodes: get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)) });
  commit({ ...flow, processors: [...flow.processors, ...processors], connections: [...flow.connections, ...connections] });
  const fresh = new Set(idMap.values());
  set({ nodes: get().nodes.map((n) => (fresh.has(n.id) ? { ...n, selected: true } : n)) });
}

export function paste(): void {
  const clip = readClipboard();
  if (!clip) return;
  const flow = get().flow;
  // Into the flow it came from, each paste lands a step further; elsewhere, in place.
  const sameFlow = flow?.processors.some((p) => clip.processors.some((c) => c.id === p.id));
  pasteCount++;
  pasteClip(clip, sameFlow ? 40 * pasteCount : 40 * (pasteCount - 1));
}

export function duplicateSelection(): void {
  const clip = selectionClip();
  if (clip) pasteClip(clip, 40);
}

// ---------------------------------------------------------------- saving

let saveTimer: ReturnType<typeof setTimeout> | null = null;
let saving: Promise<void> | null = null;
let dirty = false;

function scheduleSave(delay = 300): void {
  dirty = true;
  set({ save: { state: 'pending' } });
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => { saveTimer = null; void runSave(); }, delay);
}

/** What is sent: the draft with `state` kept only for disabled processors (run state is the server's). */
export function payloadOf(flow: FlowDefinition, flowId: string): FlowDefinition {
  const live = useLive.getState().procs;
  return {
    ...flow,
    id: flowId,
    processors: flow.processors.map((p) => {
      const desired = live[p.id]?.desiredState ?? p.state;
      const out = { ...p };
      if (desired === 'DISABLED') out.state = 'DISABLED'; else delete out.state;
      return out;
    }),
  };
}

function runSave(): Promise<void> {
  if (saving) return saving;
  saving = (async () => {
    try {
      while (dirty) {
        dirty = false;
        const { flowId, flow } = get();
        if (!flowId || !flow) break;
        set({ save: { state: 'saving' } });
        const payload = payloadOf(flow, flowId);
        const v = await api.validate(flowId, payload);
        if (get().flowId !== flowId) break;
        setProblems(v.problems, flow);
        if (!v.valid) {
          if (!dirty) set({ save: { state: 'invalid', message: `Not saved: ${v.problems.length} problem${v.problems.length === 1 ? '' : 's'} to fix first` } });
          continue;
        }
        const rec = await api.putFlow(flowId, payload, get().savedVersion || undefined);
        if (get().flowId !== flowId) break;
        set({ savedVersion: rec.version });
        if (rec.warnings?.length) toast(rec.warnings.map((w) => `${w.path}: ${w.message}`).join('; '));
        if (!dirty) set({ save: { state: 'saved' } });
      }
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        set({ save: { state: 'error', message: 'The flow was changed elsewhere; reload it to continue.' } });
      } else {
        set({ save: { state: 'error', message: errorText(e) } });
      }
    } finally {
      saving = null;
    }
  })();
  return saving;
}

/** Saves pending edits now; resolves when nothing is pending. */
export async function flushSave(): Promise<void> {
  if (saveTimer) { clearTimeout(saveTimer); saveTimer = null; }
  while (dirty || saving) await runSave();
}

export async function reloadAfterConflict(): Promise<void> {
  dirty = false;
  try { await reloadFlow(); set({ past: [], future: [] }); } catch (e) { toastError(e); }
}

/** Another client (or the run-state machinery) changed the flow: reload when we have nothing pending. */
export function remoteFlowChange(e: { flowId: string; change: string; version: number }): void {
  if (e.change === 'created' || e.change === 'deleted') void refreshFlows();
  const s = get();
  if (e.flowId !== s.flowId || e.flowId === deleting) return;
  if (e.change === 'deleted') { toast(`Flow "${e.flowId}" was deleted.`); void openFlow(null); return; }
  if (e.change === 'updated' && e.version > s.savedVersion && !dirty && !saving && !saveTimer) {
    void reloadFlow().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- run control

async function ensureSaved(): Promise<boolean> {
  await flushSave();
  const s = get().save.state;
  if (s === 'invalid' || s === 'error') {
    toast(`${get().save.message ?? 'The flow is not saved.'} Fix the problems (see the warning badges) and try again.`, 'error');
    return false;
  }
  return true;
}

export async function processorAction(pid: string, action: 'start' | 'stop' | 'run-once' | 'enable' | 'disable'): Promise<void> {
  const flowId = get().flowId;
  if (!flowId) return;
  if (action !== 'stop' && !(await ensureSaved())) return;
  try {
    await api.processorAction(flowId, pid, action);
    if (action === 'disable' || action === 'enable') {
      const state = action === 'disable' ? 'DISABLED' : undefined;
      const flow = get().flow;
      if (flow) setFlowState({ ...flow, processors: flow.processors.map((p) => (p.id === pid ? { ...p, state } : p)) });
    }
  } catch (e) { toastError(e); }
  await refreshStatus();
}

export async function flowAction(action: 'start' | 'stop'): Promise<void> {
  const flowId = get().flowId;
  if (!flowId) return;
  if (action === 'start' && !(await ensureSaved())) return;
  try {
    const r = (action === 'start' ? await api.startFlow(flowId) : await api.stopFlow(flowId)) as { failures?: { id: string; error: string }[] };
    if (r.failures?.length) toast(r.failures.map((f) => `${f.id}: ${f.error}`).join('; '), 'error');
  } catch (e) { toastError(e); }
  await refreshStatus();
}

// ---------------------------------------------------------------- flows

export async function createFlow(name: string): Promise<void> {
  try {
    const rec = await api.createFlow({ formatVersion: 1, name, processors: [], connections: [] });
    await refreshFlows();
    await openFlow(rec.id);
  } catch (e) { toastError(e); }
}

let deleting: string | null = null;

export async function deleteCurrentFlow(): Promise<void> {
  const id = get().flowId;
  if (!id) return;
  deleting = id;
  if (saveTimer) { clearTimeout(saveTimer); saveTimer = null; }
  dirty = false;
  if (saving) await saving;
  try {
    await api.deleteFlow(id);
    set({ flowId: null });
    const flows = await api.listFlows();
    set({ flows });
    await openFlow(flows[0]?.id ?? null);
    toast(`Deleted flow "${id}".`);
  } catch (e) { toastError(e); } finally { deleting = null; }
}

export function setDialog(dialog: DialogState): void { set({ dialog, menu: null }); }
export function setMenu(menu: MenuState | null): void { set({ menu }); }
