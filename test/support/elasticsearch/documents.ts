// Single-document APIs: index (_doc, _create, auto-id), get, exists, _source, delete, _update.
import { refreshIfAsked, type Handler } from './context.ts';
import { EsError, errors } from './errors.ts';
import { intParam, parseJsonBody, type EsReply } from './http.ts';
import { deleteDocument, indexDocument, updateDocument, type ItemResult, type WriteOptions } from './operations.ts';
import { PRIMARY_TERM } from './store.ts';

function itemReply(r: ItemResult): EsReply {
  if (r.ok) return { status: r.status, body: r.body };
  return { status: r.status, body: new EsError(r.status, r.error).toBody() };
}

function writeOptions(query: URLSearchParams): WriteOptions {
  return { ifSeqNo: intParam(query, 'if_seq_no'), ifPrimaryTerm: intParam(query, 'if_primary_term') };
}

function indexWith(opType: 'index' | 'create' | 'from-param'): Handler {
  return (req, params, ctx) => {
    if (req.body.trim() === '') throw errors.validation(['source is missing', 'content type is missing']);
    const paramOp = req.query.get('op_type');
    if (paramOp !== null && paramOp !== 'index' && paramOp !== 'create')
      throw errors.illegalArgument(`opType must be 'create' or 'index', found: [${paramOp}]`);
    const op = opType === 'from-param' ? (paramOp === 'create' ? 'create' : 'index') : opType;
    const r = indexDocument(ctx.store, params.index, params.id, req.body, op, writeOptions(req.query));
    if (r.ok) refreshIfAsked(req, ctx, [String(r.body._index)]);
    return itemReply(r);
  };
}

export const indexDoc = indexWith('from-param');
export const createDoc = indexWith('create');

export const getDoc: Handler = (req, params, ctx) => {
  const index = ctx.store.get(params.index);
  const doc = index.docs.get(params.id);
  if (!doc) return { status: 404, body: { _index: index.name, _id: params.id, found: false } };
  const body: Record<string, unknown> = {
    _index: index.name,
    _id: doc.id,
    _version: doc.version,
    _seq_no: doc.seqNo,
    _primary_term: PRIMARY_TERM,
    found: true,
  };
  if (req.query.get('_source') !== 'false') body._source = JSON.parse(doc.source);
  return { status: 200, body };
};

export const docExists: Handler = (_req, params, ctx) => {
  const index = ctx.store.indices.get(params.index);
  return { status: index?.docs.has(params.id) ? 200 : 404 };
};

export const getSource: Handler = (_req, params, ctx) => {
  const index = ctx.store.get(params.index);
  const doc = index.docs.get(params.id);
  if (!doc)
    throw new EsError(404, { type: 'resource_not_found_exception', reason: `Document not found [${index.name}]/[${params.id}]` });
  return { status: 200, body: JSON.parse(doc.source) };
};

export const deleteDoc: Handler = (req, params, ctx) => {
  const r = deleteDocument(ctx.store, params.index, params.id, writeOptions(req.query));
  if (r.ok) refreshIfAsked(req, ctx, [params.index]);
  return itemReply(r);
};

export const updateDoc: Handler = (req, params, ctx) => {
  const body = parseJsonBody(req, true);
  const r = updateDocument(ctx.store, params.index, params.id, body, writeOptions(req.query));
  if (r.ok) refreshIfAsked(req, ctx, [params.index]);
  return itemReply(r);
};
