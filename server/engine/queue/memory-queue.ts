// The embedded connection queue: FIFO on a ring buffer (O(1)), or a heap when prioritizers are set.
// Penalized FlowFiles wait in their own heap, ordered by when their penalty ends.
import type { FlowFile } from '../flowfile.ts';
import { RingBuffer } from './ring.ts';
import { StableHeap } from './heap.ts';
import { combinePrioritizers } from './prioritizers.ts';
import { DEFAULT_BACK_PRESSURE, overBackPressure, type BackPressure, type DropListener, type FlowFileQueue, type QueueListing } from './queue.ts';

interface Penalized { ff: FlowFile; until: number }

interface ReadyStore {
  readonly length: number;
  push(ff: FlowFile): void;
  pushFront(ff: FlowFile): void;
  peek(): FlowFile | undefined;
  take(): FlowFile | undefined;
  list(limit: number): FlowFile[];
  clear(): FlowFile[];
}

class FifoStore implements ReadyStore {
  private readonly ring = new RingBuffer<FlowFile>(64);
  get length(): number { return this.ring.length; }
  push(ff: FlowFile): void { this.ring.push(ff); }
  pushFront(ff: FlowFile): void { this.ring.unshift(ff); }
  peek(): FlowFile | undefined { return this.ring.peek(); }
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
  peek(): FlowFile | undefined { return this.heap.peek(); }
  take(): FlowFile | undefined { return this.heap.pop(); }
  list(limit: number): FlowFile[] { return this.heap.sorted(limit); }
  clear(): FlowFile[] { return this.heap.clear(); }
}

export interface MemoryQueueOptions {
  backPressure?: Partial<BackPressure>;
  expirationMs?: number;
  prioritizers?: readonly string[];
}

export class MemoryQueue implements FlowFileQueue {
  backPressure: BackPressure;
  expirationMs: number;
  onDrop: DropListener | null = null;
  onAvailable: (() => void) | null = null;

  private ready: ReadyStore;
  private readonly penalized = new StableHeap<Penalized>((a, b) => a.until - b.until);
  private queuedBytes = 0;

  constructor(readonly id: string, options: MemoryQueueOptions = {}) {
    this.backPressure = { ...DEFAULT_BACK_PRESSURE, ...options.backPressure };
    this.expirationMs = options.expirationMs ?? 0;
    const compare = combinePrioritizers(options.prioritizers ?? []);
    this.ready = compare ? new PriorityStore(compare) : new FifoStore();
  }

  count(): number { return this.ready.length + this.penalized.length; }
  bytes(): number { return this.queuedBytes; }

  isFull(): boolean {
    return overBackPressure(this.backPressure, this.count(), this.queuedBytes);
  }

  hasReady(now: number): boolean {
    if (this.ready.length > 0) return true;
    const p = this.penalized.peek();
    return p !== undefined && p.until <= now;
  }

  nextReadyAt(): number {
    if (this.ready.length > 0) return 0;
    return this.penalized.peek()?.until ?? Infinity;
  }

  poll(max: number, now: number, out: FlowFile[]): number {
    if (this.penalized.length > 0) this.releasePenalties(now);
    let taken = 0;
    let expired: FlowFile[] | null = null;
    const exp = this.expirationMs;
    while (taken < max) {
      const ff = this.ready.take();
      if (ff === undefined) break;
      this.queuedBytes -= ff.size;
      if (exp > 0 && now - ff.entryDate > exp) { (expired ??= []).push(ff); continue; }
      out.push(ff);
      taken++;
    }
    if (expired) this.onDrop?.(expired, 'expired');
    return taken;
  }

  readonly leases = false;

  offer(flowFiles: readonly FlowFile[], penalizedUntil = 0): void {
    if (penalizedUntil > 0) { this.requeue(flowFiles, penalizedUntil); return; }
    const ready = this.ready;
    let bytes = 0;
    for (let i = 0; i < flowFiles.length; i++) { const ff = flowFiles[i]; ready.push(ff); bytes += ff.size; }
    this.queuedBytes += bytes;
  }

  /** Adds one FlowFile (test support and sources that trickle). */
  add(ff: FlowFile): void { this.ready.push(ff); this.queuedBytes += ff.size; }

  requeue(flowFiles: readonly FlowFile[], penalizedUntil: number): void {
    for (let i = flowFiles.length - 1; i >= 0; i--) {
      const ff = flowFiles[i];
      this.queuedBytes += ff.size;
      if (penalizedUntil > 0) this.penalized.push({ ff, until: penalizedUntil });
      else this.ready.pushFront(ff);
    }
  }

  release(): void { /* in-memory: nothing leased outside the process */ }

  list(limit: number): QueueListing[] {
    const ready = this.ready.list(limit);
    const out: QueueListing[] = ready.map((ff, i) => listing(ff, i, false));
    if (out.length < limit) {
      for (const p of this.penalized.sorted(limit - out.length)) out.push(listing(p.ff, out.length, true));
    }
    return out;
  }

  find(id: string): FlowFile | undefined {
    for (const ff of this.ready.list(this.ready.length)) if (ff.id === id) return ff;
    for (const p of this.penalized.sorted(this.penalized.length)) if (p.ff.id === id) return p.ff;
    return undefined;
  }

  empty(): number {
    const dropped = [...this.ready.clear(), ...this.penalized.clear().map((p) => p.ff)];
    this.queuedBytes = 0;
    if (dropped.length) this.onDrop?.(dropped, 'emptied');
    return dropped.length;
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
