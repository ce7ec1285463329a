// Exponential back-off shared by the connectors' retry loops.

/**
 * Delay before retry number `attempt` (1-based): doubles from `initialMs` up to `maxMs`, with
 * "equal jitter" — half the step fixed, half random — so tasks rejected together don't return together.
 */
export function backoffDelay(initialMs: number, maxMs: number, attempt: number, random: () => number = Math.random): number {
  const step = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
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
