// The batch codec: many FlowFiles in one BullMQ job payload (plain JSON, which BullMQ stores as is).
// Each FlowFile keeps its id, attributes, content, entry date, lineage, parents and ack ids.
// Compactness without a binary format:
//  - attribute maps are a table: a map shared by several FlowFiles (copy-on-write) is written once,
//    and a map that differs from the previous one in a few keys (SplitText's fragments) is written
//    as that difference, and decodes to a layer over the previous map (engine/attribute-map.ts);
//  - content is written once per claim per job: FlowFiles cut from the same claim (splits) share one
//    base64 blob covering their ranges, and decode to views into one buffer;
//  - content of a FlowFile above the offload threshold is not in the job at all, only its content id
//    (see content.ts for why).
import { AttributeMap, FlowFile, Lineage, type Attributes } from '../engine/flowfile.ts';
import { EMPTY_CLAIM, MemoryClaim, type ContentClaim } from '../engine/content/claim.ts';
import type { AckHandle } from '../engine/ack.ts';
import { newId } from '../engine/ids.ts';

/** [id, attribute entry, source (-1 empty, >=0 inline blob, <= -2 offloaded: -(k index) - 2), offset in source, size, entryDate, lineage root (0 = own id), lineage start (0 = entryDate), parents, acks] */
export type FlowFileTuple = [string, number, number, number, number, number, string | 0, number, string | string[] | null, number | number[] | null];
/** A full map, or [base entry, changed values, removed keys]. */
export type AttributeEntry = Record<string, string> | [number, Record<string, string>, string[]];

export interface BatchData {
  v: 1;
  f: FlowFileTuple[];
  a: AttributeEntry[];
  /** Inline content blobs (base64). */
  c: string[];
  /** Offloaded content ids. */
  k: string[];
  /** Ack handle ids. */
  h: string[];
}

/** What a job adds to the cluster's bookkeeping (settled once, when the job completes). */
export interface BatchAccounting {
  /** FlowFiles and content bytes. */
  n: number;
  b: number;
  /** FlowFiles per ack id. */
  a: Record<string, number>;
  /** Of those, FlowFiles sent by the ack's origin node (its local handle counts them). */
  s: Record<string, number>;
  /** References per offloaded content id. */
  c: Record<string, number>;
}

export interface Upload { id: string; claim: ContentClaim; offset: number; size: number }

export interface EncodeHooks {
  offloadBytes: number;
  /** The cluster-wide id of an ack handle; `origin` when this node holds the real handle. */
  ackId(h: AckHandle): { id: string; origin: boolean };
  /** An existing offloaded content id holding exactly these bytes, if any. */
  storedContent(claim: ContentClaim, offset: number, size: number): string | undefined;
  rememberContent(claim: ContentClaim, offset: number, size: number, id: string): void;
}

export interface Encoded { data: BatchData; accounting: BatchAccounting; uploads: Upload[] }

const hasOwn = Object.prototype.hasOwnProperty;

function attributeDelta(base: Attributes, cur: Attributes): { changes: Record<string, string>; removed: string[]; size: number; total: number } {
  const changes: Record<string, string> = {};
  const removed: string[] = [];
  let size = 0;
  let total = 0;
  for (const k in cur) {
    total++;
    if (base[k] !== cur[k] || !hasOwn.call(base, k)) { changes[k] = cur[k]; size++; }
  }
  for (const k in base) if (!hasOwn.call(cur, k)) { removed.push(k); size++; }
  return { changes, removed, size, total };
}

