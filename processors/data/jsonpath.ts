// JsonPath with the semantics of Jayway JsonPath (what NiFi's EvaluateJsonPath and SplitJson use),
// evaluated over the values of ./json.ts (Map objects, exact big integers, Java doubles).
//
// Supported: $ and @ roots, .name and ['name'] (several names in one bracket), [n] / [-n] / [n,m]
// indexes, [a:b] / [a:] / [:b] slices, * and [*], .. deep scan, [?(...)] filters (== != === !== < <=
// > >= =~ /regex/flags, in, nin, contains, size, empty, subsetof, anyof, noneof, all, &&, ||, !,
// parentheses, existence checks, $-rooted paths, JSON literals) and the tail functions length(),
// size(), min(), max(), avg(), sum(), stddev(), keys(), first(), last(), index(n).
//
// As in Jayway, a path is "definite" when it can only name one location; reading a definite path
// that matches nothing throws PathNotFoundError, and an indefinite path returns a list (possibly
// empty) -- except that a missing property or a non-array below definite tokens still throws.
import { compileJavaRegex, type JavaRegexFlags } from '../../server/regex/java-regex.ts';
import { JDouble, javaDoubleToString, type JsonValue, type JsonObject, toJson } from './json.ts';

/** The path text is not a valid JsonPath (Jayway's InvalidPathException). */
export class InvalidJsonPathError extends Error {}
/** Nothing at a definite path (Jayway's PathNotFoundException). */
export class PathNotFoundError extends Error {}

// ---- tokens ----------------------------------------------------------------------------------------

interface EvalContext {
  root: JsonValue;
  results: JsonValue[];
  /** Jayway's REQUIRE_PROPERTIES option (used by filter existence checks). */
  requireProperties: boolean;
  tail: Token;
}

abstract class Token {
  next: Token | null = null;
  prev: Token | null = null;
  /** Set by a deep scan walking an array (Jayway's upstreamArrayIndex). */
  upstreamArrayIndex = -1;
  private upstreamDefiniteCache: boolean | null = null;

  abstract fragment(): string;
  abstract tokenDefinite(): boolean;
  abstract evaluate(path: string, model: JsonValue, ctx: EvalContext): void;

  isLeaf(): boolean { return this.next === null; }
  isRoot(): boolean { return this.prev === null; }
  upstreamDefinite(): boolean {
    if (this.upstreamDefiniteCache === null) {
      this.upstreamDefiniteCache = this.prev === null || (this.prev.tokenDefinite() && this.prev.upstreamDefinite());
    }
    return this.upstreamDefiniteCache;
  }
  pathDefinite(): boolean {
    return this.tokenDefinite() && (this.next === null || this.next.pathDefinite());
  }

  /** Jayway's PathToken.handleObjectProperty for one property. */
  protected handleProperty(path: string, model: JsonObject, ctx: EvalContext, property: string): void {
    const evalPath = `${path}['${property}']`;
    if (!model.has(property)) {
      if (this.isLeaf()) {
        if (!ctx.requireProperties) return;
        throw new PathNotFoundError(`No results for path: ${evalPath}`);
      }
      if ((!(this.upstreamDefinite() && this.tokenDefinite()) && !ctx.requireProperties)) return;
      throw new PathNotFoundError(`Missing property in path ${evalPath}`);
    }
    const value = model.get(property)!;
    if (this.isLeaf()) {
      const idx = `[${this.upstreamArrayIndex}]`;
      if (idx === '[-1]' || ctx.tail.prev?.fragment() === idx) ctx.results.push(value);
    } else {
      this.next!.evaluate(evalPath, value, ctx);
    }
  }

  protected handleArrayIndex(index: number, path: string, model: JsonValue[], ctx: EvalContext): void {
    const effective = index < 0 ? model.length + index : index;
    if (effective < 0 || effective >= model.length) return;
    const hit = model[effective];
    if (this.isLeaf()) ctx.results.push(hit);
    else this.next!.evaluate(`${path}[${index}]`, hit, ctx);
  }
}

class RootToken extends Token {
  constructor(readonly ch: '$' | '@') { super(); }
  fragment(): string { return this.ch; }
  tokenDefinite(): boolean { return true; }
  evaluate(path: string, model: JsonValue, ctx: EvalContext): void {
    if (this.isLeaf()) ctx.results.push(model);
    else this.next!.evaluate(this.ch, model, ctx);
  }
}

class PropertyToken extends Token {
  constructor(readonly properties: string[], readonly delimiter: string) { super(); }
  fragment(): string { return '[' + this.properties.map((p) => `${this.delimiter}${p}${this.delimiter}`).join(',') + ']'; }
  private single(): boolean { return this.properties.length === 1; }
  private mergeCase(): boolean { return this.isLeaf() && this.properties.length > 1; }
  tokenDefinite(): boolean { return this.single() || this.mergeCase(); }
  evaluate(path: string, model: JsonValue, ctx: EvalContext): void {
    if (!(model instanceof Map)) {
      if (!this.upstreamDefinite()) return;
      throw new PathNotFoundError(`Expected to find an object with property ${this.fragment()} in path ${path} but found '${describe(model)}'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.`);
    }
    if (this.single()) { this.handleProperty(path, model, ctx, this.properties[0]); return; }
    if (this.mergeCase()) {
      const merged: JsonObject = new Map();
      for (const p of this.properties) {
        if (model.has(p)) merged.set(p, model.get(p)!);
        else if (ctx.requireProperties) throw new PathNotFoundError(`Missing property in path ${path}[${this.properties.map((x) => `'${x}'`).join(', ')}]`);
      }
      ctx.results.push(merged);
      return;
    }
    for (const p of this.properties) this.handleProperty(path, model, ctx, p);
  }
}

