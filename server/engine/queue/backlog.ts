// FlowFiles waiting in this process for one connection: the ready ones (FIFO on a ring buffer, or a
// heap when prioritizers are set) and the penalized ones, in their own heap ordered by when their
// penalty ends. The embedded queue is this and nothing more; the Redis queue keeps its leased
// FlowFiles in one.
import type { FlowFile } from '../flowfile.ts';
import { RingBuffer } from './ring.ts';
import { StableHeap } from './heap.ts';
import type { QueueListing } from './queue.ts';

interface Penalized { ff: FlowFile; until: number }

interface ReadyStore {
  readonly length: number;
  push(ff: FlowFile): void;
  pushFront(ff: FlowFile): void;
  take(): FlowFile | undefined;
  list(limit: number): FlowFile[];
  clear(): FlowFile[];
}

class FifoStore implements ReadyStore {
  private readonly ring = new RingBuffer<FlowFile>(64);
  get length(): number { return this.ring.length; }
  push(ff: FlowFile): void { this.ring.push(ff); }
  pushFront(ff: FlowFile): void { this.ring.unshift(ff); }
  take(): FlowFile | undefined { return this.ring.shift(); }
  list(limit: number): FlowFile[] {
    const out: FlowFile[] = [];
    for (let i = 0; i < Math.min(limit, this.ring.length); i++) out.push(this.ring.at(i) as FlowFile);
    return out;
  }
  clear(): FlowFile[] { return this.ring.clear(); }
}

class PriorityStore implements ReadyStore {
  private readonly heap: StableHeap<FlowFile>;
  constructor(compare: (a: FlowFile, b: FlowFile) => number) { this.heap = new StableHeap(compare); }
  get length(): number { return this.heap.length; }
  push(ff: FlowFile): void { this.heap.push(ff); }
  pushFront(ff: FlowFile): void { this.heap.pushFront(ff); }
  take(): FlowFile | undefined { return this.heap.pop(); }
  list(limit: number): FlowFile[] { return this.heap.sorted(limit); }
  clear(): FlowFile[] { return this.heap.clear(); }
}

export class Backlog {
  private readonly ready: ReadyStore;
  private readonly penalized = new StableHeap<Penalized>((a, b) => a.until - b.until);
  /** Bytes of everything held, ready or penalized. */
  bytes = 0;

  constructor(compare: ((a: FlowFile, b: FlowFile) => number) | null = null) {
    this.ready = compare ? new PriorityStore(compare) : new FifoStore();
  }

  get count(): number { return this.ready.length + this.penalized.length; }

  hasReady(now: number): boolean {
    if (this.ready.length > 0) return true;
    const p = this.penalized.peek();
    return p !== undefined && p.until <= now;
  }

  nextReadyAt(): number {
    if (this.ready.length > 0) return 0;
    return this.penalized.peek()?.until ?? Infinity;
  }

  push(ff: FlowFile): void {
    this.ready.push(ff);
    this.bytes += ff.size;
  }

  /**
   * Moves up to `max` ready FlowFiles (penalties that ended by `now` first) into `out`; returns
   * those older than `expirationMs` (0: none expire), taken out but not delivered, or null.
   */
  poll(max: number, now: number, expirationMs: number, out: FlowFile[]): FlowFile[] | null {
    if (this.penalized.length > 0) this.releasePenalties(now);
    let taken = 0;
    let expired: FlowFile[] | null = null;
    while (taken < max) {
      const ff = this.ready.take();
      if (ff === undefined) break;
      this.bytes -= ff.size;
      if (expirationMs > 0 && now - ff.entryDate > expirationMs) { (expired ??= []).push(ff); continue; }
      out.push(ff);
      taken++;
    }
    return expired;
  }

  /** Puts FlowFiles back at the front, in their order, or aside until `penalizedUntil`. */
  requeue(flowFiles: readonly FlowFile[], penalizedUntil: number): void {
    for (let i = flowFiles.length - 1; i >= 0; i--) {
      const ff = flowFiles[i];
      this.bytes += ff.size;
      if (penalizedUntil > 0) this.penalized.push({ ff, until: penalizedUntil });
      else this.ready.pushFront(ff);
    }
  }

  list(limit: number): QueueListing[] {
    const out: QueueListing[] = this.ready.list(limit).map((ff, i) => listing(ff, i, false));
    if (out.length < limit) for (const p of this.penalized.sorted(limit - out.length)) out.push(listing(p.ff, out.length, true));
    return out;
  }

  find(id: string): FlowFile | undefined {
    for (const ff of this.ready.list(this.ready.length)) if (ff.id === id) return ff;
    for (const p of this.penalized.sorted(this.penalized.length)) if (p.ff.id === id) return p.ff;
    return undefined;
  }

  /** Takes everything out. */
  clear(): FlowFile[] {
    this.bytes = 0;
    return [...this.ready.clear(), ...this.penalized.clear().map((p) => p.ff)];
  }

  private releasePenalties(now: number): void {
    let p = this.penalized.peek();
    while (p !== undefined && p.until <= now) {
      this.penalized.pop();
      this.ready.push(p.ff);
      p = this.penalized.peek();
    }
  }
}

function listing(ff: FlowFile, position: number, penalized: boolean): QueueListing {
  return { id: ff.id, size: ff.size, attributes: ff.attributes(), entryDate: ff.entryDate, penalized, position };
}
