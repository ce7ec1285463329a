// Content stores create claims. Small content stays in memory; content above a threshold goes to
// files in the content directory, so large content is never forced wholly into memory.
import { mkdirSync, openSync, writeSync, closeSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { FileClaim, MemoryClaim, EMPTY_CLAIM, type ContentClaim } from './claim.ts';

export interface ContentStore {
  /** Stores bytes and returns a claim over them. */
  create(data: Buffer | Uint8Array | string): ContentClaim;
  /** Stores the concatenation of chunks (written one by one when file-backed). */
  createFromChunks(chunks: Iterable<Buffer | Uint8Array>, totalLength: number): ContentClaim;
}

export class MemoryContentStore implements ContentStore {
  create(data: Buffer | Uint8Array | string): ContentClaim {
    if (data.length === 0) return EMPTY_CLAIM;
    return new MemoryClaim(typeof data === 'string' ? Buffer.from(data) : Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  createFromChunks(chunks: Iterable<Buffer | Uint8Array>, totalLength: number): ContentClaim {
    const out = Buffer.allocUnsafe(totalLength);
    let pos = 0;
    for (const c of chunks) { out.set(c, pos); pos += c.length; }
    return totalLength === 0 ? EMPTY_CLAIM : new MemoryClaim(pos === totalLength ? out : out.subarray(0, pos));
  }
}

/** One file per claim in `dir`. Files are removed when their claim is garbage collected. */
export class FileContentStore implements ContentStore {
  private readonly registry = new FinalizationRegistry<string>((path) => rmSync(path, { force: true }));

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    // Content does not outlive the process: queues are in memory and sources replay unacknowledged data.
    for (const name of readdirSync(dir)) if (name.endsWith('.claim')) rmSync(join(dir, name), { force: true });
  }

  create(data: Buffer | Uint8Array | string): ContentClaim {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    return this.createFromChunks([buf], buf.length);
  }

  createFromChunks(chunks: Iterable<Buffer | Uint8Array>, totalLength: number): ContentClaim {
    const path = join(this.dir, `${randomUUID()}.claim`);
    const fd = openSync(path, 'w');
    let written = 0;
    try {
      for (const c of chunks) {
        let off = 0;
        while (off < c.length) off += writeSync(fd, c, off, c.length - off);
        written += c.length;
      }
      // no fsync: claims never outlive the process (the directory is emptied at start-up)
    } finally {
      closeSync(fd);
    }
    if (written !== totalLength) throw new Error(`content length mismatch: expected ${totalLength} bytes, wrote ${written}`);
    const claim = new FileClaim(path, 0, written);
    this.registry.register(claim, path);
    return claim;
  }
}

/**
 * Memory below `thresholdBytes`, files at or above it. 4 MB keeps typical merged bundles (a few MB)
 * off the disk round trip (write, then read back by the sink); queues' data-size thresholds bound
 * how much of it waits in memory.
 */
export const MEMORY_CONTENT_MAX = 4 * 1024 * 1024;

export class TieredContentStore implements ContentStore {
  private readonly memory = new MemoryContentStore();
  private file: FileContentStore | undefined;

  constructor(private readonly dir: string | undefined, readonly thresholdBytes = MEMORY_CONTENT_MAX) {}

  private files(): ContentStore {
    if (!this.dir) return this.memory;
    return (this.file ??= new FileContentStore(this.dir));
  }
  create(data: Buffer | Uint8Array | string): ContentClaim {
    const len = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    return len < this.thresholdBytes ? this.memory.create(data) : this.files().create(data);
  }
  createFromChunks(chunks: Iterable<Buffer | Uint8Array>, totalLength: number): ContentClaim {
    return totalLength < this.thresholdBytes ? this.memory.createFromChunks(chunks, totalLength) : this.files().createFromChunks(chunks, totalLength);
  }
}
