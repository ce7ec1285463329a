// In-memory indices. Each index keeps the live documents (what GET sees, realtime) and a searchable view
// that only changes on refresh (what _search/_count see), like ES's near-real-time search.
import { randomBytes } from 'node:crypto';
import { EsError, errors } from './errors.ts';
import { Mapping } from './mapping.ts';

export interface StoredDoc {
  id: string;
  /** the _source exactly as sent */
  source: string;
  version: number;
  seqNo: number;
}

export const PRIMARY_TERM = 1;

export function randomUuid(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

let idCounter = 0;
/** 20-character ids like ES's auto-generated (time-based, base64url) ids. */
export function autoId(): string {
  const head = Buffer.alloc(9);
  head.writeUIntBE(Date.now(), 0, 6);
  head.writeUIntBE(idCounter++ & 0xffffff, 6, 3);
  return (head.toString('base64url') + randomBytes(6).toString('base64url')).slice(0, 20);
}

export class EsIndex {
  readonly name: string;
  readonly uuid = randomUuid();
  readonly creationDate = Date.now();
  readonly mapping: Mapping;
  readonly settings: Record<string, unknown>;
  readonly docs = new Map<string, StoredDoc>();
  /** versions of deleted documents, so a re-index continues the version sequence */
  readonly tombstones = new Map<string, number>();
  readonly searchable = new Map<string, StoredDoc>();
  private readonly dirty = new Set<string>();
  private seqNo = -1;

  constructor(name: string, mapping: Mapping, settings: Record<string, unknown> = {}) {
    this.name = name;
    this.mapping = mapping;
    this.settings = settings;
  }

  get maxSeqNo(): number {
    return this.seqNo;
  }

  nextSeqNo(): number {
    return ++this.seqNo;
  }

  /** Store `source` under `id`; returns the new document and whether it was created (vs updated). */
  put(id: string, source: string): { doc: StoredDoc; created: boolean } {
    const prev = this.docs.get(id);
    const version = prev ? prev.version + 1 : (this.tombstones.get(id) ?? 0) + 1;
    const doc: StoredDoc = { id, source, version, seqNo: this.nextSeqNo() };
    this.docs.set(id, doc);
    this.tombstones.delete(id);
    this.dirty.add(id);
    return { doc, created: !prev };
  }

  /** Delete `id`; returns the tombstone's version and seqNo (ES bumps both even for a missing doc). */
  remove(id: string): { found: boolean; version: number; seqNo: number } {
    const prev = this.docs.get(id);
    const version = (prev?.version ?? this.tombstones.get(id) ?? 0) + 1;
    this.docs.delete(id);
    this.tombstones.set(id, version);
    this.dirty.add(id);
    return { found: !!prev, version, seqNo: this.nextSeqNo() };
  }

  get needsRefresh(): boolean {
    return this.dirty.size > 0;
  }

  refresh(): void {
    for (const id of this.dirty) {
      const doc = this.docs.get(id);
      if (doc) this.searchable.set(id, doc);
      else this.searchable.delete(id);
    }
    this.dirty.clear();
  }
}

const INVALID_CHARS = ['\\', '/', '*', '?', '"', '<', '>', '|', ' ', ',', '#', ':'];

export function validateIndexName(name: string): void {
  if (name !== name.toLowerCase()) throw errors.invalidIndexName(name, 'must be lowercase');
  const bad = INVALID_CHARS.find((c) => name.includes(c));
  if (bad) throw errors.invalidIndexName(name, `must not contain the following characters [${INVALID_CHARS.join(', ')}]`);
  if (/^[_\-+]/.test(name)) throw errors.invalidIndexName(name, "must not start with '_', '-', or '+'");
  if (name === '.' || name === '..') throw errors.invalidIndexName(name, "must not be '.' or '..'");
  if (Buffer.byteLength(name) > 255) throw errors.invalidIndexName(name, 'index name is too long, (' + Buffer.byteLength(name) + ' > 255)');
}

function globToRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

export class EsStore {
  readonly indices = new Map<string, EsIndex>();
  parsingErrorType: string;

  constructor(parsingErrorType = 'document_parsing_exception') {
    this.parsingErrorType = parsingErrorType;
  }

  create(name: string, body?: { mappings?: unknown; settings?: Record<string, unknown> }): EsIndex {
    validateIndexName(name);
    const existing = this.indices.get(name);
    if (existing) throw errors.indexAlreadyExists(name, existing.uuid);
    const mapping = new Mapping(this.parsingErrorType);
    mapping.loadExplicit(body?.mappings);
    const index = new EsIndex(name, mapping, body?.settings ?? {});
    this.indices.set(name, index);
    return index;
  }

  get(name: string): EsIndex {
    const index = this.indices.get(name);
    if (!index) throw errors.indexNotFound(name);
    return index;
  }

  /** Index/create/update requests create a missing index (action.auto_create_index defaults to true). */
  getOrCreate(name: string): EsIndex {
    return this.indices.get(name) ?? this.create(name);
  }

  delete(name: string): void {
    for (const index of this.resolve(name, false)) this.indices.delete(index.name);
  }

  /**
   * Resolve an index expression ("a", "a,b", "logs-*", "_all", "*"); a missing concrete name is a 404
   * unless ignoreUnavailable; wildcards that match nothing resolve to nothing.
   */
  resolve(expr: string | undefined, ignoreUnavailable: boolean): EsIndex[] {
    if (expr === undefined || expr === '' || expr === '_all') return [...this.indices.values()];
    const out = new Map<string, EsIndex>();
    for (const part of expr.split(',')) {
      if (part.startsWith('-')) {
        const re = globToRegExp(part.slice(1));
        for (const name of [...out.keys()]) if (re.test(name)) out.delete(name);
      } else if (part.includes('*')) {
        const re = globToRegExp(part);
        for (const index of this.indices.values()) if (re.test(index.name) && !index.name.startsWith('.')) out.set(index.name, index);
      } else {
        const index = this.indices.get(part);
        if (index) out.set(part, index);
        else if (!ignoreUnavailable) throw errors.indexNotFound(part);
      }
    }
    return [...out.values()];
  }

  refreshAll(): void {
    for (const index of this.indices.values()) if (index.needsRefresh) index.refresh();
  }

  clear(): void {
    this.indices.clear();
  }
}

export function isEsError(e: unknown): e is EsError {
  return e instanceof EsError;
}
