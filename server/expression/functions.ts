/** The Expression Language function library (NiFi semantics). */
import { createHash, randomUUID } from 'node:crypto';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { isMainThread, threadId } from 'node:worker_threads';
import { compileDatePattern, formatDate, getZone, parseDate } from './dates.ts';
import { ExpressionEvaluationError } from './errors.ts';
import * as esc from './escapes.ts';
import { addPath, compileJsonPath, deletePath, putPath, readPath, setPath, type JsonPath } from './jsonpath.ts';
import { javaRegex, javaReplace, type JavaRegex } from './regex.ts';
import type { BuildContext, Compiled, EvaluationContext, FunctionSpec, StaticType } from './types.ts';
import {
  doubleToLong,
  javaDoubleToString,
  javaTrim,
  LONG_MAX,
  LONG_MIN,
  parseNumber,
  toBool,
  toDate,
  toDecimal,
  toNumeric,
  toStr,
  toWhole,
  valuesEqual,
  wrapLong,
  type Value,
} from './values.ts';

type Ctx = EvaluationContext;
type StrFn = (ctx: Ctx) => string | null;
type NumFn = (ctx: Ctx) => bigint | number | null;
type WholeFn = (ctx: Ctx) => bigint | null;
type BoolFn = (ctx: Ctx) => boolean | null;
type DateFn = (ctx: Ctx) => Date | null;

export const FUNCTIONS = new Map<string, FunctionSpec>();

function def(
  names: string | string[],
  min: number,
  max: number,
  subject: FunctionSpec['subject'],
  build: FunctionSpec['build'],
  extra: Partial<Pick<FunctionSpec, 'reducer' | 'multi'>> = {},
): void {
  for (const name of Array.isArray(names) ? names : [names]) FUNCTIONS.set(name, { min, max, subject, build, ...extra });
}

/** Hook set by the compiler so evaluateELString() can compile text at runtime without an import cycle. */
let templateEvaluator: ((text: string, ctx: Ctx) => string) | null = null;
export function setTemplateEvaluator(fn: (text: string, ctx: Ctx) => string): void {
  templateEvaluator = fn;
}

// ---------------------------------------------------------------------------------------------
// Conversion helpers (with NiFi's compile-time type checks)
// ---------------------------------------------------------------------------------------------

const TYPE_NAMES: Record<StaticType, string> = {
  string: 'STRING', boolean: 'BOOLEAN', whole: 'WHOLE_NUMBER', decimal: 'DECIMAL', number: 'NUMBER', date: 'DATE', any: 'ANY',
};

function convErr(b: BuildContext, c: Compiled, target: string, what: string): never {
  b.fail(`cannot implicitly convert ${TYPE_NAMES[c.type]} to ${target} (${what} of ${b.name}())`);
}

function strFn(c: Compiled): StrFn {
  const f = c.fn;
  if (c.type === 'string') return f as StrFn;
  return (ctx) => toStr(f(ctx));
}

function numFn(b: BuildContext, c: Compiled, what: string): NumFn {
  if (c.type === 'boolean') convErr(b, c, 'NUMBER', what);
  const f = c.fn;
  if (c.type === 'whole' || c.type === 'decimal' || c.type === 'number') return f as NumFn;
  return (ctx) => toNumeric(f(ctx));
}

function wholeFn(b: BuildContext, c: Compiled, what: string): WholeFn {
  if (c.type === 'boolean') convErr(b, c, 'WHOLE_NUMBER', what);
  const f = c.fn;
  if (c.type === 'whole') return f as WholeFn;
  return (ctx) => toWhole(f(ctx));
}

function boolFn(b: BuildContext, c: Compiled, what: string): BoolFn {
  if (c.type === 'whole' || c.type === 'decimal' || c.type === 'number' || c.type === 'date') convErr(b, c, 'BOOLEAN', what);
  const f = c.fn;
  if (c.type === 'boolean') return f as BoolFn;
  return (ctx) => toBool(f(ctx));
}

function dateFn(b: BuildContext, c: Compiled, what: string): DateFn {
  if (c.type === 'boolean') convErr(b, c, 'DATE', what);
  const f = c.fn;
  if (c.type === 'date') return f as DateFn;
  return (ctx) => toDate(f(ctx));
}

function subj(b: BuildContext): Compiled {
  return b.subject!;
}

function constString(c: Compiled | undefined): string | null | undefined {
  return c?.constant ? toStr(c.constant.value) : undefined;
}

/**
 * An argument compiled into T (a regex, a JsonPath): compiled once when the argument is a constant —
 * a constant that does not compile raises at evaluation time, as the spec asks — else per call.
 */
