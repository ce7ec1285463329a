// Per-component counters: totals plus a rolling 5-minute window in 10-second buckets.
const BUCKET_MS = 10_000;
const BUCKETS = 30;

export class RollingCounter {
  private readonly counts = new Float64Array(BUCKETS);
  private readonly bytes = new Float64Array(BUCKETS);
  private bucketStart = 0;
  private index = 0;
  totalCount = 0;
  totalBytes = 0;

  add(count: number, bytes: number, now: number): void {
    this.advance(now);
    this.counts[this.index] += count;
    this.bytes[this.index] += bytes;
    this.totalCount += count;
    this.totalBytes += bytes;
  }

  /** Count and bytes over the last five minutes. */
  window(now: number): { count: number; bytes: number } {
    this.advance(now);
    let count = 0; let bytes = 0;
    for (let i = 0; i < BUCKETS; i++) { count += this.counts[i]; bytes += this.bytes[i]; }
    return { count, bytes };
  }

  private advance(now: number): void {
    if (now - this.bucketStart < BUCKET_MS) return;
    const steps = Math.min(BUCKETS, Math.floor((now - this.bucketStart) / BUCKET_MS));
    for (let i = 0; i < steps; i++) {
      this.index = (this.index + 1) % BUCKETS;
      this.counts[this.index] = 0;
      this.bytes[this.index] = 0;
    }
    this.bucketStart = now - (now % BUCKET_MS);
  }
}

export class ProcessorStats {
  readonly in = new RollingCounter();
  readonly out = new RollingCounter();
  readonly read = new RollingCounter();
  readonly written = new RollingCounter();
  tasks = 0;
  taskNanos = 0;
}
