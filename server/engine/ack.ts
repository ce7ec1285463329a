// End-to-end acknowledgement. A source attaches a handle to the FlowFiles it creates; the handle
// fires once every descendant has reached a terminal outcome, or fails on the first drop.

export type AckOutcome = { ok: true } | { ok: false; reason: string };
export type AckCallback = (outcome: AckOutcome) => void;

export class AckHandle {
  /** Descendants still in flight (in queues or in sessions). */
  private outstanding = 0;
  private settled = false;
  /** Delta gathered during one session commit; applied all at once so increments precede decrements. */
  pendingDelta = 0;
  touched = false;

  constructor(private readonly callback: AckCallback, readonly label = '') {}

  get isSettled(): boolean { return this.settled; }
  get inFlight(): number { return this.outstanding; }

  /** Applies the commit's delta and fires when nothing is left in flight. */
  applyPending(): void {
    this.outstanding += this.pendingDelta;
    this.pendingDelta = 0;
    this.touched = false;
    if (this.outstanding <= 0 && !this.settled) {
      this.settled = true;
      this.callback({ ok: true });
    }
  }

  /** A descendant was dropped: the handle fails once, with the reason. */
  fail(reason: string): void {
    this.outstanding = Math.max(0, this.outstanding - 1);
    if (this.settled) return;
    this.settled = true;
    this.callback({ ok: false, reason });
  }

  /** Removes in-flight descendants without settling (e.g. the queue holding them is replayed elsewhere). */
  release(count: number): void {
    this.outstanding -= count;
  }
}

/** Collects per-commit deltas for the handles of many FlowFiles. */
export class AckLedger {
  private readonly touched: AckHandle[] = [];

  add(acks: AckHandle | readonly AckHandle[] | null, delta: number): void {
    if (acks === null) return;
    if (Array.isArray(acks)) for (const h of acks) this.addOne(h, delta);
    else this.addOne(acks as AckHandle, delta);
  }

  private addOne(h: AckHandle, delta: number): void {
    h.pendingDelta += delta;
    if (!h.touched) { h.touched = true; this.touched.push(h); }
  }

  failAll(acks: AckHandle | readonly AckHandle[] | null, reason: string): void {
    if (acks === null) return;
    if (Array.isArray(acks)) for (const h of acks) h.fail(reason);
    else (acks as AckHandle).fail(reason);
  }

  /** Applies every delta; call once per commit, after all adds. */
  apply(): void {
    for (let i = 0; i < this.touched.length; i++) this.touched[i].applyPending();
    this.touched.length = 0;
  }

  get isEmpty(): boolean { return this.touched.length === 0; }
}
