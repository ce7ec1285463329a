/**
 * A compact JSONPath implementation following Jayway JsonPath semantics (used by NiFi's jsonPath functions).
 *
 * Supported: $, @, .name, ['name'], ['a','b'], [n], [-n], [n,m], [start:end], [*], .*, ..name, ..*, ..[n],
 * [?(<filter>)] with @/$ paths, == != < <= > >= =~ /re/i, in, nin, &&, ||, !, parentheses, existence checks,
 * and the trailing functions length()/size().
 */
import { ExpressionEvaluationError } from './errors.ts';

type Json = unknown;

type Seg =
  | { t: 'prop'; names: string[] }
  | { t: 'wild' }
  | { t: 'idx'; idx: number[] }
  | { t: 'slice'; start: number | null; end: number | null }
  | { t: 'filter'; pred: Pred }
  | { t: 'deep'; inner: Seg }
  | { t: 'fn'; name: string };

type Operand =
  | { t: 'path'; root: '@' | '$'; segs: Seg[] }
  | { t: 'lit'; v: Json }
  | { t: 'regex'; re: RegExp };

type Pred =
  | { t: 'or'; a: Pred; b: Pred }
  | { t: 'and'; a: Pred; b: Pred }
  | { t: 'not'; e: Pred }
  | { t: 'cmp'; op: string; l: Operand; r: Operand }
  | { t: 'exists'; o: Operand };

export interface JsonPath {
  readonly source: string;
  readonly segs: Seg[];
  readonly definite: boolean;
}

export class JsonPathSyntaxError extends ExpressionEvaluationError {}

function bad(src: string, msg: string): never {
  throw new JsonPathSyntaxError(`Invalid JSON Path expression: ${src} (${msg})`);
}

