// Bounded exponential back-off for rejected bulk items and whole requests (429/503): the processor
// retries inside one trigger for at most `maxRetries` rounds, then hands the FlowFiles to `retry`.

import { backoffDelay as sharedBackoff, sleep } from '../shared/backoff.ts';

export interface BackoffPolicy {
  /** Rounds of re-sending after the first attempt (0 = never retry in place). */
  maxRetries: number;
  /** Delay before the first retry, in ms; doubles each round. */
  initialMs: number;
  /** Upper bound of one delay, in ms. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { maxRetries: 5, initialMs: 100, maxMs: 5_000 };

/** Delay before retry number `attempt` (1-based) under `policy`. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  return sharedBackoff(policy.initialMs, policy.maxMs, attempt, random);
}

export { sleep };

/** HTTP statuses that mean "the cluster is busy or briefly unavailable; the same request may succeed later". */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}
