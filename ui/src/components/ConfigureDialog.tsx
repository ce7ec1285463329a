// Configure a processor: Settings, Scheduling, Properties (generated from the type's definition),
// Relationships and Comments. Values are checked locally on every keystroke and by the server
// (POST /api/flows/:id/validate with the edited flow, debounced); a running processor is read-only.
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Dialog } from './Dialog';
import { useEditor, updateProcessor, setDialog, payloadOf } from '../store';
import { useLive } from '../live';
import { api } from '../api';
import { localPropertyProblems, isPropertyVisible, parsePath, relationshipsOf } from '../validation';
import type { BulletinLevel, ProcessorConfig, ProcessorDoc, PropertyDoc } from '../types';

const TABS = ['Settings', 'Scheduling', 'Properties', 'Relationships', 'Comments'] as const;
type Tab = typeof TABS[number];
const NONE: string[] = [];
const TIME = /^\s*\d+(\.\d+)?\s*[a-zA-Z]+\s*$/;

interface FieldProblems { fields: Map<string, string[]>; general: string[] }

function addTo(map: Map<string, string[]>, key: string, msg: string) {
  const list = map.get(key) ?? [];
  if (!list.includes(msg)) list.push(msg);
  map.set(key, list);
}

function localProblems(def: ProcessorDoc | undefined, form: ProcessorConfig): FieldProblems {
  const fields = new Map<string, string[]>();
  if (def) for (const [name, msgs] of localPropertyProblems(def, form.properties)) for (const m of msgs) addTo(fields, `properties.${name}`, m);
  for (const key of ['runSchedule', 'penaltyDuration', 'yieldDuration'] as const) {
    const v = form.scheduling[key];
    if (v !== undefined && v !== '' && !TIME.test(v)) addTo(fields, `scheduling.${key}`, 'must be a time period such as "30 sec"');
  }
  const ct = form.scheduling.concurrentTasks;
  if (ct !== undefined && (!Number.isInteger(ct) || ct < 1 || ct > 64)) addTo(fields, 'scheduling.concurrentTasks', 'must be a whole number from 1 to 64');
  return { fields, general: [] };
}

function cleanForm(form: ProcessorConfig): ProcessorConfig {
  const out: ProcessorConfig = { ...form, properties: {}, scheduling: {} };
  for (const [k, v] of Object.entries(form.properties)) if (v !== '') out.properties[k] = v;
  for (const [k, v] of Object.entries(form.scheduling)) if (v !== '' && v !== undefined && !(typeof v === 'number' && Number.isNaN(v))) (out.scheduling as Record<string, unknown>)[k] = v;
  if (!out.name) delete out.name;
  if (!out.comments) delete out.comments;
  if (!out.bulletinLevel) delete out.bulletinLevel;
  if (out.retry && !out.retry.relationships.length) delete out.retry;
  return out;
}

