// JSON as NiFi's JSON processors see it (Jackson's ObjectMapper reading into untyped Java values):
// objects keep their key order (Map, not a plain object, so "2" does not jump ahead of "b"), integers
// beyond 2^53 stay exact (bigint), and a floating-point literal whose value is whole (1.0, 2e3) stays
// a double (JDouble) so that it is written back as Java writes a Double ("1.0", "2000.0").
//
// Parsing follows Jackson's defaults: strict JSON (no comments, single quotes, NaN, leading zeros,
// unescaped control characters), nesting up to 1000 levels, numbers up to 1000 characters, a
// configurable maximum string length, and anything after the first complete value is ignored.
import { javaDoubleToString } from '../../server/expression/values.ts';

export class JDouble {
  constructor(readonly value: number) {}
  valueOf(): number { return this.value; }
}

export type JsonValue = null | boolean | string | number | bigint | JDouble | JsonObject | JsonArray;
export type JsonObject = Map<string, JsonValue>;
export type JsonArray = JsonValue[];

export class JsonParseError extends Error {}

export function isJsonObject(v: unknown): v is JsonObject {
  return v instanceof Map;
}

export interface ParseOptions {
  /** Longest string value or name allowed, in characters (Jackson's StreamReadConstraints). */
  maxStringLength?: number;
}

const MAX_DEPTH = 1000;
const MAX_NUMBER_LENGTH = 1000;

class Parser {
  i = 0;
  depth = 0;
  constructor(readonly s: string, readonly maxString: number) {}

  fail(message: string): never {
    const at = Math.min(this.i, this.s.length);
    let line = 1;
    let col = 1;
    for (let k = 0; k < at; k++) {
      if (this.s.charCodeAt(k) === 10) { line++; col = 1; } else col++;
    }
    throw new JsonParseError(`${message} at line ${line}, column ${col}`);
  }