class IndexToken extends Token {
  constructor(readonly indexes: number[]) { super(); }
  fragment(): string { return `[${this.indexes.join(',')}]`; }
  tokenDefinite(): boolean { return this.indexes.length === 1; }
  evaluate(path: string, model: JsonValue, ctx: EvalContext): void {
    if (!checkArray(this, path, model)) return;
    for (const i of this.indexes) this.handleArrayIndex(i, path, model as JsonValue[], ctx);
  }
}

class SliceToken extends Token {
  constructor(readonly from: number | null, readonly to: number | null) { super(); }
  fragment(): string { return `[${this.from ?? ''}:${this.to ?? ''}]`; }
  tokenDefinite(): boolean { return false; }
  evaluate(path: string, model: JsonValue, ctx: EvalContext): void {
    if (!checkArray(this, path, model)) return;
    const arr = model as JsonValue[];
    const length = arr.length;
    if (this.to === null) {
      // [from:]
      let from = this.from!;
      if (from < 0) from = length + from;
      from = Math.max(0, from);
      if (length === 0 || from >= length) return;
      for (let i = from; i < length; i++) this.handleArrayIndex(i, path, arr, ctx);
    } else if (this.from === null) {
      // [:to]
      if (length === 0) return;
      let to = this.to;
      if (to < 0) to = length + to;
      to = Math.min(length, to);
      for (let i = 0; i < to; i++) this.handleArrayIndex(i, path, arr, ctx);
    } else {
      // [from:to] -- Jayway does not normalize a negative 'from' here; negative indexes count from the end.
      const from = this.from;
      const to = Math.min(length, this.to);
      if (from >= to || length === 0) return;
      for (let i = from; i < to; i++) this.handleArrayIndex(i, path, arr, ctx);
    }
  }
}

class WildcardToken extends Token {
  fragment(): string { return '[*]'; }
  tokenDefinite(): boolean { return false; }
  evaluate(path: string, model: JsonValue, ctx: EvalContext): void {
    if (model instanceof Map) {
      for (const k of [...model.keys()]) this.handleProperty(path, model, ctx, k);
    } else if (Array.isArray(model)) {
      for (let i = 0; i < model.length; i++) {
        try {
          this.handleArrayIndex(i, path, model, ctx);
        } catch (e) {
          if (!(e instanceof PathNotFoundError) || ctx.requireProperties) throw e;
        }
      }
    }
  }
}

class FilterToken extends Token {
  constructor(readonly source: string, readonly predicate: Predicate) { super(); }
  fragment(): string { return this.source; }
  tokenDefinite(): boolean { return false; }
  accept(item: JsonValue, ctx: EvalContext): boolean {
    return this.predicate.apply(item, ctx.root);
  }
  evaluate(path: string, model: JsonValue, ctx: EvalContext): void {
    if (model instanceof Map) {
      if (this.accept(model, ctx)) {
        if (this.isLeaf()) ctx.results.push(model);
        else this.next!.evaluate(path, model, ctx);
      }
    } else if (Array.isArray(model)) {
      for (let i = 0; i < model.length; i++) {
        if (this.accept(model[i], ctx)) this.handleArrayIndex(i, path, model, ctx);
      }
    } else if (this.upstreamDefinite()) {
      throw new InvalidJsonPathError(`Filter: ${this.source} can not be applied to primitives. Current context is: ${describe(model)}`);
    }
  }
}

class ScanToken extends Token {
  fragment(): string { return '..'; }
  tokenDefinite(): boolean { return false; }
  evaluate(path: string, model: JsonValue, ctx: EvalContext): void {
    const target = this.next!;
    walk(target, path, model, ctx, scanPredicate(target, ctx));
  }
}

class FunctionToken extends Token {
  constructor(readonly name: string, readonly args: number[]) { super(); }
  fragment(): string { return `.${this.name}(${this.args.join(',')})`; }
  tokenDefinite(): boolean { return true; }
  evaluate(_path: string, model: JsonValue, ctx: EvalContext): void {
    ctx.results.push(applyFunction(this.name, this.args, model));
  }
}

function describe(model: JsonValue): string {
  if (model === null) return 'null';
  return typeof model === 'string' ? model : toJson(model);
}

function checkArray(token: Token, path: string, model: JsonValue): boolean {
  if (model === null) {
    if (!token.upstreamDefinite()) return false;
    throw new PathNotFoundError(`The path ${path} is null`);
  }
  if (!Array.isArray(model)) {
    if (!token.upstreamDefinite()) return false;
    throw new PathNotFoundError(`Filter: ${token.fragment()} can only be applied to arrays. Current context is: ${describe(model)}`);
  }
  return true;
}

type ScanPredicate = (model: JsonValue) => boolean;

function scanPredicate(target: Token, ctx: EvalContext): ScanPredicate {
  if (target instanceof PropertyToken) {
    return (m) => {
      if (!(m instanceof Map)) return false;
      if (!target.tokenDefinite()) return true;
      for (const p of target.properties) if (!m.has(p)) return false;
      return true;
    };
  }
  if (target instanceof IndexToken || target instanceof SliceToken) return (m) => Array.isArray(m);
  if (target instanceof WildcardToken) return () => true;
  if (target instanceof FilterToken) return (m) => target.accept(m, ctx);
  return () => false;
}

