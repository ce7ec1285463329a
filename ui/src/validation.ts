// Client-side checks. The server is the authority (POST /api/flows/:id/validate runs the very validators
// the engine uses); these local checks mirror the parts a definition describes declaratively — required,
// allowable values, dependsOn, the validator's JSON-Schema pattern/enum, Expression Language support — so
// a form can flag a value on the keystroke, before the debounced server check answers.
import type { FlowDefinition, ProcessorConfig, ProcessorDoc, PropertyDoc, Problem } from './types';

export type PathSegment = string | number;

/** `processors[2].properties["Batch Size"]` → ['processors', 2, 'properties', 'Batch Size']. */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  let i = 0;
  while (i < path.length) {
    const ch = path[i];
    if (ch === '.') { i++; continue; }
    if (ch === '[') {
      if (path[i + 1] === '"') {
        // A JSON string up to the matching quote.
        let j = i + 2;
        while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
        try { out.push(JSON.parse(path.slice(i + 1, j + 1)) as string); } catch { out.push(path.slice(i + 2, j)); }
        i = j + 2;
      } else {
        const j = path.indexOf(']', i);
        const raw = path.slice(i + 1, j < 0 ? path.length : j);
        out.push(/^\d+$/.test(raw) ? Number(raw) : raw);
        i = j < 0 ? path.length : j + 1;
      }
      continue;
    }
    let j = i;
    while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
    out.push(path.slice(i, j));
    i = j;
  }
  return out;
}

export function containsExpression(value: string): boolean {
  return /(^|[^$])\$\{/.test(value);
}

function dependencySatisfied(def: ProcessorDoc, desc: PropertyDoc, values: Map<string, string>, depth = 0): boolean {
  const dep = desc.dependsOn;
  if (!dep) return true;
  if (depth > 20) return true;
  const other = values.get(dep.property);
  if (other === undefined) return false;
  const parent = def.properties.find((p) => p.name === dep.property);
  if (parent && !dependencySatisfied(def, parent, values, depth + 1)) return false;
  return dep.values === undefined || dep.values.includes(other);
}

/** Effective values (configured, else default) by property name. */
export function effectiveValues(def: ProcessorDoc, props: Record<string, string>): Map<string, string> {
  const values = new Map<string, string>();
  for (const d of def.properties) {
    const v = props[d.name] ?? d.aliases?.map((a) => props[a]).find((x) => x !== undefined);
    if (v !== undefined && v !== '') values.set(d.name, v);
    else if (d.defaultValue !== undefined) values.set(d.name, d.defaultValue);
  }
  return values;
}

export function isPropertyVisible(def: ProcessorDoc, desc: PropertyDoc, props: Record<string, string>): boolean {
  return dependencySatisfied(def, desc, effectiveValues(def, props));
}

/** Problems with one value, as sentence fragments ("is required", "must be one of …"). */
export function checkValue(desc: PropertyDoc, value: string | undefined): string[] {
  const v = value ?? desc.defaultValue;
  if (v === undefined || v === '') return desc.required ? ['is required'] : [];
  if (containsExpression(v)) {
    return desc.expressionLanguage === 'none' ? ['does not support Expression Language'] : [];
  }
  if (desc.allowableValues?.length && !desc.allowableValues.some((a) => a.value === v)) {
    return [`must be one of ${desc.allowableValues.map((a) => JSON.stringify(a.value)).join(', ')}`];
  }
  const schema = desc.schema;
  if (schema?.enum && !schema.enum.includes(v)) return [`must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`];
  if (schema?.pattern) {
    try {
      if (!new RegExp(schema.pattern).test(v)) return [desc.validator ? `must be a ${desc.validator}` : 'has an invalid format'];
    } catch { /* a Java-only pattern: leave it to the server */ }
  }
  return [];
}

/** Local problems of a processor's properties, by property name ('' for unnamed dynamic properties). */
export function localPropertyProblems(def: ProcessorDoc, props: Record<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const values = effectiveValues(def, props);
  for (const desc of def.properties) {
    if (!dependencySatisfied(def, desc, values)) continue;
    const msgs = checkValue(desc, props[desc.name]);
    if (msgs.length) out.set(desc.name, msgs);
  }
  for (const name of Object.keys(props)) {
    if (def.properties.some((d) => d.name === name || d.aliases?.includes(name))) continue;
    if (!def.dynamicProperties) out.set(name, [`is not a property of ${def.type}`]);
    else if (name.trim() === '') out.set(name, ['a dynamic property needs a name']);
    else if (containsExpression(props[name]) && def.dynamicProperties.expressionLanguage === 'none') out.set(name, ['does not support Expression Language']);
  }
  return out;
}

/**
 * The relationships a processor offers: the server's list when the status reports one, else the
 * definition's, plus — for types with dynamic relationships — one per dynamic property (NiFi's
 * RouteOnAttribute convention), plus any name already connected or auto-terminated.
 */
export function relationshipsOf(def: ProcessorDoc | undefined, proc: ProcessorConfig, fromStatus?: string[], connected: string[] = []): string[] {
  const out: string[] = [];
  const add = (n: string) => { if (n && !out.includes(n)) out.push(n); };
  if (fromStatus?.length) fromStatus.forEach(add);
  else {
    def?.relationships.forEach((r) => add(r.name));
    if (def?.dynamicRelationships) {
      for (const name of Object.keys(proc.properties)) {
        if (!def.properties.some((d) => d.name === name || d.aliases?.includes(name))) add(name);
      }
    }
  }
  connected.forEach(add);
  proc.autoTerminate.forEach(add);
  return out;
}

/** Problems grouped by processor id (messages prefixed with the property or field they concern). */
export function problemsByProcessor(flow: FlowDefinition, problems: Problem[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of problems) {
    const seg = parsePath(p.path);
    if (seg[0] !== 'processors' || typeof seg[1] !== 'number') continue;
    const proc = flow.processors[seg[1]];
    if (!proc) continue;
    const rest = seg.slice(2);
    let prefix = '';
    if (rest[0] === 'properties' && typeof rest[1] === 'string') prefix = `"${rest[1]}" `;
    else if (rest.length) prefix = `${rest.join('.')}: `;
    const list = out.get(proc.id) ?? [];
    const msg = prefix + p.message;
    if (!list.includes(msg)) list.push(msg);
    out.set(proc.id, list);
  }
  return out;
}
