// Query DSL subset evaluated against stored documents: match_all, match_none, term, terms, ids, exists,
// match, range and bool. Text fields are matched on lowercase word tokens (like the standard analyzer), while
// keyword fields and the `.keyword` subfield of dynamic strings match the exact value (≤ 256 chars).
import { errors } from './errors.ts';
import { isNumericType, KEYWORD_IGNORE_ABOVE, type Mapping } from './mapping.ts';

export type Predicate = (doc: Record<string, unknown>, id: string) => boolean;

type Kind = 'text' | 'keyword' | 'number' | 'boolean' | 'date' | 'unmapped' | 'other';

interface ResolvedField {
  kind: Kind;
  /** path in the source document */
  sourcePath: string;
}

export function tokenize(s: string): string[] {
  return s.toLowerCase().split(/[^\p{L}\p{N}_']+/u).filter(Boolean);
}

function resolveField(mapping: Mapping, field: string): ResolvedField {
  const def = mapping.lookup(field);
  if (def) {
    if (def.type === 'text' || def.type === 'match_only_text') return { kind: 'text', sourcePath: field };
    if (def.type === 'keyword' || def.type === 'wildcard' || def.type === 'constant_keyword') return { kind: 'keyword', sourcePath: field };
    if (isNumericType(def.type)) return { kind: 'number', sourcePath: field };
    if (def.type === 'boolean') return { kind: 'boolean', sourcePath: field };
    if (def.type === 'date' || def.type === 'date_nanos') return { kind: 'date', sourcePath: field };
    return { kind: 'other', sourcePath: field };
  }
  const dot = field.lastIndexOf('.');
  if (dot > 0) {
    const parent = mapping.lookup(field.slice(0, dot));
    if (parent?.keywordSubfield && field.slice(dot + 1) === 'keyword') return { kind: 'keyword', sourcePath: field.slice(0, dot) };
  }
  return { kind: 'unmapped', sourcePath: field };
}

/** All scalar values at a dotted path (arrays flattened; dotted keys in the source honoured). */
export function valuesAt(obj: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  const walk = (node: unknown, rest: string) => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, rest);
      return;
    }
    if (rest === '') {
      if (node !== null && node !== undefined) out.push(node);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const rec = node as Record<string, unknown>;
    // try every split point so {"a.b": 1} and {"a": {"b": 1}} both resolve "a.b"
    let idx = -1;
    do {
      idx = rest.indexOf('.', idx + 1);
      const key = idx < 0 ? rest : rest.slice(0, idx);
      if (key in rec) walk(rec[key], idx < 0 ? '' : rest.slice(idx + 1));
    } while (idx >= 0);
  };
  walk(obj, path);
  return out;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

function toDate(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return NaN;
}

function toBool(v: unknown): boolean | null {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false' || v === '') return false;
  return null;
}

/** Does one stored value equal the term, under the field's kind? */
function termMatches(kind: Kind, stored: unknown, term: unknown, caseInsensitive: boolean): boolean {
  switch (kind) {
    case 'text':
      return tokenize(String(stored)).includes(String(term));
    case 'keyword': {
      if (typeof stored === 'object') return false;
      const s = String(stored);
      if (s.length > KEYWORD_IGNORE_ABOVE) return false;
      return caseInsensitive ? s.toLowerCase() === String(term).toLowerCase() : s === String(term);
    }
    case 'number':
      return toNumber(stored) === toNumber(term);
    case 'boolean':
      return toBool(stored) !== null && toBool(stored) === toBool(term);
    case 'date':
      return toDate(stored) === toDate(term);
    case 'other':
      return String(stored) === String(term);
    default:
      return false;
  }
}

function single(obj: unknown, queryName: string): [string, unknown] {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw errors.parsing(`[${queryName}] query malformed, no start_object after query name`);
  const entries = Object.entries(obj as Record<string, unknown>);
  if (entries.length !== 1)
    throw errors.parsing(`[${queryName}] query doesn't support multiple fields, found [${entries.map(([k]) => k).join('] and [')}]`);
  return entries[0];
}

function asArray(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function compileQuery(query: unknown, mapping: Mapping): Predicate {
  if (query === undefined || query === null) return () => true;
  if (typeof query !== 'object' || Array.isArray(query)) throw errors.parsing('query malformed, must start with start_object');
  const [type, body] = single(query, 'query');
  switch (type) {
    case 'match_all':
      return () => true;
    case 'match_none':
      return () => false;
    case 'term': {
      const [field, spec] = single(body, 'term');
      const isObj = spec !== null && typeof spec === 'object';
      const value = isObj ? (spec as Record<string, unknown>).value : spec;
      const ci = isObj && (spec as Record<string, unknown>).case_insensitive === true;
      const f = resolveField(mapping, field);
      return (doc) => valuesAt(doc, f.sourcePath).some((v) => termMatches(f.kind, v, value, ci));
    }
    case 'terms': {
      const entries = Object.entries((body ?? {}) as Record<string, unknown>).filter(([k]) => k !== 'boost');
      if (entries.length !== 1) throw errors.parsing('[terms] query requires exactly one field');
      const [field, values] = entries[0];
      if (!Array.isArray(values)) throw errors.parsing(`[terms] query does not support [${field}]`);
      const f = resolveField(mapping, field);
      return (doc) => valuesAt(doc, f.sourcePath).some((v) => values.some((t) => termMatches(f.kind, v, t, false)));
    }
    case 'ids': {
      const values = new Set(asArray((body as Record<string, unknown>)?.values).map(String));
      return (_doc, id) => values.has(id);
    }
    case 'exists': {
      const field = String((body as Record<string, unknown>)?.field ?? '');
      const f = resolveField(mapping, field);
      if (f.kind === 'unmapped') return () => false;
      return (doc) => valuesAt(doc, f.sourcePath).length > 0;
    }
    case 'match': {
      const [field, spec] = single(body, 'match');
      const isObj = spec !== null && typeof spec === 'object';
      const text = isObj ? (spec as Record<string, unknown>).query : spec;
      const and = isObj && String((spec as Record<string, unknown>).operator ?? 'or').toLowerCase() === 'and';
      const f = resolveField(mapping, field);
      if (f.kind === 'text') {
        const tokens = tokenize(String(text));
        return (doc) => {
          const have = new Set(valuesAt(doc, f.sourcePath).flatMap((v) => tokenize(String(v))));
          return tokens.length > 0 && (and ? tokens.every((t) => have.has(t)) : tokens.some((t) => have.has(t)));
        };
      }
      return (doc) => valuesAt(doc, f.sourcePath).some((v) => termMatches(f.kind, v, text, false));
    }
    case 'range': {
      const [field, spec] = single(body, 'range');
      const f = resolveField(mapping, field);
      const b = (spec ?? {}) as Record<string, unknown>;
      const conv = f.kind === 'date' ? toDate : f.kind === 'number' ? toNumber : (v: unknown) => v as number;
      const cmp = (a: unknown, c: unknown) => {
        const x = conv(a);
        const y = conv(c);
        return x < y ? -1 : x > y ? 1 : 0;
      };
      return (doc) =>
        valuesAt(doc, f.sourcePath).some(
          (v) =>
            (b.gt === undefined || cmp(v, b.gt) > 0) &&
            (b.gte === undefined || cmp(v, b.gte) >= 0) &&
            (b.lt === undefined || cmp(v, b.lt) < 0) &&
            (b.lte === undefined || cmp(v, b.lte) <= 0),
        );
    }
    case 'bool': {
      const b = (body ?? {}) as Record<string, unknown>;
      const must = [...asArray(b.must), ...asArray(b.filter)].map((q) => compileQuery(q, mapping));
      const should = asArray(b.should).map((q) => compileQuery(q, mapping));
      const mustNot = asArray(b.must_not).map((q) => compileQuery(q, mapping));
      const msm = b.minimum_should_match !== undefined ? Number(b.minimum_should_match) : must.length ? 0 : should.length ? 1 : 0;
      return (doc, id) =>
        must.every((p) => p(doc, id)) &&
        !mustNot.some((p) => p(doc, id)) &&
        (msm === 0 || should.filter((p) => p(doc, id)).length >= msm);
    }
    default:
      throw errors.parsing(`unknown query [${type}]`);
  }
}

export type SortSpec = { field: string; desc: boolean }[];

export function parseSort(sort: unknown): SortSpec {
  const out: SortSpec = [];
  for (const s of asArray(sort)) {
    if (typeof s === 'string') {
      const [field, order] = s.split(':');
      out.push({ field, desc: order === 'desc' || (order === undefined && field === '_score') });
    } else if (s && typeof s === 'object') {
      for (const [field, spec] of Object.entries(s as Record<string, unknown>)) {
        const order = typeof spec === 'string' ? spec : (spec as Record<string, unknown>)?.order;
        out.push({ field, desc: order === 'desc' });
      }
    }
  }
  return out;
}
