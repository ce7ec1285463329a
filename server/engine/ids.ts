// Fast random (version 4) UUIDs as flat one-byte strings. crypto.randomUUID() builds its result by
// concatenation, which leaves a rope of string fragments (~500 B of heap per id); a queued FlowFile
// can't afford that.
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 16 * 1024;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;
const out = Buffer.allocUnsafe(36);
const HEX = Buffer.from('0123456789abcdef', 'latin1');

export function newId(): string {
  if (offset + 16 > POOL_SIZE) { randomFillSync(pool); offset = 0; }
  const b = pool;
  let o = offset;
  offset += 16;
  let p = 0;
  for (let i = 0; i < 16; i++, o++) {
    let v = b[o];
    if (i === 6) v = (v & 0x0f) | 0x40;
    else if (i === 8) v = (v & 0x3f) | 0x80;
    out[p++] = HEX[v >> 4];
    out[p++] = HEX[v & 15];
    if (i === 3 || i === 5 || i === 7 || i === 9) out[p++] = 45; // '-'
  }
  return out.toString('latin1', 0, 36);
}
