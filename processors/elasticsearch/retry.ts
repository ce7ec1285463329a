// Bounded exponential back-off for rejected bulk items and whole requests (429/503): the processor
// retries inside one trigger for at most `maxRetries` rounds, then hands the FlowFiles to `retry`.

export interface BackoffPolicy {
  /** Rounds of re-sending after the first attempt (0 = never retry in place). */
  maxRetries: number;
  /** Delay before the first retry, in ms; doubles each round. */
  initialMs: number;
  /** Upper bound of one delay, in ms. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { maxRetries: 5, initialMs: 100, maxMs: 5_000 };

/**
 * Delay before retry number `attempt` (1-based): exponential with "equal jitter" — half the step is
 * fixed, half random — so concurrent tasks that were rejected together do not come back together.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * random());
}

/** Sleeps for `ms`; resolves early (false) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => { clearTimeout(timer); resolve(false); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(true); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** HTTP statuses that mean "the cluster is busy or briefly unavailable; the same request may succeed later". */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}