function walk(target: Token, path: string, model: JsonValue, ctx: EvalContext, matches: ScanPredicate): void {
  if (model instanceof Map) {
    if (matches(model)) target.evaluate(path, model, ctx);
    for (const [k, v] of [...model]) walk(target, `${path}['${k}']`, v, ctx, matches);
  } else if (Array.isArray(model)) {
    if (matches(model)) {
      if (target.isLeaf()) {
        target.evaluate(path, model, ctx);
      } else {
        const next = target.next!;
        for (let i = 0; i < model.length; i++) {
          next.upstreamArrayIndex = i;
          next.evaluate(`${path}[${i}]`, model[i], ctx);
        }
        next.upstreamArrayIndex = -1;
      }
    }
    for (let i = 0; i < model.length; i++) walk(target, `${path}[${i}]`, model[i], ctx, matches);
  }
}

// ---- functions ---------------------------------------------------------------------------------

const FUNCTIONS = new Set(['length', 'size', 'min', 'max', 'avg', 'sum', 'stddev', 'keys', 'first', 'last', 'index']);

function numericValues(model: JsonValue, name: string): number[] {
  if (!Array.isArray(model)) throw new InvalidJsonPathError(`Aggregation function attempted to calculate value using empty array`);
  const out: number[] = [];
  for (const v of model) {
    if (typeof v === 'number') out.push(v);
    else if (typeof v === 'bigint') out.push(Number(v));
    else if (v instanceof JDouble) out.push(v.value);
  }
  if (out.length === 0) throw new InvalidJsonPathError(`Aggregation function attempted to calculate value using empty array`);
  void name;
  return out;
}

function applyFunction(name: string, args: number[], model: JsonValue): JsonValue {
  switch (name) {
    case 'length':
    case 'size':
      if (Array.isArray(model)) return model.length;
      if (model instanceof Map) return model.size;
      return null;
    case 'sum': return asDouble(numericValues(model, name).reduce((a, b) => a + b, 0));
    case 'avg': { const v = numericValues(model, name); return asDouble(v.reduce((a, b) => a + b, 0) / v.length); }
    case 'min': return asDouble(Math.min(...numericValues(model, name)));
    case 'max': return asDouble(Math.max(...numericValues(model, name)));
    case 'stddev': {
      const v = numericValues(model, name);
      let sum = 0; let sumSq = 0;
      for (const x of v) { sum += x; sumSq += x * x; }
      return asDouble(Math.sqrt(sumSq / v.length - (sum * sum) / (v.length * v.length)));
    }
    case 'keys':
      // A Java Set, which NiFi writes with toString() in both scalar and JSON modes.
      if (model instanceof Map) return `[${[...model.keys()].join(', ')}]`;
      return null;
    case 'first':
    case 'last':
    case 'index': {
      if (!Array.isArray(model)) throw new InvalidJsonPathError(`Invalid index function: the value is not an array`);
      if (model.length === 0) throw new InvalidJsonPathError('Cannot take an element of an empty array');
      let i = name === 'first' ? 0 : name === 'last' ? model.length - 1 : args[0] ?? 0;
      if (i < 0) i = model.length + i;
      if (i < 0 || i >= model.length) throw new InvalidJsonPathError(`Index ${args[0]} is out of range`);
      return model[i];
    }
  }
  throw new InvalidJsonPathError(`Function with name: ${name} does not exist.`);
}

function asDouble(d: number): JsonValue {
  return Number.isInteger(d) || !Number.isFinite(d) ? new JDouble(d) : d;
}

// ---- filters -----------------------------------------------------------------------------------

type Node =
  | { t: 'undefined' }
  | { t: 'null' }
  | { t: 'bool'; v: boolean }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number | bigint; text: string }
  | { t: 'json'; v: JsonValue }
  | { t: 'pattern'; re: RegExp; source: string }
  | { t: 'path'; path: CompiledJsonPath; exists: boolean; shouldExist: boolean };

const UNDEFINED: Node = { t: 'undefined' };
const NULL_NODE: Node = { t: 'null' };
const TRUE_NODE: Node = { t: 'bool', v: true };
const FALSE_NODE: Node = { t: 'bool', v: false };

interface Predicate { apply(item: JsonValue, root: JsonValue): boolean }

class OrNode implements Predicate {
  constructor(readonly a: Predicate, readonly b: Predicate) {}
  apply(item: JsonValue, root: JsonValue): boolean { return this.a.apply(item, root) || this.b.apply(item, root); }
}
class AndNode implements Predicate {
  constructor(readonly a: Predicate, readonly b: Predicate) {}
  apply(item: JsonValue, root: JsonValue): boolean { return this.a.apply(item, root) && this.b.apply(item, root); }
}
class NotNode implements Predicate {
  constructor(readonly e: Predicate) {}
  apply(item: JsonValue, root: JsonValue): boolean { return !this.e.apply(item, root); }
}
class Relation implements Predicate {
  constructor(readonly left: Node, readonly op: string, readonly right: Node) {}
  apply(item: JsonValue, root: JsonValue): boolean {
    const l = this.left.t === 'path' ? evaluatePathNode(this.left, item, root) : this.left;
    const r = this.right.t === 'path' ? evaluatePathNode(this.right, item, root) : this.right;
    return evaluateRelation(l, this.op, r);
  }
}

function evaluatePathNode(node: Extract<Node, { t: 'path' }>, item: JsonValue, root: JsonValue): Node {
  const doc = node.path.rootChar === '$' ? root : item;
  if (node.exists) {
    try {
      node.path.evaluate(doc, root, true);
      return TRUE_NODE;
    } catch (e) {
      if (e instanceof PathNotFoundError) return FALSE_NODE;
      throw e;
    }
  }
  let res: JsonValue;
  try {
    res = node.path.evaluate(doc, root, false);
  } catch (e) {
    if (e instanceof PathNotFoundError) return UNDEFINED;
    throw e;
  }
  return toNode(res);
}

