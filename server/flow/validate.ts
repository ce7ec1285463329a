// Validates a flow definition and reports every problem at once, each with a JSON path and a sentence.
import { CronExpressionParser } from 'cron-parser';
import { FlowSchema, type FlowDefinition } from './schema.ts';
import { formatPath } from './paths.ts';
import type { ProcessorRegistry } from '../sdk/registry.ts';
import { relationshipsOf } from '../sdk/definition.ts';
import { resolveConfig, descriptorByName } from '../sdk/validate-config.ts';
import { substituteParameters } from '../expression/index.ts';
import { parseDataSize, parseTimePeriod } from '../engine/units.ts';
import type { ServiceRegistry } from '../sdk/services.ts';

export interface FlowProblem {
  path: string;
  message: string;
}

export interface FlowValidation {
  flow: FlowDefinition | null;
  problems: FlowProblem[];
}

export interface ValidateOptions {
  /** Parameter values that override the flow's own (sluice run --param). */
  parameters?: Record<string, string>;
  services?: ServiceRegistry;
}

export function formatProblems(problems: readonly FlowProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Substitutes `#{param}` references; returns the value or an error message. */
export function resolveParameters(value: string, params: Readonly<Record<string, string>>): { value: string } | { error: string } {
  try {
    return { value: substituteParameters(value, (name) => (Object.hasOwn(params, name) ? params[name] : undefined)) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export function validateFlow(input: unknown, registry: ProcessorRegistry, options: ValidateOptions = {}): FlowValidation {
  const problems: FlowProblem[] = [];
  const add = (path: readonly PropertyKey[], message: string) => problems.push({ path: formatPath(path), message });

  const parsed = FlowSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) add(issue.path, issueMessage(issue));
  }
  const raw: Raw = isObj(input) ? input : {};
  const params: Record<string, string> = { ...(isObj(raw.parameters) ? (raw.parameters as Record<string, string>) : {}), ...options.parameters };

  // Ids
  const procIds = new Map<string, number>();
  arr(raw.processors).forEach((p, i) => {
    if (!isObj(p) || typeof p.id !== 'string') return;
    if (procIds.has(p.id)) add(['processors', i, 'id'], `duplicate processor id "${p.id}" (also processors[${procIds.get(p.id)}])`);
    else procIds.set(p.id, i);
  });
  const connIds = new Map<string, number>();
  arr(raw.connections).forEach((c, j) => {
    if (!isObj(c) || typeof c.id !== 'string') return;
    if (connIds.has(c.id)) add(['connections', j, 'id'], `duplicate connection id "${c.id}" (also connections[${connIds.get(c.id)}])`);
    else connIds.set(c.id, j);
  });
  const serviceTypes = new Map<string, string>();
  arr(raw.controllerServices).forEach((s, k) => {
    if (!isObj(s) || typeof s.id !== 'string') return;
    if (serviceTypes.has(s.id)) add(['controllerServices', k, 'id'], `duplicate controller service id "${s.id}"`);
    else serviceTypes.set(s.id, String(s.type));
    if (options.services && typeof s.type === 'string') {
      const def = options.services.get(s.type);
      if (!def) add(['controllerServices', k, 'type'], `unknown controller service type "${s.type}"`);
      else if (isObj(s.properties)) {
        const resolved = resolveProps(s.properties, params, ['controllerServices', k, 'properties'], add);
        for (const pr of resolveConfig(def as never, resolved).problems) add(['controllerServices', k, 'properties', ...(pr.property ? [pr.property] : [])], pr.message);
      }
    }
  });

  // Which relationships each processor has connected.
  const connected = new Map<string, Set<string>>();
  const hasIncoming = new Set<string>();
  arr(raw.connections).forEach((c, j) => {
    if (!isObj(c)) return;
    const src = typeof c.source === 'string' ? c.source : undefined;
    const dst = typeof c.destination === 'string' ? c.destination : undefined;
    if (src !== undefined && !procIds.has(src)) add(['connections', j, 'source'], `no processor with id "${src}"`);
    if (dst !== undefined && !procIds.has(dst)) add(['connections', j, 'destination'], `no processor with id "${dst}"`);
    if (dst !== undefined) hasIncoming.add(dst);
    if (src !== undefined) {
      const set = connected.get(src) ?? new Set<string>();
      for (const r of arr(c.relationships)) if (typeof r === 'string') set.add(r);
      connected.set(src, set);
    }
    const bp = c.backPressure;
    if (isObj(bp) && typeof bp.dataSizeThreshold === 'string' && parseDataSize(bp.dataSizeThreshold) === undefined) {
      add(['connections', j, 'backPressure', 'dataSizeThreshold'], `must be a data size such as "1 GB", got ${JSON.stringify(bp.dataSizeThreshold)}`);
    }
    if (typeof c.expiration === 'string' && parseTimePeriod(c.expiration) === undefined) {
      add(['connections', j, 'expiration'], `must be a time period such as "10 mins", got ${JSON.stringify(c.expiration)}`);
    }
  });

  arr(raw.processors).forEach((p, i) => {
    if (!isObj(p) || typeof p.type !== 'string') return;
    const def = registry.get(p.type);
    if (!def) {
      add(['processors', i, 'type'], `unknown processor type "${p.type}"${suggest(p.type, registry.types())}`);
      return;
    }
    const props = isObj(p.properties) ? p.properties : {};
    const resolved = resolveProps(props, params, ['processors', i, 'properties'], add);
    const config = resolveConfig(def, resolved);
    for (const pr of config.problems) add(['processors', i, 'properties', ...(pr.property ? [pr.property] : [])], pr.message);
    for (const desc of def.properties) {
      if (!desc.controllerServiceType) continue;
      const ref = config.values.get(desc.name);
      if (ref === undefined) continue;
      const t = serviceTypes.get(ref);
      if (t === undefined) add(['processors', i, 'properties', desc.name], `no controller service with id "${ref}"`);
      else if (options.services && !options.services.implements(t, desc.controllerServiceType)) add(['processors', i, 'properties', desc.name], `controller service "${ref}" is a ${t}, not a ${desc.controllerServiceType}`);
    }

    const rels = new Set(relationshipsOf(def, new Map(Object.entries(resolved))).map((r) => r.name));
    const auto = arr(p.autoTerminate).filter((r): r is string => typeof r === 'string');
    auto.forEach((r, k) => { if (!rels.has(r)) add(['processors', i, 'autoTerminate', k], `${def.type} has no relationship "${r}"`); });
    const conn = connected.get(p.id as string) ?? new Set<string>();
    for (const r of rels) {
      if (!conn.has(r) && !auto.includes(r)) add(['processors', i], `relationship "${r}" is neither connected nor auto-terminated`);
    }
    const incoming = hasIncoming.has(p.id as string);
    if (def.inputRequirement === 'required' && !incoming) add(['processors', i], `${def.type} requires an incoming connection`);
    if (def.inputRequirement === 'forbidden' && incoming) add(['processors', i], `${def.type} does not accept incoming connections`);

    const sched = isObj(p.scheduling) ? p.scheduling : {};
    for (const key of ['runSchedule', 'penaltyDuration', 'yieldDuration'] as const) {
      const v = sched[key];
      if (typeof v === 'string' && parseTimePeriod(v) === undefined) add(['processors', i, 'scheduling', key], `must be a time period such as "30 sec", got ${JSON.stringify(v)}`);
    }
    if (typeof sched.cron === 'string') {
      try { CronExpressionParser.parse(sched.cron); } catch (e) { add(['processors', i, 'scheduling', 'cron'], `is not a valid cron expression: ${(e as Error).message}`); }
    }
    const retry = isObj(p.retry) ? p.retry : undefined;
    if (retry) {
      arr(retry.relationships).forEach((r, k) => { if (typeof r === 'string' && !rels.has(r)) add(['processors', i, 'retry', 'relationships', k], `${def.type} has no relationship "${r}"`); });
      if (typeof retry.maxBackoffPeriod === 'string' && parseTimePeriod(retry.maxBackoffPeriod) === undefined) add(['processors', i, 'retry', 'maxBackoffPeriod'], `must be a time period, got ${JSON.stringify(retry.maxBackoffPeriod)}`);
    }
  });

  arr(raw.connections).forEach((c, j) => {
    if (!isObj(c) || typeof c.source !== 'string') return;
    const pi = procIds.get(c.source);
    if (pi === undefined) return;
    const p = arr(raw.processors)[pi] as Raw;
    const def = typeof p.type === 'string' ? registry.get(p.type) : undefined;
    if (!def) return;
    const props = isObj(p.properties) ? (p.properties as Record<string, string>) : {};
    const rels = new Set(relationshipsOf(def, new Map(Object.entries(props))).map((r) => r.name));
    arr(c.relationships).forEach((r, k) => {
      if (typeof r === 'string' && !rels.has(r)) add(['connections', j, 'relationships', k], `${def.type} "${p.id}" has no relationship "${r}"`);
    });
  });

  return { flow: problems.length === 0 && parsed.success ? parsed.data : null, problems: dedupe(problems) };
}

function resolveProps(props: Raw, params: Record<string, string>, base: PropertyKey[], add: (path: readonly PropertyKey[], m: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    if (typeof v !== 'string') continue;
    const r = resolveParameters(v, params);
    if ('error' in r) add([...base, k], r.error);
    else out[k] = r.value;
  }
  return out;
}

/** Property values with parameters substituted (for building the runtime from a valid flow). */
export function resolvedProperties(props: Readonly<Record<string, string>>, params: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    const r = resolveParameters(v, params);
    out[k] = 'error' in r ? v : r.value;
  }
  return out;
}

function issueMessage(issue: { code: string; message: string; expected?: unknown; keys?: string[]; input?: unknown }): string {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `is required (expected ${issue.expected})`;
    return `must be ${article(String(issue.expected))}, got ${describe(issue.input)}`;
  }
  if (issue.code === 'unrecognized_keys') return `has unknown field(s) ${issue.keys!.map((k) => JSON.stringify(k)).join(', ')}`;
  return issue.message;
}

function article(t: string): string { return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`; }
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function suggest(name: string, known: string[]): string {
  const lower = name.toLowerCase();
  const close = known.find((k) => k.toLowerCase() === lower || levenshtein(k.toLowerCase(), lower) <= 2);
  return close ? ` (did you mean "${close}"?)` : '';
}

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) {
    d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

function dedupe(problems: FlowProblem[]): FlowProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => { const k = `${p.path}\u0000${p.message}`; if (seen.has(k)) return false; seen.add(k); return true; });
}

export { descriptorByName };
