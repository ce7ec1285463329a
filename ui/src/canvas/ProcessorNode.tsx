// A processor on the canvas. The node object (from the store) changes only when the processor's
// configuration does; live numbers come from the live store, selected per processor id, so a status
// snapshot re-renders only the processors whose numbers moved.
import { memo, useEffect, useMemo, useRef } from 'react';
import { Handle, Position, useUpdateNodeInternals, type NodeProps } from '@xyflow/react';
import { useEditor, setMenu, type ProcNode } from '../store';
import { useLive } from '../live';
import { formatBytes, formatCount } from '../format';
import { relationshipsOf } from '../validation';
import { useDetail } from './lod';
import type { ProcessorStatus } from '../types';

function briefOf(p: ProcessorStatus | undefined): string {
  return p ? [p.state, p.desiredState, p.validationErrors.join('\u0000'), p.relationships?.join('\u0000') ?? ''].join('\u0001') : '';
}
const briefCache = new Map<string, ProcessorStatus>();
/** A status with only the run state and errors (counters zero), shared by every node with the same brief. */
function statusFromBrief(brief: string): ProcessorStatus | undefined {
  if (!brief) return undefined;
  let s = briefCache.get(brief);
  if (!s) {
    const [state, desiredState, errs, rels] = brief.split('\u0001');
    const validationErrors = errs ? errs.split('\u0000') : [];
    const zero = { count: 0, bytes: 0 };
    s = {
      id: '', name: '', type: '', state: state as ProcessorStatus['state'], desiredState: desiredState as ProcessorStatus['desiredState'],
      valid: !validationErrors.length, validationErrors, activeTasks: 0, in: zero, out: zero, relationships: rels ? rels.split('\u0000') : undefined,
    };
    if (briefCache.size > 500) briefCache.clear();
    briefCache.set(brief, s);
  }
  return s;
}

const NO_ERRORS: string[] = [];

export type DisplayState = 'running' | 'stopped' | 'invalid' | 'disabled';

const STATE_LABEL: Record<DisplayState, string> = { running: 'Running', stopped: 'Stopped', invalid: 'Invalid', disabled: 'Disabled' };
const STATE_ICON: Record<DisplayState, string> = { running: '▶', stopped: '■', invalid: '⚠', disabled: '⊘' };

export function StateIcon({ state }: { state: DisplayState }) {
  return <span className={`state-icon state-${state}`} role="img" aria-label={STATE_LABEL[state]} title={STATE_LABEL[state]}>{STATE_ICON[state]}</span>;
}

function ProcessorNodeView({ id, data, selected }: NodeProps<ProcNode>) {
  const { proc, connected } = data;
  const def = useEditor((s) => s.typeMap[proc.type]);
  const draftProblems = useEditor((s) => s.procProblems[id] ?? NO_ERRORS);
  const unsaved = useEditor((s) => s.save.state === 'invalid');
  // Zoomed out, counters are not shown: follow only what the box shows (run state, validity).
  const detail = useDetail();
  const full = useLive((s) => (detail ? s.procs[id] : undefined));
  const brief = useLive((s) => (detail ? '' : briefOf(s.procs[id])));
  const status = detail ? full : statusFromBrief(brief);
  const updateInternals = useUpdateNodeInternals();

  const errors = useMemo(() => {
    if (unsaved || !status) return draftProblems;
    const all = [...draftProblems];
    for (const e of status.validationErrors) if (!all.includes(e)) all.push(e);
    return all;
  }, [draftProblems, status, unsaved]);

  const rels = useMemo(() => relationshipsOf(def, proc, status?.relationships, connected), [def, proc, status?.relationships, connected]);
  const relKey = rels.join('\u0000');
  // Handles were added or removed (a dynamic relationship, a new connection): React Flow must re-measure.
  const firstKey = useRef(relKey);
  useEffect(() => {
    if (firstKey.current === relKey) return;
    firstKey.current = relKey;
    updateInternals(id);
  }, [id, relKey, updateInternals]);

  const disabled = (status?.desiredState ?? proc.state) === 'DISABLED' || status?.state === 'DISABLED';
  const running = status?.state === 'RUNNING';
  const display: DisplayState = disabled ? 'disabled' : running ? 'running' : errors.length ? 'invalid' : 'stopped';
  const name = proc.name || proc.id;
  const tooltip = errors.length ? `${errors.length} validation error${errors.length === 1 ? '' : 's'}:\n${errors.map((e) => `• ${e}`).join('\n')}` : '';

  return (
    <div
      className={`proc proc-${display} ${selected ? 'is-selected' : ''}`}
      data-testid="processor-node"
      data-id={id}
      data-state={display}
      aria-label={`${name} (${proc.type}), ${STATE_LABEL[display]}${errors.length ? `, ${errors.length} validation errors` : ''}`}
    >
      <Handle type="target" id="in" position={Position.Top} className={`handle-in ${def?.inputRequirement === 'forbidden' ? 'handle-hidden' : ''}`} isConnectableStart={false} isConnectableEnd={def?.inputRequirement !== 'forbidden'} aria-label={`Input of ${name}`} />
      <div className="proc-head">
        <StateIcon state={display} />
        <div className="proc-titles">
          <div className="proc-name" title={name}>{name}</div>
          <div className="proc-type" title={def?.description ?? proc.type}>{proc.type}{def ? '' : ' (unknown type)'}</div>
        </div>
        {errors.length > 0 && (
          <span className="badge-warning" role="img" tabIndex={0} aria-label={tooltip} title={tooltip} data-testid="invalid-badge">⚠ {errors.length}</span>
        )}
        <button
          type="button"
          className="icon-button proc-menu-button nodrag"
          aria-label={`Actions for ${name}`}
          title="Actions"
          onClick={(e) => { e.stopPropagation(); const r = (e.currentTarget as HTMLElement).getBoundingClientRect(); setMenu({ kind: 'node', id, x: r.left, y: r.bottom }); }}
        >⋮</button>
      </div>
      <div className="proc-stats" title="Counts over the last 5 minutes">
        <div>In <span data-testid="stat-in">{formatCount(status?.in.count ?? 0)}</span> ({formatBytes(status?.in.bytes ?? 0)}) · Out <span data-testid="stat-out">{formatCount(status?.out.count ?? 0)}</span> ({formatBytes(status?.out.bytes ?? 0)})</div>
        <div>Tasks <span data-testid="stat-tasks">{status?.activeTasks ?? 0}</span> · 5 min</div>
      </div>
      <div className="proc-rels">
        {rels.map((r) => {
          const isConnected = connected.includes(r);
          const auto = proc.autoTerminate.includes(r);
          return (
            <div key={r} className={`rel ${isConnected ? 'rel-connected' : ''} ${auto ? 'rel-auto' : ''}`} title={auto ? `${r} (auto-terminated)` : isConnected ? `${r} (connected)` : `${r}: drag to a processor to connect`}>
              <span className="rel-name">{r}{auto ? ' ✕' : ''}</span>
              <Handle type="source" id={r} position={Position.Bottom} className="handle-rel" isConnectableEnd={false} aria-label={`Relationship ${r} of ${name}`} data-rel={r} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

// Position and size props change while dragging and measuring; the node's content does not depend on them.
export const ProcessorNode = memo(ProcessorNodeView, (a, b) => a.id === b.id && a.data === b.data && a.selected === b.selected);
