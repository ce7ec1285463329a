// Injectable faults for the Elasticsearch test server. Settable in-process (`faults.configure(...)`) or over
// HTTP with POST /_test/faults and the same JSON body; DELETE /_test/faults or {"reset": true} clears them.
//
//   rejectFraction     0..1   fraction of _bulk items answered 429 es_rejected_execution_exception
//   rejectSeed         number seed of the deterministic PRNG used with rejectFraction (default 1)
//   rejectEvery        k      instead of a fraction: every k-th bulk item (k, 2k, ...) is rejected
//   rejectBulkRequests N      the next N _bulk requests are rejected whole with 429
//   unavailable        true | N   every request (true) or the next N requests answer 503
//   latencyMs          ms     delay before answering each request

export interface EsFaultSettings {
  rejectFraction: number;
  rejectSeed: number;
  rejectEvery: number;
  rejectBulkRequests: number;
  unavailable: boolean | number;
  latencyMs: number;
}

export type EsFaultPatch = Partial<EsFaultSettings> & { reset?: boolean };

const DEFAULTS: EsFaultSettings = {
  rejectFraction: 0,
  rejectSeed: 1,
  rejectEvery: 0,
  rejectBulkRequests: 0,
  unavailable: false,
  latencyMs: 0,
};

/** mulberry32: small, fast, deterministic */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class EsFaults {
  private settings: EsFaultSettings = { ...DEFAULTS };
  private random = prng(DEFAULTS.rejectSeed);
  private itemCounter = 0;
  readonly triggered = { rejectedItems: 0, rejectedBulkRequests: 0, unavailable: 0 };

  /** Apply a partial setting; unknown keys or bad values throw (the control endpoint answers 400). */
  configure(patch: EsFaultPatch): EsFaultSettings {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw new Error('faults body must be a JSON object');
    if (patch.reset) this.reset();
    for (const [key, value] of Object.entries(patch)) {
      if (key === 'reset') continue;
      if (!(key in DEFAULTS)) throw new Error(`unknown fault [${key}]; known: ${Object.keys(DEFAULTS).join(', ')}`);
      if (key === 'unavailable') {
        if (typeof value !== 'boolean' && !(Number.isInteger(value) && (value as number) >= 0))
          throw new Error('unavailable must be a boolean or a non-negative integer');
      } else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new Error(`${key} must be a non-negative number`);
      }
      if (key === 'rejectFraction' && (value as number) > 1) throw new Error('rejectFraction must be within 0..1');
    }
    const next = { ...this.settings, ...stripReset(patch) };
    if (patch.rejectSeed !== undefined || patch.rejectFraction !== undefined) this.random = prng(next.rejectSeed);
    if (patch.rejectEvery !== undefined || patch.rejectFraction !== undefined) this.itemCounter = 0;
    this.settings = next;
    return this.snapshot();
  }

  reset(): void {
    this.settings = { ...DEFAULTS };
    this.random = prng(DEFAULTS.rejectSeed);
    this.itemCounter = 0;
  }

  resetCounters(): void {
    this.triggered.rejectedItems = this.triggered.rejectedBulkRequests = this.triggered.unavailable = 0;
  }

  snapshot(): EsFaultSettings {
    return { ...this.settings };
  }

  get latencyMs(): number {
    return this.settings.latencyMs;
  }

  /** Should this request answer 503? Consumes one of a counted budget. */
  takeUnavailable(): boolean {
    const u = this.settings.unavailable;
    if (u === true) {
      this.triggered.unavailable++;
      return true;
    }
    if (typeof u === 'number' && u > 0) {
      this.settings.unavailable = u - 1 === 0 ? false : u - 1;
      this.triggered.unavailable++;
      return true;
    }
    return false;
  }

  takeBulkRequestRejection(): boolean {
    if (this.settings.rejectBulkRequests <= 0) return false;
    this.settings.rejectBulkRequests--;
    this.triggered.rejectedBulkRequests++;
    return true;
  }

  /** Decide for one bulk item. */
  rejectItem(): boolean {
    const { rejectEvery, rejectFraction } = this.settings;
    let reject = false;
    if (rejectEvery > 0) reject = ++this.itemCounter % rejectEvery === 0;
    else if (rejectFraction > 0) reject = this.random() < rejectFraction;
    if (reject) this.triggered.rejectedItems++;
    return reject;
  }
}

function stripReset(patch: EsFaultPatch): Partial<EsFaultSettings> {
  const { reset: _r, ...rest } = patch;
  return rest;
}
