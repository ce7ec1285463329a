// Context menus for a processor (run control, configure, copy…) and a connection (queue, edit, delete).
import { useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';
import {
  useEditor, setMenu, setDialog, processorAction, deleteElements, copySelection, duplicateSelection, type MenuState,
} from '../store';
import { useLive } from '../live';

interface Item { label: string; action: () => void; disabled?: boolean; danger?: boolean }

export function ContextMenu({ menu }: { menu: MenuState }) {
  const ref = useRef<HTMLDivElement>(null);
  const proc = useEditor((s) => (menu.kind === 'node' ? s.flow?.processors.find((p) => p.id === menu.id) : undefined));
  const conn = useEditor((s) => (menu.kind === 'edge' ? s.flow?.connections.find((c) => c.id === menu.id) : undefined));
  const status = useLive((s) => (menu.kind === 'node' ? s.procs[menu.id] : undefined));

  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]:not([disabled])')?.focus();
    const onDown = (e: MouseEvent) => { if (!ref.current?.contains(e.target as Node)) setMenu(null); };
    window.addEventListener('mousedown', onDown, true);
    return () => window.removeEventListener('mousedown', onDown, true);
  }, [menu]);

  const close = () => setMenu(null);
  let items: Item[] = [];
  let label = '';
  if (proc) {
    const running = status?.state === 'RUNNING';
    const disabled = (status?.desiredState ?? proc.state) === 'DISABLED';
    label = `Actions for ${proc.name || proc.id}`;
    const selectOnly = () => useEditor.setState({ nodes: useEditor.getState().nodes.map((n) => (n.id === proc.id ? (n.selected ? n : { ...n, selected: true }) : n.selected ? { ...n, selected: false } : n)) });
    items = [
      { label: 'Start', action: () => void processorAction(proc.id, 'start'), disabled: running || disabled },
      { label: 'Stop', action: () => void processorAction(proc.id, 'stop'), disabled: !running },
      { label: 'Run once', action: () => void processorAction(proc.id, 'run-once'), disabled: running || disabled },
      disabled ? { label: 'Enable', action: () => void processorAction(proc.id, 'enable') } : { label: 'Disable', action: () => void processorAction(proc.id, 'disable'), disabled: running },
      { label: running ? 'View configuration' : 'Configure…', action: () => setDialog({ kind: 'configure', id: proc.id }) },
      { label: 'Copy', action: () => { selectOnly(); copySelection(); } },
      { label: 'Duplicate', action: () => { selectOnly(); duplicateSelection(); } },
      { label: 'Delete', action: () => deleteElements(new Set([proc.id]), new Set()), danger: true, disabled: running },
    ];
  } else if (conn) {
    label = `Actions for connection ${conn.relationships.join(', ')}`;
    items = [
      { label: 'List queue', action: () => setDialog({ kind: 'queue', connectionId: conn.id }) },
      { label: 'Edit connection…', action: () => setDialog({ kind: 'connection', source: conn.source, destination: conn.destination, connectionId: conn.id }) },
      { label: 'Delete connection', action: () => deleteElements(new Set(), new Set([conn.id])), danger: true },
    ];
  } else return null;

  const onKeyDown = (e: React.KeyboardEvent) => {
    const list = [...ref.current!.querySelectorAll<HTMLElement>('[role="menuitem"]:not([disabled])')];
    const i = list.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); close(); }
    else if (e.key === 'ArrowDown') { e.preventDefault(); list[(i + 1) % list.length]?.focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); list[(i - 1 + list.length) % list.length]?.focus(); }
    else if (e.key === 'Tab') { e.preventDefault(); close(); }
  };

  const x = Math.min(menu.x, window.innerWidth - 200);
  const y = Math.min(menu.y, window.innerHeight - items.length * 32 - 16);
  return createPortal(
    <div ref={ref} className="context-menu" role="menu" aria-label={label} style={{ left: x, top: y }} onKeyDown={onKeyDown} data-testid="context-menu">
      {items.map((it) => (
        <button key={it.label} type="button" role="menuitem" disabled={it.disabled} className={it.danger ? 'danger-text' : ''}
          onClick={() => { close(); it.action(); }}>{it.label}</button>
      ))}
    </div>,
    document.body,
  );
}