export function ConfigureDialog({ id, initialTab }: { id: string; initialTab?: string }) {
  const proc = useEditor((s) => s.flow?.processors.find((p) => p.id === id));
  const flowId = useEditor((s) => s.flowId);
  const def = useEditor((s) => (proc ? s.typeMap[proc.type] : undefined));
  const status = useLive((s) => s.procs[id]);
  const connected = useEditor((s) => s.nodes.find((n) => n.id === id)?.data.connected ?? NONE);
  const [form, setForm] = useState<ProcessorConfig>(() => structuredClone(proc!));
  const [tab, setTab] = useState<Tab>((TABS as readonly string[]).includes(initialTab ?? '') ? initialTab as Tab : 'Properties');
  const [server, setServer] = useState<{ key: string; problems: FieldProblems } | null>(null);
  const readOnly = status?.state === 'RUNNING';
  const tabIds = useId();

  const candidate = useMemo(() => cleanForm(form), [form]);
  const key = useMemo(() => JSON.stringify(candidate), [candidate]);

  // Server validation of the edited flow, debounced.
  useEffect(() => {
    if (!flowId) return;
    const t = setTimeout(async () => {
      const flow = useEditor.getState().flow;
      if (!flow) return;
      const index = flow.processors.findIndex((p) => p.id === id);
      if (index < 0) return;
      const edited = { ...flow, processors: flow.processors.map((p) => (p.id === id ? candidate : p)) };
      try {
        const r = await api.validate(flowId, payloadOf(edited, flowId));
        const fields = new Map<string, string[]>();
        const general: string[] = [];
        for (const p of r.problems) {
          const seg = parsePath(p.path);
          if (seg[0] !== 'processors' || seg[1] !== index) continue;
          const rest = seg.slice(2);
          if (rest[0] === 'properties' && typeof rest[1] === 'string') addTo(fields, `properties.${rest[1]}`, p.message);
          else if (rest[0] === 'scheduling' && typeof rest[1] === 'string') addTo(fields, `scheduling.${rest[1]}`, p.message);
          else general.push(rest.length ? `${rest.join('.')}: ${p.message}` : p.message);
        }
        setServer({ key, problems: { fields, general } });
      } catch { /* the save pipeline reports connectivity problems */ }
    }, 350);
    return () => clearTimeout(t);
  }, [key, candidate, flowId, id]);

  const local = useMemo(() => localProblems(def, form), [def, form]);
  const fresh = server?.key === key ? server.problems : null;
  const fieldProblems = (k: string): string[] => {
    const l = local.fields.get(k) ?? [];
    const s = fresh?.fields.get(k) ?? [];
    // Local messages show at once; the server's replace them when it has checked this exact form.
    return fresh ? [...new Set([...s, ...l.filter((m) => m === 'is required')])] : l;
  };
  const general = fresh?.general ?? server?.problems.general ?? [];

  if (!proc) return null;
  const close = () => setDialog(null);
  const apply = () => {
    if (!readOnly) updateProcessor(id, (p) => ({ ...cleanForm(form), position: p.position, state: p.state }));
    close();
  };

  const setProp = (name: string, value: string) => setForm((f) => ({ ...f, properties: { ...f.properties, [name]: value } }));
  const removeProp = (name: string) => setForm((f) => { const properties = { ...f.properties }; delete properties[name]; return { ...f, properties }; });
  const setSched = (k: keyof ProcessorConfig['scheduling'], v: string | number | undefined) => setForm((f) => ({ ...f, scheduling: { ...f.scheduling, [k]: v } }));

  const countFor = (t: Tab): number => {
    let n = 0;
    const keys = new Set([...local.fields.keys(), ...(fresh?.fields.keys() ?? [])]);
    for (const k of keys) {
      const c = fieldProblems(k).length;
      if (t === 'Properties' && k.startsWith('properties.')) n += c;
      if (t === 'Scheduling' && (k === 'scheduling.runSchedule' || k === 'scheduling.cron' || k === 'scheduling.concurrentTasks')) n += c;
      if (t === 'Settings' && (k === 'scheduling.penaltyDuration' || k === 'scheduling.yieldDuration')) n += c;
    }
    if (t === 'Relationships') n += general.filter((g) => g.includes('relationship')).length;
    return n;
  };

  const onTabKey = (e: React.KeyboardEvent) => {
    const i = TABS.indexOf(tab);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + TABS.length) % TABS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = TABS.length - 1;
    if (next < 0) return;
    e.preventDefault();
    setTab(TABS[next]);
    document.getElementById(`${tabIds}-tab-${TABS[next]}`)?.focus();
  };

  return (
    <Dialog
      title={<>Configure <span className="muted">{proc.name || proc.id}</span></>}
      onClose={close}
      wide
      className="configure-dialog"
      initialFocus={`[aria-selected="true"]`}
      footer={<>
        <span className="footer-note muted">{proc.type} · id {proc.id}</span>
        <button type="button" onClick={close}>Cancel</button>
        <button type="button" className="primary" onClick={apply} disabled={readOnly}>Apply</button>
      </>}
    >
      {readOnly && <p className="notice" role="note">This processor is running: its configuration is read-only until it is stopped.</p>}
      {general.length > 0 && (
        <ul className="problem-list" aria-label="Problems">
          {general.map((g) => <li key={g}>⚠ {g}</li>)}
        </ul>
      )}
      <div className="tabs" role="tablist" aria-label="Configuration sections" onKeyDown={onTabKey}>
        {TABS.map((t) => {
          const n = countFor(t);
          return (
            <button
              key={t}
              id={`${tabIds}-tab-${t}`}
              type="button"
              role="tab"
              aria-selected={tab === t}
              aria-controls={`${tabIds}-panel`}
              tabIndex={tab === t ? 0 : -1}
              className={`tab ${tab === t ? 'tab-on' : ''}`}
              onClick={() => setTab(t)}
            >
              {t}{n > 0 && <span className="tab-count" aria-label={`${n} problems`}> ⚠{n}</span>}
            </button>
          );
        })}
      </div>
      <div className="tab-panel" role="tabpanel" id={`${tabIds}-panel`} aria-labelledby={`${tabIds}-tab-${tab}`}>
        <fieldset disabled={readOnly} className="plain">
          {tab === 'Settings' && (
            <div className="form-grid">
              <Field label="Name" help="Shown on the canvas and in bulletins.">
                {(fid, hid) => <input id={fid} aria-describedby={hid} value={form.name ?? ''} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder={proc.type} />}
              </Field>
              <Field label="Penalty duration" help='How long a penalized FlowFile waits before it is processed again (default "30 sec").' problems={fieldProblems('scheduling.penaltyDuration')}>
                {(fid, hid, bad) => <input id={fid} aria-describedby={hid} aria-invalid={bad} value={form.scheduling.penaltyDuration ?? ''} placeholder="30 sec" onChange={(e) => setSched('penaltyDuration', e.target.value)} />}
              </Field>
              <Field label="Yield duration" help='How long the processor backs off after it yields (default "1 sec").' problems={fieldProblems('scheduling.yieldDuration')}>
                {(fid, hid, bad) => <input id={fid} aria-describedby={hid} aria-invalid={bad} value={form.scheduling.yieldDuration ?? ''} placeholder="1 sec" onChange={(e) => setSched('yieldDuration', e.target.value)} />}
              </Field>
              <Field label="Bulletin level" help="The lowest level of messages shown as bulletins.">
                {(fid, hid) => (
                  <select id={fid} aria-describedby={hid} value={form.bulletinLevel ?? ''} onChange={(e) => setForm({ ...form, bulletinLevel: (e.target.value || undefined) as BulletinLevel | undefined })}>
                    <option value="">Default (WARNING)</option>
                    {['DEBUG', 'INFO', 'WARNING', 'ERROR'].map((l) => <option key={l} value={l}>{l}</option>)}
                  </select>
                )}
              </Field>
            </div>
          )}
          {tab === 'Scheduling' && (
            <div className="form-grid">
              <Field label="Scheduling strategy" help="Timer driven runs every run-schedule period; CRON driven follows a cron expression (with seconds).">
                {(fid, hid) => (
                  <select id={fid} aria-describedby={hid} value={form.scheduling.cron !== undefined ? 'cron' : 'timer'}
                    onChange={(e) => setForm({ ...form, scheduling: e.target.value === 'cron' ? { ...form.scheduling, cron: form.scheduling.cron ?? '*/10 * * * * *' } : { ...form.scheduling, cron: undefined } })}>
                    <option value="timer">Timer driven</option>
                    <option value="cron">CRON driven</option>
                  </select>
                )}
              </Field>
              {form.scheduling.cron !== undefined ? (
                <Field label="CRON expression" help='Six fields with seconds, e.g. "*/5 * * * * *".' problems={fieldProblems('scheduling.cron')}>
                  {(fid, hid, bad) => <input id={fid} aria-describedby={hid} aria-invalid={bad} value={form.scheduling.cron ?? ''} onChange={(e) => setSched('cron', e.target.value)} />}
                </Field>
              ) : (
                <Field label="Run schedule" help={`How often the processor is triggered, e.g. "0 sec" (as fast as possible) or "5 sec". Default ${def?.defaultSchedule?.runSchedule ?? '"0 sec"'}.`} problems={fieldProblems('scheduling.runSchedule')}>
                  {(fid, hid, bad) => <input id={fid} aria-describedby={hid} aria-invalid={bad} value={form.scheduling.runSchedule ?? ''} placeholder={def?.defaultSchedule?.runSchedule ?? '0 sec'} onChange={(e) => setSched('runSchedule', e.target.value)} />}
                </Field>
              )}
              <Field label="Concurrent tasks" help="How many triggers may run at once (1 to 64)." problems={fieldProblems('scheduling.concurrentTasks')}>
                {(fid, hid, bad) => <input id={fid} type="number" min={1} max={64} aria-describedby={hid} aria-invalid={bad} value={form.scheduling.concurrentTasks ?? ''} placeholder="1"
                  onChange={(e) => setSched('concurrentTasks', e.target.value === '' ? undefined : Number(e.target.value))} />}
              </Field>
            </div>
          )}
          {tab === 'Properties' && (
            <PropertiesTab def={def} form={form} setProp={setProp} removeProp={removeProp} problems={fieldProblems} />
          )}
          {tab === 'Relationships' && (
            <RelationshipsTab def={def} form={form} setForm={setForm} statusRels={status?.relationships} connected={connected} general={general} />
          )}
          {tab === 'Comments' && (
            <Field label="Comments" help="Notes for whoever maintains this flow.">
              {(fid, hid) => <textarea id={fid} aria-describedby={hid} rows={8} value={form.comments ?? ''} onChange={(e) => setForm({ ...form, comments: e.target.value })} />}
            </Field>
          )}
        </fieldset>
      </div>
    </Dialog>
  );
}