function toNode(res: JsonValue): Node {
  if (res === null) return NULL_NODE;
  switch (typeof res) {
    case 'string': return { t: 'str', v: res };
    case 'boolean': return res ? TRUE_NODE : FALSE_NODE;
    case 'number': return { t: 'num', v: res, text: Number.isInteger(res) ? String(res) : bigDecimalText(javaDoubleToString(res)) };
    case 'bigint': return { t: 'num', v: res, text: res.toString() };
  }
  if (res instanceof JDouble) return { t: 'num', v: res.value, text: bigDecimalText(javaDoubleToString(res.value)) };
  return { t: 'json', v: res };
}

/** new BigDecimal(Double.toString(d)).toString(): a positive exponent gets an explicit '+'. */
function bigDecimalText(s: string): string {
  return s.replace(/E(\d)/, 'E+$1');
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function asNumber(n: Node): number | bigint | null {
  if (n.t === 'num') return n.v;
  if (n.t === 'str') {
    if (!DECIMAL.test(n.v)) return null;
    if (/^[+-]?\d+$/.test(n.v)) {
      const x = Number(n.v);
      return Number.isSafeInteger(x) ? x : BigInt(n.v);
    }
    return Number(n.v);
  }
  return null;
}

function numEquals(a: number | bigint, b: number | bigint): boolean {
  // eslint-disable-next-line eqeqeq
  return a == b;
}

/** Jayway's ValueNode.equals (string and number nodes compare across types). */
function nodeEquals(a: Node, b: Node): boolean {
  switch (a.t) {
    case 'str':
      if (b.t === 'str') return a.v === b.v;
      if (b.t === 'num') return a.v === b.text;
      return false;
    case 'num': {
      if (b.t !== 'num' && b.t !== 'str') return false;
      const other = asNumber(b);
      return other !== null && numEquals(a.v, other);
    }
    case 'bool': return b.t === 'bool' && a.v === b.v;
    case 'null': return b.t === 'null';
    case 'json': return b.t === 'json' && jsonEquals(a.v, b.v);
    case 'pattern': return b.t === 'pattern' && a.source === b.source;
    default: return false;
  }
}

function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  const an = numeric(a);
  const bn = numeric(b);
  if (an !== null || bn !== null) return an !== null && bn !== null && numEquals(an, bn);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEquals(x, b[i]));
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !jsonEquals(v, b.get(k)!)) return false;
    return true;
  }
  return false;
}

function numeric(v: JsonValue): number | bigint | null {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof JDouble) return v.value;
  return null;
}

function listOf(n: Node): Node[] | null {
  if (n.t !== 'json' || !Array.isArray(n.v)) return null;
  return n.v.map(toNode);
}

function listContains(list: Node[], n: Node): boolean {
  for (const x of list) if (nodeEquals(x, n)) return true;
  return false;
}

function patternInput(n: Node): string | string[] {
  switch (n.t) {
    case 'str': return n.v;
    case 'num': return n.text;
    case 'bool': return String(n.v);
    case 'json': return Array.isArray(n.v) ? n.v.map((x) => { const e = toNode(x); return e.t === 'str' ? e.v : e.t === 'num' ? e.text : e.t === 'bool' ? String(e.v) : ''; }) : '';
    default: return '';
  }
}

function evaluateRelation(l: Node, op: string, r: Node): boolean {
  switch (op) {
    case 'EXISTS':
      return l.t === 'bool' && r.t === 'bool' && l.v === r.v;
    case '==':
      return nodeEquals(l, r);
    case '!=':
      return !nodeEquals(l, r);
    case '===':
      return l.t === r.t && nodeEquals(l, r);
    case '!==':
      return !(l.t === r.t && nodeEquals(l, r));
    case '<': case '<=': case '>': case '>=': {
      let c: number;
      if (l.t === 'num' && r.t === 'num') c = l.v < r.v ? -1 : numEquals(l.v, r.v) ? 0 : 1;
      else if (l.t === 'str' && r.t === 'str') c = l.v < r.v ? -1 : l.v === r.v ? 0 : 1;
      else return false;
      return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    }
    case '=~': {
      if ((l.t === 'pattern') === (r.t === 'pattern')) return false;
      const pattern = l.t === 'pattern' ? l : (r as Extract<Node, { t: 'pattern' }>);
      const input = patternInput(l.t === 'pattern' ? r : l);
      if (Array.isArray(input)) return input.some((s) => pattern.re.test(s));
      return pattern.re.test(input);
    }
    case 'IN': {
      const list = r.t === 'json' ? listOf(r) : null;
      return list !== null && listContains(list, l);
    }
    case 'NIN': {
      const list = r.t === 'json' ? listOf(r) : null;
      return !(list !== null && listContains(list, l));
    }
    case 'CONTAINS':
      if (l.t === 'str' && r.t === 'str') return l.v.includes(r.v);
      if (l.t === 'json') { const list = listOf(l); return list !== null && listContains(list, r); }
      return false;
    case 'ALL': {
      const required = listOf(r);
      if (l.t !== 'json') return false;
      const have = listOf(l);
      if (have === null || required === null) return true;
      return required.every((x) => listContains(have, x));
    }
    case 'SIZE': {
      if (r.t !== 'num') return false;
      const expected = Number(r.v);
      if (l.t === 'str') return l.v.length === expected;
      if (l.t === 'json') return (Array.isArray(l.v) ? l.v.length : l.v instanceof Map ? l.v.size : -1) === expected;
      return false;
    }
    case 'EMPTY': {
      if (r.t !== 'bool') return false;
      if (l.t === 'str') return (l.v.length === 0) === r.v;
      if (l.t === 'json') return ((Array.isArray(l.v) ? l.v.length : l.v instanceof Map ? l.v.size : 1) === 0) === r.v;
      return false;
    }
    case 'SUBSETOF': case 'ANYOF': case 'NONEOF': {
      const left = listOf(l);
      const right = listOf(r);
      if (left === null || right === null) return false;
      if (op === 'SUBSETOF') return left.every((x) => listContains(right, x));
      if (op === 'ANYOF') return left.some((x) => listContains(right, x));
      return !left.some((x) => listContains(right, x));
    }
  }
  return false;
}