class PathParser {
  i = 0;
  constructor(
    readonly s: string,
    readonly src: string,
  ) {}

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  /** Parses segments until the end of the text or, when `embedded`, until a char that cannot continue a path. */
  segments(embedded: boolean): Seg[] {
    const segs: Seg[] = [];
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '.') {
        if (s[this.i + 1] === '.') {
          this.i += 2;
          let inner: Seg;
          if (s[this.i] === '[') inner = this.bracket();
          else if (s[this.i] === '*') {
            this.i++;
            inner = { t: 'wild' };
          } else {
            const name = this.name();
            if (!name) bad(this.src, "path must not end with a '..'");
            inner = { t: 'prop', names: [name] };
          }
          segs.push({ t: 'deep', inner });
          continue;
        }
        this.i++;
        if (s[this.i] === '*') {
          this.i++;
          segs.push({ t: 'wild' });
          continue;
        }
        const name = this.name();
        if (!name) bad(this.src, "path must not end with a '.'");
        if (s[this.i] === '(' && s[this.i + 1] === ')') {
          this.i += 2;
          if (name !== 'length' && name !== 'size') bad(this.src, `unsupported function ${name}()`);
          segs.push({ t: 'fn', name });
          continue;
        }
        segs.push({ t: 'prop', names: [name] });
        continue;
      }
      if (c === '[') {
        segs.push(this.bracket());
        continue;
      }
      if (embedded) break;
      bad(this.src, `unexpected '${c}' at position ${this.i}`);
    }
    return segs;
  }

  name(): string {
    const start = this.i;
    while (this.i < this.s.length && !/[.\[\]\s()=!<>&|,'"~]/.test(this.s[this.i]!)) this.i++;
    return this.s.slice(start, this.i);
  }

  quoted(): string {
    const q = this.s[this.i]!;
    let out = '';
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== q) {
      if (this.s[this.i] === '\\' && this.i + 1 < this.s.length) this.i++;
      out += this.s[this.i];
      this.i++;
    }
    if (this.i >= this.s.length) bad(this.src, 'unterminated string');
    this.i++;
    return out;
  }

  bracket(): Seg {
    const s = this.s;
    this.i++; // [
    this.ws();
    const c = s[this.i];
    let seg: Seg;
    if (c === '?') {
      this.i++;
      this.ws();
      if (s[this.i] !== '(') bad(this.src, "expected '(' after '?'");
      this.i++;
      const pred = this.orExpr();
      this.ws();
      if (s[this.i] !== ')') bad(this.src, "expected ')' to close the filter");
      this.i++;
      seg = { t: 'filter', pred };
    } else if (c === '*') {
      this.i++;
      seg = { t: 'wild' };
    } else if (c === "'" || c === '"') {
      const names = [this.quoted()];
      this.ws();
      while (s[this.i] === ',') {
        this.i++;
        this.ws();
        if (s[this.i] !== "'" && s[this.i] !== '"') bad(this.src, 'expected a quoted property name');
        names.push(this.quoted());
        this.ws();
      }
      seg = { t: 'prop', names };
    } else {
      const end = s.indexOf(']', this.i);
      if (end < 0) bad(this.src, "unclosed '['");
      const body = s.slice(this.i, end).replace(/\s+/g, '');
      this.i = end;
      if (body.includes(':')) {
        const m = /^(-?\d*):(-?\d*)$/.exec(body);
        if (!m) bad(this.src, `invalid array slice [${body}]`);
        seg = { t: 'slice', start: m[1] ? Number(m[1]) : null, end: m[2] ? Number(m[2]) : null };
      } else {
        if (!/^-?\d+(?:,-?\d+)*$/.test(body)) bad(this.src, `invalid array index [${body}]`);
        seg = { t: 'idx', idx: body.split(',').map(Number) };
      }
    }
    this.ws();
    if (s[this.i] !== ']') bad(this.src, "expected ']'");
    this.i++;
    return seg;
  }

  orExpr(): Pred {
    let a = this.andExpr();
    for (;;) {
      this.ws();
      if (this.s.startsWith('||', this.i)) {
        this.i += 2;
        a = { t: 'or', a, b: this.andExpr() };
      } else return a;
    }
  }

  andExpr(): Pred {
    let a = this.unary();
    for (;;) {
      this.ws();
      if (this.s.startsWith('&&', this.i)) {
        this.i += 2;
        a = { t: 'and', a, b: this.unary() };
      } else return a;
    }
  }

  unary(): Pred {
    this.ws();
    if (this.s[this.i] === '!' && this.s[this.i + 1] !== '=') {
      this.i++;
      return { t: 'not', e: this.unary() };
    }
    if (this.s[this.i] === '(') {
      this.i++;
      const e = this.orExpr();
      this.ws();
      if (this.s[this.i] !== ')') bad(this.src, "expected ')'");
      this.i++;
      return e;
    }
    const l = this.operand();
    this.ws();
    const m = /^(==|!=|<=|>=|<|>|=~|nin\b|in\b)/.exec(this.s.slice(this.i));
    if (!m) {
      if (l.t !== 'path') bad(this.src, 'expected a comparison operator');
      return { t: 'exists', o: l };
    }
    this.i += m[0].length;
    const r = this.operand();
    return { t: 'cmp', op: m[0], l, r };
  }

  operand(): Operand {
    this.ws();
    const s = this.s;
    const c = s[this.i];
    if (c === '@' || c === '$') {
      this.i++;
      return { t: 'path', root: c, segs: this.segments(true) };
    }
    if (c === "'" || c === '"') return { t: 'lit', v: this.quoted() };
    if (c === '/') {
      const end = s.indexOf('/', this.i + 1);
      if (end < 0) bad(this.src, 'unterminated regex');
      const body = s.slice(this.i + 1, end);
      this.i = end + 1;
      const fl = /^[a-z]*/.exec(s.slice(this.i))![0];
      this.i += fl.length;
      try {
        return { t: 'regex', re: new RegExp(body, fl.replace(/[^ims]/g, '')) };
      } catch {
        bad(this.src, `invalid regex /${body}/`);
      }
    }
    if (c === '[') {
      const end = s.indexOf(']', this.i);
      if (end < 0) bad(this.src, "unclosed '['");
      const text = s.slice(this.i, end + 1).replace(/'/g, '"');
      this.i = end + 1;
      try {
        return { t: 'lit', v: JSON.parse(text) };
      } catch {
        bad(this.src, `invalid list ${text}`);
      }
    }
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)/.exec(s.slice(this.i));
    if (!m) bad(this.src, `unexpected '${c ?? 'end of path'}' in filter`);
    this.i += m[0].length;
    return { t: 'lit', v: JSON.parse(m[0]) };
  }
}

