// Flows on disk: <dataDir>/flows/<id>.json, flow format v1, one file per flow. Writes are atomic
// (temp file, fsync, rename, fsync of the directory) and private to the owner (mode 0600).
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const FLOW_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface StoredFile {
  id: string;
  text: string;
  mtime: Date;
}

export function atomicWrite(path: string, data: string | Buffer, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(join(path, '..'));
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch { /* not supported on every platform */ }
}

export class FlowStore {
  readonly dir: string;
  /** True when the flows directory did not exist before (a first start). */
  readonly fresh: boolean;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'flows');
    this.fresh = !existsSync(this.dir);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  list(): StoredFile[] {
    const out: StoredFile[] = [];
    for (const name of readdirSync(this.dir).sort()) {
      if (name.endsWith('.tmp')) { rmSync(join(this.dir, name), { force: true }); continue; }
      if (!name.endsWith('.json')) continue;
      const id = name.slice(0, -'.json'.length);
      if (!FLOW_ID.test(id)) continue;
      const path = join(this.dir, name);
      out.push({ id, text: readFileSync(path, 'utf8'), mtime: statSync(path).mtime });
    }
    return out;
  }

  path(id: string): string {
    if (!FLOW_ID.test(id)) throw new Error(`invalid flow id ${JSON.stringify(id)}`);
    return join(this.dir, `${id}.json`);
  }

  save(id: string, flow: unknown): void {
    atomicWrite(this.path(id), `${JSON.stringify(flow, null, 2)}\n`);
  }

  remove(id: string): void {
    rmSync(this.path(id), { force: true });
    fsyncDir(this.dir);
  }
}
