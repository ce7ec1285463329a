// Sends one group of bulk operations and settles each one: items the cluster rejected as busy
// (429/503) and whole requests that failed transiently are re-sent with bounded exponential
// back-off; whatever is still pending when the bound is reached is handed back as `retry`.
import type { ElasticsearchClientHandle, BulkItemResult } from './client.ts';
import { EsRequestError, toRequestError } from './client.ts';
import { bulkBody, type BulkOperation } from './request.ts';
import { describeItemError, mapBulkResponse, type ItemVerdict } from './response.ts';
import { backoffDelay, sleep, type BackoffPolicy } from './retry.ts';

export type Outcome =
  | { kind: 'success'; item: BulkItemResult }
  | { kind: 'not_found'; item: BulkItemResult }
  | { kind: 'error'; item: BulkItemResult }
  /** Still rejected as busy, or the request kept failing transiently, after every retry. */
  | { kind: 'retry'; reason: string }
  /** The request failed in a way re-sending cannot fix (e.g. 400 for the whole body, 401, 413). */
  | { kind: 'failure'; reason: string };

export interface SendResult {
  outcomes: Outcome[];
  /** _bulk requests made (first attempt included). */
  requests: number;
  /** Operations re-sent after a busy/unavailable answer. */
  resent: number;
}

export async function sendOperations(
  client: ElasticsearchClientHandle,
  ops: readonly BulkOperation[],
  params: Readonly<Record<string, string>>,
  policy: BackoffPolicy,
  signal?: AbortSignal,
): Promise<SendResult> {
  const outcomes: Outcome[] = new Array(ops.length);
  let pending: number[] = ops.map((_, i) => i);
  let requests = 0;
  let resent = 0;
  for (let attempt = 0; ; attempt++) {
    const batch = pending.map((i) => ops[i]);
    let verdicts: ItemVerdict[];
    try {
      requests++;
      const response = await client.bulk(bulkBody(batch), params, signal);
      verdicts = mapBulkResponse(batch, response);
    } catch (e) {
      const err = e instanceof EsRequestError ? e : e instanceof Error && e.message.startsWith('the _bulk response') ? new EsRequestError(e.message, undefined, true) : toRequestError(e);
      if (err.retryable && attempt < policy.maxRetries && !signal?.aborted) {
        resent += pending.length;
        await sleep(backoffDelay(policy, attempt + 1), signal);
        continue;
      }
      const reason = err.retryable ? `${err.message} (after ${attempt + 1} attempt(s))` : err.message;
      for (const i of pending) outcomes[i] = err.retryable ? { kind: 'retry', reason } : { kind: 'failure', reason };
      break;
    }
    const again: number[] = [];
    for (let k = 0; k < batch.length; k++) {
      const v = verdicts[k];
      if (v.kind === 'retry') again.push(pending[k]);
      else outcomes[pending[k]] = v;
    }
    if (again.length === 0) break;
    if (attempt >= policy.maxRetries || signal?.aborted) {
      for (let k = 0; k < batch.length; k++) {
        const v = verdicts[k];
        if (v.kind === 'retry') outcomes[pending[k]] = { kind: 'retry', reason: `${describeItemError(v.item)} after ${attempt + 1} attempt(s)` };
      }
      break;
    }
    resent += again.length;
    pending = again;
    await sleep(backoffDelay(policy, attempt + 1), signal);
  }
  return { outcomes, requests, resent };
}
