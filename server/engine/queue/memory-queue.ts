// The embedded connection queue: a Backlog (FIFO on a ring buffer, or a heap when prioritizers are
// set; penalized FlowFiles apart) with back pressure, expiration and drop reporting.
import type { FlowFile } from '../flowfile.ts';
import { Backlog } from './backlog.ts';
import { combinePrioritizers } from './prioritizers.ts';
import { DEFAULT_BACK_PRESSURE, overBackPressure, type BackPressure, type DropListener, type FlowFileQueue, type QueueListing } from './queue.ts';

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
  readonly leases = false;

  private readonly backlog: Backlog;

  constructor(readonly id: string, options: MemoryQueueOptions = {}) {
    this.backPressure = { ...DEFAULT_BACK_PRESSURE, ...options.backPressure };
    this.expirationMs = options.expirationMs ?? 0;
    this.backlog = new Backlog(combinePrioritizers(options.prioritizers ?? []));
  }

  count(): number { return this.backlog.count; }
  bytes(): number { return this.backlog.bytes; }

  isFull(): boolean {
    return overBackPressure(this.backPressure, this.backlog.count, this.backlog.bytes);
  }

  hasReady(now: number): boolean { return this.backlog.hasReady(now); }
  nextReadyAt(): number { return this.backlog.nextReadyAt(); }

  poll(max: number, now: number, out: FlowFile[]): number {
    const before = out.length;
    const expired = this.backlog.poll(max, now, this.expirationMs, out);
    if (expired) this.onDrop?.(expired, 'expired');
    return out.length - before;
  }

  offer(flowFiles: readonly FlowFile[], penalizedUntil = 0): void {
    if (penalizedUntil > 0) { this.backlog.requeue(flowFiles, penalizedUntil); return; }
    for (let i = 0; i < flowFiles.length; i++) this.backlog.push(flowFiles[i]);
  }

  /** Adds one FlowFile (test support and sources that trickle). */
  add(ff: FlowFile): void { this.backlog.push(ff); }

  requeue(flowFiles: readonly FlowFile[], penalizedUntil: number): void { this.backlog.requeue(flowFiles, penalizedUntil); }

  release(): void { /* in-memory: nothing leased outside the process */ }

  list(limit: number): QueueListing[] { return this.backlog.list(limit); }
  find(id: string): FlowFile | undefined { return this.backlog.find(id); }

  empty(): number {
    const dropped = this.backlog.clear();
    if (dropped.length) this.onDrop?.(dropped, 'emptied');
    return dropped.length;
  }
}
