// Bundle formats for MergeContent besides Binary Concatenation: TAR (POSIX ustar with GNU long
// names, as Apache Commons Compress writes it for NiFi), ZIP (deflated entries with data
// descriptors, as java.util.zip.ZipOutputStream writes them) and NiFi's FlowFile Stream v3.
import { crc32, deflateRawSync } from 'node:zlib';
import { userInfo } from 'node:os';

// ---- TAR ---------------------------------------------------------------------------------------

const BLOCK = 512;
const RECORD = 10240; // Commons Compress pads the archive to 20 blocks
const DEFAULT_FILE_MODE = 0o100644;

export interface TarEntry {
  name: string;
  /** Mode as given to TarArchiveEntry.setMode (NiFi passes Integer.parseInt(tar.permissions)). */
  mode?: number;
  mtimeMs: number;
  data: Buffer;
}

let cachedUser: string | null = null;
function userName(): string {
  if (cachedUser === null) {
    try { cachedUser = userInfo().username.slice(0, 31); } catch { cachedUser = ''; }
  }
  return cachedUser;
}

function octal(value: number, length: number, terminator: 'space-nul' | 'space' | 'nul-space'): string {
  const digits = terminator === 'space' ? length - 1 : length - 2;
  let s = Math.max(0, Math.floor(value)).toString(8);
  if (s.length > digits) s = s.slice(s.length - digits);
  s = s.padStart(digits, '0');
  return terminator === 'space-nul' ? `${s} \0` : terminator === 'space' ? `${s} ` : `${s}\0 `;
}

function header(name: Buffer, mode: number, size: number, mtimeSec: number, type: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  name.copy(h, 0, 0, Math.min(100, name.length));
  h.write(octal(mode, 8, 'space-nul'), 100, 'latin1');
  h.write(octal(0, 8, 'space-nul'), 108, 'latin1');
  h.write(octal(0, 8, 'space-nul'), 116, 'latin1');
  h.write(octal(size, 12, 'space'), 124, 'latin1');
  h.write(octal(mtimeSec, 12, 'space'), 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(type, 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  Buffer.from(userName(), 'utf8').copy(h, 265, 0, 32);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i];
  h.write(octal(sum, 8, 'nul-space'), 148, 'latin1');
  return h;
}

function padding(size: number): Buffer | null {
  const rem = size % BLOCK;
  return rem === 0 ? null : Buffer.alloc(BLOCK - rem);
}

/** The chunks of a TAR archive holding `entries`. */
export function tarChunks(entries: readonly TarEntry[]): Buffer[] {
  const out: Buffer[] = [];
  let total = 0;
  const push = (b: Buffer | null) => { if (b) { out.push(b); total += b.length; } };
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const mtime = Math.floor(e.mtimeMs / 1000);
    if (name.length >= 100) {
      // GNU long name: a ././@LongLink entry holding the name, then the entry with the name truncated.
      const longName = Buffer.concat([name, Buffer.alloc(1)]);
      push(header(Buffer.from('././@LongLink'), DEFAULT_FILE_MODE, longName.length, 0, 'L'));
      push(longName);
      push(padding(longName.length));
    }
    push(header(name, e.mode ?? DEFAULT_FILE_MODE, e.data.length, mtime, '0'));
    push(e.data);
    push(padding(e.data.length));
  }
  push(Buffer.alloc(BLOCK * 2));
  const rem = total % RECORD;
  if (rem !== 0) push(Buffer.alloc(RECORD - rem));
  return out;
}

// ---- ZIP ---------------------------------------------------------------------------------------

export interface ZipEntryInput {
  name: string;
  data: Buffer;
  mtimeMs: number;
}

function dosTime(ms: number): { time: number; date: number } {
  const d = new Date(ms);
  const year = d.getFullYear();
  if (year < 1980) return { time: 0, date: (1 << 5) | 1 };
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/**
 * The chunks of a ZIP archive. Entries whose name repeats an earlier one are left out and their
 * indexes returned in `skipped` (ZipOutputStream throws "duplicate entry" for them).
 */
export function zipChunks(entries: readonly ZipEntryInput[], level: number): { chunks: Buffer[]; skipped: number[] } {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  const names = new Set<string>();
  const skipped: number[] = [];
  let offset = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (names.has(e.name)) { skipped.push(i); continue; }
    names.add(e.name);
    const name = Buffer.from(e.name, 'utf8');
    const compressed = deflateRawSync(e.data, { level });
    const crc = crc32(e.data) >>> 0;
    const { time, date } = dosTime(e.mtimeMs);
    const flags = 0x0808; // data descriptor follows; UTF-8 names
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(0, 14);
    local.writeUInt32LE(0, 18);
    local.writeUInt32LE(0, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(compressed.length, 8);
    descriptor.writeUInt32LE(e.data.length, 12);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(flags, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt16LE(time, 12);
    cd.writeUInt16LE(date, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(compressed.length, 20);
    cd.writeUInt32LE(e.data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    chunks.push(local, name, compressed, descriptor);
    offset += local.length + name.length + compressed.length + descriptor.length;
  }
  let cdSize = 0;
  for (const c of central) cdSize += c.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length - skipped.length, 8);
  end.writeUInt16LE(entries.length - skipped.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  chunks.push(...central, end);
  return { chunks, skipped };
}

// ---- FlowFile Stream, v3 -------------------------------------------------------------------------

const MAGIC_V3 = Buffer.from('NiFiFF3', 'latin1');

function fieldLength(n: number): Buffer {
  if (n < 0xffff) {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n, 0);
    return b;
  }
  const b = Buffer.alloc(6);
  b.writeUInt16BE(0xffff, 0);
  b.writeUInt32BE(n, 2);
  return b;
}

/** One FlowFile packaged as NiFi's FlowFilePackagerV3 does. */
export function flowFileV3Chunks(attributes: Record<string, string>, content: Buffer): Buffer[] {
  const out: Buffer[] = [MAGIC_V3];
  const keys = Object.keys(attributes);
  out.push(fieldLength(keys.length));
  for (const k of keys) {
    const kb = Buffer.from(k, 'utf8');
    const vb = Buffer.from(attributes[k], 'utf8');
    out.push(fieldLength(kb.length), kb, fieldLength(vb.length), vb);
  }
  const len = Buffer.alloc(8);
  len.writeBigUInt64BE(BigInt(content.length), 0);
  out.push(len, content);
  return out;
}
