// A connection: a bezier edge with a label showing its relationships, what is queued and a back-pressure
// bar (green < 60 %, yellow to 85 %, red above; the percentage is in the tooltip and the text).
import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { useLive } from '../live';
import { setMenu, useEditor, type QueueEdge } from '../store';
import { formatBytes, formatCount, pressureLevel } from '../format';
import { useDetail } from './lod';

function QueueEdgeView(props: EdgeProps<QueueEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd } = props;
  // Zoomed out the label is hidden: follow only the back-pressure level (the line's colour).
  const detail = useDetail();
  const full = useLive((s) => (detail ? s.conns[id] : undefined));
  const coarse = useLive((s) => (detail ? undefined : pressureLevel(s.conns[id]?.backPressure.percent ?? 0)));
  const st = full;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const conn = data?.conn;
  const percent = st?.backPressure.percent ?? 0;
  const level = coarse ?? pressureLevel(percent);
  const count = st?.queued.count ?? 0;
  const bytes = st?.queued.bytes ?? 0;
  const objT = st?.backPressure.objectThreshold ?? conn?.backPressure?.objectThreshold;
  const sizeT = st?.backPressure.dataSizeThreshold;
  const tip = `Back pressure ${percent}%` +
    (objT ? ` — ${formatCount(count)} of ${formatCount(objT)} FlowFiles` : '') +
    (sizeT ? `, ${formatBytes(bytes)} of ${formatBytes(sizeT)}` : conn?.backPressure?.dataSizeThreshold ? `, ${formatBytes(bytes)} of ${conn.backPressure.dataSizeThreshold}` : '');
  const rels = conn?.relationships.join(', ') ?? '';

  const open = (e: React.MouseEvent) => {
    e.stopPropagation();
    useEditor.setState({ edges: useEditor.getState().edges.map((x) => (x.id === id ? (x.selected ? x : { ...x, selected: true }) : x.selected ? { ...x, selected: false } : x)) });
    setMenu({ kind: 'edge', id, x: e.clientX, y: e.clientY });
  };

  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} interactionWidth={18} className={`queue-edge bp-${level} ${selected ? 'is-selected' : ''}`} />
      <EdgeLabelRenderer>
        <div
          className={`edge-label nodrag nopan bp-${level} ${selected ? 'is-selected' : ''} ${st?.backPressure.full ? 'is-full' : ''}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          data-testid="edge-label"
          data-id={id}
          data-percent={percent}
          data-level={level}
          role="button"
          tabIndex={0}
          aria-label={`Connection ${rels}: ${formatCount(count)} queued (${formatBytes(bytes)}), ${tip}. Press Enter for actions.`}
          onClick={open}
          onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); const r = (e.currentTarget as HTMLElement).getBoundingClientRect(); setMenu({ kind: 'edge', id, x: r.left, y: r.bottom }); } }}
        >
          <span className="edge-rels">{rels}</span>
          <span className="edge-queued" data-testid="edge-queued">{formatCount(count)} ({formatBytes(bytes)})</span>
          <span className="bp-bar" title={tip} role="meter" aria-label="Back pressure" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.min(100, percent)} aria-valuetext={`${percent}%`}>
            <span className="bp-fill" style={{ width: `${Math.min(100, percent)}%` }} />
          </span>
          <span className="bp-text" title={tip}>{Math.round(percent)}%{st?.backPressure.full ? ' FULL' : ''}</span>
        </div>
      </EdgeLabelRenderer>
    </>
  );
}

export const QueueEdgeComponent = memo(QueueEdgeView);