export function encodeBatch(flowFiles: readonly FlowFile[], hooks: EncodeHooks): Encoded {
  const n = flowFiles.length;
  const tuples: FlowFileTuple[] = new Array(n);
  const attrTable: AttributeEntry[] = [];
  const attrIndex = new Map<AttributeMap, number>();
  let lastAttrs: Attributes | null = null;
  let lastAttrIdx = -1;
  const ackIds: string[] = [];
  const ackIndex = new Map<AckHandle, number>();
  const acc: BatchAccounting = { n, b: 0, a: {}, s: {}, c: {} };
  const offloaded: string[] = [];
  const offloadIndex = new Map<string, number>();
  const uploads: Upload[] = [];
  const groups = new Map<ContentClaim, { lo: number; hi: number; sum: number; members: number[] }>();

  const ackRef = (h: AckHandle): number => {
    let i = ackIndex.get(h);
    if (i === undefined) {
      const { id, origin } = hooks.ackId(h);
      i = ackIds.length;
      ackIds.push(id);
      ackIndex.set(h, i);
      if (origin) acc.s[id] = 0;
    }
    const id = ackIds[i];
    acc.a[id] = (acc.a[id] ?? 0) + 1;
    if (acc.s[id] !== undefined) acc.s[id]++;
    return i;
  };

  for (let i = 0; i < n; i++) {
    const ff = flowFiles[i];
    acc.b += ff.size;
    // attributes
    const map = ff.attributeMap;
    let ai = attrIndex.get(map);
    if (ai === undefined) {
      ai = attrTable.length;
      const cur = map.toObject();
      const d = lastAttrs ? attributeDelta(lastAttrs, cur) : null;
      if (d && d.size * 2 < d.total) attrTable.push([lastAttrIdx, d.changes, d.removed]);
      else attrTable.push(cur as Record<string, string>);
      attrIndex.set(map, ai);
      lastAttrs = cur;
      lastAttrIdx = ai;
    }
    // lineage
    const lineage = ff.lineage;
    const root: string | 0 = lineage.rootId === ff.id ? 0 : lineage.rootId;
    const start = lineage.startDate === ff.entryDate ? 0 : lineage.startDate;
    // acks
    let acks: number | number[] | null = null;
    const a = ff.acks;
    if (a !== null) {
      if (Array.isArray(a)) acks = (a as AckHandle[]).map(ackRef);
      else acks = ackRef(a as AckHandle);
    }
    // content: decided below for inline groups
    let src = -1;
    if (ff.size > 0) {
      if (ff.size > hooks.offloadBytes) {
        let id = hooks.storedContent(ff.claim, ff.offset, ff.size);
        if (id === undefined) {
          id = newId();
          hooks.rememberContent(ff.claim, ff.offset, ff.size, id);
          uploads.push({ id, claim: ff.claim, offset: ff.offset, size: ff.size });
        }
        let k = offloadIndex.get(id);
        if (k === undefined) { k = offloaded.length; offloaded.push(id); offloadIndex.set(id, k); }
        acc.c[id] = (acc.c[id] ?? 0) + 1;
        src = -(k + 2);
      } else {
        const g = groups.get(ff.claim);
        const end = ff.offset + ff.size;
        if (g) {
          if (ff.offset < g.lo) g.lo = ff.offset;
          if (end > g.hi) g.hi = end;
          g.sum += ff.size;
          g.members.push(i);
        } else groups.set(ff.claim, { lo: ff.offset, hi: end, sum: ff.size, members: [i] });
      }
    }
    tuples[i] = [ff.id, ai, src, 0, ff.size, ff.entryDate, root, start, ff.parents as string | string[] | null, acks];
  }

  const blobs: string[] = [];
  for (const [claim, g] of groups) {
    if (g.hi - g.lo <= Math.max(2 * g.sum, 16 * 1024)) {
      const bi = blobs.length;
      blobs.push(claim.read(g.lo, g.hi - g.lo).toString('base64'));
      for (const i of g.members) { const t = tuples[i]; t[2] = bi; t[3] = flowFiles[i].offset - g.lo; }
    } else {
      // Sparse ranges of a big claim: one blob each.
      for (const i of g.members) {
        const ff = flowFiles[i];
        const t = tuples[i];
        t[2] = blobs.length;
        t[3] = 0;
        blobs.push(claim.read(ff.offset, ff.size).toString('base64'));
      }
    }
  }
  return { data: { v: 1, f: tuples, a: attrTable, c: blobs, k: offloaded, h: ackIds }, accounting: acc, uploads };
}

