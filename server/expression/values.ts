/**
 * Runtime values of the Expression Language and NiFi's coercion rules between them.
 *
 *   String      -> JS string
 *   Boolean     -> JS boolean
 *   Whole number (Java long) -> JS bigint (wrapped to 64 bits on overflow, like Java)
 *   Decimal (Java double)    -> JS number
 *   Date        -> JS Date
 *   null        -> null
 */
import { dateToString, stringToDate } from './dates.ts';
import { ExpressionEvaluationError } from './errors.ts';

export type Value = string | boolean | bigint | number | Date | null;

export const LONG_MIN = -(2n ** 63n);
export const LONG_MAX = 2n ** 63n - 1n;

export function wrapLong(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** Java's String.trim(): strips every char <= U+0020 from both ends. */
export function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 32) a++;
  while (b > a && s.charCodeAt(b - 1) <= 32) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Java's Double.toString(). */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes('.') ? s : s + '.0';
  }
  const [mant, exp] = d.toExponential().split('e') as [string, string];
  return (mant.includes('.') ? mant : mant + '.0') + 'E' + (exp[0] === '+' ? exp.slice(1) : exp);
}

/** String conversion as NiFi's String.valueOf(result) does. */
export function toStr(v: Value): string | null {
  if (v === null) return null;
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number':
      return javaDoubleToString(v);
    default:
      return dateToString(v);
  }
}

/** Boolean.valueOf(trimmed string): true only for "true", ignoring case. */
export function toBool(v: Value): boolean | null {
  if (v === null) return null;
  if (typeof v === 'boolean') return v;
  const s = toStr(v)!;
  return javaTrim(s).toLowerCase() === 'true';
}

const WHOLE_RE = /^[-+]?(?:\d+|0[xX][0-9a-fA-F]+)$/;
const DECIMAL_RE =
  /^[-+]?(?:Infinity|NaN|\d+\.\d+|\d+(?:\.\d+)?[eE][-+]?\d+|\.\d+(?:[eE][-+]?\d+)?|0[xX][0-9a-fA-F]+\.?[pP][-+]?\d+|0[xX][0-9a-fA-F]*\.[0-9a-fA-F]+(?:[pP][-+]?\d+)?)$/;

function parseLong(s: string): bigint {
  let neg = false;
  let body = s;
  if (body[0] === '-' || body[0] === '+') {
    neg = body[0] === '-';
    body = body.slice(1);
  }
  let v = /^0[xX]/.test(body) ? BigInt('0x' + body.slice(2)) : BigInt(body);
  if (neg) v = -v;
  if (v < LONG_MIN || v > LONG_MAX) throw new ExpressionEvaluationError(`value '${s}' is out of range for a whole number`);
  return v;
}

function parseHexDouble(s: string): number {
  const m = /^([-+]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([-+]?\d+))?$/.exec(s)!;
  const intPart = m[2] || '0';
  const frac = m[3] ?? '';
  let v = parseInt(intPart, 16) || 0;
  for (let i = 0; i < frac.length; i++) v += parseInt(frac[i]!, 16) / 16 ** (i + 1);
  v *= 2 ** Number(m[4] ?? 0);
  return m[1] === '-' ? -v : v;
}

/** NiFi's NumberParsing: classify and parse a (trimmed) string. Returns null when it is not a number. */
export function parseNumber(s: string): bigint | number | null {
  if (WHOLE_RE.test(s)) return parseLong(s);
  if (DECIMAL_RE.test(s)) {
    if (/^[-+]?0[xX]/.test(s)) return parseHexDouble(s);
    return Number(s);
  }
  return null;
}

/** Implicit conversion to a "Number" (whole or decimal). Non-numeric strings become null. */
export function toNumeric(v: Value): bigint | number | null {
  if (v === null) return null;
  switch (typeof v) {
    case 'bigint':
    case 'number':
      return v;
    case 'string':
      return parseNumber(javaTrim(v));
    case 'boolean':
      return null;
    default:
      return BigInt(v.getTime());
  }
}

/** Java's (long) cast of a double. */
export function doubleToLong(d: number): bigint {
  if (Number.isNaN(d)) return 0n;
  if (d >= 9.223372036854775807e18) return LONG_MAX;
  if (d <= -9.223372036854775808e18) return LONG_MIN;
  return BigInt(Math.trunc(d));
}

/** Implicit conversion to a whole number (decimals are truncated). */
export function toWhole(v: Value): bigint | null {
  const n = toNumeric(v);
  if (n === null) return null;
  return typeof n === 'bigint' ? n : doubleToLong(n);
}

/** Implicit conversion to a decimal. */
export function toDecimal(v: Value): number | null {
  const n = toNumeric(v);
  if (n === null) return null;
  return typeof n === 'number' ? n : Number(n);
}

/** Implicit conversion to a date (NiFi's DateCastEvaluator). */
export function toDate(v: Value): Date | null {
  if (v === null) return null;
  switch (typeof v) {
    case 'string':
      return stringToDate(v);
    case 'bigint':
      return new Date(Number(v));
    case 'number':
      return new Date(Number(doubleToLong(v)));
    case 'boolean':
      throw new ExpressionEvaluationError('Cannot convert a Boolean to a Date');
    default:
      return v;
  }
}

function kindOf(v: Exclude<Value, null>): string {
  return v instanceof Date ? 'date' : typeof v;
}

/** NiFi's equals(): same-type values compare directly, otherwise both sides are compared as strings. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === null || b === null) return false;
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === kb) {
    if (ka === 'date') return (a as Date).getTime() === (b as Date).getTime();
    if (ka === 'number') return Object.is(a, b); // Double.equals: NaN equals NaN, 0.0 differs from -0.0
    return a === b;
  }
  const na = a instanceof Date ? String(a.getTime()) : toStr(a);
  const nb = b instanceof Date ? String(b.getTime()) : toStr(b);
  return na === nb;
}