const pathCache = new Map<string, JsonPath | JsonPathSyntaxError>();

export function compileJsonPath(source: string): JsonPath {
  let p = pathCache.get(source);
  if (!p) {
    try {
      let s = source.trim();
      if (!s) bad(source, 'path must not be empty');
      if (s[0] !== '$' && s[0] !== '@') s = '$.' + s;
      const parser = new PathParser(s, source);
      parser.i = 1;
      const segs = parser.segments(false);
      const definite = segs.every((g) => (g.t === 'prop' && g.names.length === 1) || (g.t === 'idx' && g.idx.length === 1) || g.t === 'fn');
      p = { source, segs, definite };
    } catch (e) {
      if (!(e instanceof JsonPathSyntaxError)) throw e;
      p = e;
    }
    if (pathCache.size > 500) pathCache.clear();
    pathCache.set(source, p);
  }
  if (p instanceof JsonPathSyntaxError) throw p;
  return p;
}

// ---- evaluation -------------------------------------------------------------------------------

interface Node {
  v: Json;
  parent: Record<string, Json> | Json[] | null;
  key: string | number | null;
}

function isObj(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function descendants(n: Node, out: Node[]): void {
  out.push(n);
  if (Array.isArray(n.v)) n.v.forEach((v, i) => descendants({ v, parent: n.v as Json[], key: i }, out));
  else if (isObj(n.v)) for (const k of Object.keys(n.v)) descendants({ v: n.v[k], parent: n.v, key: k }, out);
}

function applySeg(seg: Seg, nodes: Node[], root: Json): Node[] {
  const out: Node[] = [];
  for (const n of nodes) {
    const v = n.v;
    switch (seg.t) {
      case 'prop':
        if (isObj(v)) for (const name of seg.names) if (Object.hasOwn(v, name)) out.push({ v: v[name], parent: v, key: name });
        break;
      case 'wild':
        if (Array.isArray(v)) v.forEach((x, i) => out.push({ v: x, parent: v, key: i }));
        else if (isObj(v)) for (const k of Object.keys(v)) out.push({ v: v[k], parent: v, key: k });
        break;
      case 'idx':
        if (Array.isArray(v)) {
          for (const raw of seg.idx) {
            const i = raw < 0 ? v.length + raw : raw;
            if (i >= 0 && i < v.length) out.push({ v: v[i], parent: v, key: i });
          }
        }
        break;
      case 'slice':
        if (Array.isArray(v)) {
          const len = v.length;
          let a = seg.start ?? 0;
          let b = seg.end ?? len;
          if (a < 0) a = Math.max(0, len + a);
          if (b < 0) b = len + b;
          b = Math.min(b, len);
          for (let i = a; i < b; i++) out.push({ v: v[i], parent: v, key: i });
        }
        break;
      case 'filter':
        if (Array.isArray(v)) v.forEach((x, i) => evalPred(seg.pred, x, root) && out.push({ v: x, parent: v, key: i }));
        else if (isObj(v) && evalPred(seg.pred, v, root)) out.push(n);
        break;
      case 'deep': {
        const all: Node[] = [];
        descendants(n, all);
        if (seg.inner.t === 'prop' || seg.inner.t === 'wild' || seg.inner.t === 'idx' || seg.inner.t === 'slice') {
          out.push(...applySeg(seg.inner, all, root));
        } else {
          // a deep-scan filter applies to every array/object below this node
          out.push(...applySeg(seg.inner, all.filter((x) => Array.isArray(x.v)), root));
        }
        break;
      }
      case 'fn':
        if (Array.isArray(v) || typeof v === 'string') out.push({ v: v.length, parent: null, key: null });
        else if (isObj(v)) out.push({ v: Object.keys(v).length, parent: null, key: null });
        break;
    }
  }
  return out;
}

function run(segs: Seg[], start: Json, root: Json): Node[] {
  let nodes: Node[] = [{ v: start, parent: null, key: null }];
  for (const seg of segs) nodes = applySeg(seg, nodes, root);
  return nodes;
}

function operandValue(o: Operand, current: Json, root: Json): { found: boolean; v: Json } {
  if (o.t === 'lit') return { found: true, v: o.v };
  if (o.t === 'regex') return { found: true, v: o.re };
  const nodes = run(o.segs, o.root === '@' ? current : root, root);
  const definite = o.segs.every((g) => (g.t === 'prop' && g.names.length === 1) || (g.t === 'idx' && g.idx.length === 1) || g.t === 'fn');
  if (definite) return nodes.length ? { found: true, v: nodes[0]!.v } : { found: false, v: undefined };
  return { found: true, v: nodes.map((n) => n.v) };
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as Json[]).length && a.every((x, i) => deepEqual(x, (b as Json[])[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, Json>)[k], (b as Record<string, Json>)[k]));
}