function Field(props: { label: React.ReactNode; help?: React.ReactNode; problems?: string[]; badges?: React.ReactNode; children: (id: string, helpId: string, invalid: boolean) => React.ReactNode; className?: string; prop?: string }) {
  const id = useId();
  const helpId = `${id}-help`;
  const bad = (props.problems?.length ?? 0) > 0;
  return (
    <div className={`field ${bad ? 'field-invalid' : ''} ${props.className ?? ''}`} data-prop={props.prop}>
      <label htmlFor={id} className="field-label">{props.label}{props.badges}</label>
      {props.children(id, helpId, bad)}
      <div id={helpId} className="field-help">
        {bad && <ul className="field-problems">{props.problems!.map((p) => <li key={p}>⚠ {p}</li>)}</ul>}
        {props.help && <div className="muted">{props.help}</div>}
      </div>
    </div>
  );
}

function PropertyInput({ desc, value, onChange, id, helpId, invalid }: { desc: PropertyDoc; value: string | undefined; onChange: (v: string) => void; id: string; helpId: string; invalid: boolean }) {
  if (desc.allowableValues?.length) {
    const current = value ?? desc.defaultValue ?? '';
    return (
      <select id={id} aria-describedby={helpId} aria-invalid={invalid} value={current} onChange={(e) => onChange(e.target.value)}>
        {(!desc.required || desc.defaultValue === undefined) && <option value="">{desc.defaultValue === undefined ? '— not set —' : `Default (${desc.defaultValue})`}</option>}
        {current !== '' && !desc.allowableValues.some((a) => a.value === current) && <option value={current}>{current} (not allowed)</option>}
        {desc.allowableValues.map((a) => <option key={a.value} value={a.value} title={a.description}>{a.displayName}</option>)}
      </select>
    );
  }
  const v = value ?? '';
  const placeholder = desc.defaultValue !== undefined ? `default: ${desc.defaultValue}` : desc.required ? 'required' : '';
  if (desc.sensitive) {
    return <input id={id} type="password" autoComplete="new-password" aria-describedby={helpId} aria-invalid={invalid} value={v} placeholder={placeholder || 'sensitive value'} onChange={(e) => onChange(e.target.value)} />;
  }
  if (v.includes('\n')) {
    return <textarea id={id} rows={Math.min(8, v.split('\n').length + 1)} aria-describedby={helpId} aria-invalid={invalid} value={v} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />;
  }
  return <input id={id} aria-describedby={helpId} aria-invalid={invalid} value={v} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} spellCheck={false} />;
}

