// Writes compact JSON objects straight into a reusable byte buffer, so that writing many small
// objects (one per FlowFile) makes no intermediate strings. Values are quoted as Jackson does.
import { quoteJson } from './json.ts';

const OPEN = 0x7b;
const CLOSE = 0x7d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const NULL = Buffer.from('null', 'latin1');

export class JsonBytes {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private pairs = 0;
  /** Bytes written so far. */
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + extra));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  beginObject(): void {
    this.pairs = 0;
    this.ensure(1);
    this.buf[this.length++] = OPEN;
  }

  /** `key` is the name's JSON string and ':' as UTF-8 ('"name":'); null writes JSON null. */
  pair(key: Buffer, value: string | null): void {
    // worst case per UTF-16 unit: \u00XX (6 bytes)
    this.ensure(key.length + (value === null ? 4 : value.length * 6 + 2) + 1);
    const buf = this.buf;
    let o = this.length;
    if (this.pairs++ > 0) buf[o++] = COMMA;
    for (let i = 0; i < key.length; i++) buf[o++] = key[i]; // short: a loop beats Buffer.copy's call
    if (value === null) {
      for (let i = 0; i < NULL.length; i++) buf[o++] = NULL[i];
      this.length = o;
      return;
    }
    const start = o;
    buf[o++] = QUOTE;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c >= 0x80 || c === QUOTE || c === 0x5c) {
        // escapes or multi-byte characters: Jackson's quoting, encoded by Buffer
        o = start + buf.write(quoteJson(value), start, 'utf8');
        this.length = o;
        return;
      }
      buf[o++] = c;
    }
    buf[o++] = QUOTE;
    this.length = o;
  }

  endObject(): void {
    this.ensure(1);
    this.buf[this.length++] = CLOSE;
  }

  /** Text that is already JSON, as it is. */
  raw(text: string): void {
    this.ensure(text.length * 3);
    this.length += this.buf.write(text, this.length, 'utf8');
  }

  /** Bytes [start, end) as text. */
  text(start: number, end: number): string {
    return this.buf.toString('utf8', start, end);
  }

  /** A copy of everything written; then starts over. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.length));
    this.length = 0;
    return out;
  }

  /** Drops what was written. */
  reset(): void {
    this.length = 0;
  }
}

/** '"name":' as UTF-8, the key of a pair. */
export function pairKeyBytes(name: string): Buffer {
  return Buffer.from(quoteJson(name) + ':', 'utf8');
}
