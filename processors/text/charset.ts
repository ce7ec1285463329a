// Java character sets for the text processors: decoding like `new String(bytes, charset)` and
// encoding like `String.getBytes(charset)` (malformed input becomes U+FFFD, unmappable characters
// become '?'). WHATWG's TextDecoder aliases ISO-8859-1 and US-ASCII to windows-1252 and UTF-16 to
// UTF-16LE, so those are handled here explicitly.
import type { Validator } from '../../server/sdk/validators.ts';

export interface JavaCharset {
  readonly name: string;
  decode(bytes: Buffer): string;
  /** Set when Node's own decoder gives exactly `decode`'s result (so claims can decode in place). */
  readonly nodeEncoding?: 'utf8' | 'latin1';
  /** Null when Sluice can decode but not encode this character set. */
  encode: ((text: string) => Buffer) | null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const hasLoneSurrogate = (s: string): boolean => {
  LONE_SURROGATE.lastIndex = 0;
  return LONE_SURROGATE.test(s);
};

function utf8Encode(s: string): Buffer {
  // Java writes '?' for an unpaired surrogate; Node would write U+FFFD
  return Buffer.from(hasLoneSurrogate(s) ? s.replace(LONE_SURROGATE, '?') : s, 'utf8');
}

/** An encoder for a one-byte charset: `byteOf` maps a UTF-16 unit to its byte, or undefined ('?'). */
function singleByteEncoder(byteOf: (c: number) => number | undefined): (s: string) => Buffer {
  return (s) => {
    const out = Buffer.allocUnsafe(s.length);
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++; // one '?' for a whole supplementary character
      }
      out[n++] = byteOf(c) ?? 0x3f;
    }
    return out.subarray(0, n);
  };
}

const upTo = (maxCode: number) => (c: number) => (c <= maxCode ? c : undefined);

function asciiDecode(b: Buffer): string {
  let high = false;
  for (let i = 0; i < b.length; i++) if (b[i] > 0x7f) { high = true; break; }
  if (!high) return b.toString('latin1');
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i] > 0x7f ? '\ufffd' : String.fromCharCode(b[i]);
  return s;
}

function swap16(b: Buffer): Buffer {
  const c = Buffer.from(b.subarray(0, b.length & ~1));
  c.swap16();
  return c;
}

function utf16Decode(b: Buffer, bigEndian: boolean, detectBom: boolean): string {
  let le = !bigEndian;
  let body = b;
  if (detectBom && b.length >= 2) {
    if (b[0] === 0xfe && b[1] === 0xff) { le = false; body = b.subarray(2); } else if (b[0] === 0xff && b[1] === 0xfe) { le = true; body = b.subarray(2); }
  }
  let s = le ? body.toString('utf16le', 0, body.length & ~1) : swap16(body).toString('utf16le');
  if (body.length & 1) s += '\ufffd';
  return s;
}

function utf16Encode(s: string, bigEndian: boolean, bom: boolean): Buffer {
  if (s.length === 0) return Buffer.alloc(0);
  const fixed = hasLoneSurrogate(s) ? s.replace(LONE_SURROGATE, '?') : s;
  const le = Buffer.from(fixed, 'utf16le');
  const body = bigEndian ? (le.swap16(), le) : le;
  return bom ? Buffer.concat([Buffer.from([0xfe, 0xff]), body]) : body;
}

const BUILTIN: Record<string, () => JavaCharset> = {
  'utf-8': () => ({ name: 'UTF-8', decode: (b) => b.toString('utf8'), encode: utf8Encode, nodeEncoding: 'utf8' }),
  'us-ascii': () => ({ name: 'US-ASCII', decode: asciiDecode, encode: singleByteEncoder(upTo(0x7f)) }),
  'iso-8859-1': () => ({ name: 'ISO-8859-1', decode: (b) => b.toString('latin1'), encode: singleByteEncoder(upTo(0xff)), nodeEncoding: 'latin1' }),
  'utf-16': () => ({ name: 'UTF-16', decode: (b) => utf16Decode(b, true, true), encode: (s) => utf16Encode(s, true, true) }),
  'utf-16be': () => ({ name: 'UTF-16BE', decode: (b) => utf16Decode(b, true, false), encode: (s) => utf16Encode(s, true, false) }),
  'utf-16le': () => ({ name: 'UTF-16LE', decode: (b) => utf16Decode(b, false, false), encode: (s) => utf16Encode(s, false, false) }),
};