  ws(): number {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) { i++; continue; }
      this.i = i;
      return c; // NaN at the end
    }
  }

  value(): JsonValue {
    const c = this.ws();
    switch (c) {
      case 123: return this.object();
      case 91: return this.array();
      case 34: return this.string();
      case 116: return this.word('true', true);
      case 102: return this.word('false', false);
      case 110: return this.word('null', null);
      default:
        if (c === 45 || (c >= 48 && c <= 57)) return this.number();
        if (Number.isNaN(c)) this.fail('Unexpected end-of-input: expected a value');
        this.fail(`Unexpected character ('${String.fromCodePoint(this.s.codePointAt(this.i)!)}' (code ${c})): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`);
    }
  }

  word<T extends JsonValue>(w: string, v: T): T {
    if (!this.s.startsWith(w, this.i)) this.fail(`Unrecognized token '${this.s.slice(this.i, this.i + w.length).replace(/[^A-Za-z].*$/s, '')}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`);
    const after = this.s.charCodeAt(this.i + w.length);
    // Jackson rejects "truex" but accepts "true]" / "true," / "true " etc.
    if ((after >= 48 && after <= 57) || (after >= 65 && after <= 90) || (after >= 97 && after <= 122) || after === 95) {
      this.fail(`Unrecognized token '${w}${String.fromCharCode(after)}...'`);
    }
    this.i += w.length;
    return v;
  }

  enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`Document nesting depth (${this.depth}) exceeds the maximum allowed (${MAX_DEPTH})`);
  }

  object(): JsonObject {
    this.enter();
    this.i++;
    const out: JsonObject = new Map();
    let c = this.ws();
    if (c === 125) { this.i++; this.depth--; return out; }
    for (;;) {
      if (c !== 34) this.fail(`Unexpected character (code ${c}): was expecting double-quote to start field name`);
      const key = this.string();
      c = this.ws();
      if (c !== 58) this.fail(`Unexpected character (code ${c}): was expecting a colon to separate field name and value`);
      this.i++;
      out.set(key, this.value());
      c = this.ws();
      if (c === 44) { this.i++; c = this.ws(); continue; }
      if (c === 125) { this.i++; this.depth--; return out; }
      this.fail(Number.isNaN(c) ? 'Unexpected end-of-input: expected close marker for Object' : `Unexpected character (code ${c}): was expecting comma to separate Object entries`);
    }
  }

  array(): JsonArray {
    this.enter();
    this.i++;
    const out: JsonArray = [];
    let c = this.ws();
    if (c === 93) { this.i++; this.depth--; return out; }
    for (;;) {
      out.push(this.value());
      c = this.ws();
      if (c === 44) { this.i++; continue; }
      if (c === 93) { this.i++; this.depth--; return out; }
      this.fail(Number.isNaN(c) ? 'Unexpected end-of-input: expected close marker for Array' : `Unexpected character (code ${c}): was expecting comma to separate Array entries`);
    }
  }

  string(): string {
    const s = this.s;
    const start = ++this.i;
    let i = start;
    // Fast path: no escapes.
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        this.i = i + 1;
        if (i - start > this.maxString) this.fail(`String value length (${i - start}) exceeds the maximum allowed (${this.maxString})`);
        return s.slice(start, i);
      }
      if (c === 92) break;
      if (c < 32) { this.i = i; this.badChar(c); }
      if (Number.isNaN(c)) { this.i = i; this.fail('Unexpected end-of-input in a String value'); }
      i++;
    }
    let out = s.slice(start, i);
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 34) break;
      if (Number.isNaN(c)) { this.i = i; this.fail('Unexpected end-of-input in a String value'); }
      if (c < 32) { this.i = i; this.badChar(c); }
      if (c !== 92) {
        const next = nextSpecial(s, i);
        out += s.slice(i, next);
        i = next;
        continue;
      }
      const e = s.charCodeAt(i + 1);
      i += 2;
      switch (e) {
        case 34: out += '"'; break;
        case 92: out += '\\'; break;
        case 47: out += '/'; break;
        case 98: out += '\b'; break;
        case 102: out += '\f'; break;
        case 110: out += '\n'; break;
        case 114: out += '\r'; break;
        case 116: out += '\t'; break;
        case 117: {
          const hex = s.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) { this.i = i; this.fail('Unexpected character in a \\u escape: expected a hex-digit for character escape sequence'); }
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          this.i = i - 1;
          this.fail(Number.isNaN(e) ? 'Unexpected end-of-input in a character escape sequence' : `Unrecognized character escape '${String.fromCharCode(e)}' (code ${e})`);
      }
    }
    this.i = i + 1;
    if (out.length > this.maxString) this.fail(`String value length (${out.length}) exceeds the maximum allowed (${this.maxString})`);
    return out;
  }

  badChar(c: number): never {
    this.fail(`Illegal unquoted character ((CTRL-CHAR, code ${c})): has to be escaped using backslash to be included in string value`);
  }

  number(): JsonValue {
    const s = this.s;
    const start = this.i;
    let i = start;
    let isFloat = false;
    if (s.charCodeAt(i) === 45) i++;
    let c = s.charCodeAt(i);
    if (c === 48) {
      i++;
      c = s.charCodeAt(i);
      if (c >= 48 && c <= 57) { this.i = i; this.fail('Invalid numeric value: Leading zeroes not allowed'); }
    } else if (c >= 49 && c <= 57) {
      while ((c = s.charCodeAt(++i)) >= 48 && c <= 57);
    } else {
      this.i = i;
      this.fail(`Unexpected character (code ${c}) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value`);
    }
    if (c === 46) {
      isFloat = true;
      c = s.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) { this.i = i; this.fail(`Unexpected character (code ${c}) in numeric value: Decimal point not followed by a digit`); }
      while ((c = s.charCodeAt(++i)) >= 48 && c <= 57);
    }
    if (c === 101 || c === 69) {
      isFloat = true;
      c = s.charCodeAt(++i);
      if (c === 43 || c === 45) c = s.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) { this.i = i; this.fail(`Unexpected character (code ${c}) in numeric value: Exponent indicator not followed by a digit`); }
      while ((c = s.charCodeAt(++i)) >= 48 && c <= 57);
    }
    // Jackson rejects a number running straight into letters ("12abc").
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) { this.i = i; this.fail(`Unexpected character ('${String.fromCharCode(c)}' (code ${c})) in numeric value`); }
    if (i - start > MAX_NUMBER_LENGTH) { this.i = start; this.fail(`Number value length (${i - start}) exceeds the maximum allowed (${MAX_NUMBER_LENGTH})`); }
    this.i = i;
    const text = s.slice(start, i);
    if (isFloat) {
      const d = Number(text);
      return Number.isInteger(d) || !Number.isFinite(d) ? new JDouble(d) : d;
    }
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
    return BigInt(text);
  }
}

function nextSpecial(s: string, i: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 34 || c === 92 || c < 32) return i;
    i++;
  }
  return i;
}

/**
 * Parses the first JSON value of `text` (what follows it is ignored, as Jackson's ObjectMapper does by
 * default). Throws JsonParseError for malformed or empty input.
 */