/** The bookkeeping of a decoded batch (for re-encoding what is left of a job). */
export interface DecodeHooks {
  /** The local stand-in for a cluster-wide ack id. */
  ack(id: string): AckHandle;
  /** Offloaded content, fetched before decoding; undefined when it is gone (expired). */
  content(id: string): ContentClaim | undefined;
}

export interface Decoded {
  flowFiles: FlowFile[];
  /** Index in the batch of FlowFiles whose offloaded content was missing (not in flowFiles). */
  missing: number[];
}

export function decodeBatch(data: BatchData, hooks: DecodeHooks): Decoded {
  if (!data || data.v !== 1) throw new Error(`unsupported batch format ${JSON.stringify((data as { v?: unknown })?.v)}`);
  // A difference becomes a layer over its base map: it costs what it changes.
  const attrs: AttributeMap[] = new Array(data.a.length);
  for (let i = 0; i < data.a.length; i++) {
    const e = data.a[i];
    if (Array.isArray(e)) {
      const [base, changes, removed] = e;
      let delta: Record<string, string | undefined> = changes;
      if (removed.length) { delta = { ...changes }; for (const k of removed) delta[k] = undefined; }
      attrs[i] = attrs[base].with(delta);
    } else attrs[i] = AttributeMap.from(e);
  }
  const claims: ContentClaim[] = data.c.map((b64) => new MemoryClaim(Buffer.from(b64, 'base64')));
  const stored: (ContentClaim | undefined)[] = data.k.map((id) => hooks.content(id));
  const acks: AckHandle[] = data.h.map((id) => hooks.ack(id));
  const lineages = new Map<string, Lineage>();
  const out: FlowFile[] = [];
  const missing: number[] = [];
  for (let i = 0; i < data.f.length; i++) {
    const [id, ai, src, off, size, entryDate, root, start, parents, ackRef] = data.f[i];
    let claim: ContentClaim;
    let offset = off;
    if (src === -1) claim = EMPTY_CLAIM;
    else if (src >= 0) claim = claims[src];
    else {
      const c = stored[-src - 2];
      if (!c) { missing.push(i); continue; }
      claim = c;
      offset = 0;
    }
    let lineage: Lineage | null = null;
    if (root !== 0 || start !== 0) {
      const r = root === 0 ? id : root;
      const key = `${r}\u0000${start || entryDate}`;
      lineage = lineages.get(key) ?? null;
      if (!lineage) { lineage = new Lineage(r, start || entryDate); lineages.set(key, lineage); }
    }
    const a = ackRef === null ? null : typeof ackRef === 'number' ? acks[ackRef] : ackRef.map((x) => acks[x]);
    out.push(new FlowFile(id, attrs[ai], claim, offset, size, entryDate, lineage, parents, a));
  }
  return { flowFiles: out, missing };
}

/** Ack ids and offloaded content ids a batch refers to, with counts (rebuilds accounting for a job's remainder). */
export function accountingOf(data: BatchData, indexes: Iterable<number>): BatchAccounting {
  const acc: BatchAccounting = { n: 0, b: 0, a: {}, s: {}, c: {} };
  for (const i of indexes) {
    const t = data.f[i];
    acc.n++;
    acc.b += t[4];
    const ref = t[9];
    if (ref !== null) for (const x of typeof ref === 'number' ? [ref] : ref) { const id = data.h[x]; acc.a[id] = (acc.a[id] ?? 0) + 1; }
    if (t[2] <= -2) { const id = data.k[-t[2] - 2]; acc.c[id] = (acc.c[id] ?? 0) + 1; }
  }
  return acc;
}

/** The same batch restricted to some of its FlowFiles (what is left of a job when its flow stops). */
export function subsetBatch(data: BatchData, keep: readonly number[]): BatchData {
  return { ...data, f: keep.map((i) => data.f[i]) };
}