const ALIASES: Record<string, string> = {
  utf8: 'utf-8', 'unicode-1-1-utf-8': 'utf-8',
  ascii: 'us-ascii', 'iso646-us': 'us-ascii', 'ascii7': 'us-ascii', '646': 'us-ascii', 'iso_646.irv:1991': 'us-ascii',
  'iso8859-1': 'iso-8859-1', 'iso8859_1': 'iso-8859-1', 'iso_8859-1': 'iso-8859-1', latin1: 'iso-8859-1', l1: 'iso-8859-1', 'iso-ir-100': 'iso-8859-1', cp819: 'iso-8859-1', ibm819: 'iso-8859-1',
  utf16: 'utf-16', unicode: 'utf-16', 'utf_16': 'utf-16',
  'utf-16-be': 'utf-16be', 'utf_16be': 'utf-16be', unicodebigunmarked: 'utf-16be', x_utf_16be: 'utf-16be',
  'utf-16-le': 'utf-16le', 'utf_16le': 'utf-16le', unicodelittleunmarked: 'utf-16le', x_utf_16le: 'utf-16le',
};

/** A single-byte charset known to TextDecoder: decoding through it, encoding through the reverse table. */
function tableCharset(label: string): JavaCharset | null {
  let dec: TextDecoder;
  try {
    dec = new TextDecoder(label, { fatal: false, ignoreBOM: true });
  } catch {
    return null;
  }
  const decode = (b: Buffer) => dec.decode(b);
  let encode: ((s: string) => Buffer) | null = null;
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  const chars = dec.decode(all);
  if (chars.length === 256) {
    const rev = new Map<number, number>();
    for (let i = 255; i >= 0; i--) if (chars.charCodeAt(i) !== 0xfffd) rev.set(chars.charCodeAt(i), i);
    encode = singleByteEncoder((c) => rev.get(c));
  }
  return { name: dec.encoding, decode, encode };
}

const cache = new Map<string, JavaCharset | null>();

/** The charset for a Java name (case-insensitive, with Java's common aliases), or null when unsupported. */
export function javaCharset(name: string): JavaCharset | null {
  const key = name.trim().toLowerCase();
  if (cache.has(key)) return cache.get(key)!;
  const canonical = ALIASES[key] ?? key;
  const builtin = BUILTIN[canonical];
  const cs = builtin ? builtin() : tableCharset(canonical.replace(/^cp(\d+)$/, 'windows-$1'));
  cache.set(key, cs);
  return cs;
}

export const characterSetValidator: Validator = {
  description: 'a character set name such as UTF-8',
  schema: { type: 'string', minLength: 1 },
  validate: (v) => (javaCharset(v) ? null : `must be a supported character set (such as UTF-8, US-ASCII, ISO-8859-1, UTF-16), got ${JSON.stringify(v)}`),
};

/** Incremental decoding for content read in windows (multi-byte sequences may straddle windows). */
export interface StreamingDecoder {
  write(bytes: Buffer): string;
  end(): string;
}

export function streamingDecoder(cs: JavaCharset): StreamingDecoder {
  const name = cs.name;
  if (name === 'UTF-8') {
    const dec = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
    return { write: (b) => dec.decode(b, { stream: true }), end: () => dec.decode() };
  }
  if (name === 'UTF-16' || name === 'UTF-16BE' || name === 'UTF-16LE') {
    let pending: Buffer | null = null;
    let first = name === 'UTF-16';
    let bigEndian = name !== 'UTF-16LE';
    return {
      write(b) {
        let buf = pending ? Buffer.concat([pending, b]) : b;
        pending = null;
        if (first) {
          if (buf.length < 2) { pending = Buffer.from(buf); return ''; }
          first = false;
          if (buf[0] === 0xfe && buf[1] === 0xff) buf = buf.subarray(2);
          else if (buf[0] === 0xff && buf[1] === 0xfe) { bigEndian = false; buf = buf.subarray(2); }
        }
        // keep an odd byte and a trailing high surrogate for the next window
        let n = buf.length & ~1;
        if (n >= 2) {
          const hi = bigEndian ? buf[n - 2] : buf[n - 1];
          if (hi >= 0xd8 && hi <= 0xdb) n -= 2;
        }
        if (n < buf.length) pending = Buffer.from(buf.subarray(n));
        const body = buf.subarray(0, n);
        return bigEndian ? swap16(body).toString('utf16le') : body.toString('utf16le');
      },
      end() {
        if (!pending || pending.length === 0) return '';
        const rest = pending;
        pending = null;
        const n = rest.length & ~1;
        const body = rest.subarray(0, n);
        return (bigEndian ? swap16(body).toString('utf16le') : body.toString('utf16le')) + (rest.length & 1 ? '\ufffd' : '');
      },
    };
  }
  if (name === 'US-ASCII' || name === 'ISO-8859-1') return { write: (b) => cs.decode(b), end: () => '' };
  const dec = new TextDecoder(name, { fatal: false, ignoreBOM: true });
  return { write: (b) => dec.decode(b, { stream: true }), end: () => dec.decode() };
}
