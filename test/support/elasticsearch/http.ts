// HTTP plumbing for the Elasticsearch test server: reading (and gunzipping) request bodies, content-type
// negotiation (plain JSON and the official client's `application/vnd.elasticsearch+json; compatible-with=9`),
// and writing responses with the `X-Elastic-Product: Elasticsearch` header the client insists on.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import { errors, EsError } from './errors.ts';
import { applyFilterPath } from './filter-path.ts';

export interface EsRequest {
  method: string;
  /** the raw path, without the query string */
  path: string;
  /** path segments, URL-decoded; "" for the root */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** the request body as text ("" when none) */
  body: string;
  bodyBytes: number;
}

export interface EsReply {
  status: number;
  /** a JSON value to serialise; undefined for an empty body (HEAD-style answers) */
  body?: unknown;
  headers?: Record<string, string>;
}

const JSON_TYPES = ['application/json', 'application/x-ndjson', 'application/vnd.elasticsearch+json', 'application/vnd.elasticsearch+x-ndjson'];
const SUPPORTED_COMPAT = new Set(['8', '9']);

function compatVersion(header: string | undefined): string | undefined {
  return header ? /compatible-with\s*=\s*(\d+)/i.exec(header)?.[1] : undefined;
}

/** Response media type, mirroring ES: a compatible-with request gets the vendor type back. */
export function negotiate(headers: IncomingMessage['headers']): string {
  const accept = headers.accept;
  const contentType = headers['content-type'];
  const acceptV = compatVersion(accept);
  const contentV = compatVersion(contentType);
  for (const v of [acceptV, contentV])
    if (v !== undefined && !SUPPORTED_COMPAT.has(v))
      throw errors.mediaType(`Invalid media-type value on headers [Accept, Content-Type]: compatible-with=${v} is not supported; supported versions are [8, 9]`);
  if (acceptV && contentV && acceptV !== contentV)
    throw errors.mediaType(
      `A compatible version is required on both Content-Type and Accept headers if either one has requested a compatible version and the compatible versions must match. Accept=${accept}, Content-Type=${contentType}`,
    );
  const v = acceptV ?? contentV;
  return v ? `application/vnd.elasticsearch+json;compatible-with=${v}` : 'application/json';
}

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    req.resume();
    throw errors.tooLarge(declared, maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw errors.tooLarge(size, maxBytes);
    chunks.push(chunk);
  }
  let buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  if (buf.length && encoding.includes('gzip')) buf = gunzipSync(buf);
  else if (buf.length && encoding.includes('deflate')) buf = inflateSync(buf);
  return buf;
}

/** A request carrying a body must declare a JSON-ish Content-Type, as ES requires (406 otherwise). */
export function checkContentType(headers: IncomingMessage['headers'], bodyLength: number): void {
  if (bodyLength === 0) return;
  const ct = headers['content-type'];
  if (!ct) throw new EsError(406, { type: 'content_type', reason: 'Content-Type header is missing' }, true);
  const base = ct.split(';')[0].trim().toLowerCase();
  if (!JSON_TYPES.includes(base)) throw errors.contentTypeNotSupported(ct);
}

export function parseSegments(path: string): string[] {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return [];
  return trimmed.split('/').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
}

export function sendReply(res: ServerResponse, req: EsRequest | null, reply: EsReply, mediaType: string): void {
  const headers: Record<string, string | number> = {
    'X-Elastic-Product': 'Elasticsearch',
    ...reply.headers,
  };
  let payload: string | undefined;
  if (reply.body !== undefined) {
    let body: unknown = reply.body;
    const filter = req?.query.get('filter_path');
    if (filter && body !== null && typeof body === 'object') body = applyFilterPath(body, filter);
    const pretty = req?.query.has('pretty') && req.query.get('pretty') !== 'false';
    payload = pretty ? JSON.stringify(body, null, 2) + '\n' : JSON.stringify(body);
    headers['Content-Type'] = mediaType;
    headers['Content-Length'] = Buffer.byteLength(payload);
  } else {
    headers['Content-Length'] = 0;
  }
  res.writeHead(reply.status, headers);
  res.end(req?.method === 'HEAD' ? undefined : payload);
}

export function errorReply(e: unknown): EsReply {
  if (e instanceof EsError) return { status: e.status, body: e.toBody() };
  const reason = e instanceof Error ? e.message : String(e);
  const err = new EsError(500, { type: 'exception', reason });
  return { status: 500, body: err.toBody() };
}

/** Boolean URL parameter the way ES reads them: "", "true" → true; "false" → false. */
export function boolParam(query: URLSearchParams, name: string, fallback = false): boolean {
  if (!query.has(name)) return fallback;
  const v = query.get(name);
  if (v === '' || v === 'true') return true;
  if (v === 'false') return false;
  throw errors.illegalArgument(`Failed to parse value [${v}] as only [true] or [false] are allowed.`);
}

export function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw errors.illegalArgument(`Failed to parse int parameter [${name}] with value [${v}]`);
  return n;
}

export function parseJsonBody(req: EsRequest, required: boolean): unknown {
  if (req.body.trim() === '') {
    if (required) throw errors.parse('request body is required');
    return undefined;
  }
  try {
    return JSON.parse(req.body);
  } catch (e) {
    throw errors.xContentParse(`[1:1] ${(e as Error).message}`);
  }
}