export function parseJson(text: string, options: ParseOptions = {}): JsonValue {
  const p = new Parser(text, options.maxStringLength ?? 20 * 1024 * 1024);
  const first = p.ws();
  if (Number.isNaN(first)) throw new JsonParseError('No content to map due to end-of-input');
  const value = p.value();
  if (first === 45 || (first >= 48 && first <= 57)) {
    // Jackson's _verifyRootSpace: a root-level number must be followed by whitespace or the end.
    const c = text.charCodeAt(p.i);
    if (!Number.isNaN(c) && c !== 32 && c !== 9 && c !== 10 && c !== 13) {
      p.fail(`Unexpected character ('${text[p.i]}' (code ${c})): Expected space separating root-level values`);
    }
  }
  return value;
}

// ---- writing -------------------------------------------------------------------------------------

/** Java's Double.toString(), shared with the Expression Language. */
export { javaDoubleToString };

const HEX = '0123456789ABCDEF';
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/** A JSON string literal as Jackson writes it: short escapes for \b \t \n \f \r, \u00XX (upper-case hex) for other control characters. */
export function quoteJson(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  const q = JSON.stringify(s);
  if (!q.includes('\\u')) return q;
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c < 32) {
      switch (c) {
        case 8: esc = '\\b'; break;
        case 9: esc = '\\t'; break;
        case 10: esc = '\\n'; break;
        case 12: esc = '\\f'; break;
        case 13: esc = '\\r'; break;
        default: esc = '\\u00' + HEX[c >> 4] + HEX[c & 15];
      }
    } else if (c === 34) esc = '\\"';
    else if (c === 92) esc = '\\\\';
    if (esc !== null) {
      out += s.slice(from, i) + esc;
      from = i + 1;
    }
  }
  return out + s.slice(from) + '"';
}

/** A number as Jackson writes the Java value it was read into. */
export function numberToJson(v: number | bigint | JDouble): string {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof JDouble) {
    // Jackson quotes non-finite doubles by default (QUOTE_NON_NUMERIC_NUMBERS).
    return Number.isFinite(v.value) ? javaDoubleToString(v.value) : `"${javaDoubleToString(v.value)}"`;
  }
  return Number.isInteger(v) ? String(v) : Number.isFinite(v) ? javaDoubleToString(v) : `"${javaDoubleToString(v)}"`;
}

/** Compact JSON, as Jackson's ObjectMapper writes it. */
export function toJson(v: JsonValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return quoteJson(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'number': case 'bigint': return numberToJson(v);
  }
  if (v instanceof JDouble) return numberToJson(v);
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + toJson(v[i]);
    return out + ']';
  }
  let out = '{';
  let first = true;
  for (const [k, x] of v) {
    out += (first ? '' : ',') + quoteJson(k) + ':' + toJson(x);
    first = false;
  }
  return out + '}';
}

/**
 * JSON as Jackson's DefaultPrettyPrinter writes it: objects broken over lines with two-space indents
 * and " : " between name and value, arrays on one line as "[ a, b ]", empty ones as "{ }" and "[ ]".
 */
export function toPrettyJson(v: JsonValue, nesting = 0): string {
  if (v === null || typeof v !== 'object' || v instanceof JDouble) return toJson(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[ ]';
    let out = '[ ';
    for (let i = 0; i < v.length; i++) out += (i ? ', ' : '') + toPrettyJson(v[i], nesting);
    return out + ' ]';
  }
  if (v.size === 0) return '{ }';
  const inner = '\n' + '  '.repeat(nesting + 1);
  let out = '{';
  let first = true;
  for (const [k, x] of v) {
    out += (first ? '' : ',') + inner + quoteJson(k) + ' : ' + toPrettyJson(x, nesting + 1);
    first = false;
  }
  return out + '\n' + '  '.repeat(nesting) + '}';
}

/** True for values NiFi treats as scalars (anything but a Map or a List). */
export function isScalar(v: JsonValue): boolean {
  return !(v instanceof Map) && !Array.isArray(v);
}

/** Java's Objects.toString(value, nullDefault) for a scalar JSON value. */
export function scalarToString(v: JsonValue, nullDefault: string): string {
  if (v === null) return nullDefault;
  switch (typeof v) {
    case 'string': return v;
    case 'boolean': return v ? 'true' : 'false';
    case 'number': return Number.isInteger(v) ? String(v) : javaDoubleToString(v);
    case 'bigint': return v.toString();
  }
  if (v instanceof JDouble) return javaDoubleToString(v.value);
  return toJson(v);
}