function ElBadge({ scope }: { scope: string }) {
  if (scope === 'none') return null;
  return <span className="el-badge" title={`Supports Expression Language (${scope} scope)`} aria-label={`Supports Expression Language, ${scope} scope`}>EL</span>;
}

function PropertiesTab({ def, form, setProp, removeProp, problems }: {
  def: ProcessorDoc | undefined; form: ProcessorConfig; setProp: (n: string, v: string) => void; removeProp: (n: string) => void; problems: (k: string) => string[];
}) {
  const [newName, setNewName] = useState('');
  const [newValue, setNewValue] = useState('');
  const nameRef = useRef<HTMLInputElement>(null);
  if (!def) return <p className="notice">The type {form.type} is unknown to this server, so its properties cannot be shown.</p>;
  const declared = new Set(def.properties.flatMap((d) => [d.name, ...(d.aliases ?? [])]));
  const dynamic = Object.keys(form.properties).filter((k) => !declared.has(k));
  const hidden = def.properties.filter((d) => !isPropertyVisible(def, d, form.properties));
  const nameTaken = newName.trim() !== '' && (declared.has(newName.trim()) || Object.hasOwn(form.properties, newName.trim()));
  const add = () => {
    const n = newName.trim();
    if (!n || nameTaken) return;
    setProp(n, newValue);
    setNewName('');
    setNewValue('');
    nameRef.current?.focus();
  };
  return (
    <div className="props">
      {def.properties.filter((d) => isPropertyVisible(def, d, form.properties)).map((desc) => (
        <Field
          key={desc.name}
          prop={desc.name}
          className="prop-row"
          label={<>{desc.name}{desc.required && <span className="required" aria-label="required"> *</span>}</>}
          badges={<><ElBadge scope={desc.expressionLanguage} />{desc.sensitive && <span className="sens-badge" title="Sensitive: stored but never shown again">sensitive</span>}</>}
          help={<>{desc.description}{desc.validator ? <> <em>Expects: {desc.validator}.</em></> : null}</>}
          problems={problems(`properties.${desc.name}`)}
        >
          {(fid, hid, bad) => <PropertyInput desc={desc} value={form.properties[desc.name]} onChange={(v) => setProp(desc.name, v)} id={fid} helpId={hid} invalid={bad} />}
        </Field>
      ))}
      {hidden.length > 0 && <p className="muted small-note">{hidden.length} more propert{hidden.length === 1 ? 'y applies' : 'ies apply'} only with other settings: {hidden.map((h) => h.name).join(', ')}.</p>}
      {def.dynamicProperties && (
        <section className="dynamic" aria-label="Dynamic properties">
          <h3>Dynamic properties <span className="muted">— {def.dynamicProperties.description}</span></h3>
          {dynamic.map((name) => (
            <Field key={name} prop={name} className="prop-row" label={name} badges={<ElBadge scope={def.dynamicProperties!.expressionLanguage} />} problems={problems(`properties.${name}`)} help={def.dynamicProperties!.value}>
              {(fid, hid, bad) => (
                <div className="row">
                  <input id={fid} aria-describedby={hid} aria-invalid={bad} value={form.properties[name]} onChange={(e) => setProp(name, e.target.value)} spellCheck={false} />
                  <button type="button" className="small" aria-label={`Remove property ${name}`} onClick={() => removeProp(name)}>Remove</button>
                </div>
              )}
            </Field>
          ))}
          <div className="add-prop row">
            <input ref={nameRef} aria-label="New property name" placeholder={def.dynamicProperties.name} value={newName} onChange={(e) => setNewName(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />
            <input aria-label="New property value" placeholder={def.dynamicProperties.value} value={newValue} onChange={(e) => setNewValue(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />
            <button type="button" className="small" onClick={add} disabled={!newName.trim() || nameTaken}>Add property</button>
          </div>
          {nameTaken && <p className="field-problems">⚠ A property named “{newName.trim()}” already exists.</p>}
        </section>
      )}
      {!def.dynamicProperties && dynamic.length > 0 && dynamic.map((name) => (
        <Field key={name} prop={name} className="prop-row" label={name} problems={problems(`properties.${name}`)}>
          {(fid, hid, bad) => (
            <div className="row">
              <input id={fid} aria-describedby={hid} aria-invalid={bad} value={form.properties[name]} onChange={(e) => setProp(name, e.target.value)} />
              <button type="button" className="small" aria-label={`Remove property ${name}`} onClick={() => removeProp(name)}>Remove</button>
            </div>
          )}
        </Field>
      ))}
    </div>
  );
}

function RelationshipsTab({ def, form, setForm, statusRels, connected, general }: {
  def: ProcessorDoc | undefined; form: ProcessorConfig; setForm: (f: ProcessorConfig) => void; statusRels?: string[]; connected: string[]; general: string[];
}) {
  const rels = relationshipsOf(def, form, statusRels, connected);
  const retry = form.retry;
  const toggleAuto = (r: string, on: boolean) => setForm({ ...form, autoTerminate: on ? [...form.autoTerminate, r] : form.autoTerminate.filter((x) => x !== r) });
  const toggleRetry = (r: string, on: boolean) => {
    const list = on ? [...(retry?.relationships ?? []), r] : (retry?.relationships ?? []).filter((x) => x !== r);
    setForm({ ...form, retry: { maxRetries: 10, backoff: 'penalize', maxBackoffPeriod: '10 mins', ...retry, relationships: list } });
  };
  const relProblems = general.filter((g) => g.includes('relationship'));
  return (
    <div className="rels-tab">
      {relProblems.length > 0 && <ul className="field-problems">{relProblems.map((p) => <li key={p}>⚠ {p}</li>)}</ul>}
      <table className="rel-table">
        <thead><tr><th scope="col">Relationship</th><th scope="col">Auto-terminate</th><th scope="col">Retry</th><th scope="col">Description</th></tr></thead>
        <tbody>
          {rels.map((r) => {
            const desc = def?.relationships.find((x) => x.name === r)?.description ?? (def?.dynamicRelationships ? 'Dynamic relationship' : '');
            return (
              <tr key={r}>
                <th scope="row">{r}{connected.includes(r) && <span className="muted"> (connected)</span>}</th>
                <td><label className="check"><input type="checkbox" checked={form.autoTerminate.includes(r)} onChange={(e) => toggleAuto(r, e.target.checked)} aria-label={`Auto-terminate ${r}`} /> terminate</label></td>
                <td><label className="check"><input type="checkbox" checked={retry?.relationships.includes(r) ?? false} onChange={(e) => toggleRetry(r, e.target.checked)} aria-label={`Retry ${r}`} /> retry</label></td>
                <td className="muted">{desc}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {retry && retry.relationships.length > 0 && (
        <div className="form-grid retry-grid">
          <Field label="Number of retry attempts" help="Attempts before the FlowFile goes to the relationship for real (1 to 100).">
            {(fid, hid) => <input id={fid} aria-describedby={hid} type="number" min={1} max={100} value={retry.maxRetries ?? 10} onChange={(e) => setForm({ ...form, retry: { ...retry, maxRetries: Number(e.target.value) } })} />}
          </Field>
          <Field label="Retry back-off policy" help="Penalize the FlowFile, or yield the whole processor, between attempts.">
            {(fid, hid) => (
              <select id={fid} aria-describedby={hid} value={retry.backoff ?? 'penalize'} onChange={(e) => setForm({ ...form, retry: { ...retry, backoff: e.target.value as 'penalize' | 'yield' } })}>
                <option value="penalize">Penalize</option>
                <option value="yield">Yield</option>
              </select>
            )}
          </Field>
          <Field label="Retry maximum back-off period" help='Upper bound of the growing back-off, e.g. "10 mins".'>
            {(fid, hid) => <input id={fid} aria-describedby={hid} value={retry.maxBackoffPeriod ?? '10 mins'} onChange={(e) => setForm({ ...form, retry: { ...retry, maxBackoffPeriod: e.target.value } })} />}
          </Field>
        </div>
      )}
    </div>
  );
}
