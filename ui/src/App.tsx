// The editor shell: toolbar, palette, canvas, bulletins, status bar, dialogs, toasts and the global
// keyboard shortcuts. Without a valid token it shows how to get one instead.
import { useEffect, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { Canvas, flowInstance } from './canvas/Canvas';
import { Palette } from './components/Palette';
import { Toolbar } from './components/Toolbar';
import { StatusBar } from './components/StatusBar';
import { BulletinsPanel } from './components/BulletinsPanel';
import { ClusterPanel } from './components/ClusterPanel';
import { ConfigureDialog } from './components/ConfigureDialog';
import { ConnectionDialog } from './components/ConnectionDialog';
import { QueuePanel } from './components/QueuePanel';
import { ContextMenu } from './components/ContextMenu';
import { FlowNameDialog, DeleteFlowDialog, ImportDialog, ShortcutsDialog } from './components/FlowDialogs';
import {
  useEditor, init, undo, redo, deleteSelection, copySelection, paste, duplicateSelection, selectAll,
  setDialog, setMenu, dismissToast, remoteFlowChange, toastError, openFlow, clearSelection,
} from './store';
import { connectLive, onFlowEvent } from './live';
import { getToken, setToken, setAuthFailureHandler, clearToken } from './api';
import { autoLayout } from './canvas/layout';

function isTyping(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

function onKeyDown(e: KeyboardEvent) {
  const s = useEditor.getState();
  if (e.defaultPrevented || isTyping(e.target)) return;
  const inDialog = !!(e.target as HTMLElement | null)?.closest?.('[role="dialog"], [role="menu"]');
  if (inDialog || s.dialog) return;
  const mod = e.ctrlKey || e.metaKey;
  const k = e.key.toLowerCase();
  if (e.key === 'Escape') { if (s.menu) setMenu(null); else clearSelection(); return; }
  if (!s.flowId) return;
  if (mod && k === 'z' && !e.shiftKey) { e.preventDefault(); undo(); }
  else if ((mod && k === 'z' && e.shiftKey) || (mod && k === 'y')) { e.preventDefault(); redo(); }
  else if (mod && k === 'c') { if (copySelection()) e.preventDefault(); }
  else if (mod && k === 'v') { e.preventDefault(); paste(); }
  else if (mod && k === 'd') { e.preventDefault(); duplicateSelection(); }
  else if (mod && k === 'a') { e.preventDefault(); selectAll(); }
  else if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) { e.preventDefault(); deleteSelection(); }
  else if (!mod && e.key === '?') { e.preventDefault(); setDialog({ kind: 'shortcuts' }); }
  else if (!mod && e.shiftKey && k === 'l') { e.preventDefault(); void autoLayout().catch(toastError); }
  else if (!mod && !e.shiftKey && !e.altKey && k === 'f') { e.preventDefault(); void flowInstance?.fitView({ padding: 0.15, duration: 200 }); }
}

function TokenScreen({ message }: { message: string }) {
  const [value, setValue] = useState('');
  return (
    <main className="token-screen">
      <h1>Sluice</h1>
      <p className="notice error" role="alert" data-testid="auth-error">{message}</p>
      <p>Open the address that <code>sluice serve</code> printed when it started (it ends in <code>?token=…</code>), or paste the access token here.
        The token is kept for this browser tab only.</p>
      <form onSubmit={(e) => { e.preventDefault(); if (value.trim()) { setToken(value); window.location.reload(); } }}>
        <label className="field">
          <span className="field-label">Access token</span>
          <input type="password" value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" />
        </label>
        <button type="submit" className="primary">Continue</button>
      </form>
    </main>
  );
}

export function App() {
  const authError = useEditor((s) => s.authError);
  const dialog = useEditor((s) => s.dialog);
  const menu = useEditor((s) => s.menu);
  const toasts = useEditor((s) => s.toasts);
  const showBulletins = useEditor((s) => s.showBulletins);
  const showCluster = useEditor((s) => s.showCluster);
  const loading = useEditor((s) => s.loading);

  useEffect(() => {
    setAuthFailureHandler((message) => {
      clearToken();
      useEditor.setState({ authError: message === 'No access token.' ? 'No access token was given.' : `The access token was rejected: ${message}` });
    });
    if (!getToken()) {
      useEditor.setState({ authError: 'No access token was given.', loading: false });
      return;
    }
    onFlowEvent(remoteFlowChange);
    connectLive();
    void init();
    window.addEventListener('keydown', onKeyDown);
    const onHash = () => {
      const id = decodeURIComponent(window.location.hash.replace(/^#\/?flow\//, ''));
      if (id && id !== useEditor.getState().flowId) void openFlow(id);
    };
    window.addEventListener('hashchange', onHash);
    return () => { window.removeEventListener('keydown', onKeyDown); window.removeEventListener('hashchange', onHash); };
  }, []);

  if (authError) return <TokenScreen message={authError} />;

  return (
    <ReactFlowProvider>
      <div className={`app ${showBulletins || showCluster ? 'with-bulletins' : ''}`}>
        <Toolbar />
        <aside className="sidebar" aria-label="Processor palette"><Palette /></aside>
        <main className="main" aria-label="Flow editor" aria-busy={loading}>
          <Canvas />
        </main>
        {(showBulletins || showCluster) && <div className="bottom">{showCluster ? <ClusterPanel /> : <BulletinsPanel />}</div>}
        <StatusBar />
      </div>
      {menu && <ContextMenu menu={menu} />}
      {dialog?.kind === 'configure' && <ConfigureDialog key={dialog.id} id={dialog.id} initialTab={dialog.tab} />}
      {dialog?.kind === 'connection' && <ConnectionDialog {...dialog} />}
      {dialog?.kind === 'queue' && <QueuePanel connectionId={dialog.connectionId} />}
      {dialog?.kind === 'import' && <ImportDialog />}
      {dialog?.kind === 'shortcuts' && <ShortcutsDialog />}
      {dialog?.kind === 'flow-name' && <FlowNameDialog mode={dialog.mode} />}
      {dialog?.kind === 'confirm-delete-flow' && <DeleteFlowDialog />}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
            <span>{t.text}</span>
            <button type="button" className="icon-button" aria-label="Dismiss message" onClick={() => dismissToast(t.id)}>✕</button>
          </div>
        ))}
      </div>
    </ReactFlowProvider>
  );
}
