// ES's `filter_path` response filtering: comma-separated dotted paths with `*` (any key) and `**` (any depth)
// wildcards; a leading `-` excludes. Arrays are traversed transparently; emptied objects/arrays are dropped.

type Pattern = string[];

function segmentMatches(seg: string, key: string): boolean {
  if (seg === '*' || seg === key) return true;
  if (!seg.includes('*')) return false;
  const re = new RegExp('^' + seg.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(key);
}

/** The patterns that still apply below `key`; `done` when one of them ends at `key`. */
function advance(patterns: Pattern[], key: string): { next: Pattern[]; done: boolean } {
  const next: Pattern[] = [];
  let done = false;
  for (const p of patterns) {
    if (p[0] === '**') {
      next.push(p); // ** keeps matching deeper
      const rest = p.slice(1);
      if (rest.length === 0) done = true;
      else if (segmentMatches(rest[0], key)) {
        if (rest.length === 1) done = true;
        else next.push(rest.slice(1));
      }
    } else if (segmentMatches(p[0], key)) {
      if (p.length === 1) done = true;
      else next.push(p.slice(1));
    }
  }
  return { next, done };
}

const DROP = Symbol('drop');

function include(value: unknown, patterns: Pattern[]): unknown {
  if (Array.isArray(value)) {
    const out = value.map((v) => include(v, patterns)).filter((v) => v !== DROP);
    return out.length ? out : DROP;
  }
  if (value === null || typeof value !== 'object') return DROP;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const { next, done } = advance(patterns, k);
    if (done) out[k] = v;
    else if (next.length) {
      const sub = include(v, next);
      if (sub !== DROP) out[k] = sub;
    }
  }
  return Object.keys(out).length ? out : DROP;
}

function exclude(value: unknown, patterns: Pattern[]): unknown {
  if (Array.isArray(value)) return value.map((v) => exclude(v, patterns));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const { next, done } = advance(patterns, k);
    if (done) continue;
    out[k] = next.length ? exclude(v, next) : v;
  }
  return out;
}

export function applyFilterPath(value: unknown, filter: string): unknown {
  const specs = filter.split(',').map((s) => s.trim()).filter(Boolean);
  const includes = specs.filter((s) => !s.startsWith('-')).map((s) => s.split('.'));
  const excludes = specs.filter((s) => s.startsWith('-')).map((s) => s.slice(1).split('.'));
  let out = value;
  if (includes.length) {
    out = include(out, includes);
    if (out === DROP) return {};
  }
  if (excludes.length) out = exclude(out, excludes);
  return out;
}