function compiledGetter<T>(c: Compiled, compile: (text: string) => T, onNull: () => T | null): (ctx: Ctx) => T | null {
  const k = constString(c);
  if (typeof k === 'string') {
    let cached: T | Error;
    try {
      cached = compile(k);
    } catch (e) {
      cached = e as Error;
    }
    return () => {
      if (cached instanceof Error) throw cached;
      return cached;
    };
  }
  const f = strFn(c);
  return (ctx) => {
    const p = f(ctx);
    return p === null ? onNull() : compile(p);
  };
}

function regexGetter(c: Compiled): (ctx: Ctx) => JavaRegex | null {
  return compiledGetter(c, javaRegex, () => null);
}

function fail(message: string): never {
  throw new ExpressionEvaluationError(message);
}

const MAX_STRING = 50_000_000;

// ---------------------------------------------------------------------------------------------
// String manipulation
// ---------------------------------------------------------------------------------------------

function stringMap(name: string, f: (s: string) => string): void {
  def(name, 0, 0, 'required', (b) => {
    const s = strFn(subj(b));
    return {
      type: 'string',
      fn: (ctx) => {
        const v = s(ctx);
        return v === null ? null : f(v);
      },
    };
  });
}

stringMap('toUpper', (s) => s.toUpperCase());
stringMap('toLower', (s) => s.toLowerCase());
stringMap('trim', javaTrim);
stringMap('urlEncode', esc.urlEncode);
stringMap('urlDecode', esc.urlDecode);
stringMap('base64Encode', esc.base64Encode);
stringMap('base64Decode', esc.base64Decode);
stringMap('escapeJson', esc.escapeJson);
stringMap('unescapeJson', esc.unescapeJson);
stringMap('escapeXml', esc.escapeXml);
stringMap('unescapeXml', esc.unescapeXml);
stringMap('escapeCsv', esc.escapeCsv);
stringMap('unescapeCsv', esc.unescapeCsv);
stringMap('escapeHtml3', esc.escapeHtml3);
stringMap('escapeHtml4', esc.escapeHtml4);
stringMap('unescapeHtml3', esc.unescapeHtml3);
stringMap('unescapeHtml4', esc.unescapeHtml4);

def('toString', 0, 0, 'required', (b) => {
  const s = strFn(subj(b));
  return { type: 'string', fn: s };
});

def('substring', 1, 2, 'required', (b) => {
  const s = strFn(subj(b));
  const startFn = wholeFn(b, b.args[0]!, 'start index');
  const endFn = b.args[1] ? wholeFn(b, b.args[1], 'end index') : null;
  return {
    type: 'string',
    fn: (ctx) => {
      const v = s(ctx);
      if (v === null) return '';
      const start = startFn(ctx);
      if (start === null) fail('substring(): the start index is null or not a number');
      const end = endFn ? endFn(ctx) : BigInt(v.length);
      if (end === null) fail('substring(): the end index is null or not a number');
      if (start < 0n || end > BigInt(v.length) || start > end) {
        fail(`substring(${start}, ${end}): index out of range for a value of length ${v.length}`);
      }
      return v.slice(Number(start), Number(end));
    },
  };
});

function substringFn(name: string, pick: (v: string, x: string) => string): void {
  def(name, 1, 1, 'required', (b) => {
    const s = strFn(subj(b));
    const a = strFn(b.args[0]!);
    return {
      type: 'string',
      fn: (ctx) => {
        const v = s(ctx);
        if (v === null) return '';
        const x = a(ctx);
        return x === null ? v : pick(v, x);
      },
    };
  });
}

substringFn('substringBefore', (v, x) => {
  const i = v.indexOf(x);
  return i < 0 ? v : v.slice(0, i);
});
substringFn('substringBeforeLast', (v, x) => {
  const i = v.lastIndexOf(x);
  return i < 0 ? v : v.slice(0, i);
});
substringFn('substringAfter', (v, x) => {
  const i = v.indexOf(x);
  return i < 0 ? v : v.slice(i + x.length);
});
substringFn('substringAfterLast', (v, x) => {
  const i = v.lastIndexOf(x);
  return i < 0 ? v : v.slice(i + x.length);
});

function concatFn(name: string, before: boolean): void {
  def(name, 1, 1, 'required', (b) => {
    const s = strFn(subj(b));
    const a = strFn(b.args[0]!);
    return {
      type: 'string',
      fn: (ctx) => {
        const v = s(ctx);
        const x = a(ctx);
        if (v === null) return x;
        if (x === null) return v;
        return before ? x + v : v + x;
      },
    };
  });
}
concatFn('append', false);
concatFn('prepend', true);