const RELATIONAL_OPERATORS = new Set(['>=', '<=', '==', '===', '!=', '!==', '<', '>', '=~', 'NIN', 'IN', 'CONTAINS', 'ALL', 'SIZE', 'EMPTY', 'SUBSETOF', 'ANYOF', 'NONEOF']);

function isOpChar(c: string | undefined): boolean {
  return c === '<' || c === '>' || c === '=' || c === '~' || c === '!';
}

class FilterParser {
  i = 0;
  constructor(readonly s: string, readonly whole: string) {}

  fail(msg: string): never { throw new InvalidJsonPathError(`${msg} in filter ${this.whole}`); }
  skip(): void { while (this.i < this.s.length && this.s[this.i] === ' ') this.i++; }
  peek(): string | undefined { this.skip(); return this.s[this.i]; }

  parse(): Predicate {
    const p = this.or();
    this.skip();
    if (this.i < this.s.length) this.fail(`Expected end of filter expression instead of: ${this.s.slice(this.i)}`);
    return p;
  }

  or(): Predicate {
    let a = this.and();
    for (;;) {
      this.skip();
      if (this.s.startsWith('||', this.i)) { this.i += 2; a = new OrNode(a, this.and()); } else return a;
    }
  }

  and(): Predicate {
    let a = this.operand();
    for (;;) {
      this.skip();
      if (this.s.startsWith('&&', this.i)) { this.i += 2; a = new AndNode(a, this.operand()); } else return a;
    }
  }

  operand(): Predicate {
    const save = this.i;
    if (this.peek() === '!') {
      this.i++;
      const c = this.peek();
      if (c === '$' || c === '@') this.i = save;
      else return new NotNode(this.operand());
    }
    if (this.peek() === '(') {
      this.i++;
      const p = this.or();
      if (this.peek() !== ')') this.fail("Expected character: )");
      this.i++;
      return p;
    }
    return this.relation();
  }

  relation(): Predicate {
    const left = this.value();
    const save = this.i;
    this.skip();
    const begin = this.i;
    if (this.i < this.s.length && this.s[this.i] !== ')' && !this.s.startsWith('&&', this.i) && !this.s.startsWith('||', this.i)) {
      if (isOpChar(this.s[this.i])) { while (this.i < this.s.length && isOpChar(this.s[this.i])) this.i++; }
      else { while (this.i < this.s.length && this.s[this.i] !== ' ') this.i++; }
      const op = this.s.slice(begin, this.i).toUpperCase();
      if (!RELATIONAL_OPERATORS.has(op)) this.fail(`Filter operator ${this.s.slice(begin, this.i)} is not supported!`);
      const right = this.value();
      return new Relation(left, op, right);
    }
    this.i = save;
    if (left.t !== 'path') this.fail('Expected a path to check for existence');
    const check: Node = { ...left, exists: true };
    return new Relation(check, 'EXISTS', left.shouldExist ? TRUE_NODE : FALSE_NODE);
  }

  value(): Node {
    const c = this.peek();
    if (c === '$' || c === '@') return this.path(true);
    if (c === '!') {
      this.i++;
      const d = this.peek();
      if (d === '$' || d === '@') return this.path(false);
      this.fail(`Unexpected character: ${d ?? 'end of filter'}`);
    }
    return this.literal();
  }

  path(shouldExist: boolean): Node {
    const s = this.s;
    const begin = this.i;
    this.i++;
    let depth = 0; // function parentheses
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '[') {
        const close = matchingBracket(s, this.i);
        if (close < 0) this.fail('Square brackets does not match');
        this.i = close + 1;
        continue;
      }
      if (c === '(') { depth++; this.i++; continue; }
      if (c === ')') {
        if (depth > 0) { depth--; this.i++; continue; }
        break;
      }
      if (isOpChar(c) || c === ' ') break;
      this.i++;
    }
    const text = s.slice(begin, this.i);
    let path: CompiledJsonPath;
    try {
      path = compileJsonPath(text);
    } catch (e) {
      this.fail(`Invalid path ${text}: ${(e as Error).message}`);
    }
    return { t: 'path', path, exists: false, shouldExist };
  }

  literal(): Node {
    const s = this.s;
    const c = this.peek();
    if (c === "'" || c === '"') {
      const begin = this.i + 1;
      let j = begin;
      while (j < s.length && s[j] !== c) j += s[j] === '\\' ? 2 : 1;
      if (j >= s.length) this.fail('String literal does not have matching quotes');
      this.i = j + 1;
      return { t: 'str', v: unescape(s.slice(begin, j)) };
    }
    if (c === 't' || c === 'f') {
      const w = c === 't' ? 'true' : 'false';
      if (!s.startsWith(w, this.i)) this.fail(`Expected boolean literal`);
      this.i += w.length;
      return w === 'true' ? TRUE_NODE : FALSE_NODE;
    }
    if (c === 'n') {
      if (!s.startsWith('null', this.i)) this.fail('Expected <null> value');
      this.i += 4;
      return NULL_NODE;
    }
    if (c === '[' || c === '{') {
      const close = matchingBracket(s, this.i);
      if (close < 0) this.fail(`String not closed. Expected ${c === '[' ? ']' : '}'}`);
      const text = s.slice(this.i, close + 1);
      this.i = close + 1;
      return { t: 'json', v: parseLenient(text, this.whole) };
    }
    if (c === '/') {
      let j = this.i + 1;
      while (j < s.length && s[j] !== '/') j += s[j] === '\\' ? 2 : 1;
      if (j >= s.length) this.fail('Pattern not closed. Expected /');
      const body = s.slice(this.i + 1, j);
      let k = j + 1;
      while (k < s.length && /[a-zA-Z]/.test(s[k])) k++;
      const flagText = s.slice(j + 1, k);
      this.i = k;
      return { t: 'pattern', re: compilePattern(body, flagText, this.whole), source: `/${body}/${flagText}` };
    }
    // number
    const begin = this.i;
    while (this.i < s.length && /[0-9.eE-]/.test(s[this.i])) this.i++;
    const text = s.slice(begin, this.i);
    if (!/^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE]-?\d+)?$/.test(text)) this.fail(`Unexpected token: ${s.slice(begin) || 'end of filter'}`);
    if (/^-?\d+$/.test(text)) {
      const n = Number(text);
      return { t: 'num', v: Number.isSafeInteger(n) ? n : BigInt(text), text: text.replace(/^(-?)0+(?=\d)/, '$1') };
    }
    return { t: 'num', v: Number(text), text };
  }
}

