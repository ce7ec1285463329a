// The FlowFile: an id, attributes, a content range and lineage. Immutable to processors:
// every modification goes through the session, which returns a new version with the same id.
import { newId } from './ids.ts';
import type { ContentClaim } from './content/claim.ts';
import { EMPTY_CLAIM } from './content/claim.ts';
import type { AckHandle } from './ack.ts';
import { AttributeMap } from './attribute-map.ts';

/** A plain, read-only view of attributes. FlowFiles keep theirs in a persistent AttributeMap. */
export type Attributes = Readonly<Record<string, string>>;

export { AttributeMap };

export const EMPTY_ATTRIBUTES: AttributeMap = AttributeMap.EMPTY;

/** NiFi's core attribute names. `uuid` is derived from the id and never stored in the map. */
export const CoreAttributes = {
  UUID: 'uuid',
  FILENAME: 'filename',
  PATH: 'path',
  ABSOLUTE_PATH: 'absolute.path',
  MIME_TYPE: 'mime.type',
  PRIORITY: 'priority',
  DISCARD_REASON: 'discard.reason',
  ALTERNATE_IDENTIFIER: 'alternate.identifier',
} as const;

/** Values derived from the FlowFile itself, readable as attributes (as in NiFi's Expression Language). */
const DERIVED = new Set(['uuid', 'entryDate', 'lineageStartDate', 'fileSize']);

export type Acks = AckHandle | readonly AckHandle[] | null;

export class Lineage {
  constructor(readonly rootId: string, readonly startDate: number) {}
}

export class FlowFile {
  /** Lazily created so that a root FlowFile and all its descendants share one Lineage object. */
  private lineageCache: Lineage | null;
  /** Session bookkeeping (engine-internal): the session holding this version and its slot there. */
  owner: object | null = null;
  slot = -1;

  /** The UUID, made on first use: most FlowFiles pass through without anyone reading it. */
  private uuid: string | null;

  /** Attributes, shared copy-on-write between versions and children; never mutated. */
  readonly attributeMap: AttributeMap;

  constructor(
    id: string | null,
    attributes: AttributeMap | Attributes,
    readonly claim: ContentClaim,
    readonly offset: number,
    readonly size: number,
    readonly entryDate: number,
    lineage: Lineage | null,
    /** Parent id (one parent) or ids (a join); null for a root. */
    readonly parents: string | readonly string[] | null,
    readonly acks: Acks,
  ) {
    this.lineageCache = lineage;
    this.uuid = id;
    this.attributeMap = attributes instanceof AttributeMap ? attributes : AttributeMap.from(attributes);
  }

  /** Every stored attribute as a frozen plain object (core defaults and uuid excluded); shared per map. */
  get attrs(): Attributes {
    return this.attributeMap.toObject();
  }

  get id(): string {
    return (this.uuid ??= newId());
  }

  /** Gives an earlier version the id of its successor, when it has none yet. */
  adoptIdFrom(successor: FlowFile): void {
    this.uuid ??= successor.id;
  }

  static create(attrs: AttributeMap | Attributes = EMPTY_ATTRIBUTES, acks: Acks = null, claim: ContentClaim = EMPTY_CLAIM, now = Date.now()): FlowFile {
    return new FlowFile(null, attrs, claim, 0, claim.length, now, null, null, acks);
  }

  get lineage(): Lineage {
    return (this.lineageCache ??= new Lineage(this.id, this.entryDate));
  }

  get parentIds(): readonly string[] {
    const p = this.parents;
    return p === null ? [] : typeof p === 'string' ? [p] : p;
  }

  /** An attribute as NiFi's FlowFile.getAttribute() sees it: the stored ones plus uuid, and defaults for filename and path. */
  getCoreAttribute(name: string): string | undefined {
    const v = this.attributeMap.get(name);
    if (v !== undefined) return v;
    switch (name) {
      case 'uuid': return this.id;
      case 'filename': return this.id;
      case 'path': return './';
      default: return undefined;
    }
  }

  /** An attribute as the Expression Language sees it: getCoreAttribute plus entryDate, lineageStartDate and fileSize. */
  getAttribute(name: string): string | undefined {
    const v = this.getCoreAttribute(name);
    if (v !== undefined) return v;
    switch (name) {
      case 'entryDate': return String(this.entryDate);
      case 'lineageStartDate': return String(this.lineage.startDate);
      case 'fileSize': return String(this.size);
      default: return undefined;
    }
  }

  /** Every attribute as a plain object, core attributes included. */
  attributes(): Record<string, string> {
    const out: Record<string, string> = { filename: this.id, path: './' };
    this.attributeMap.forEach((v, k) => { out[k] = v; });
    out.uuid = this.id;
    return out;
  }

  attributeNames(): string[] {
    const names = new Set(this.attributeMap.keys());
    names.add('uuid'); names.add('filename'); names.add('path');
    return [...names];
  }

  /** The content bytes (a view for memory content). */
  content(): Buffer {
    return this.claim.read(this.offset, this.size);
  }

  // -- new versions (used by the session) --

  // New versions carry the id only if it was already made; otherwise the first observer of the
  // surviving version makes it (see adoptIdFrom for reports that show two versions side by side).
  withAttrs(attrs: AttributeMap): FlowFile {
    return new FlowFile(this.uuid, attrs, this.claim, this.offset, this.size, this.entryDate, this.lineageCache, this.parents, this.acks);
  }

  withContent(claim: ContentClaim, offset: number, size: number, attrs: AttributeMap = this.attributeMap): FlowFile {
    return new FlowFile(this.uuid, attrs, claim, offset, size, this.entryDate, this.lineageCache, this.parents, this.acks);
  }

  /** A child sharing the parent's attributes (copy-on-write) unless given others, and its acks and lineage. */
  child(claim: ContentClaim, offset: number, size: number, now: number, attrs: AttributeMap = this.attributeMap): FlowFile {
    return new FlowFile(null, attrs, claim, offset, size, now, this.lineage, this.id, this.acks);
  }
}

export function isDerivedAttribute(name: string): boolean {
  return DERIVED.has(name);
}

/** A new attribute map with `changes` applied; undefined values delete. Returns `base` when nothing changes. */
export function updateAttributes(base: AttributeMap, changes: Readonly<Record<string, string | undefined>>): AttributeMap {
  return base.with(changes);
}

export function mergeAcks(list: readonly FlowFile[]): Acks {
  let single: AckHandle | null = null;
  let many: AckHandle[] | null = null;
  const add = (h: AckHandle) => {
    if (single === null) { single = h; return; }
    if (h === single || (many !== null && many.includes(h))) return;
    many ??= [single];
    many.push(h);
  };
  for (let i = 0; i < list.length; i++) {
    const a = list[i].acks;
    if (a === null || a === single) continue; // the common case: siblings sharing their source's handle
    if (Array.isArray(a)) for (const h of a as readonly AckHandle[]) add(h);
    else add(a as AckHandle);
  }
  return many ?? single;
}
