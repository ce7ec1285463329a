// Write operations shared by the single-document APIs and _bulk, so both answer identically.
// Each returns an ItemResult: the HTTP/item status plus the body fields of ES's write response
// ({_index, _id, _version, result, _shards, _seq_no, _primary_term}) or the error cause.
import { EsError, errors, type EsCause } from './errors.ts';
import { autoId, PRIMARY_TERM, type EsIndex, type EsStore } from './store.ts';

export type ItemResult =
  | { ok: true; status: number; body: Record<string, unknown>; result: string }
  | { ok: false; status: number; index: string; id: string | null; error: EsCause };

export interface WriteOptions {
  ifSeqNo?: number;
  ifPrimaryTerm?: number;
}

const SHARDS_OK = Object.freeze({ total: 1, successful: 1, failed: 0 });
const SHARDS_NOOP = Object.freeze({ total: 0, successful: 0, failed: 0 });

function success(index: EsIndex, id: string, version: number, seqNo: number, result: string, status: number): ItemResult {
  return {
    ok: true,
    status,
    result,
    body: {
      _index: index.name,
      _id: id,
      _version: version,
      result,
      _shards: result === 'noop' ? SHARDS_NOOP : SHARDS_OK,
      _seq_no: seqNo,
      _primary_term: PRIMARY_TERM,
    },
  };
}

export function failure(indexName: string, id: string | null, e: unknown): ItemResult {
  if (e instanceof EsError) return { ok: false, status: e.status, index: indexName, id, error: e.detail };
  return {
    ok: false,
    status: 500,
    index: indexName,
    id,
    error: { type: 'exception', reason: e instanceof Error ? e.message : String(e) },
  };
}

function parsingFailure(store: EsStore, index: EsIndex, id: string, parseError: unknown): ItemResult {
  const msg = parseError instanceof Error ? parseError.message : String(parseError);
  return {
    ok: false,
    status: 400,
    index: index.name,
    id,
    error: {
      type: store.parsingErrorType,
      reason: `[1:1] failed to parse: ${msg}`,
      caused_by: { type: 'x_content_parse_exception', reason: msg },
    },
  };
}

function checkSeqNo(index: EsIndex, id: string, opts: WriteOptions): void {
  if (opts.ifSeqNo === undefined && opts.ifPrimaryTerm === undefined) return;
  const current = index.docs.get(id);
  const required = { seqNo: opts.ifSeqNo ?? -2, term: opts.ifPrimaryTerm ?? 0 };
  if (!current || current.seqNo !== required.seqNo || PRIMARY_TERM !== required.term)
    throw errors.seqNoConflict(index.name, index.uuid, id, required, current ? { seqNo: current.seqNo, term: PRIMARY_TERM } : null);
}

/** index (opType "index") or create (opType "create") a document from its raw JSON source. */
export function indexDocument(
  store: EsStore,
  indexName: string,
  id: string | undefined,
  source: string,
  opType: 'index' | 'create',
  opts: WriteOptions = {},
  parsed?: unknown,
): ItemResult {
  let index: EsIndex;
  const docId = id ?? autoId();
  try {
    index = store.getOrCreate(indexName);
  } catch (e) {
    return failure(indexName, docId, e);
  }
  try {
    if (opType === 'create') {
      const existing = index.docs.get(docId);
      if (existing) throw errors.documentAlreadyExists(index.name, index.uuid, docId, existing.version);
    }
    checkSeqNo(index, docId, opts);
  } catch (e) {
    return failure(index.name, docId, e);
  }
  let doc = parsed;
  if (doc === undefined) {
    try {
      doc = JSON.parse(source);
    } catch (e) {
      return parsingFailure(store, index, docId, e);
    }
  }
  const mappingError = index.mapping.apply(doc, docId);
  if (mappingError) return { ok: false, status: 400, index: index.name, id: docId, error: mappingError };
  const { doc: stored, created } = index.put(docId, source);
  return success(index, docId, stored.version, stored.seqNo, created ? 'created' : 'updated', created ? 201 : 200);
}

export function deleteDocument(store: EsStore, indexName: string, id: string, opts: WriteOptions = {}): ItemResult {
  let index: EsIndex;
  try {
    index = store.get(indexName);
    checkSeqNo(index, id, opts);
  } catch (e) {
    return failure(indexName, id, e);
  }
  const { found, version, seqNo } = index.remove(id);
  return success(index, id, version, seqNo, found ? 'deleted' : 'not_found', found ? 200 : 404);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Partial-document merge as ES does it: objects merge recursively, everything else is replaced. */
export function mergeDoc(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeDoc(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

/** _update with {doc, doc_as_upsert?, upsert?, detect_noop?} (scripts are not supported). */
export function updateDocument(store: EsStore, indexName: string, id: string, body: unknown, opts: WriteOptions = {}): ItemResult {
  let index: EsIndex;
  try {
    index = store.getOrCreate(indexName);
    checkSeqNo(index, id, opts);
  } catch (e) {
    return failure(indexName, id, e);
  }
  if (!isPlainObject(body))
    return failure(index.name, id, errors.validation(['script or doc is missing']));
  if (body.script !== undefined)
    return failure(index.name, id, errors.illegalArgument('script updates are not supported by the Sluice Elasticsearch test server'));
  const patch = body.doc;
  const upsert = body.upsert;
  if (patch === undefined && upsert === undefined) return failure(index.name, id, errors.validation(['script or doc is missing']));
  if (patch !== undefined && !isPlainObject(patch)) return failure(index.name, id, errors.parse('[doc] must be an object'));

  const current = index.docs.get(id);
  if (!current) {
    let fresh: unknown;
    if (body.doc_as_upsert === true) fresh = patch;
    else if (upsert !== undefined) fresh = upsert;
    else return failure(index.name, id, errors.documentMissing(index.name, index.uuid, id));
    if (!isPlainObject(fresh)) return failure(index.name, id, errors.parse('[upsert] must be an object'));
    return indexDocument(store, index.name, id, JSON.stringify(fresh), 'index', {}, fresh);
  }
  if (patch === undefined) {
    // only an upsert document and the doc exists: nothing to apply
    return success(index, id, current.version, current.seqNo, 'noop', 200);
  }
  const before = JSON.parse(current.source) as Record<string, unknown>;
  const merged = mergeDoc(before, patch as Record<string, unknown>);
  const mergedSource = JSON.stringify(merged);
  if (body.detect_noop !== false && mergedSource === JSON.stringify(before))
    return success(index, id, current.version, current.seqNo, 'noop', 200);
  const mappingError = index.mapping.apply(merged, id);
  if (mappingError) return { ok: false, status: 400, index: index.name, id, error: mappingError };
  const { doc } = index.put(id, mergedSource);
  return success(index, id, doc.version, doc.seqNo, 'updated', 200);
}
