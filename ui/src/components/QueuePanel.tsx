// A connection's queue: the first 100 FlowFiles; open one to see its attributes and content
// (text, hex or pretty JSON), download the content, or empty the queue after confirming.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Confirm, Dialog } from './Dialog';
import { api, downloadBlob } from '../api';
import { useEditor, setDialog, toast, toastError } from '../store';
import { refreshStatus } from '../live';
import { formatAge, formatBytes, formatCount } from '../format';
import type { QueueListing, QueuedFlowFile } from '../types';

type View = 'text' | 'hex' | 'json';

export function QueuePanel({ connectionId }: { connectionId: string }) {
  const flowId = useEditor((s) => s.flowId)!;
  const conn = useEditor((s) => s.flow?.connections.find((c) => c.id === connectionId));
  const processors = useEditor((s) => s.flow?.processors);
  const names = useMemo(() => new Map(processors?.map((p) => [p.id, p.name || p.id]) ?? []), [processors]);
  const [listing, setListing] = useState<QueueListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<QueuedFlowFile | null>(null);
  const [confirm, setConfirm] = useState(false);

  const load = useCallback(async () => {
    try { setListing(await api.listQueue(flowId, connectionId, 100)); setError(null); } catch (e) { setError((e as Error).message); }
  }, [flowId, connectionId]);
  useEffect(() => { void load(); }, [load]);

  const empty = async () => {
    setConfirm(false);
    try {
      const r = await api.emptyQueue(flowId, connectionId);
      toast(`Dropped ${formatCount(r.dropped)} FlowFile${r.dropped === 1 ? '' : 's'}.`);
      setOpen(null);
      await load();
      await refreshStatus();
    } catch (e) { toastError(e); }
  };

  const title = conn ? `Queue: ${conn.relationships.join(', ')} (${names.get(conn.source)} → ${names.get(conn.destination)})` : 'Queue';
  const close = () => setDialog(null);

  return (
    <>
      <Dialog
        title={title}
        onClose={() => { if (!confirm) close(); }}
        wide
        className="queue-dialog"
        footer={<>
          <button type="button" onClick={() => void load()}>Refresh</button>
          <button type="button" className="danger" onClick={() => setConfirm(true)} disabled={!listing || listing.queued.count === 0}>Empty queue</button>
          <button type="button" onClick={close}>Close</button>
        </>}
      >
        {error && <p className="notice error" role="alert">{error}</p>}
        {listing && (
          <p className="muted" data-testid="queue-summary">
            {formatCount(listing.queued.count)} queued ({formatBytes(listing.queued.bytes)}){listing.queued.count > listing.flowFiles.length ? `; showing the first ${listing.flowFiles.length}` : ''}.
          </p>
        )}
        {open ? (
          <FlowFileView flowId={flowId} connectionId={connectionId} ff={open} onBack={() => setOpen(null)} />
        ) : listing && listing.flowFiles.length > 0 ? (
          <div className="table-wrap">
            <table className="queue-table" data-testid="queue-table">
              <thead><tr><th scope="col">#</th><th scope="col">Filename</th><th scope="col">UUID</th><th scope="col">Size</th><th scope="col">Queued for</th><th scope="col">Penalized</th><th scope="col"><span className="sr-only">Open</span></th></tr></thead>
              <tbody>
                {listing.flowFiles.map((ff) => (
                  <tr key={ff.id}>
                    <td>{ff.position + 1}</td>
                    <td className="mono">{ff.attributes.filename ?? ''}</td>
                    <td className="mono small">{ff.attributes.uuid ?? ff.id}</td>
                    <td>{formatBytes(ff.size)}</td>
                    <td>{formatAge(ff.entryDate)}</td>
                    <td>{ff.penalized ? 'yes' : 'no'}</td>
                    <td><button type="button" className="small" onClick={() => setOpen(ff)} aria-label={`Open FlowFile ${ff.attributes.filename ?? ff.id}`}>Open</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : listing ? <p>The queue is empty.</p> : !error ? <p className="muted">Loading…</p> : null}
      </Dialog>
      {confirm && (
        <Confirm
          title="Empty queue?"
          message={`Drop all ${formatCount(listing?.queued.count ?? 0)} FlowFiles queued in this connection? This cannot be undone.`}
          confirmLabel="Empty queue"
          danger
          onConfirm={() => void empty()}
          onCancel={() => setConfirm(false)}
        />
      )}
    </>
  );
}

function FlowFileView({ flowId, connectionId, ff, onBack }: { flowId: string; connectionId: string; ff: QueuedFlowFile; onBack: () => void }) {
  const [view, setView] = useState<View>('text');
  const [content, setContent] = useState<{ text: string; truncated: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setContent(null);
    setError(null);
    api.contentAs(flowId, connectionId, ff.id, view === 'hex' ? 'hex' : 'text')
      .then((c) => { if (live) setContent(c); })
      .catch((e: Error) => { if (live) setError(e.message); });
    return () => { live = false; };
  }, [flowId, connectionId, ff.id, view]);

  let shown = content?.text ?? '';
  let jsonError = '';
  if (view === 'json' && content) {
    try { shown = JSON.stringify(JSON.parse(content.text), null, 2); } catch (e) { jsonError = `Not valid JSON: ${(e as Error).message}`; }
  }
  const download = async () => {
    try { downloadBlob(await api.contentBlob(flowId, connectionId, ff.id), ff.attributes.filename ?? `${ff.id}.bin`); } catch (e) { toastError(e); }
  };
  const attrs = Object.entries(ff.attributes).sort(([a], [b]) => a.localeCompare(b));

  return (
    <div className="ff-view" data-testid="flowfile-view">
      <div className="row">
        <button type="button" className="small" onClick={onBack}>← Back to the list</button>
        <span className="muted">FlowFile {ff.attributes.uuid ?? ff.id} · {formatBytes(ff.size)}</span>
      </div>
      <div className="ff-grid">
        <section aria-label="Attributes">
          <h3>Attributes</h3>
          <table className="attr-table">
            <tbody>{attrs.map(([k, v]) => <tr key={k}><th scope="row" className="mono">{k}</th><td className="mono">{v}</td></tr>)}</tbody>
          </table>
        </section>
        <section aria-label="Content">
          <div className="row">
            <h3>Content</h3>
            <div className="seg" role="group" aria-label="Show content as">
              {(['text', 'hex', 'json'] as View[]).map((v) => (
                <button key={v} type="button" className={`small ${view === v ? 'seg-on' : ''}`} aria-pressed={view === v} onClick={() => setView(v)}>{v === 'json' ? 'Pretty JSON' : v === 'hex' ? 'Hex' : 'Text'}</button>
              ))}
            </div>
            <button type="button" className="small" onClick={() => void download()}>Download</button>
          </div>
          {error && <p className="notice error" role="alert">{error}</p>}
          {jsonError && <p className="notice">{jsonError}</p>}
          {content?.truncated && <p className="muted">Showing the first 1 MB.</p>}
          <pre className={`content-view view-${view}`} data-testid="content-view" tabIndex={0} aria-label="FlowFile content">{content ? shown : 'Loading…'}</pre>
        </section>
      </div>
    </div>
  );
}
