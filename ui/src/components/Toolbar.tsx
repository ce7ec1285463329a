// The header: which flow is open (switch, create, rename, delete, import, export), run control for
// the whole flow, and editing tools (undo/redo, auto-layout, snap, fit view, shortcuts).
import { useEditor, openFlow, setDialog, flowAction, undo, redo, toastError, flushSave } from '../store';
import { useLive } from '../live';
import { api, downloadBlob } from '../api';
import { autoLayout } from '../canvas/layout';
import { flowInstance } from '../canvas/Canvas';

export async function exportCurrentFlow(): Promise<void> {
  const id = useEditor.getState().flowId;
  if (!id) return;
  try {
    await flushSave();
    const text = await api.exportFlow(id);
    downloadBlob(new Blob([text], { type: 'application/json' }), `${id}.json`);
  } catch (e) { toastError(e); }
}

export function Toolbar() {
  const flows = useEditor((s) => s.flows);
  const flowId = useEditor((s) => s.flowId);
  const flowName = useEditor((s) => s.flow?.name);
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const snap = useEditor((s) => s.snapToGrid);
  const runState = useLive((s) => s.runState);

  return (
    <header className="toolbar" role="toolbar" aria-label="Flow tools">
      <span className="brand" aria-hidden="true">Sluice</span>
      <label className="inline">
        <span className="sr-only">Open flow</span>
        <select value={flowId ?? ''} onChange={(e) => void openFlow(e.target.value || null)} aria-label="Open flow" data-testid="flow-select">
          {!flowId && <option value="">— no flow —</option>}
          {flows.map((f) => <option key={f.id} value={f.id}>{f.id === flowId && flowName ? flowName : f.name} ({f.id})</option>)}
        </select>
      </label>
      <button type="button" onClick={() => setDialog({ kind: 'flow-name', mode: 'create' })}>New flow</button>
      <button type="button" onClick={() => setDialog({ kind: 'flow-name', mode: 'rename' })} disabled={!flowId}>Rename</button>
      <button type="button" onClick={() => setDialog({ kind: 'confirm-delete-flow' })} disabled={!flowId}>Delete flow</button>
      <button type="button" onClick={() => setDialog({ kind: 'import' })}>Import</button>
      <button type="button" onClick={() => void exportCurrentFlow()} disabled={!flowId}>Export</button>
      <span className="sep" aria-hidden="true" />
      <button type="button" className="run" onClick={() => void flowAction('start')} disabled={!flowId} title="Start every processor">▶ Start flow</button>
      <button type="button" className="stop" onClick={() => void flowAction('stop')} disabled={!flowId} title="Stop every processor">■ Stop flow</button>
      {runState && <span className={`run-state rs-${runState.toLowerCase()}`} data-testid="flow-run-state">{runState}</span>}
      <span className="sep" aria-hidden="true" />
      <button type="button" className="icon-button" onClick={undo} disabled={!canUndo} aria-label="Undo" title="Undo (Ctrl+Z)">↶</button>
      <button type="button" className="icon-button" onClick={redo} disabled={!canRedo} aria-label="Redo" title="Redo (Ctrl+Shift+Z)">↷</button>
      <button type="button" onClick={() => void autoLayout().catch(toastError)} disabled={!flowId} title="Arrange the processors automatically (Shift+L)">Auto-layout</button>
      <button type="button" aria-pressed={snap} onClick={() => useEditor.setState({ snapToGrid: !snap })} title="Snap to a 16 px grid while dragging">Snap {snap ? 'on' : 'off'}</button>
      <button type="button" onClick={() => void flowInstance?.fitView({ padding: 0.15, duration: 200 })} disabled={!flowId} title="Fit the whole flow in view (F)">Fit view</button>
      <button type="button" className="icon-button" onClick={() => setDialog({ kind: 'shortcuts' })} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">?</button>
    </header>
  );
}