function evalPred(p: Pred, current: Json, root: Json): boolean {
  switch (p.t) {
    case 'or':
      return evalPred(p.a, current, root) || evalPred(p.b, current, root);
    case 'and':
      return evalPred(p.a, current, root) && evalPred(p.b, current, root);
    case 'not':
      return !evalPred(p.e, current, root);
    case 'exists':
      return operandValue(p.o, current, root).found;
    case 'cmp': {
      const l = operandValue(p.l, current, root);
      const r = operandValue(p.r, current, root);
      if (!l.found || !r.found) return p.op === '!=' || p.op === 'nin' ? l.found !== r.found : false;
      const a = l.v;
      const b = r.v;
      switch (p.op) {
        case '==':
          return deepEqual(a, b);
        case '!=':
          return !deepEqual(a, b);
        case '<':
        case '<=':
        case '>':
        case '>=': {
          if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false;
          if (p.op === '<') return a < b;
          if (p.op === '<=') return a <= b;
          if (p.op === '>') return a > b;
          return a >= b;
        }
        case '=~':
          return typeof a === 'string' && b instanceof RegExp && new RegExp(`^(?:${b.source})$`, b.flags).test(a);
        case 'in':
          return Array.isArray(b) && b.some((x) => deepEqual(a, x));
        case 'nin':
          return Array.isArray(b) && !b.some((x) => deepEqual(a, x));
      }
      return false;
    }
  }
}

/** Result of a read: undefined when a definite path was not found. Indefinite paths yield an array. */
export function readPath(doc: Json, path: JsonPath): Json | undefined {
  const nodes = run(path.segs, doc, doc);
  if (path.definite) return nodes.length ? nodes[0]!.v : undefined;
  return nodes.map((n) => n.v);
}

export function deletePath(doc: Json, path: JsonPath): void {
  const nodes = run(path.segs, doc, doc).filter((n) => n.parent !== null);
  // delete array elements from the highest index down so earlier deletions do not shift later ones
  nodes.sort((a, b) => (typeof a.key === 'number' && typeof b.key === 'number' ? b.key - a.key : 0));
  for (const n of nodes) {
    if (Array.isArray(n.parent)) n.parent.splice(n.key as number, 1);
    else delete (n.parent as Record<string, Json>)[n.key as string];
  }
}

export function setPath(doc: Json, path: JsonPath, value: Json): void {
  const nodes = run(path.segs, doc, doc).filter((n) => n.parent !== null);
  if (nodes.length === 0 && path.definite) {
    const last = path.segs[path.segs.length - 1];
    if (last && last.t === 'prop') {
      for (const parent of run(path.segs.slice(0, -1), doc, doc)) if (isObj(parent.v)) parent.v[last.names[0]!] = value;
    }
    return;
  }
  for (const n of nodes) (n.parent as Record<string | number, Json>)[n.key as string] = value;
}

export function addPath(doc: Json, path: JsonPath, value: Json): void {
  for (const n of run(path.segs, doc, doc)) {
    if (!Array.isArray(n.v)) throw new ExpressionEvaluationError(`jsonPathAdd: '${path.source}' does not point to an array`);
    n.v.push(value);
  }
}

export function putPath(doc: Json, path: JsonPath, key: string, value: Json): void {
  for (const n of run(path.segs, doc, doc)) {
    if (!isObj(n.v)) throw new ExpressionEvaluationError(`jsonPathPut: '${path.source}' does not point to an object`);
    n.v[key] = value;
  }
}
