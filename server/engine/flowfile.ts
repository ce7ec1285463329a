// The FlowFile: an id, attributes, a content range and lineage. Immutable to processors:
// every modification goes through the session, which returns a new version with the same id.
import { newId } from './ids.ts';
import type { ContentClaim } from './content/claim.ts';
import { EMPTY_CLAIM } from './content/claim.ts';
import type { AckHandle } from './ack.ts';

/** Attribute maps are shared copy-on-write between versions and children; never mutate one. */
export type Attributes = Readonly<Record<string, string>>;

/**
 * Attribute maps inherit from a prototype that itself has none: no inherited keys (so "constructor"
 * is not an attribute), yet V8 keeps them in fast mode, unlike Object.create(null) dictionaries.
 */
const ATTRIBUTE_PROTO: object = Object.freeze(Object.create(null));

export function newAttributeMap(): Record<string, string> {
  return Object.create(ATTRIBUTE_PROTO) as Record<string, string>;
}

export const EMPTY_ATTRIBUTES: Attributes = Object.freeze(newAttributeMap());

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

  constructor(
    id: string | null,
    readonly attrs: Attributes,
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
  }

  get id(): string {
    return (this.uuid ??= newId());
  }

  /** Gives an earlier version the id of its successor, when it has none yet. */
  adoptIdFrom(successor: FlowFile): void {
    this.uuid ??= successor.id;
  }

  static create(attrs: Attributes = EMPTY_ATTRIBUTES, acks: Acks = null, claim: ContentClaim = EMPTY_CLAIM, now = Date.now()): FlowFile {
    return new FlowFile(null, attrs, claim, 0, claim.length, now, null, null, acks);
  }

  get lineage(): Lineage {
    return (this.lineageCache ??= new Lineage(this.id, this.entryDate));
  }

  get parentIds(): readonly string[] {
    const p = this.parents;
    return p === null ? [] : typeof p === 'string' ? [p] : p;
  }

  /** An attribute, including the derived core attributes (uuid, entryDate, lineageStartDate, fileSize) and defaults for filename and path. */
  getAttribute(name: string): string | undefined {
    const v = this.attrs[name];
    if (v !== undefined) return v;
    switch (name) {
      case 'uuid': return this.id;
      case 'filename': return this.id;
      case 'path': return './';
      case 'entryDate': return String(this.entryDate);
      case 'lineageStartDate': return String(this.lineage.startDate);
      case 'fileSize': return String(this.size);
      default: return undefined;
    }
  }

  /** Every attribute as a plain object, core attributes included. */
  attributes(): Record<string, string> {
    const out: Record<string, string> = { filename: this.id, path: './' };
    for (const k in this.attrs) out[k] = this.attrs[k];
    out.uuid = this.id;
    return out;
  }

  attributeNames(): string[] {
    const names = new Set(Object.keys(this.attrs));
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
  withAttrs(attrs: Attributes): FlowFile {
    return new FlowFile(this.uuid, attrs, this.claim, this.offset, this.size, this.entryDate, this.lineageCache, this.parents, this.acks);
  }

  withContent(claim: ContentClaim, offset: number, size: number): FlowFile {
    return new FlowFile(this.uuid, this.attrs, claim, offset, size, this.entryDate, this.lineageCache, this.parents, this.acks);
  }

  /** A child sharing the parent's attributes (copy-on-write), acks and lineage. */
  child(claim: ContentClaim, offset: number, size: number, now: number): FlowFile {
    return new FlowFile(null, this.attrs, claim, offset, size, now, this.lineage, this.id, this.acks);
  }
}

export function isDerivedAttribute(name: string): boolean {
  return DERIVED.has(name);
}

/** A new attribute map with `changes` applied; undefined values delete. Returns `base` when nothing changes. */
export function updateAttributes(base: Attributes, changes: Record<string, string | undefined>): Attributes {
  let out: Record<string, string> | undefined;
  for (const k in changes) {
    if (k === 'uuid' || k === '__proto__') continue;
    const v = changes[k];
    if (base[k] === v) continue;
    if (!out) { out = newAttributeMap(); for (const b in base) out[b] = base[b]; }
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out ?? base;
}

export function mergeAcks(list: readonly FlowFile[]): Acks {
  let single: AckHandle | null = null;
  let many: AckHandle[] | null = null;
  for (const ff of list) {
    const a = ff.acks;
    if (a === null) continue;
    const handles = Array.isArray(a) ? a : [a as AckHandle];
    for (const h of handles) {
      if (single === null) { single = h; continue; }
      if (h === single || many?.includes(h)) continue;
      many ??= [single];
      many.push(h);
    }
  }
  return many ?? single;
}