function compilePattern(body: string, flags: string, whole: string): RegExp {
  const f: JavaRegexFlags = {};
  for (const ch of flags) {
    if (ch === 'i') f.caseInsensitive = true;
    else if (ch === 'm') f.multiline = true;
    else if (ch === 's') f.dotall = true;
    else if (ch === 'x') f.comments = true;
    else if (ch === 'u') f.unicodeCase = true;
    else if (ch === 'U') f.unicodeCharacterClass = true;
    else if (ch === 'd') f.unixLines = true;
  }
  try {
    // Jayway uses Matcher.matches(): the whole input must match.
    const re = compileJavaRegex(body, f);
    return new RegExp(`^(?:${re.source})$`, re.flags);
  } catch (e) {
    throw new InvalidJsonPathError(`Invalid regular expression /${body}/ in filter ${whole}: ${(e as Error).message}`);
  }
}

/** Index of the bracket closing the one at `open` (skipping quoted strings), or -1. */
function matchingBracket(s: string, open: number): number {
  const o = s[open];
  const c = o === '[' ? ']' : o === '{' ? '}' : ')';
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== ch) j += s[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (ch === o) depth++;
    else if (ch === c && --depth === 0) return i;
  }
  return -1;
}

/** Jayway's Utils.unescape (Java string escapes). */
function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\' || i + 1 >= s.length) { out += c; continue; }
    const e = s[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        const hex = s.slice(i + 1, i + 5);
        if (/^[0-9a-fA-F]{4}$/.test(hex)) { out += String.fromCharCode(parseInt(hex, 16)); i += 4; } else out += 'u';
        break;
      }
      default: out += e;
    }
  }
  return out;
}

/** A JSON literal inside a filter (json-smart's permissive mode: single quotes and bare words allowed). */
function parseLenient(text: string, whole: string): JsonValue {
  let i = 0;
  const ws = () => { while (i < text.length && /\s/.test(text[i])) i++; };
  const fail = (): never => { throw new InvalidJsonPathError(`Invalid JSON literal ${text} in filter ${whole}`); };
  const value = (): JsonValue => {
    ws();
    const c = text[i];
    if (c === '[') {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return arr; }
        fail();
      }
    }
    if (c === '{') {
      i++;
      const obj: JsonObject = new Map();
      ws();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        const k = value();
        ws();
        if (text[i] !== ':') fail();
        i++;
        obj.set(String(k), value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        fail();
      }
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) fail();
      const s = unescape(text.slice(i + 1, j));
      i = j + 1;
      return s;
    }
    const begin = i;
    while (i < text.length && !/[\s,:\]}]/.test(text[i])) i++;
    const word = text.slice(begin, i);
    if (word === '') fail();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (/^-?\d+$/.test(word)) { const n = Number(word); return Number.isSafeInteger(n) ? n : BigInt(word); }
    if (/^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(word)) { const d = Number(word); return Number.isInteger(d) ? new JDouble(d) : d; }
    return word;
  };
  const v = value();
  ws();
  if (i < text.length) fail();
  return v;
}

// ---- path compilation --------------------------------------------------------------------------

class PathParser {
  i = 0;
  tokens: Token[] = [];
  /** Where a tail function's name starts. */
  functionStart = -1;
  constructor(readonly s: string, readonly source: string) {}

  fail(msg: string): never { throw new InvalidJsonPathError(msg); }
  at(k = this.i): string | undefined { return this.s[k]; }
  nextSignificant(from: number): { ch: string | undefined; index: number } {
    let k = from;
    while (k < this.s.length && this.s[k] === ' ') k++;
    return { ch: this.s[k], index: k };
  }
  atEnd(): boolean { return this.i >= this.s.length; }

  add(t: Token): void { this.tokens.push(t); }

  parse(): Token[] {
    const c = this.at();
    if (c !== '$' && c !== '@') this.fail("Path must start with '$' or '@'");
    this.add(new RootToken(c));
    this.i++;
    if (this.atEnd()) return this.tokens;
    const d = this.at();
    if (d !== '.' && d !== '[') this.fail(`Illegal character at position ${this.i} expected '.' or '['`);
    this.readNext();
    return this.tokens;
  }

