// _count and _search over the refreshed (searchable) view of one or more indices.
import type { EsContext, Handler } from './context.ts';
import { errors } from './errors.ts';
import { boolParam, intParam, parseJsonBody, type EsRequest } from './http.ts';
import { compileQuery, parseSort, valuesAt, type Predicate } from './query.ts';
import type { EsIndex, StoredDoc } from './store.ts';

const MAX_RESULT_WINDOW = 10000;
const DEFAULT_TRACK_TOTAL_HITS = 10000;

/** `q=field:value`, `q=value` or `q=*` (the URI search subset). */
function queryFromQ(q: string): unknown {
  if (q === '*' || q === '*:*') return { match_all: {} };
  const colon = q.indexOf(':');
  if (colon > 0) return { match: { [q.slice(0, colon)]: q.slice(colon + 1).replace(/^"|"$/g, '') } };
  throw errors.illegalArgument(`the test server only supports q=field:value or q=*, got [${q}]`);
}

interface Match {
  index: EsIndex;
  doc: StoredDoc;
  parsed: Record<string, unknown>;
}

function matches(req: EsRequest, ctx: EsContext, params: Record<string, string>, body: Record<string, unknown>): { matched: Match[]; shards: number } {
  const indices = ctx.store.resolve(params.index, boolParam(req.query, 'ignore_unavailable'));
  const q = req.query.get('q');
  const query = q !== null ? queryFromQ(q) : body.query;
  const out: Match[] = [];
  for (const index of indices) {
    const predicate: Predicate = compileQuery(query, index.mapping);
    const isMatchAll = query === undefined || (typeof query === 'object' && query !== null && 'match_all' in query);
    for (const doc of index.searchable.values()) {
      const parsed = JSON.parse(doc.source) as Record<string, unknown>;
      if (isMatchAll || predicate(parsed, doc.id)) out.push({ index, doc, parsed });
    }
  }
  return { matched: out, shards: indices.length };
}

function requestBody(req: EsRequest): Record<string, unknown> {
  const body = parseJsonBody(req, false) ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw errors.parsing('request body must be an object');
  return body as Record<string, unknown>;
}

export const count: Handler = (req, params, ctx) => {
  const body = requestBody(req);
  for (const k of Object.keys(body)) if (k !== 'query') throw errors.parsing(`request does not support [${k}]`);
  let n = 0;
  let shards: number;
  if (body.query === undefined && !req.query.has('q')) {
    const indices = ctx.store.resolve(params.index, boolParam(req.query, 'ignore_unavailable'));
    for (const index of indices) n += index.searchable.size;
    shards = indices.length;
  } else {
    const r = matches(req, ctx, params, body);
    n = r.matched.length;
    shards = r.shards;
  }
  return { status: 200, body: { count: n, _shards: { total: shards, successful: shards, skipped: 0, failed: 0 } } };
};

function compareValues(a: unknown, b: unknown): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const search: Handler = (req, params, ctx) => {
  const started = Date.now();
  const body = requestBody(req);
  const size = intParam(req.query, 'size') ?? (body.size !== undefined ? Number(body.size) : 10);
  const from = intParam(req.query, 'from') ?? (body.from !== undefined ? Number(body.from) : 0);
  if (size < 0 || from < 0) throw errors.illegalArgument(`[${size < 0 ? 'size' : 'from'}] parameter cannot be negative`);
  if (from + size > MAX_RESULT_WINDOW)
    throw errors.illegalArgument(
      `Result window is too large, from + size must be less than or equal to: [${MAX_RESULT_WINDOW}] but was [${from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`,
    );
  const { matched, shards } = matches(req, ctx, params, body);

  const sortParam = req.query.get('sort');
  const sort = parseSort(sortParam !== null ? sortParam.split(',') : body.sort);
  const fieldSort = sort.filter((s) => s.field !== '_score');
  for (const s of fieldSort) {
    if (s.field === '_doc') continue;
    for (const m of matched.slice(0, 1)) {
      const def = m.index.mapping.lookup(s.field);
      if (def?.type === 'text')
        throw errors.illegalArgument(
          `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${s.field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
        );
    }
  }
  const sortValue = (m: Match, field: string): unknown => {
    if (field === '_doc') return m.doc.seqNo;
    if (field === '_id') return m.doc.id;
    const path = field.endsWith('.keyword') && !m.index.mapping.lookup(field) ? field.slice(0, -8) : field;
    return valuesAt(m.parsed, path)[0];
  };
  if (fieldSort.length) {
    matched.sort((a, b) => {
      for (const s of fieldSort) {
        const c = compareValues(sortValue(a, s.field), sortValue(b, s.field));
        if (c !== 0) return s.desc ? -c : c;
      }
      return 0;
    });
  }

  const total = matched.length;
  const trackParam = req.query.get('track_total_hits');
  const track = trackParam !== null ? (trackParam === 'true' ? true : trackParam === 'false' ? false : Number(trackParam)) : (body.track_total_hits ?? DEFAULT_TRACK_TOTAL_HITS);
  const hitsTotal =
    track === false
      ? undefined
      : track === true || total <= Number(track)
        ? { value: total, relation: 'eq' }
        : { value: Number(track), relation: 'gte' };

  const wantSource = req.query.get('_source') !== 'false' && body._source !== false;
  const includes = Array.isArray(body._source) ? (body._source as string[]) : typeof body._source === 'string' ? [body._source] : null;
  const scored = fieldSort.length === 0;
  const hits = matched.slice(from, from + size).map((m) => {
    const hit: Record<string, unknown> = { _index: m.index.name, _id: m.doc.id, _score: scored ? 1.0 : null };
    if (wantSource) {
      if (includes) {
        const src: Record<string, unknown> = {};
        for (const k of includes) if (k in m.parsed) src[k] = m.parsed[k];
        hit._source = src;
      } else hit._source = m.parsed;
    }
    if (!scored) hit.sort = fieldSort.map((s) => sortValue(m, s.field) ?? null);
    return hit;
  });
  const hitsBody: Record<string, unknown> = {};
  if (hitsTotal) hitsBody.total = hitsTotal;
  hitsBody.max_score = scored && total > 0 ? 1.0 : null;
  hitsBody.hits = hits;
  return {
    status: 200,
    body: {
      took: Date.now() - started,
      timed_out: false,
      _shards: { total: shards, successful: shards, skipped: 0, failed: 0 },
      hits: hitsBody,
    },
  };
};