def('replace', 2, 2, 'required', (b) => {
  const s = strFn(subj(b));
  const search = strFn(b.args[0]!);
  const rep = strFn(b.args[1]!);
  return {
    type: 'string',
    fn: (ctx) => {
      const v = s(ctx);
      if (v === null) return null;
      const x = search(ctx);
      const r = rep(ctx);
      if (x === null || r === null) return v;
      return v.replaceAll(x, () => r);
    },
  };
});

function regexReplaceFn(name: string, all: boolean): void {
  def(name, 2, 2, 'required', (b) => {
    const s = strFn(subj(b));
    const re = regexGetter(b.args[0]!);
    const rep = strFn(b.args[1]!);
    return {
      type: 'string',
      fn: (ctx) => {
        const v = s(ctx);
        if (v === null) return null;
        const r = re(ctx);
        const x = rep(ctx);
        if (r === null || x === null) return v;
        return javaReplace(v, r, x, all);
      },
    };
  });
}
regexReplaceFn('replaceAll', true);
regexReplaceFn('replaceFirst', false);

def('replaceNull', 1, 1, 'required', (b) => {
  const s = subj(b).fn;
  const a = b.args[0]!.fn;
  const type = subj(b).type === b.args[0]!.type ? subj(b).type : 'any';
  return {
    type,
    fn: (ctx) => {
      const v = s(ctx);
      return v === null ? a(ctx) : v;
    },
  };
});

def('replaceEmpty', 1, 1, 'required', (b) => {
  const s = strFn(subj(b));
  const a = strFn(b.args[0]!);
  return {
    type: 'string',
    fn: (ctx) => {
      const v = s(ctx);
      return v === null || javaTrim(v) === '' ? a(ctx) : v;
    },
  };
});

def('length', 0, 0, 'required', (b) => {
  const s = strFn(subj(b));
  return { type: 'whole', fn: (ctx) => BigInt(s(ctx)?.length ?? 0) };
});

function padFn(name: string, left: boolean): void {
  def(name, 1, 2, 'required', (b) => {
    const s = strFn(subj(b));
    const lenFn = wholeFn(b, b.args[0]!, 'desired length');
    const padArg = b.args[1] ? strFn(b.args[1]) : () => '_';
    return {
      type: 'string',
      fn: (ctx) => {
        const v = s(ctx);
        if (v === null) return null;
        const len = lenFn(ctx);
        const pad = padArg(ctx);
        if (len === null || pad === null || pad === '' || len < 0n || len > 2147483647n || BigInt(v.length) >= len) return v;
        const need = Number(len) - v.length;
        if (need > MAX_STRING) fail(`${name}(): desired length ${len} is too large`);
        const padding = pad.repeat(Math.ceil(need / pad.length)).slice(0, need);
        return left ? padding + v : v + padding;
      },
    };
  });
}
padFn('padLeft', true);
padFn('padRight', false);

def('repeat', 1, 2, 'required', (b) => {
  const s = strFn(subj(b));
  const minFn = wholeFn(b, b.args[0]!, 'minimum repeats');
  const maxFn = b.args[1] ? wholeFn(b, b.args[1], 'maximum repeats') : null;
  return {
    type: 'string',
    fn: (ctx) => {
      const v = s(ctx);
      if (v === null) return null;
      const min = minFn(ctx);
      if (min === null || min < 1n) fail('repeat(): the number of repeats must be a positive number');
      let count = min;
      if (maxFn) {
        const max = maxFn(ctx);
        if (max === null || max < min) fail('repeat(): the maximum number of repeats must be greater than or equal to the minimum');
        count = min + BigInt(Math.floor(Math.random() * Number(max - min + 1n)));
      }
      if (BigInt(v.length) * count > BigInt(MAX_STRING)) fail('repeat(): the result would be too large');
      return v.repeat(Number(count));
    },
  };
});

