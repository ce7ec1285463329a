// POST /_bulk and POST /{index}/_bulk: NDJSON action/metadata lines, each index/create/update followed by a
// source line. The whole body is parsed and validated first (a malformed body is one 400 and nothing is
// written, as in ES); then items execute in order and each gets its own status.
import { refreshIfAsked, type EsContext, type Handler } from './context.ts';
import { errors, type EsCause } from './errors.ts';
import { boolParam } from './http.ts';
import { deleteDocument, failure, indexDocument, updateDocument, type ItemResult, type WriteOptions } from './operations.ts';

type Action = 'index' | 'create' | 'update' | 'delete';
const ACTIONS = new Set<string>(['index', 'create', 'update', 'delete']);
const META_KEYS = new Set([
  '_index',
  '_id',
  'routing',
  'version',
  'version_type',
  'if_seq_no',
  'if_primary_term',
  'pipeline',
  'require_alias',
  'require_data_stream',
  'retry_on_conflict',
  '_source',
  'dynamic_templates',
  'list_executed_pipelines',
  'op_type',
]);

interface BulkItem {
  action: Action;
  index: string | undefined;
  id: string | undefined;
  source?: string;
  /** parsed update body */
  update?: unknown;
  opts: WriteOptions;
}

function parseBulk(body: string, defaultIndex: string | undefined): BulkItem[] {
  if (body.length === 0) throw errors.validation(['no requests added']);
  if (body[body.length - 1] !== '\n') throw errors.illegalArgument('The bulk request must be terminated by a newline [\\n]');
  const items: BulkItem[] = [];
  const problems: string[] = [];
  let pos = 0;
  let line = 0;
  const nextLine = (): string | null => {
    if (pos >= body.length) return null;
    const nl = body.indexOf('\n', pos);
    const end = nl < 0 ? body.length : nl;
    const text = body.charCodeAt(end - 1) === 13 ? body.slice(pos, end - 1) : body.slice(pos, end);
    pos = end + 1;
    line++;
    return text;
  };
  for (;;) {
    const actionLine = nextLine();
    if (actionLine === null) break;
    if (actionLine.trim() === '') continue;
    const lineNo = line;
    let parsed: unknown;
    try {
      parsed = JSON.parse(actionLine);
    } catch (e) {
      throw errors.xContentParse(`[${lineNo}:1] Malformed action/metadata line [${lineNo}]: ${(e as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw errors.illegalArgument(`Malformed action/metadata line [${lineNo}], expected START_OBJECT or END_OBJECT but found [${Array.isArray(parsed) ? 'START_ARRAY' : 'VALUE_STRING'}]`);
    const keys = Object.keys(parsed);
    if (keys.length !== 1 || !ACTIONS.has(keys[0]))
      throw errors.illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected field [create], [delete], [index] or [update] but found [${keys[0] ?? ''}]`,
      );
    const action = keys[0] as Action;
    const meta = (parsed as Record<string, unknown>)[action];
    if (meta === null || typeof meta !== 'object' || Array.isArray(meta))
      throw errors.illegalArgument(`Malformed action/metadata line [${lineNo}], expected START_OBJECT but found [VALUE_STRING]`);
    const m = meta as Record<string, unknown>;
    for (const k of Object.keys(m))
      if (!META_KEYS.has(k)) throw errors.illegalArgument(`Action/metadata line [${lineNo}] contains an unknown parameter [${k}]`);
    const item: BulkItem = {
      action: action === 'index' && m.op_type === 'create' ? 'create' : action,
      index: m._index !== undefined ? String(m._index) : defaultIndex,
      id: m._id !== undefined && m._id !== null ? String(m._id) : undefined,
      opts: {
        ifSeqNo: m.if_seq_no !== undefined ? Number(m.if_seq_no) : undefined,
        ifPrimaryTerm: m.if_primary_term !== undefined ? Number(m.if_primary_term) : undefined,
      },
    };
    if (!item.index) problems.push('index is missing');
    if ((action === 'update' || action === 'delete') && item.id === undefined) problems.push('id is missing');
    if (item.id !== undefined && Buffer.byteLength(item.id) > 512)
      problems.push(`id [${item.id}] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(item.id)}`);
    if (action !== 'delete') {
      const source = nextLine();
      if (source === null || source.trim() === '') {
        problems.push('source is missing');
      } else if (action === 'update') {
        try {
          item.update = JSON.parse(source);
        } catch (e) {
          throw errors.xContentParse(`[${line}:1] failed to parse update request body: ${(e as Error).message}`);
        }
      } else {
        item.source = source;
      }
    }
    items.push(item);
  }
  if (problems.length) throw errors.validation(problems);
  if (items.length === 0) throw errors.validation(['no requests added']);
  return items;
}

function itemJson(action: Action, r: ItemResult): Record<string, unknown> {
  if (r.ok) return { [action]: { ...r.body, status: r.status } };
  const out: Record<string, unknown> = { _index: r.index };
  if (r.id !== null) out._id = r.id;
  out.status = r.status;
  out.error = r.error;
  return { [action]: out };
}

function rejectedItem(item: BulkItem): ItemResult {
  const cause: EsCause = errors.rejected('TransportShardBulkAction item').detail;
  return { ok: false, status: 429, index: item.index ?? '', id: item.id ?? null, error: cause };
}

function execute(ctx: EsContext, item: BulkItem): ItemResult {
  const index = item.index as string;
  switch (item.action) {
    case 'index':
    case 'create':
      return indexDocument(ctx.store, index, item.id, item.source as string, item.action, item.opts);
    case 'delete':
      return deleteDocument(ctx.store, index, item.id as string, item.opts);
    case 'update':
      return updateDocument(ctx.store, index, item.id as string, item.update, item.opts);
  }
}

export const bulkHandler: Handler = (req, params, ctx) => {
  const started = process.hrtime.bigint();
  boolParam(req.query, 'require_alias');
  ctx.stats.bulkRequests++;
  ctx.stats.bulkBytes += req.bodyBytes;
  if (ctx.faults.takeBulkRequestRejection()) throw errors.rejected('coordinating operation [bulk request]');
  const items = parseBulk(req.body, params.index);
  const out: Record<string, unknown>[] = new Array(items.length);
  const touched = new Set<string>();
  let hasErrors = false;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    let r: ItemResult;
    try {
      r = ctx.faults.rejectItem() ? rejectedItem(item) : execute(ctx, item);
    } catch (e) {
      r = failure(item.index ?? '', item.id ?? null, e);
    }
    if (!r.ok) hasErrors = true;
    else touched.add(String(r.body._index));
    ctx.stats.countItem(r.ok ? r.result : r.error.type);
    out[i] = itemJson(item.action, r);
  }
  ctx.stats.bulkItems += items.length;
  refreshIfAsked(req, ctx, touched);
  const took = Number((process.hrtime.bigint() - started) / 1000000n);
  return { status: 200, body: { errors: hasErrors, took, items: out } };
};
