// Size-prefixed framing (int32 length + payload) and request/response headers.
import { DecodeError, Reader, Writer } from './codec.ts';
import { ApiKey } from './api-keys.ts';
import { hasVersion, isFlexible, readTaggedFields, requestDef, responseDef } from './messages.ts';

export class FrameTooLargeError extends Error {}

/** Splits a TCP byte stream into frames (payload without the 4-byte size). */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private head = 0;
  private buffered = 0;
  private need = -1;

  constructor(private readonly maxFrameBytes = 200 * 1024 * 1024) {}

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < 4) break;
        const size = this.take(4).readInt32BE(0);
        if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(`invalid frame size ${size}`);
        this.need = size;
      }
      if (this.buffered < this.need) break;
      out.push(this.take(this.need));
      this.need = -1;
    }
    return out;
  }

  /** Removes n bytes from the front; zero-copy when they sit in one chunk. */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.buffered -= n;
    const first = this.chunks[this.head];
    if (first.length >= n) {
      if (first.length === n) this.advance();
      else this.chunks[this.head] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[this.head];
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) this.advance();
      else this.chunks[this.head] = c.subarray(k);
    }
    return out;
  }

  private advance(): void {
    this.head++;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head > 1024) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** offset of the request body inside the frame */
  bodyOffset: number;
}

/**
 * Parses a request header. Header v2 (flexible request versions) adds a tagged-field section;
 * ClientId stays a classic nullable string in both v1 and v2.
 */
export function parseRequestHeader(frame: Buffer): RequestHeader {
  if (frame.length < 8) throw new DecodeError('request shorter than a header');
  const r = new Reader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const header: RequestHeader = { apiKey, apiVersion, correlationId, clientId: null, bodyOffset: 8 };
  if (r.remaining >= 2) header.clientId = r.nullableString();
  const def = requestDef(apiKey);
  if (hasVersion(def, apiVersion) && isFlexible(def, apiVersion)) readTaggedFields(r, [], null);
  header.bodyOffset = r.pos;
  return header;
}

/** Response header v1 (with tagged fields) for flexible versions; ApiVersions always uses v0. */
export function responseHeaderIsFlexible(apiKey: number, apiVersion: number): boolean {
  if (apiKey === ApiKey.ApiVersions) return false;
  const def = responseDef(apiKey);
  return hasVersion(def, apiVersion) && isFlexible(def, apiVersion);
}

/** Starts a response: reserves nothing, writes the header. Size prefix is added by frameChunks. */
export function writeResponseHeader(w: Writer, correlationId: number, flexible: boolean): void {
  w.int32(correlationId);
  if (flexible) w.uvarint(0);
}

/** Prepends the int32 size to a list of chunks. */
export function frameChunks(chunks: Buffer[]): Buffer[] {
  let n = 0;
  for (const c of chunks) n += c.length;
  const size = Buffer.allocUnsafe(4);
  size.writeInt32BE(n, 0);
  return [size, ...chunks];
}
