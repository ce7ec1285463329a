// Bounded retries for WebHDFS writes: lease conflicts, DataNode failures and timeouts are tried
// again with exponential back-off; anything else, or the last failure, is thrown to the caller.
import { WebHdfsError } from './errors.ts';
import { backoffDelay, sleep } from '../shared/backoff.ts';

export interface RetryPolicy {
  /** Attempts after the first (0 = no retry). */
  maxRetries: number;
  /** First delay in ms; doubles each time. */
  backoffMs: number;
  /** Upper bound of one delay. */
  maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, backoffMs: 500, maxBackoffMs: 10_000 };

export function retryDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  return backoffDelay(policy.backoffMs, policy.maxBackoffMs, attempt, random);
}

export { sleep };

export function isRetryable(e: unknown): boolean {
  return e instanceof WebHdfsError ? e.retryable : false;
}

/**
 * Runs `fn` until it succeeds, fails with a non-retryable error, or the retries are used up.
 * `onRetry` hears about each failure that will be retried (for logs and clean-up).
 */
export async function withRetries<T>(policy: RetryPolicy, fn: (attempt: number) => Promise<T>, onRetry?: (e: unknown, attempt: number) => void | Promise<void>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= policy.maxRetries || !isRetryable(e)) throw e;
      await onRetry?.(e, attempt + 1);
      await sleep(retryDelay(policy, attempt + 1));
    }
  }
}