  readNext(): void {
    while (!this.atEnd()) {
      const c = this.at();
      if (c === '[') {
        if (!this.readBracketProperty() && !this.readArray() && !this.readWildcard() && !this.readFilter()) {
          this.fail(`Could not parse token starting at position ${this.i}. Expected ?, ', 0-9, * `);
        }
      } else if (c === '.') {
        this.readDot();
      } else if (c === '*') {
        this.readWildcard();
      } else {
        this.readPropertyOrFunction();
      }
    }
  }

  readDot(): void {
    if (this.at() === '.' && this.at(this.i + 1) === '.') {
      this.add(new ScanToken());
      this.i += 2;
    } else if (this.i + 1 >= this.s.length) {
      this.fail("Path must not end with a '.");
    } else {
      this.i++;
    }
    if (this.at() === '.') this.fail(`Character '.' on position ${this.i} is not valid.`);
    if (this.atEnd()) this.fail("Path must not end with a '.' or '..'");
    const c = this.at();
    if (c === '[') return; // handled by readNext
    if (c === '*') { this.readWildcard(); return; }
    this.readPropertyOrFunction();
  }

  readPropertyOrFunction(): void {
    const start = this.i;
    let k = start;
    let isFunction = false;
    while (k < this.s.length) {
      const c = this.s[k];
      if (c === ' ') this.fail(`Use bracket notion ['my prop'] if your property contains blank characters. position: ${k}`);
      if (c === '.' || c === '[') break;
      if (c === '(') { isFunction = true; break; }
      k++;
    }
    const name = this.s.slice(start, k);
    if (name === '') this.fail(`Could not parse token starting at position ${start}`);
    if (!isFunction) {
      this.add(new PropertyToken([name], "'"));
      this.i = k;
      return;
    }
    this.functionStart = start;
    const close = this.s.indexOf(')', k);
    if (close < 0) this.fail(`Arguments to function: '${name}' are not closed properly.`);
    const argText = this.s.slice(k + 1, close).trim();
    const args = argText === '' ? [] : argText.split(',').map((a) => {
      const n = Number(a.trim());
      if (!Number.isInteger(n)) this.fail(`Unsupported argument "${a.trim()}" for function ${name}`);
      return n;
    });
    if (!FUNCTIONS.has(name)) this.fail(`Function with name: ${name} does not exist.`);
    this.add(new FunctionToken(name, args));
    this.i = close + 1;
    if (!this.atEnd()) this.fail(`Function ${name}() must be the last token in the path`);
  }

  readWildcard(): boolean {
    const inBracket = this.at() === '[';
    if (inBracket) {
      const n = this.nextSignificant(this.i + 1);
      if (n.ch !== '*') return false;
      const close = this.nextSignificant(n.index + 1);
      if (close.ch !== ']') this.fail(`Expected wildcard token to end with ']' on position ${close.index}`);
      this.i = close.index + 1;
    } else {
      if (this.at() !== '*') return false;
      this.i++;
    }
    this.add(new WildcardToken());
    return true;
  }

  readBracketProperty(): boolean {
    const q = this.nextSignificant(this.i + 1);
    const delim = q.ch;
    if (delim !== "'" && delim !== '"') return false;
    const props: string[] = [];
    let k = q.index;
    let start = k + 1;
    let inProperty = false;
    let inEscape = false;
    let lastWasComma = false;
    let end = 0;
    while (k < this.s.length) {
      const c = this.s[k];
      if (inEscape) inEscape = false;
      else if (c === '\\') inEscape = true;
      else if (c === ']' && !inProperty) {
        if (lastWasComma) this.fail(`Found empty property at index ${k}`);
        break;
      } else if (c === delim) {
        if (inProperty) {
          const n = this.nextSignificant(k + 1);
          if (n.ch !== ']' && n.ch !== ',') this.fail(`Property must be separated by comma or Property must be terminated close square bracket at index ${k}`);
          end = k;
          props.push(unescape(this.s.slice(start, end)));
          inProperty = false;
        } else {
          start = k + 1;
          inProperty = true;
          lastWasComma = false;
        }
      } else if (c === ',' && !inProperty) {
        if (lastWasComma) this.fail(`Found empty property at index ${k}`);
        lastWasComma = true;
      }
      k++;
    }
    if (inProperty) this.fail(`Property has not been closed - missing closing ${delim}`);
    const close = this.nextSignificantIndexOf(end, ']');
    if (close < 0) this.fail('Property has not been closed - missing closing ]');
    this.i = close + 1;
    this.add(new PropertyToken(props, delim));
    return true;
  }

  /** Jayway's indexOfNextSignificantChar: the next non-space character after `from` must be `ch`. */
  nextSignificantIndexOf(from: number, ch: string): number {
    let k = from + 1;
    while (k < this.s.length && this.s[k] === ' ') k++;
    return this.s[k] === ch ? k : -1;
  }

