// Content claims: immutable byte ranges that FlowFiles point into.
// A FlowFile holds (claim, offset, size), so children made from part of a parent share its bytes.
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';

export interface ContentClaim {
  /** Total bytes behind the claim. */
  readonly length: number;
  /** Bytes [offset, offset + size) as a Buffer. Memory claims return a view, not a copy. */
  read(offset: number, size: number): Buffer;
  /** Reads into `target` from claim position `position`; returns bytes read. */
  readInto(position: number, target: Buffer, targetOffset: number, size: number): number;
  stream(offset: number, size: number): Readable;
}

export class MemoryClaim implements ContentClaim {
  constructor(readonly buffer: Buffer) {}
  get length(): number { return this.buffer.length; }
  read(offset: number, size: number): Buffer {
    return offset === 0 && size === this.buffer.length ? this.buffer : this.buffer.subarray(offset, offset + size);
  }
  readInto(position: number, target: Buffer, targetOffset: number, size: number): number {
    return this.buffer.copy(target, targetOffset, position, position + size);
  }
  stream(offset: number, size: number): Readable {
    return Readable.from([this.read(offset, size)]);
  }
}

/** Bytes [fileOffset, fileOffset + length) of a file. The file must not change while claimed. */
export class FileClaim implements ContentClaim {
  private fd = -1;
  constructor(readonly path: string, readonly fileOffset: number, readonly length: number) {}

  read(offset: number, size: number): Buffer {
    const out = Buffer.allocUnsafe(size);
    const n = this.readInto(offset, out, 0, size);
    return n === size ? out : out.subarray(0, n);
  }
  readInto(position: number, target: Buffer, targetOffset: number, size: number): number {
    if (this.fd < 0) this.fd = openSync(this.path, 'r');
    let done = 0;
    while (done < size) {
      const n = readSync(this.fd, target, targetOffset + done, size - done, this.fileOffset + position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }
  stream(offset: number, size: number): Readable {
    if (size === 0) return Readable.from([]);
    const start = this.fileOffset + offset;
    return createReadStream(this.path, { start, end: start + size - 1 });
  }
  /** Closes the cached descriptor; reads reopen it. */
  close(): void {
    if (this.fd >= 0) { closeSync(this.fd); this.fd = -1; }
  }
}

export const EMPTY_CLAIM: ContentClaim = new MemoryClaim(Buffer.alloc(0));
