// Bulk request building: one FlowFile → one _bulk operation (an action/metadata line and, except for
// delete, a source line), then operations → NDJSON bodies bounded by bytes.
import { toBufferEncoding } from '../../server/sdk/validators.ts';
import { scanJsonObject } from './json-scan.ts';

export const INDEX_OPERATIONS = ['index', 'create', 'update', 'upsert', 'delete'] as const;
export type IndexOperation = (typeof INDEX_OPERATIONS)[number];

export function isIndexOperation(v: string): v is IndexOperation {
  return (INDEX_OPERATIONS as readonly string[]).includes(v);
}

/** A FlowFile that cannot become a bulk operation (goes to `failure`). */
export class DocumentError extends Error {}

export interface BulkOperation {
  op: IndexOperation;
  index: string;
  /** Document id, or undefined for an id Elasticsearch generates (index/create only). */
  id: string | undefined;
  /** The NDJSON text of the operation: its lines, each newline-terminated. */
  text: string;
  /** Its size in bytes (UTF-8). */
  bytes: number;
}

export interface OperationInput {
  op: string;
  index: string | undefined;
  id: string | undefined;
  content: Buffer;
  charset: string;
  suppressNulls: boolean;
  /** Extra action/metadata fields (NiFi's "BULK:" dynamic properties), e.g. routing, pipeline. */
  headerFields?: Readonly<Record<string, string>>;
}


/** NiFi's "Always Suppress": drops null values and empty strings, arrays and objects, at any depth. */
export function suppressNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(suppressNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (isEmpty(v)) continue;
    out[k] = suppressNulls(v);
  }
  return out;
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

/** The document as one line of JSON (no line break), and its size in bytes. */
export interface DocumentLine {
  text: string;
  bytes: number;
}

/**
 * The document as one NDJSON line (without the newline). The content must be a single JSON object.
 * Valid JSON on one line is sent as it is (big numbers keep their precision); pretty-printed JSON
 * and "Always Suppress" are parsed and re-serialized.
 */
export function documentLine(content: Buffer, charset: string, suppress: boolean): DocumentLine {
  const encoding = toBufferEncoding(charset);
  if (encoding === 'utf8' && !suppress) {
    // the common case, checked without building the document
    const scan = scanJsonObject(content);
    if (scan.ok && !scan.multiline) return { text: content.toString('utf8'), bytes: content.length };
  }
  const text = content.toString(encoding);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new DocumentError(`content is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DocumentError(`content must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed}`);
  }
  if (suppress) {
    const json = JSON.stringify(suppressNulls(parsed));
    return { text: json, bytes: Buffer.byteLength(json) };
  }
  if (text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
    return { text, bytes: Buffer.byteLength(text) };
  }
  const json = JSON.stringify(parsed);
  return { text: json, bytes: Buffer.byteLength(json) };
}

/** A JSON string literal; most ids and index names need no escaping, which saves JSON.stringify. */
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;
const NON_ASCII = /[^\u0000-\u007f]/;

/** The action/metadata line, e.g. {"index":{"_index":"events","_id":"k-0-1"}} and a newline. */
export function actionLine(op: IndexOperation, index: string, id: string | undefined, headerFields?: Readonly<Record<string, string>>): string {
  const action = op === 'upsert' ? 'update' : op;
  let meta = `{"_index":${quote(index)}`;
  if (id !== undefined) meta += `,"_id":${quote(id)}`;
  if (headerFields) {
    for (const [k, v] of Object.entries(headerFields)) {
      if (v === '' || k === '_index' || k === '_id') continue;
      const literal = k !== 'routing' && k !== 'pipeline' && (/^-?\d+$/.test(v) || v === 'true' || v === 'false');
      meta += `,${JSON.stringify(k)}:${literal ? v : JSON.stringify(v)}`;
    }
  }
  return `{"${action}":${meta}}}\n`;
}

/** Builds the bulk operation for one FlowFile; throws DocumentError when it cannot be sent. */
export function buildOperation(input: OperationInput): BulkOperation {
  const op = input.op.trim().toLowerCase();
  if (!isIndexOperation(op)) throw new DocumentError(`Index Operation "${input.op}" is not one of ${INDEX_OPERATIONS.join(', ')}`);
  const index = input.index?.trim();
  if (!index) throw new DocumentError('Index evaluated to an empty value');
  const id = input.id === undefined || input.id === '' ? undefined : input.id;
  if (id === undefined && op !== 'index' && op !== 'create') {
    throw new DocumentError(`the "${op}" operation needs a document identifier, but the identifier is empty`);
  }
  const action = actionLine(op, index, id, input.headerFields);
  const actionBytes = NON_ASCII.test(action) ? Buffer.byteLength(action) : action.length;
  if (op === 'delete') return { op, index, id, text: action, bytes: actionBytes };
  const doc = documentLine(input.content, input.charset, input.suppressNulls);
  const [open, close] = op === 'update' ? UPDATE_WRAP : op === 'upsert' ? UPSERT_WRAP : PLAIN_WRAP;
  return { op, index, id, text: action + open + doc.text + close, bytes: actionBytes + doc.bytes + open.length + close.length };
}

/** What surrounds the document on its line (all ASCII). */
const PLAIN_WRAP = ['', '\n'] as const;
const UPDATE_WRAP = ['{"doc":', '}\n'] as const;
const UPSERT_WRAP = ['{"doc":', ',"doc_as_upsert":true}\n'] as const;

/**
 * Splits operations (kept with their position) into consecutive groups of at most `maxCount`
 * operations and `maxBytes` bytes; an operation larger than `maxBytes` travels alone.
 */
export function chunkOperations<T extends { bytes: number }>(ops: readonly T[], maxBytes: number, maxCount = Number.MAX_SAFE_INTEGER): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const op of ops) {
    if (current.length > 0 && (size + op.bytes > maxBytes || current.length >= maxCount)) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(op);
    size += op.bytes;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** The NDJSON body of one _bulk request. */
export function bulkBody(ops: readonly BulkOperation[]): string {
  let body = '';
  for (const op of ops) body += op.text;
  return body;
}
