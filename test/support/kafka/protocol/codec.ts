// Primitive readers/writers for the Kafka wire format (big-endian ints, zig-zag varints,
// classic and compact strings/bytes/arrays). Message layouts live in messages.ts.

export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

const TWO_32 = 0x1_0000_0000;

export class Reader {
  pos: number;
  readonly end: number;

  constructor(readonly buf: Buffer, pos = 0, end = buf.length) {
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const p = this.pos;
    if (n < 0 || p + n > this.end) throw new DecodeError(`read of ${n} bytes past end (at ${p}, end ${this.end})`);
    this.pos = p + n;
    return p;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  uint8(): number {
    return this.buf[this.need(1)];
  }
  bool(): boolean {
    return this.uint8() !== 0;
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  /** int64 as a JS number (exact up to 2^53, which covers offsets, timestamps and ids used here). */
  int64(): number {
    const p = this.need(8);
    return this.buf.readInt32BE(p) * TWO_32 + this.buf.readUInt32BE(p + 4);
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }
  uuid(): Buffer {
    return Buffer.from(this.raw(16));
  }
  raw(n: number): Buffer {
    const p = this.need(n);
    return this.buf.subarray(p, p + n);
  }
  skip(n: number): void {
    this.need(n);
  }

  uvarint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.uint8();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new DecodeError('varint too long');
  }
  /** zig-zag signed varint / varlong */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  // ---- strings
  string(): string {
    const n = this.int16();
    if (n < 0) throw new DecodeError('null in non-nullable string');
    return this.raw(n).toString('utf8');
  }
  nullableString(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    return this.raw(n).toString('utf8');
  }
  compactString(): string {
    const n = this.uvarint();
    if (n === 0) throw new DecodeError('null in non-nullable compact string');
    return this.raw(n - 1).toString('utf8');
  }
  compactNullableString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    return this.raw(n - 1).toString('utf8');
  }

  // ---- bytes (returned as views into the frame; copy if you keep them)
  bytes(): Buffer {
    const n = this.int32();
    if (n < 0) throw new DecodeError('null in non-nullable bytes');
    return this.raw(n);
  }
  nullableBytes(): Buffer | null {
    const n = this.int32();
    if (n < 0) return null;
    return this.raw(n);
  }
  compactBytes(): Buffer {
    const n = this.uvarint();
    if (n === 0) throw new DecodeError('null in non-nullable compact bytes');
    return this.raw(n - 1);
  }
  compactNullableBytes(): Buffer | null {
    const n = this.uvarint();
    if (n === 0) return null;
    return this.raw(n - 1);
  }

  /** Array length: -1 (classic) / 0 (compact) means null. */
  arrayLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n > this.remaining) throw new DecodeError(`array length ${n} exceeds remaining bytes`);
    return n;
  }
}

/** Size in bytes of an unsigned varint. */
export function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/**
 * Append-only writer. Small values go into a growable scratch buffer; large byte payloads
 * (record batches) are kept as separate chunks so fetch responses never copy stored batches.
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;
  private start = 0; // first byte of buf not yet emitted as a chunk
  private chunks: Buffer[] = [];
  private flushedBytes = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.flushedBytes + (this.pos - this.start);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const pending = this.pos - this.start;
    const size = Math.max(this.buf.length * 2, pending + n + 256);
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = pending;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }
  uint8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  bool(v: boolean): this {
    return this.uint8(v ? 1 : 0);
  }
  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }
  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }
  int64(v: number | bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(typeof v === 'bigint' ? v : BigInt(Math.trunc(v)), this.pos);
    this.pos += 8;
    return this;
  }
  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }
  uvarint(v: number): this {
    this.ensure(10);
    while (v >= 128) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
    return this;
  }
  varint(v: number): this {
    return this.uvarint(zigzag(v));
  }

  /** Raw bytes; big buffers are referenced, not copied. */
  raw(b: Buffer): this {
    if (b.length >= 512) {
      this.flush();
      this.chunks.push(b);
      this.flushedBytes += b.length;
      return this;
    }
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
    return this;
  }
  rawList(list: readonly Buffer[]): this {
    for (const b of list) this.raw(b);
    return this;
  }

  private flush(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos));
      this.flushedBytes += this.pos - this.start;
      this.start = this.pos;
    }
  }

  // ---- strings / bytes
  string(s: string, compact: boolean, nullable: boolean): this {
    if (s === null || s === undefined) {
      if (!nullable) s = '';
      else return compact ? this.uvarint(0) : this.int16(-1);
    }
    const len = Buffer.byteLength(s, 'utf8');
    if (compact) this.uvarint(len + 1);
    else this.int16(len);
    this.ensure(len);
    this.buf.write(s, this.pos, len, 'utf8');
    this.pos += len;
    return this;
  }
  bytes(b: Buffer | null, compact: boolean, nullable: boolean): this {
    if (b === null || b === undefined) {
      if (!nullable) b = Buffer.alloc(0);
      else return compact ? this.uvarint(0) : this.int32(-1);
    }
    if (compact) this.uvarint(b.length + 1);
    else this.int32(b.length);
    return this.raw(b);
  }
  /** bytes given as a list of chunks (stored record batches). */
  bytesList(list: readonly Buffer[], compact: boolean): this {
    let len = 0;
    for (const b of list) len += b.length;
    if (compact) this.uvarint(len + 1);
    else this.int32(len);
    return this.rawList(list);
  }
  arrayLength(n: number | null, compact: boolean): this {
    if (n === null) return compact ? this.uvarint(0) : this.int32(-1);
    return compact ? this.uvarint(n + 1) : this.int32(n);
  }

  /** Finish: the list of chunks making up everything written. */
  chunksOut(): Buffer[] {
    this.flush();
    return this.chunks;
  }
  toBuffer(): Buffer {
    const c = this.chunksOut();
    return c.length === 1 ? c[0] : Buffer.concat(c);
  }
}