  readArray(): boolean {
    const n = this.nextSignificant(this.i + 1);
    const c = n.ch;
    if (c === undefined || !(/[0-9]/.test(c) || c === '-' || c === ':')) return false;
    const begin = this.i + 1;
    const close = this.s.indexOf(']', begin);
    if (close < 0) return false;
    const expr = this.s.slice(begin, close).trim();
    if (expr === '*') return false;
    if (!/^[0-9,\-: ]*$/.test(expr)) return false;
    if (expr.includes(':')) {
      if (!/^[0-9\-:]*$/.test(expr)) this.fail(`Failed to parse SliceOperation: ${expr}`);
      const parts = expr.split(':');
      if (parts.length > 2) this.fail(`Failed to parse SliceOperation: ${expr}`);
      const read = (t: string | undefined): number | null => {
        if (t === undefined || t === '') return null;
        if (!/^-?\d+$/.test(t)) this.fail(`Failed to parse SliceOperation: ${expr}`);
        return Number(t);
      };
      const from = read(parts[0]);
      const to = read(parts[1]);
      if (from === null && to === null) this.fail(`Failed to parse SliceOperation: ${expr}`);
      this.add(new SliceToken(from, to));
    } else {
      const parts = expr.split(/\s*,\s*/);
      const idx = parts.map((p) => {
        if (!/^-?\d+$/.test(p.trim())) this.fail(`Failed to parse ArrayIndexOperation: ${expr}`);
        return Number(p.trim());
      });
      this.add(new IndexToken(idx));
    }
    this.i = close + 1;
    return true;
  }

  readFilter(): boolean {
    const q = this.nextSignificant(this.i + 1);
    if (q.ch !== '?') return false;
    const open = this.nextSignificant(q.index + 1);
    if (open.ch !== '(') {
      if (open.ch === ']') this.fail('Placeholder filters ([?]) are not supported');
      return false;
    }
    const closeParen = matchingBracket(this.s, open.index);
    if (closeParen < 0) this.fail(`Could not find matching close for ( in ${this.source}`);
    const closeBracket = this.nextSignificant(closeParen + 1);
    if (closeBracket.ch !== ']') this.fail(`Expected ] after filter in ${this.source}`);
    const text = this.s.slice(this.i, closeBracket.index + 1);
    const body = this.s.slice(open.index + 1, closeParen);
    const predicate = new FilterParser(body, text).parse();
    this.add(new FilterToken(text, predicate));
    this.i = closeBracket.index + 1;
    return true;
  }
}

export class CompiledJsonPath {
  readonly definite: boolean;
  readonly isFunctionPath: boolean;
  readonly rootChar: '$' | '@';
  private readonly root: Token;
  private readonly tail: Token;

  /**
   * `aggregateOf`: for "$..x.fn()", the path "$..x" whose list of matches the function receives
   * (Jayway turns a scan followed by a function into an aggregate); otherwise the function applies to
   * each match.
   */
  constructor(readonly source: string, tokens: Token[], private readonly aggregateOf: CompiledJsonPath | null = null) {
    for (let i = 0; i < tokens.length; i++) {
      tokens[i].prev = tokens[i - 1] ?? null;
      tokens[i].next = tokens[i + 1] ?? null;
    }
    this.root = tokens[0];
    this.tail = tokens[tokens.length - 1];
    this.rootChar = (tokens[0] as RootToken).ch;
    this.isFunctionPath = this.tail instanceof FunctionToken;
    this.definite = aggregateOf !== null || this.root.pathDefinite();
  }

  /**
   * Reads the path from `doc` (Jayway's DocumentContext.read): the value at a definite path (throws
   * PathNotFoundError when there is none), or the list of matches of an indefinite one.
   */
  read(doc: JsonValue): JsonValue {
    return this.evaluate(doc, doc, false);
  }

  /** @internal */
  evaluate(doc: JsonValue, root: JsonValue, requireProperties: boolean): JsonValue {
    if (this.aggregateOf !== null) {
      const fn = this.tail as FunctionToken;
      const list = this.aggregateOf.evaluate(doc, root, requireProperties) as JsonValue[];
      if (fn.name === 'length' || fn.name === 'size') {
        // Jayway appends a wildcard to the inner path and counts what it yields.
        let n = 0;
        for (const v of list) n += Array.isArray(v) ? v.length : v instanceof Map ? v.size : 0;
        return n;
      }
      return applyFunction(fn.name, fn.args, list);
    }
    const ctx: EvalContext = { root, results: [], requireProperties, tail: this.tail };
    this.root.evaluate('', doc, ctx);
    if (this.definite) {
      if (ctx.results.length === 0) throw new PathNotFoundError(`No results for path: ${this.source}`);
      return ctx.results[ctx.results.length - 1];
    }
    return ctx.results;
  }
}

const cache = new Map<string, CompiledJsonPath | InvalidJsonPathError>();

/** Compiles a JsonPath (Jayway's JsonPath.compile); throws InvalidJsonPathError. Results are cached. */
export function compileJsonPath(path: string): CompiledJsonPath {
  let c = cache.get(path);
  if (c === undefined) {
    try {
      let s = path.trim();
      if (s === '') throw new InvalidJsonPathError('Path may not be null empty');
      if (s[0] !== '$' && s[0] !== '@') s = ('$.' + s).trim();
      if (s.endsWith('.')) throw new InvalidJsonPathError("Path must not end with a '.' or '..'");
      const parser = new PathParser(s, path);
      const tokens = parser.parse();
      let aggregateOf: CompiledJsonPath | null = null;
      if (tokens[tokens.length - 1] instanceof FunctionToken && tokens[1] instanceof ScanToken) {
        const inner = s.slice(0, parser.functionStart).replace(/\.$/, '');
        aggregateOf = new CompiledJsonPath(inner, new PathParser(inner, inner).parse());
      }
      c = new CompiledJsonPath(path, tokens, aggregateOf);
    } catch (e) {
      if (!(e instanceof InvalidJsonPathError)) throw e;
      c = e;
    }
    if (cache.size > 1000) cache.clear();
    cache.set(path, c);
  }
  if (c instanceof InvalidJsonPathError) throw c;
  return c;
}

/** null when the path compiles, otherwise why not. */
export function jsonPathProblem(path: string): string | null {
  try {
    compileJsonPath(path);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
