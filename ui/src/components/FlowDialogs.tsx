// Dialogs about whole flows: name (create or rename), delete, import (upload or paste) and the
// keyboard shortcut reference.
import { useState } from 'react';
import { Confirm, Dialog } from './Dialog';
import { useEditor, setDialog, createFlow, renameFlow, deleteCurrentFlow, refreshFlows, openFlow, toast } from '../store';
import { api, ApiError } from '../api';
import type { Problem } from '../types';

export function FlowNameDialog({ mode }: { mode: 'create' | 'rename' }) {
  const current = useEditor((s) => s.flow?.name ?? '');
  const [name, setName] = useState(mode === 'rename' ? current : '');
  const close = () => setDialog(null);
  const ok = name.trim().length > 0;
  const submit = () => {
    if (!ok) return;
    close();
    if (mode === 'create') void createFlow(name.trim());
    else renameFlow(name.trim());
  };
  return (
    <Dialog title={mode === 'create' ? 'New flow' : 'Rename flow'} onClose={close}
      footer={<><button type="button" onClick={close}>Cancel</button><button type="button" className="primary" disabled={!ok} onClick={submit}>{mode === 'create' ? 'Create' : 'Rename'}</button></>}>
      <form onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <label className="field">
          <span className="field-label">Flow name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
      </form>
    </Dialog>
  );
}

export function DeleteFlowDialog() {
  const name = useEditor((s) => s.flow?.name ?? s.flowId ?? '');
  return (
    <Confirm
      title="Delete flow?"
      message={<>Delete the flow <strong>{name}</strong>? Its processors are stopped and its queued FlowFiles dropped. Export it first if you may need it again.</>}
      confirmLabel="Delete flow"
      danger
      onCancel={() => setDialog(null)}
      onConfirm={() => { setDialog(null); void deleteCurrentFlow(); }}
    />
  );
}

export function ImportDialog() {
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  const close = () => setDialog(null);

  const onFile = async (f: File | undefined) => {
    if (!f) return;
    setFileName(f.name);
    setText(await f.text());
    setError(null);
    setProblems([]);
  };

  const submit = async () => {
    setError(null);
    setProblems([]);
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch (e) { setError(`The text is not valid JSON: ${(e as Error).message}`); return; }
    setBusy(true);
    try {
      const rec = await api.importFlow(parsed);
      await refreshFlows();
      close();
      await openFlow(rec.id);
      if (rec.warnings?.length) toast(rec.warnings.map((w) => `${w.path}: ${w.message}`).join('; '));
    } catch (e) {
      if (e instanceof ApiError) { setError(e.message); setProblems(e.details); } else setError((e as Error).message);
    } finally { setBusy(false); }
  };

  return (
    <Dialog title="Import flow" onClose={close} wide
      footer={<><button type="button" onClick={close}>Cancel</button><button type="button" className="primary" disabled={!text.trim()} aria-busy={busy} onClick={() => { if (!busy) void submit(); }}>Import</button></>}>
      <label className="field">
        <span className="field-label">Flow file (JSON, format v1)</span>
        <input type="file" accept=".json,application/json" onChange={(e) => void onFile(e.target.files?.[0])} data-testid="import-file" />
        {fileName && <span className="muted">Loaded {fileName}.</span>}
      </label>
      <label className="field">
        <span className="field-label">…or paste the JSON</span>
        <textarea rows={12} className="mono" value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} data-testid="import-text" />
      </label>
      {error && (
        <div className="notice error" role="alert" data-testid="import-errors">
          <p>{error}</p>
          {problems.length > 0 && (
            <ul className="problem-list">
              {problems.map((p, i) => <li key={i}><code>{p.path}</code>: {p.message}</li>)}
            </ul>
          )}
        </div>
      )}
    </Dialog>
  );
}

const SHORTCUTS: [string, string][] = [
  ['Click / Ctrl+Click', 'Select / add to the selection'],
  ['Shift+Drag on the canvas', 'Box-select'],
  ['Ctrl+A', 'Select all processors'],
  ['Delete or Backspace', 'Delete the selection'],
  ['Ctrl+C / Ctrl+V', 'Copy / paste (also into another flow)'],
  ['Ctrl+D', 'Duplicate the selection'],
  ['Ctrl+Z', 'Undo'],
  ['Ctrl+Shift+Z or Ctrl+Y', 'Redo'],
  ['Shift+L', 'Auto-layout'],
  ['F', 'Fit the flow in view'],
  ['Double-click a processor', 'Configure it'],
  ['Right-click a processor', 'Start, stop, run once, configure…'],
  ['Click a connection', 'List queue, edit, delete'],
  ['Drag from a relationship', 'Connect it to another processor'],
  ['Escape', 'Close the dialog or menu'],
  ['?', 'This help'],
];

export function ShortcutsDialog() {
  return (
    <Dialog title="Keyboard shortcuts" onClose={() => setDialog(null)}>
      <table className="shortcut-table">
        <tbody>{SHORTCUTS.map(([k, v]) => <tr key={k}><th scope="row"><kbd>{k}</kbd></th><td>{v}</td></tr>)}</tbody>
      </table>
    </Dialog>
  );
}