def('getDelimitedField', 1, 5, 'required', (b) => {
  const s = strFn(subj(b));
  const indexFn = wholeFn(b, b.args[0]!, 'field index');
  const delimFn = b.args[1] ? strFn(b.args[1]) : () => ',';
  const quoteFn = b.args[2] ? strFn(b.args[2]) : () => '"';
  const escapeFn = b.args[3] ? strFn(b.args[3]) : () => '\\';
  const stripFn = b.args[4] ? boolFn(b, b.args[4], 'strip flag') : () => false;
  const oneChar = (v: string | null, what: string): string => {
    if (v === null || v.length === 0) fail(`getDelimitedField(): the ${what} was not specified`);
    if (v.length > 1) fail(`getDelimitedField(): the ${what} evaluated to "${v}", but only a single character is allowed`);
    return v;
  };
  return {
    type: 'string',
    fn: (ctx) => {
      const v = s(ctx);
      if (v === null || v === '') return '';
      const index = indexFn(ctx);
      if (index === null) fail('getDelimitedField(): the field index was not specified');
      if (index < 1n) return '';
      const delim = oneChar(delimFn(ctx), 'delimiter');
      const quote = oneChar(quoteFn(ctx), 'quote character');
      const escape = oneChar(escapeFn(ctx), 'escape character');
      const strip = stripFn(ctx) === true;
      if (quote === delim) fail('getDelimitedField(): the quote character and the delimiter are the same');
      if (quote === escape) fail('getDelimitedField(): the quote character and the escape character are the same');
      if (delim === escape) fail('getDelimitedField(): the delimiter and the escape character are the same');
      const want = Number(index);
      let field = 1;
      let out = '';
      let inQuote = false;
      let escaped = false;
      for (const c of v) {
        if (c === quote && !escaped) {
          inQuote = !inQuote;
          if (!strip && field === want) out += c;
        } else if (c === delim && !escaped && !inQuote) {
          if (field === want) return out;
          field++;
        } else if (field === want && (c !== escape || !strip || escaped)) {
          out += c;
        }
        escaped = c === escape && !escaped;
      }
      return field === want ? out : '';
    },
  };
});

def('evaluateELString', 0, 0, 'required', (b) => {
  const s = strFn(subj(b));
  return {
    type: 'string',
    fn: (ctx) => {
      const v = s(ctx);
      if (v === null) return null;
      return templateEvaluator ? templateEvaluator(v, ctx) : v;
    },
  };
});

function indexFn(name: string, last: boolean): void {
  def(name, 1, 1, 'required', (b) => {
    const s = strFn(subj(b));
    const a = strFn(b.args[0]!);
    return {
      type: 'whole',
      fn: (ctx) => {
        const v = s(ctx);
        const x = a(ctx);
        if (v === null || x === null) return -1n;
        return BigInt(last ? v.lastIndexOf(x) : v.indexOf(x));
      },
    };
  });
}
indexFn('indexOf', false);
indexFn('lastIndexOf', true);

const HASH_ALGORITHMS: Record<string, string> = {
  MD5: 'md5', 'SHA-1': 'sha1', SHA1: 'sha1', 'SHA-224': 'sha224', 'SHA-256': 'sha256', 'SHA-384': 'sha384',
  'SHA-512': 'sha512', 'SHA-512/224': 'sha512-224', 'SHA-512/256': 'sha512-256', 'SHA3-224': 'sha3-224',
  'SHA3-256': 'sha3-256', 'SHA3-384': 'sha3-384', 'SHA3-512': 'sha3-512',
};

