// Create or edit a connection: which of the source's relationships it carries, back-pressure
// thresholds and FlowFile expiration.
import { useState } from 'react';
import { Dialog } from './Dialog';
import { useEditor, addConnection, updateConnection, setDialog } from '../store';
import { useLive } from '../live';
import { relationshipsOf } from '../validation';

const SIZE = /^\s*\d+(\.\d+)?\s*[a-zA-Z]+\s*$/;
const TIME = /^\s*\d+(\.\d+)?\s*[a-zA-Z]+\s*$/;

export function ConnectionDialog(props: { source: string; destination: string; relationship?: string; connectionId?: string }) {
  const flow = useEditor((s) => s.flow);
  const typeMap = useEditor((s) => s.typeMap);
  const statusRels = useLive((s) => s.procs[props.source]?.relationships);
  const existing = flow?.connections.find((c) => c.id === props.connectionId);
  const src = flow?.processors.find((p) => p.id === props.source);
  const dst = flow?.processors.find((p) => p.id === props.destination);
  const [rels, setRels] = useState<string[]>(existing?.relationships ?? (props.relationship ? [props.relationship] : []));
  const [objects, setObjects] = useState(String(existing?.backPressure?.objectThreshold ?? 10000));
  const [size, setSize] = useState(existing?.backPressure?.dataSizeThreshold ?? '1 GB');
  const [expiration, setExpiration] = useState(existing?.expiration ?? '0 sec');
  const [name, setName] = useState(existing?.name ?? '');
  if (!flow || !src || !dst) return null;

  const def = typeMap[src.type];
  const connectedElsewhere = flow.connections.filter((c) => c.source === src.id && c.id !== props.connectionId).flatMap((c) => c.relationships);
  const available = relationshipsOf(def, src, statusRels, [...connectedElsewhere, ...(existing?.relationships ?? [])]);
  const objN = Number(objects);
  const errors = {
    rels: rels.length ? '' : 'Choose at least one relationship.',
    objects: objects.trim() === '' || (Number.isInteger(objN) && objN >= 1) ? '' : 'Must be a whole number of at least 1.',
    size: size.trim() === '' || SIZE.test(size) ? '' : 'Must be a data size such as "1 GB".',
    expiration: expiration.trim() === '' || TIME.test(expiration) ? '' : 'Must be a time period such as "10 mins" ("0 sec" never expires).',
  };
  const ok = !Object.values(errors).some(Boolean);
  const close = () => setDialog(null);
  const save = () => {
    if (!ok) return;
    const backPressure: { objectThreshold?: number; dataSizeThreshold?: string } = {};
    if (objects.trim()) backPressure.objectThreshold = objN;
    if (size.trim()) backPressure.dataSizeThreshold = size.trim();
    const body = {
      source: src.id, destination: dst.id, relationships: available.filter((r) => rels.includes(r)),
      backPressure, ...(expiration.trim() && expiration.trim() !== '0 sec' ? { expiration: expiration.trim() } : {}), ...(name.trim() ? { name: name.trim() } : {}),
    };
    if (existing) updateConnection(existing.id, (c) => { const next = { ...c, ...body }; if (!body.expiration) delete next.expiration; if (!body.name) delete next.name; return next; });
    else addConnection(body);
    close();
  };

  return (
    <Dialog
      title={existing ? 'Edit connection' : 'Create connection'}
      onClose={close}
      footer={<>
        <button type="button" onClick={close}>Cancel</button>
        <button type="button" className="primary" onClick={save} disabled={!ok}>{existing ? 'Apply' : 'Add'}</button>
      </>}
    >
      <p className="conn-ends"><strong>{src.name || src.id}</strong> → <strong>{dst.name || dst.id}</strong></p>
      <fieldset className="rel-choices">
        <legend>Relationships</legend>
        {available.map((r) => (
          <label key={r} className="check">
            <input type="checkbox" checked={rels.includes(r)} onChange={(e) => setRels(e.target.checked ? [...rels, r] : rels.filter((x) => x !== r))} />
            {' '}{r}
            {connectedElsewhere.includes(r) && <span className="muted"> (also connected elsewhere)</span>}
            {src.autoTerminate.includes(r) && <span className="muted"> (auto-terminated; connecting it stops that)</span>}
          </label>
        ))}
        {errors.rels && <p className="field-problems">⚠ {errors.rels}</p>}
      </fieldset>
      <div className="form-grid">
        <label className="field">
          <span className="field-label">Back pressure object threshold</span>
          <input inputMode="numeric" value={objects} onChange={(e) => setObjects(e.target.value)} aria-invalid={!!errors.objects} />
          <span className="field-help">{errors.objects ? <span className="field-problems">⚠ {errors.objects}</span> : <span className="muted">The source stops being scheduled when this many FlowFiles are queued.</span>}</span>
        </label>
        <label className="field">
          <span className="field-label">Back pressure data size threshold</span>
          <input value={size} onChange={(e) => setSize(e.target.value)} aria-invalid={!!errors.size} />
          <span className="field-help">{errors.size ? <span className="field-problems">⚠ {errors.size}</span> : <span className="muted">…or when this much content is queued.</span>}</span>
        </label>
        <label className="field">
          <span className="field-label">FlowFile expiration</span>
          <input value={expiration} onChange={(e) => setExpiration(e.target.value)} aria-invalid={!!errors.expiration} />
          <span className="field-help">{errors.expiration ? <span className="field-problems">⚠ {errors.expiration}</span> : <span className="muted">FlowFiles older than this are dropped; "0 sec" keeps them.</span>}</span>
        </label>
        <label className="field">
          <span className="field-label">Name (optional)</span>
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </label>
      </div>
    </Dialog>
  );
}
