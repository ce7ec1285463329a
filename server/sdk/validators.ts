// Property validators. Each returns null for a valid value or a sentence fragment saying what is
// wrong ("must be a non-negative integer, got \"abc\""). `schema` feeds the JSON Schema and the UI.
import { parseDataSize, parseTimePeriod } from '../engine/units.ts';

export interface Validator {
  /** Short description for docs and the UI, e.g. "integer between 1 and 100". */
  readonly description: string;
  /** JSON Schema fragment (property values are strings, so this is a string schema). */
  readonly schema: Record<string, unknown>;
  validate(value: string): string | null;
}

const q = (v: string) => JSON.stringify(v);

function make(description: string, validate: (v: string) => string | null, schema: Record<string, unknown> = {}): Validator {
  return { description, validate, schema: { type: 'string', ...schema } };
}

export const Validators = {
  nonEmpty: make('non-empty string', (v) => (v.trim() === '' ? 'must not be empty' : null), { minLength: 1 }),

  integer(opts: { min?: number; max?: number } = {}): Validator {
    const { min, max } = opts;
    const what = min === 0 && max === undefined ? 'a non-negative integer'
      : min === 1 && max === undefined ? 'a positive integer'
      : min !== undefined && max !== undefined ? `an integer between ${min} and ${max}`
      : min !== undefined ? `an integer of at least ${min}`
      : max !== undefined ? `an integer of at most ${max}` : 'an integer';
    return make(what.replace(/^an? /, ''), (v) => {
      if (!/^\s*-?\d+\s*$/.test(v)) return `must be ${what}, got ${q(v)}`;
      const n = Number(v);
      if ((min !== undefined && n < min) || (max !== undefined && n > max) || !Number.isSafeInteger(n)) return `must be ${what}, got ${q(v)}`;
      return null;
    }, { pattern: '^\\s*-?\\d+\\s*$' });
  },

  number: make('number', (v) => (v.trim() !== '' && Number.isFinite(Number(v)) ? null : `must be a number, got ${q(v)}`)),

  dataSize(opts: { min?: number } = {}): Validator {
    return make('data size such as "1 MB"', (v) => {
      const n = parseDataSize(v);
      if (n === undefined) return `must be a data size such as "10 KB" or "1 GB", got ${q(v)}`;
      if (opts.min !== undefined && n < opts.min) return `must be at least ${opts.min} bytes, got ${q(v)}`;
      return null;
    }, { pattern: '^\\s*\\d+(\\.\\d+)?\\s*[a-zA-Z]+\\s*$' });
  },

  timePeriod: make('time period such as "30 sec"', (v) =>
    parseTimePeriod(v) === undefined ? `must be a time period such as "30 sec" or "5 mins", got ${q(v)}` : null,
  { pattern: '^\\s*\\d+(\\.\\d+)?\\s*[a-zA-Z]+\\s*$' }),

  boolean: make('true or false', (v) => (v === 'true' || v === 'false' ? null : `must be true or false, got ${q(v)}`), { enum: ['true', 'false'] }),

  /** A JavaScript-compatible regular expression (processors with Java regexes use their own). */
  regex: make('regular expression', (v) => {
    try { new RegExp(v); return null; } catch (e) { return `must be a valid regular expression: ${(e as Error).message}`; }
  }),

  url: make('URL', (v) => {
    try { const u = new URL(v); return u.protocol ? null : `must be a URL, got ${q(v)}`; } catch { return `must be a URL, got ${q(v)}`; }
  }, { format: 'uri' }),

  /** Comma-separated list of URLs. */
  urlList: make('comma-separated URLs', (v) => {
    for (const part of v.split(',')) {
      try { new URL(part.trim()); } catch { return `must be a comma-separated list of URLs, got ${q(part.trim())}`; }
    }
    return null;
  }),

  characterSet: make('character set name', (v) => (Buffer.isEncoding(v.toLowerCase().replace('us-ascii', 'ascii')) || /^(utf-?8|utf-?16(le|be)?|iso-8859-1|us-ascii)$/i.test(v) ? null : `must be a supported character set (UTF-8, UTF-16, ISO-8859-1, US-ASCII), got ${q(v)}`)),

  any: make('any text', () => null),
};

/** Node Buffer encoding for a Java character set name. */
export function toBufferEncoding(charset: string): BufferEncoding {
  const c = charset.toLowerCase().replace(/_/g, '-');
  if (c === 'utf-8' || c === 'utf8') return 'utf8';
  if (c === 'utf-16le' || c === 'utf-16') return 'utf16le';
  if (c === 'iso-8859-1' || c === 'latin1') return 'latin1';
  if (c === 'us-ascii' || c === 'ascii') return 'ascii';
  return Buffer.isEncoding(c) ? (c as BufferEncoding) : 'utf8';
}