def('hash', 1, 1, 'required', (b) => {
  const s = strFn(subj(b));
  const a = strFn(b.args[0]!);
  return {
    type: 'string',
    fn: (ctx) => {
      const v = s(ctx);
      if (v === null) return null;
      const alg = a(ctx);
      const nodeAlg = alg === null ? undefined : HASH_ALGORITHMS[alg.toUpperCase()];
      if (!nodeAlg) fail(`hash(): unsupported algorithm '${alg}'; use one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
      return createHash(nodeAlg).update(v, 'utf8').digest('hex');
    },
  };
});

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

function parseJsonSubject(v: string | null): unknown {
  if (v === null || v === '') fail('jsonPath: subject is empty');
  try {
    return JSON.parse(v);
  } catch {
    fail(`jsonPath: subject contains invalid JSON: ${v.length > 200 ? v.slice(0, 200) + '...' : v}`);
  }
}

function jsonPathGetter(c: Compiled): (ctx: Ctx) => JsonPath {
  return compiledGetter(c, compileJsonPath, () => fail('jsonPath: the path is null')) as (ctx: Ctx) => JsonPath;
}

function jsonScalar(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : javaDoubleToString(v);
  if (typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** NiFi's JsonPathBaseEvaluator.getResultRepresentation. */
function jsonRepresentation(v: unknown): string {
  if (Array.isArray(v) && v.length === 1) return jsonRepresentation(v[0]);
  return jsonScalar(v);
}

function toJsonValue(v: Value): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  return v;
}

def('jsonPath', 1, 1, 'required', (b) => {
  const s = strFn(subj(b));
  const path = jsonPathGetter(b.args[0]!);
  let lastText: string | null = null;
  let lastDoc: unknown;
  return {
    type: 'string',
    fn: (ctx) => {
      const text = s(ctx);
      let doc: unknown;
      if (text !== null && text === lastText) doc = lastDoc;
      else {
        doc = parseJsonSubject(text);
        lastText = text;
        lastDoc = doc;
      }
      const r = readPath(doc, path(ctx));
      return r === undefined ? '' : jsonRepresentation(r);
    },
  };
});

def('isJson', 0, 0, 'required', (b) => {
  const s = strFn(subj(b));
  return {
    type: 'boolean',
    fn: (ctx) => {
      const v = s(ctx);
      if (v === null) return false;
      const t = v.trim();
      if (!((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']')))) return false;
      try {
        JSON.parse(t);
        return true;
      } catch {
        return false;
      }
    },
  };
});

function jsonUpdateFn(name: string, argCount: number, update: (doc: unknown, path: JsonPath, args: Value[]) => void): void {
  def(name, argCount, argCount, 'required', (b) => {
    const s = strFn(subj(b));
    const path = jsonPathGetter(b.args[0]!);
    const rest = b.args.slice(1).map((a) => a.fn);
    return {
      type: 'string',
      fn: (ctx) => {
        const doc = parseJsonSubject(s(ctx));
        update(doc, path(ctx), rest.map((f) => f(ctx)));
        return JSON.stringify(doc);
      },
    };
  });
}
jsonUpdateFn('jsonPathDelete', 1, (doc, p) => deletePath(doc, p));
jsonUpdateFn('jsonPathSet', 2, (doc, p, [v]) => setPath(doc, p, toJsonValue(v ?? null)));
jsonUpdateFn('jsonPathAdd', 2, (doc, p, [v]) => addPath(doc, p, toJsonValue(v ?? null)));
jsonUpdateFn('jsonPathPut', 3, (doc, p, [k, v]) => putPath(doc, p, toStr(k ?? null) ?? 'null', toJsonValue(v ?? null)));

// ---------------------------------------------------------------------------------------------
// Boolean logic and searching
// ---------------------------------------------------------------------------------------------

def('isNull', 0, 0, 'required', (b) => {
  const s = subj(b).fn;
  return { type: 'boolean', fn: (ctx) => s(ctx) === null };
});
def('notNull', 0, 0, 'required', (b) => {
  const s = subj(b).fn;
  return { type: 'boolean', fn: (ctx) => s(ctx) !== null };
});
def('isEmpty', 0, 0, 'required', (b) => {
  const s = strFn(subj(b));
  return {
    type: 'boolean',
    fn: (ctx) => {
      const v = s(ctx);
      return v === null || javaTrim(v) === '';
    },
  };
});

def('equals', 1, 1, 'required', (b) => {
  const s = subj(b).fn;
  const a = b.args[0]!.fn;
  return { type: 'boolean', fn: (ctx) => valuesEqual(s(ctx), a(ctx)) };
});

function stringTest(name: string, test: (v: string, x: string) => boolean): void {
  def(name, 1, 1, 'required', (b) => {
    const s = strFn(subj(b));
    const a = strFn(b.args[0]!);
    return {
      type: 'boolean',
      fn: (ctx) => {
        const v = s(ctx);
        if (v === null) return false;
        const x = a(ctx);
        return x === null ? false : test(v, x);
      },
    };
  });
}
stringTest('equalsIgnoreCase', (v, x) => v.length === x.length && (v === x || v.toUpperCase() === x.toUpperCase() || v.toLowerCase() === x.toLowerCase()));
stringTest('contains', (v, x) => v.includes(x));
stringTest('startsWith', (v, x) => v.startsWith(x));
stringTest('endsWith', (v, x) => v.endsWith(x));

function regexTest(name: string, full: boolean): void {
  def(name, 1, 1, 'required', (b) => {
    const s = strFn(subj(b));
    const re = regexGetter(b.args[0]!);
    return {
      type: 'boolean',
      fn: (ctx) => {
        const v = s(ctx);
        if (v === null) return false;
        const r = re(ctx);
        if (r === null) return false;
        return full ? r.full.test(v) : r.find.test(v);
      },
    };
  });
}
regexTest('find', false);
regexTest('matches', true);

def('in', 1, Infinity, 'required', (b) => {
  const s = strFn(subj(b));
  const options = b.args.map(strFn);
  return {
    type: 'boolean',
    fn: (ctx) => {
      const v = s(ctx);
      if (v === null) return false;
      for (const o of options) if (o(ctx) === v) return true;
      return false;
    },
  };
});

function compareFn(name: string, test: (c: number) => boolean): void {
  def(name, 1, 1, 'required', (b) => {
    const s = numFn(b, subj(b), 'subject');
    const a = numFn(b, b.args[0]!, 'argument');
    return {
      type: 'boolean',
      fn: (ctx) => {
        const x = s(ctx);
        if (x === null) return false;
        const y = a(ctx);
        if (y === null) return false;
        if (typeof x === 'bigint' && typeof y === 'bigint') return test(x < y ? -1 : x > y ? 1 : 0);
        const dx = Number(x);
        const dy = Number(y);
        if (Number.isNaN(dx) || Number.isNaN(dy)) return false;
        return test(dx < dy ? -1 : dx > dy ? 1 : 0);
      },
    };
  });
}
compareFn('gt', (c) => c > 0);
compareFn('ge', (c) => c >= 0);
compareFn('lt', (c) => c < 0);
compareFn('le', (c) => c <= 0);

def('and', 1, 1, 'required', (b) => {
  const s = boolFn(b, subj(b), 'subject');
  const a = boolFn(b, b.args[0]!, 'argument');
  return { type: 'boolean', fn: (ctx) => s(ctx) === true && a(ctx) === true };
});
def('or', 1, 1, 'required', (b) => {
  const s = boolFn(b, subj(b), 'subject');
  const a = boolFn(b, b.args[0]!, 'argument');
  return { type: 'boolean', fn: (ctx) => s(ctx) === true || a(ctx) === true };
});
def('not', 0, 0, 'required', (b) => {
  const s = boolFn(b, subj(b), 'subject');
  return {
    type: 'boolean',
    fn: (ctx) => {
      const v = s(ctx);
      return v === null ? null : !v;
    },
  };
});
def('ifElse', 2, 2, 'required', (b) => {
  const s = boolFn(b, subj(b), 'subject');
  const t = strFn(b.args[0]!);
  const f = strFn(b.args[1]!);
  return { type: 'string', fn: (ctx) => (s(ctx) === true ? t(ctx) : f(ctx)) };
});

// ---------------------------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------------------------

function arithmetic(name: string, whole: (a: bigint, b: bigint) => bigint, decimal: (a: number, b: number) => number): void {
  def(name, 1, 1, 'required', (b) => {
    const s = numFn(b, subj(b), 'subject');
    const a = numFn(b, b.args[0]!, 'argument');
    return {
      type: 'number',
      fn: (ctx) => {
        const x = s(ctx);
        if (x === null) return null;
        const y = a(ctx);
        if (y === null) return null;
        if (typeof x === 'bigint' && typeof y === 'bigint') return whole(x, y);
        return decimal(Number(x), Number(y));
      },
    };
  });
}
arithmetic('plus', (a, b) => wrapLong(a + b), (a, b) => a + b);
arithmetic('minus', (a, b) => wrapLong(a - b), (a, b) => a - b);
arithmetic('multiply', (a, b) => wrapLong(a * b), (a, b) => a * b);
arithmetic(
  'divide',
  (a, b) => {
    if (b === 0n) fail('divide(): division by zero');
    return wrapLong(a / b);
  },
  (a, b) => a / b,
);
arithmetic(
  'mod',
  (a, b) => {
    if (b === 0n) fail('mod(): division by zero');
    return a % b;
  },
  (a, b) => a % b,
);

function describeValue(v: string): string {
  return v.length > 60 ? `'${v.slice(0, 60)}...'` : `'${v}'`;
}

/** toNumber / toDecimal: blank text is null, other text must parse, non-text converts as the type says. */
function numberConversion(name: string, type: 'whole' | 'decimal', target: string, noun: string, fromText: (n: bigint | number) => Value, fromOther: (v: Value) => Value): void {
  def(name, 0, 0, 'required', (b) => {
    if (subj(b).type === 'boolean') convErr(b, subj(b), target, 'subject');
    const s = subj(b).fn;
    return {
      type,
      fn: (ctx) => {
        const v = s(ctx);
        if (typeof v !== 'string') return fromOther(v);
        const t = javaTrim(v);
        if (t === '') return null;
        const n = parseNumber(t);
        if (n === null) fail(`${name}(): cannot convert ${describeValue(v)} to ${noun}`);
        return fromText(n);
      },
    };
  });
}
numberConversion('toNumber', 'whole', 'WHOLE_NUMBER', 'a number', (n) => (typeof n === 'bigint' ? n : doubleToLong(n)), toWhole);
numberConversion('toDecimal', 'decimal', 'DECIMAL', 'a decimal', (n) => Number(n), toDecimal);

def('toRadix', 1, 2, 'required', (b) => {
  const s = wholeFn(b, subj(b), 'subject');
  const radixFn = wholeFn(b, b.args[0]!, 'radix');
  const padFnc = b.args[1] ? wholeFn(b, b.args[1], 'padding') : () => 0n;
  return {
    type: 'string',
    fn: (ctx) => {
      const v = s(ctx);
      if (v === null) return null;
      const radix = radixFn(ctx);
      if (radix === null || radix < 2n || radix > 36n) fail(`toRadix(): radix must be between 2 and 36 but was ${radix}`);
      const out = v.toString(Number(radix));
      const width = Number(padFnc(ctx) ?? 0n);
      return out.length < width ? '0'.repeat(width - out.length) + out : out;
    },
  };
});

def('fromRadix', 1, 1, 'required', (b) => {
  const s = strFn(subj(b));
  const radixFn = wholeFn(b, b.args[0]!, 'radix');
  return {
    type: 'whole',
    fn: (ctx) => {
      const v = s(ctx);
      if (v === null) return null;
      const radix = radixFn(ctx);
      if (radix === null || radix < 2n || radix > 36n) fail(`fromRadix(): radix must be between 2 and 36 but was ${radix}`);
      const r = Number(radix);
      const m = /^([-+]?)([0-9a-zA-Z]+)$/.exec(v);
      let n = 0n;
      if (m) {
        for (const ch of m[2]!) {
          const d = parseInt(ch, 36);
          if (d >= r) {
            n = -1n;
            break;
          }
          n = n * BigInt(r) + BigInt(d);
        }
      }
      if (!m || n < 0n) fail(`fromRadix(): '${v}' is not a valid base-${r} number`);
      if (m[1] === '-') n = -n;
      if (n < LONG_MIN || n > LONG_MAX) fail(`fromRadix(): '${v}' is out of range for a whole number`);
      return n;
    },
  };
});

const MATH_DECIMAL_1: Record<string, (x: number) => number> = {
  sqrt: Math.sqrt, cbrt: Math.cbrt, ceil: Math.ceil, floor: Math.floor, rint: (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
  },
  exp: Math.exp, expm1: Math.expm1, log: Math.log, log10: Math.log10, log1p: Math.log1p, sin: Math.sin, cos: Math.cos,
  tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan, sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh,
  signum: (x) => (x > 0 ? 1 : x < 0 ? -1 : x), toRadians: (x) => (x / 180) * Math.PI, toDegrees: (x) => (x * 180) / Math.PI,
};
const MATH_DECIMAL_2: Record<string, (x: number, y: number) => number> = {
  pow: Math.pow, atan2: Math.atan2, hypot: Math.hypot, IEEEremainder: (x, y) => x - y * Math.round(x / y),
};

function runMath(method: string, x: bigint | number | null, y: bigint | number | null, hasArg: boolean): Value {
  if (method === 'random' && x === null && !hasArg) return Math.random();
  if (x === null) fail(`math(): ${method} requires a subject`);
  if (method === 'abs' && !hasArg) return typeof x === 'bigint' ? wrapLong(x < 0n ? -x : x) : Math.abs(x);
  if (method === 'round' && !hasArg) return typeof x === 'bigint' ? x : doubleToLong(Math.round(x));
  if ((method === 'max' || method === 'min') && hasArg && y !== null) {
    if (typeof x === 'bigint' && typeof y === 'bigint') return method === 'max' ? (x > y ? x : y) : x < y ? x : y;
    return method === 'max' ? Math.max(Number(x), Number(y)) : Math.min(Number(x), Number(y));
  }
  const f1 = MATH_DECIMAL_1[method];
  if (f1 && !hasArg) return f1(Number(x));
  const f2 = MATH_DECIMAL_2[method];
  if (f2 && hasArg && y !== null) return f2(Number(x), Number(y));
  fail(`math(): unsupported method '${method}' with ${hasArg ? 2 : 1} parameter(s)`);
}

def('math', 1, 2, 'optional', (b) => {
  const s = b.subject ? numFn(b, b.subject, 'subject') : () => null;
  const method = strFn(b.args[0]!);
  const a = b.args[1] ? numFn(b, b.args[1], 'argument') : null;
  if (!b.subject && b.args.length !== 1) b.fail('math() without a subject takes exactly 1 argument');
  return {
    type: 'number',
    fn: (ctx) => {
      const m = method(ctx);
      if (m === null) fail('math(): the method name is null');
      const x = s(ctx);
      if (b.subject && x === null) return null;
      return runMath(m, x, a ? a(ctx) : null, a !== null);
    },
  };
});

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

def('format', 1, 2, 'required', (b) => {
  const d = dateFn(b, subj(b), 'subject');
  const pattern = strFn(b.args[0]!);
  const tz = b.args[1] ? strFn(b.args[1]) : null;
  return {
    type: 'string',
    fn: (ctx) => {
      const date = d(ctx);
      if (date === null) return null;
      const p = pattern(ctx);
      if (p === null) return null;
      const toks = compileDatePattern(p);
      return formatDate(date.getTime(), toks, getZone(tz ? tz(ctx) : null));
    },
  };
});

def('toDate', 0, 2, 'required', (b) => {
  const subject = subj(b);
  if (subject.type === 'boolean') convErr(b, subject, 'DATE', 'subject');
  const s = subject.fn;
  const pattern = b.args[0] ? strFn(b.args[0]) : null;
  const tz = b.args[1] ? strFn(b.args[1]) : null;
  return {
    type: 'date',
    fn: (ctx) => {
      const v = s(ctx);
      if (v === null) return null;
      if (typeof v === 'string' && pattern) {
        const p = pattern(ctx);
        if (p === null) return null;
        const ms = parseDate(v, compileDatePattern(p), getZone(tz ? tz(ctx) : null));
        if (ms === null) fail(`toDate(): cannot parse attribute value as a date; date format: ${p}; attribute value: ${v}`);
        return new Date(ms);
      }
      const w = toWhole(v);
      return w === null ? null : new Date(Number(w));
    },
  };
});

def('now', 0, 0, 'none', () => ({ type: 'date', fn: () => new Date() }));

// ---------------------------------------------------------------------------------------------
// Subjectless functions
// ---------------------------------------------------------------------------------------------

def(['UUID', 'uuid'], 0, 0, 'none', () => ({ type: 'string', fn: () => randomUUID() }));

let cachedHostname: string | null = null;
def('hostname', 0, 1, 'none', (b) => {
  const arg = b.args[0];
  if (arg && !(arg.constant && typeof arg.constant.value === 'boolean')) b.fail('hostname() takes an optional boolean literal (true or false)');
  return { type: 'string', fn: () => (cachedHostname ??= osHostname()) };
});

let cachedIp: string | null = null;
function localIp(): string {
  if (cachedIp === null) {
    cachedIp = '127.0.0.1';
    for (const list of Object.values(networkInterfaces())) {
      const found = list?.find((a) => a.family === 'IPv4' && !a.internal);
      if (found) {
        cachedIp = found.address;
        break;
      }
    }
  }
  return cachedIp;
}
def('ip', 0, 0, 'none', () => ({ type: 'string', fn: localIp }));

let sequence = 0n;
def('nextInt', 0, 0, 'none', () => ({ type: 'whole', fn: () => sequence++ }));

def('random', 0, 0, 'none', () => ({
  type: 'whole',
  fn: () => (BigInt(Math.floor(Math.random() * 2 ** 31)) << 32n) | BigInt(Math.floor(Math.random() * 2 ** 32)),
}));

def('thread', 0, 0, 'none', () => ({ type: 'string', fn: () => (isMainThread ? 'main' : `worker-${threadId}`) }));

def('literal', 1, 1, 'none', (b) => {
  const a = b.args[0]!;
  return { type: a.type, fn: a.fn, constant: a.constant };
});

// ---------------------------------------------------------------------------------------------
// Multi-attribute functions and reducers (compiled specially by the compiler)
// ---------------------------------------------------------------------------------------------

const multiPlaceholder = (b: BuildContext): never => b.fail(`${b.name}() must be the subject of an expression`);
def('anyAttribute', 1, Infinity, 'none', multiPlaceholder, { multi: 'any' });
def('anyMatchingAttribute', 1, Infinity, 'none', multiPlaceholder, { multi: 'any' });
def('anyDelineatedValue', 2, 2, 'none', multiPlaceholder, { multi: 'any' });
def('allAttributes', 1, Infinity, 'none', multiPlaceholder, { multi: 'all' });
def('allMatchingAttributes', 1, Infinity, 'none', multiPlaceholder, { multi: 'all' });
def('allDelineatedValues', 2, 2, 'none', multiPlaceholder, { multi: 'all' });

/** On a single value, count() is 1 for a non-null, non-false value and 0 otherwise. */
def(
  'count',
  0,
  0,
  'required',
  (b) => {
    const s = subj(b).fn;
    return {
      type: 'whole',
      fn: (ctx) => {
        const v = s(ctx);
        return v === null || v === false ? 0n : 1n;
      },
    };
  },
  { reducer: true },
);

/** On a single value, join() returns the value itself. */
def(
  'join',
  1,
  1,
  'required',
  (b) => {
    const s = strFn(subj(b));
    strFn(b.args[0]!);
    return { type: 'string', fn: s };
  },
  { reducer: true },
);
