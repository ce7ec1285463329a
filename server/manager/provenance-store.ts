// A bounded in-memory provenance store shared by every flow: a ring buffer of parallel arrays,
// so recording an event is two array writes and a counter bump (no per-event allocation here).
// Building events is what costs the engine (attribute copies, and garbage the ring keeps alive),
// so an optional rate budget (events per second, token bucket) makes the sink report itself
// disabled while the budget is spent: the session then skips building that commit's events
// entirely. Under light load everything is recorded; under heavy load whole sessions are sampled.
import type { ProvenanceEvent, ProvenanceSink } from '../engine/provenance.ts';

export interface ProvenanceQuery {
  flowId: string;
  flowFileId?: string;
  componentId?: string;
  type?: string;
  /** Newest first, at most this many. */
  limit: number;
}

export interface StoredProvenanceEvent extends ProvenanceEvent {
  id: number;
  flowId: string;
}

const OFF: ProvenanceSink = { enabled: false, off: true, record() {} };

export class ProvenanceStore {
  private readonly events: (ProvenanceEvent | undefined)[];
  private readonly flows: (string | undefined)[];
  /** Id the next event gets; the ring slot is (id - 1) % capacity. */
  private seq = 1;
  private tokens: number;
  private refilledAt = 0;
  /** Commits whose events were skipped because the rate budget was spent. */
  skippedSessions = 0;

  /** `ratePerSecond` 0 = no budget (record everything). */
  constructor(readonly capacity: number, readonly ratePerSecond = 0) {
    this.events = new Array(capacity);
    this.flows = new Array(capacity);
    this.tokens = ratePerSecond;
  }

  /** Whether the next commit may record events (refills the budget as time passes). */
  admit(): boolean {
    const rate = this.ratePerSecond;
    if (rate === 0) return true;
    if (this.tokens <= 0) {
      const now = Date.now();
      if (now !== this.refilledAt) {
        this.tokens = Math.min(rate, this.tokens + ((now - this.refilledAt) * rate) / 1000);
        this.refilledAt = now;
      }
      if (this.tokens <= 0) { this.skippedSessions++; return false; }
    }
    return true;
  }

  get enabled(): boolean { return this.capacity > 0; }
  get size(): number { return Math.min(this.seq - 1, this.capacity); }
  get recorded(): number { return this.seq - 1; }

  /** The sink a flow's runtime writes to. */
  sinkFor(flowId: string): ProvenanceSink {
    if (!this.enabled) return OFF;
    const events = this.events;
    const flows = this.flows;
    const cap = this.capacity;
    const store = this;
    return {
      get enabled() { return store.admit(); },
      record(event: ProvenanceEvent): void {
        store.tokens--;
        const slot = (store.seq++ - 1) % cap;
        events[slot] = event;
        flows[slot] = flowId;
      },
    };
  }

  query(q: ProvenanceQuery): StoredProvenanceEvent[] {
    const out: StoredProvenanceEvent[] = [];
    const oldest = Math.max(1, this.seq - this.capacity);
    for (let id = this.seq - 1; id >= oldest && out.length < q.limit; id--) {
      const slot = (id - 1) % this.capacity;
      if (this.flows[slot] !== q.flowId) continue;
      const e = this.events[slot];
      if (!e) continue;
      if (q.flowFileId !== undefined && e.flowFileId !== q.flowFileId && !e.parentIds.includes(q.flowFileId) && !e.childIds.includes(q.flowFileId)) continue;
      if (q.componentId !== undefined && e.componentId !== q.componentId) continue;
      if (q.type !== undefined && e.type !== q.type) continue;
      out.push({ id, flowId: q.flowId, ...e });
    }
    return out;
  }

  /** Forgets a deleted flow's events. */
  purge(flowId: string): void {
    for (let i = 0; i < this.capacity; i++) {
      if (this.flows[i] === flowId) { this.flows[i] = undefined; this.events[i] = undefined; }
    }
  }
}
