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
  /** Bytes [offset, offset + size) decoded by Node (utf8 or latin1), without a Buffer view in between. */
  readText(offset: number, size: number, encoding: 'utf8' | 'latin1'): string;
  /** The path of a file holding exactly bytes [offset, offset + size), if there is one (a sink may copy it whole). */
  wholeFile(offset: number, size: number): string | null;
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
  readText(offset: number, size: number, encoding: 'utf8' | 'latin1'): string {
    return this.buffer.toString(encoding, offset, offset + size);
  }
  wholeFile(): string | null { return null; }
  stream(offset: number, size: number): Readable {
    return Readable.from([this.read(offset, size)]);
  }
}

/** Bytes [fileOffset, fileOffset + length) of a file. The file must not change while claimed. */
/** Closes descriptors of claims nobody references any more. */
const openFiles = new FinalizationRegistry<{ fd: number }>((h) => { if (h.fd >= 0) try { closeSync(h.fd); } catch { /* already closed */ } });

export class FileClaim implements ContentClaim {
  private readonly handle = { fd: -1 };
  /** The last window read: small reads that fall inside it (one line of a split file) cost no syscall. */
  private window: Buffer | null = null;
  private windowStart = 0;

  constructor(readonly path: string, readonly fileOffset: number, readonly length: number) {}

  read(offset: number, size: number): Buffer {
    if (size <= SMALL_READ) {
      const w = this.windowFor(offset, size);
      if (w) return w;
    }
    const out = Buffer.allocUnsafe(size);
    const n = this.readFile(offset, out, 0, size);
    return n === size ? out : out.subarray(0, n);
  }

  readInto(position: number, target: Buffer, targetOffset: number, size: number): number {
    if (size <= SMALL_READ) {
      const w = this.windowFor(position, size);
      if (w) return w.copy(target, targetOffset);
    }
    return this.readFile(position, target, targetOffset, size);
  }

  wholeFile(offset: number, size: number): string | null {
    return this.fileOffset === 0 && offset === 0 && size === this.length ? this.path : null;
  }

  readText(offset: number, size: number, encoding: 'utf8' | 'latin1'): string {
    if (size <= SMALL_READ && this.fillWindow(offset, size)) {
      const start = offset - this.windowStart;
      return this.window!.toString(encoding, start, start + size);
    }
    return this.read(offset, size).toString(encoding);
  }

  /** A view of [offset, offset + size) from the cached window, refilling it when needed. */
  private windowFor(offset: number, size: number): Buffer | null {
    if (!this.fillWindow(offset, size)) return null;
    const start = offset - this.windowStart;
    return this.window!.subarray(start, start + size);
  }

  /** Makes the window cover [offset, offset + size); false when the file is shorter. */
  private fillWindow(offset: number, size: number): boolean {
    const w = this.window;
    if (w && offset >= this.windowStart && offset + size <= this.windowStart + w.length) return true;
    const len = Math.min(WINDOW, this.length - offset);
    if (len < size) return false;
    // A fresh buffer each time: views handed out earlier must never change.
    const fresh = Buffer.allocUnsafe(len);
    const n = this.readFile(offset, fresh, 0, len);
    if (n < size) return false;
    this.window = n === len ? fresh : fresh.subarray(0, n);
    this.windowStart = offset;
    return true;
  }

  private readFile(position: number, target: Buffer, targetOffset: number, size: number): number {
    const h = this.handle;
    if (h.fd < 0) {
      h.fd = openSync(this.path, 'r');
      openFiles.register(this, h, this);
    }
    let done = 0;
    while (done < size) {
      const n = readSync(h.fd, target, targetOffset + done, size - done, this.fileOffset + position + done);
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

  /** Closes the cached descriptor and drops the window; reads reopen it. */
  close(): void {
    if (this.handle.fd >= 0) { closeSync(this.handle.fd); this.handle.fd = -1; openFiles.unregister(this); }
    this.window = null;
  }
}

const WINDOW = 1024 * 1024;
const SMALL_READ = 64 * 1024;

export const EMPTY_CLAIM: ContentClaim = new MemoryClaim(Buffer.alloc(0));
