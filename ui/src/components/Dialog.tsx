// An accessible modal dialog: labelled, traps Tab focus inside, closes with Escape, and gives focus
// back to whatever had it before.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

/** Open dialogs, innermost last: keys pressed while focus is outside every dialog go to the innermost. */
const stack: { el: HTMLElement; close: () => void }[] = [];

function focusables(el: HTMLElement): HTMLElement[] {
  return [...el.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((x) => x.offsetParent !== null || x === document.activeElement);
}

function onDocumentKey(e: KeyboardEvent) {
  const top = stack[stack.length - 1];
  if (!top || top.el.contains(e.target as Node)) return;
  if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); top.close(); }
  else if (e.key === 'Tab') { e.preventDefault(); (focusables(top.el)[0] ?? top.el).focus(); }
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog(props: {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  className?: string;
  /** Selector of the element to focus first (default: the first field, else the first button). */
  initialFocus?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const el = ref.current!;
    const first = (props.initialFocus ? el.querySelector<HTMLElement>(props.initialFocus) : null)
      ?? el.querySelector<HTMLElement>('.dialog-body input:not([disabled]), .dialog-body select:not([disabled]), .dialog-body textarea:not([disabled])')
      ?? el.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? el).focus();
    const entry = { el, close: () => onClose.current() };
    stack.push(entry);
    if (stack.length === 1) document.addEventListener('keydown', onDocumentKey, true);
    return () => {
      stack.splice(stack.indexOf(entry), 1);
      if (stack.length === 0) document.removeEventListener('keydown', onDocumentKey, true);
      if (before && document.contains(before)) before.focus();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      e.preventDefault();
      onClose.current();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = focusables(ref.current!);
    if (!items.length) { e.preventDefault(); return; }
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && (document.activeElement === first || !ref.current!.contains(document.activeElement))) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && (document.activeElement === last || !ref.current!.contains(document.activeElement))) { e.preventDefault(); first.focus(); }
  };

  return createPortal(
    <div className="dialog-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose.current(); }}>
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        className={`dialog ${props.wide ? 'dialog-wide' : ''} ${props.className ?? ''}`}
        onKeyDown={onKeyDown}
      >
        <header className="dialog-header">
          <h2 id={titleId}>{props.title}</h2>
          <button type="button" className="icon-button" aria-label="Close dialog" title="Close (Esc)" onClick={() => onClose.current()}>✕</button>
        </header>
        <div className="dialog-body">{props.children}</div>
        {props.footer && <footer className="dialog-footer">{props.footer}</footer>}
      </div>
    </div>,
    document.body,
  );
}

/** A small confirmation dialog. */
export function Confirm(props: { title: string; message: ReactNode; confirmLabel: string; danger?: boolean; onConfirm: () => void; onCancel: () => void }) {
  return (
    <Dialog
      title={props.title}
      onClose={props.onCancel}
      initialFocus=".dialog-footer button"
      footer={<>
        <button type="button" onClick={props.onCancel}>Cancel</button>
        <button type="button" className={props.danger ? 'danger' : 'primary'} onClick={props.onConfirm}>{props.confirmLabel}</button>
      </>}
    >
      <p>{props.message}</p>
    </Dialog>
  );
}
