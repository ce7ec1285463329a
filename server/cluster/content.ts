// Content offload. Content of one FlowFile above a threshold (64 KiB by default) is stored once in
// Redis under its own key `…:sl:content:<id>` (a hash: d = bytes, r = references) with a TTL, and
// the job carries only the id. Why not always in the payload:
//  - BullMQ moves a job's whole hash through Lua on every state change (add, fetch, stall
//    recovery, completion); a multi-megabyte job blocks the single-threaded Redis for everyone;
//  - a FlowFile fanned out to several connections, or passed on unchanged by a processor that only
//    touches attributes, keeps referring to the same key instead of copying its bytes each hop;
//  - batches stay bounded by count, not dominated by one large file.
// References are counted by the enqueue and settle scripts (ledger.ts), so the key is freed when the
// last consuming session commits; the TTL only collects leftovers of crashed nodes.
import type { Redis } from 'ioredis';
import { MemoryClaim, type ContentClaim } from '../engine/content/claim.ts';
import type { Upload } from './codec.ts';
import type { ClusterKeys } from './keys.ts';

export class ContentOffload {
  /** Which offloaded content ids hold which claim ranges, on this node ("stored once"). */
  private readonly known = new WeakMap<ContentClaim, Map<string, string>>();

  constructor(private readonly redis: Redis, private readonly keys: ClusterKeys, private readonly ttlSec: number) {}

  stored(claim: ContentClaim, offset: number, size: number): string | undefined {
    return this.known.get(claim)?.get(`${offset}:${size}`);
  }

  remember(claim: ContentClaim, offset: number, size: number, id: string): void {
    let m = this.known.get(claim);
    if (!m) this.known.set(claim, (m = new Map()));
    m.set(`${offset}:${size}`, id);
  }

  /** Forgets ids found missing at enqueue (freed since), so they are uploaded again. */
  forget(claim: ContentClaim, offset: number, size: number): void {
    this.known.get(claim)?.delete(`${offset}:${size}`);
  }

  /** Writes new content keys (references are added by the enqueue script). */
  async upload(uploads: readonly Upload[]): Promise<void> {
    if (uploads.length === 0) return;
    const p = this.redis.pipeline();
    for (const u of uploads) {
      const key = this.keys.content(u.id);
      p.hset(key, 'd', u.claim.read(u.offset, u.size));
      p.expire(key, this.ttlSec);
    }
    const results = await p.exec();
    for (const r of results ?? []) if (r[0]) throw r[0];
  }

  /** Fetches offloaded content for a batch; ids that are gone map to undefined. */
  async fetch(ids: readonly string[]): Promise<Map<string, ContentClaim | undefined>> {
    const out = new Map<string, ContentClaim | undefined>();
    if (ids.length === 0) return out;
    const p = this.redis.pipeline();
    for (const id of ids) p.hgetBuffer(this.keys.content(id), 'd');
    const results = (await p.exec()) ?? [];
    ids.forEach((id, i) => {
      const [err, buf] = results[i] ?? [null, null];
      if (err) throw err;
      if (!buf) { out.set(id, undefined); return; }
      const claim = new MemoryClaim(buf as Buffer);
      this.remember(claim, 0, claim.length, id);
      out.set(id, claim);
    });
    return out;
  }
}
