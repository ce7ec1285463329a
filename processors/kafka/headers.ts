// Mapping between Kafka record headers/keys and FlowFile attributes, both directions.
import type { IHeaders } from 'kafkajs';
import type { FlowFile } from '../../server/engine/flowfile.ts';
import { toBufferEncoding } from '../../server/sdk/validators.ts';
import { compileJavaPattern } from '../standard/java-pattern.ts';

export type KeyEncoding = 'utf-8' | 'hex' | 'do-not-add';

export const KEY_ENCODINGS = [
  { value: 'utf-8', displayName: 'UTF-8 Encoded', description: 'The key is interpreted as a UTF-8 encoded string.' },
  { value: 'hex', displayName: 'Hex Encoded', description: 'The key is interpreted as arbitrary binary data and is encoded using hexadecimal characters with lowercase letters' },
  { value: 'do-not-add', displayName: 'Do Not Add Key as Attribute', description: 'The key will not be added as an Attribute' },
] as const;

/** The kafka.key attribute value for a record key, or undefined when none is written. */
export function encodeKey(key: Buffer | null | undefined, encoding: KeyEncoding): string | undefined {
  if (key === null || key === undefined || encoding === 'do-not-add') return undefined;
  return encoding === 'hex' ? key.toString('hex') : key.toString('utf8');
}

/** A Java regular expression that must match the whole name (Java's Matcher.matches()). */
export function namePattern(pattern: string | undefined): RegExp | null {
  if (pattern === undefined || pattern === '') return null;
  return compileJavaPattern(pattern, true);
}

export function charsetOf(name: string | undefined): BufferEncoding {
  return toBufferEncoding(name ?? 'UTF-8');
}

function decodeValue(v: Buffer | string, charset: BufferEncoding): string {
  return typeof v === 'string' ? v : v.toString(charset);
}

/**
 * Copies the headers whose names match `pattern` into `out` (decoded with `charset`).
 * A header repeated in one record keeps its last value. Returns the number copied.
 */
export function headersToAttributes(headers: IHeaders | undefined, pattern: RegExp | null, charset: BufferEncoding, out: Record<string, string>): number {
  if (!headers || pattern === null) return 0;
  let n = 0;
  for (const name in headers) {
    if (!pattern.test(name)) continue;
    const v = headers[name];
    if (v === undefined || v === null) continue;
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last === undefined || last === null) continue;
    out[name] = decodeValue(last, charset);
    n++;
  }
  return n;
}

/** A stable signature of the matched header values (for keeping different values in different bundles). */
export function headerSignature(headers: IHeaders | undefined, pattern: RegExp | null, charset: BufferEncoding): string {
  if (!headers || pattern === null) return '';
  const parts: string[] = [];
  for (const name of Object.keys(headers).sort()) {
    if (!pattern.test(name)) continue;
    const v = headers[name];
    if (v === undefined || v === null) continue;
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last === undefined || last === null) continue;
    parts.push(`${name.length}:${name}=${decodeValue(last, charset)}`);
  }
  return parts.join('\u0000');
}

/** Record headers for the FlowFile attributes whose names match `pattern`, or undefined when none. */
export function attributesToHeaders(ff: FlowFile, pattern: RegExp | null, charset: BufferEncoding): IHeaders | undefined {
  if (pattern === null) return undefined;
  let headers: IHeaders | undefined;
  const all = ff.attributes();
  for (const name in all) {
    if (!pattern.test(name)) continue;
    (headers ??= {})[name] = Buffer.from(all[name], charset);
  }
  return headers;
}
