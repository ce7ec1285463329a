// Where file bytes live. The namespace (names, owners, permissions, lengths) is kept by namespace.ts; this only
// stores contents. MemoryContentStore keys files by inode id; DiskContentStore mirrors the HDFS tree under a
// data directory so a benchmark's output can be inspected with ordinary tools.
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ContentStore {
  read(id: number, path: string, offset: number, length: number): Buffer;
  /** replace the whole content */
  write(id: number, path: string, data: Buffer): void;
  append(id: number, path: string, data: Buffer): void;
  /** keep the first `length` bytes */
  truncate(id: number, path: string, length: number): void;
  removeFile(id: number, path: string): void;
  mkdir(path: string): void;
  /** remove a directory and everything below it (files already removed one by one) */
  removeDir(path: string): void;
  /** a file or directory moved from one path to another */
  rename(from: string, to: string): void;
}

export class MemoryContentStore implements ContentStore {
  private readonly files = new Map<number, Buffer[]>();

  private whole(id: number): Buffer {
    const chunks = this.files.get(id);
    if (!chunks || chunks.length === 0) return Buffer.alloc(0);
    if (chunks.length > 1) {
      const joined = Buffer.concat(chunks);
      this.files.set(id, [joined]);
      return joined;
    }
    return chunks[0];
  }

  read(id: number, _path: string, offset: number, length: number): Buffer {
    return this.whole(id).subarray(offset, offset + length);
  }
  write(id: number, _path: string, data: Buffer): void {
    this.files.set(id, data.length ? [data] : []);
  }
  append(id: number, _path: string, data: Buffer): void {
    const chunks = this.files.get(id);
    if (chunks) chunks.push(data);
    else this.files.set(id, [data]);
  }
  truncate(id: number, _path: string, length: number): void {
    this.files.set(id, [Buffer.from(this.whole(id).subarray(0, length))]);
  }
  removeFile(id: number): void {
    this.files.delete(id);
  }
  mkdir(): void {}
  removeDir(): void {}
  rename(): void {}
}

export class DiskContentStore implements ContentStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
    mkdirSync(root, { recursive: true });
  }

  private local(path: string): string {
    return join(this.root, path);
  }

  read(_id: number, path: string, offset: number, length: number): Buffer {
    const buf = Buffer.alloc(length);
    if (length === 0) return buf;
    const fd = openSync(this.local(path), 'r');
    try {
      const n = readSync(fd, buf, 0, length, offset);
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  }
  write(_id: number, path: string, data: Buffer): void {
    writeFileSync(this.local(path), data);
  }
  append(_id: number, path: string, data: Buffer): void {
    appendFileSync(this.local(path), data);
  }
  truncate(id: number, path: string, length: number): void {
    this.write(id, path, this.read(id, path, 0, length));
  }
  removeFile(_id: number, path: string): void {
    rmSync(this.local(path), { force: true });
  }
  mkdir(path: string): void {
    mkdirSync(this.local(path), { recursive: true });
  }
  removeDir(path: string): void {
    if (path !== '/') rmSync(this.local(path), { recursive: true, force: true });
  }
  rename(from: string, to: string): void {
    renameSync(this.local(from), this.local(to));
  }

  /** Everything under the root as HDFS paths (used to rebuild the namespace at start). */
  scan(skip: (name: string) => boolean): { path: string; dir: boolean; size: number; mtime: number }[] {
    const out: { path: string; dir: boolean; size: number; mtime: number }[] = [];
    const walk = (hdfsDir: string) => {
      const localDir = this.local(hdfsDir);
      if (!existsSync(localDir)) return;
      for (const name of readdirSync(localDir).sort()) {
        if (hdfsDir === '/' && skip(name)) continue;
        const path = hdfsDir === '/' ? `/${name}` : `${hdfsDir}/${name}`;
        const st = statSync(this.local(path));
        out.push({ path, dir: st.isDirectory(), size: st.size, mtime: Math.floor(st.mtimeMs) });
        if (st.isDirectory()) walk(path);
      }
    };
    walk('/');
    return out;
  }
}
