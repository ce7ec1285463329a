// The shared client an ElasticsearchClientService hands to processors: the official
// @elastic/elasticsearch 9.x client plus a raw `_bulk` call that sends a prebuilt NDJSON body and
// reports failures as EsRequestError (status + whether the same request may succeed later).
import { createRequire } from 'node:module';
import type * as EsLib from '@elastic/elasticsearch';
import type { Client } from '@elastic/elasticsearch';
import { clientOptions, type EsConnectionConfig } from './config.ts';
import { isRetryableStatus } from './retry.ts';

const requireCjs = createRequire(import.meta.url);
let esLib: typeof EsLib | null = null;
/** The client library, loaded on first use: it costs ~25 MB of memory that flows without Elasticsearch need not pay. */
function lib(): typeof EsLib {
  return (esLib ??= requireCjs('@elastic/elasticsearch') as typeof EsLib);
}

/** One entry of a bulk response, as `{ <action>: BulkItemResult }`. */
export interface BulkItemResult {
  _index?: string;
  _id?: string;
  status: number;
  result?: string;
  error?: { type?: string; reason?: string; [key: string]: unknown };
}

export interface BulkResponseBody {
  errors: boolean;
  took?: number;
  items?: Record<string, BulkItemResult>[];
}

/** A request that failed as a whole (no per-item answer). */
export class EsRequestError extends Error {
  constructor(
    message: string,
    /** HTTP status, when the cluster answered. */
    readonly status: number | undefined,
    /** True when re-sending the same request later may succeed (429/5xx busy, connection problems, timeouts). */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'EsRequestError';
  }
}

/** Only what item mapping needs; keeps responses small (ES's own response filtering). */
export const BULK_FILTER_PATH = 'errors,items.*._index,items.*._id,items.*.status,items.*.result,items.*.error';

export interface ElasticsearchClientHandle {
  readonly client: Client;
  readonly config: EsConnectionConfig;
  /** POST /_bulk with `body` (NDJSON, newline-terminated) and URL parameters. */
  bulk(body: string | Buffer, params?: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<BulkResponseBody>;
  close(): Promise<void>;
}

export function createElasticsearchClient(config: EsConnectionConfig): ElasticsearchClientHandle {
  const client = new (lib().Client)(clientOptions(config));
  return {
    client,
    config,
    async bulk(body, params = {}, signal) {
      const querystring: Record<string, string> = { filter_path: BULK_FILTER_PATH, ...params };
      try {
        const res = await client.transport.request<BulkResponseBody>(
          { method: 'POST', path: '/_bulk', querystring, bulkBody: body },
          { maxRetries: 0, signal },
        );
        if (res === null || typeof res !== 'object' || typeof (res as BulkResponseBody).errors !== 'boolean') {
          throw new EsRequestError('the _bulk response is not a bulk response object', undefined, false);
        }
        return res;
      } catch (e) {
        throw toRequestError(e);
      }
    },
    close: () => client.close(),
  };
}

/** Normalizes the client's errors: a status and a retry verdict, with a readable message. */
export function toRequestError(e: unknown): EsRequestError {
  if (e instanceof EsRequestError) return e;
  const esErrors = esLib?.errors;
  if (esErrors !== undefined && e instanceof esErrors.ResponseError) {
    const status = e.meta?.statusCode ?? undefined;
    const body = e.meta?.body as { error?: { type?: string; reason?: string } | string } | undefined;
    const err = body?.error;
    const detail = typeof err === 'string' ? err : err ? `${err.type ?? 'error'}: ${err.reason ?? ''}` : e.message;
    return new EsRequestError(`Elasticsearch answered ${status}: ${detail}`, status, isRetryableStatus(status));
  }
  if (esErrors !== undefined && (e instanceof esErrors.ConnectionError || e instanceof esErrors.TimeoutError || e instanceof esErrors.NoLivingConnectionsError)) {
    return new EsRequestError(`${e.name}: ${e.message}`, undefined, true);
  }
  if (esErrors !== undefined && e instanceof esErrors.RequestAbortedError) return new EsRequestError('the request was aborted', undefined, true);
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new EsRequestError(msg, undefined, false);
}
