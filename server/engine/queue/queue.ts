// The connection queue interface. The engine only ever calls these methods, so an external,
// asynchronous implementation (Redis) can keep FlowFiles elsewhere and buffer leased ones locally.
import type { FlowFile } from '../flowfile.ts';

export interface BackPressure {
  objectThreshold: number;
  /** Bytes; 0 disables the size threshold. */
  dataSizeThreshold: number;
}

export type DropReason = 'emptied' | 'expired';
export type DropListener = (dropped: readonly FlowFile[], reason: DropReason) => void;

export interface QueueListing {
  id: string;
  size: number;
  attributes: Record<string, string>;
  entryDate: number;
  penalized: boolean;
  position: number;
}

export interface FlowFileQueue {
  readonly id: string;
  backPressure: BackPressure;
  /** Milliseconds after which a queued FlowFile expires (0 = never). */
  expirationMs: number;

  /** FlowFiles queued, leased ones excluded. */
  count(): number;
  bytes(): number;
  /** At or over either back-pressure threshold. */
  isFull(): boolean;
  /** True when poll() would return something now. */
  hasReady(now: number): boolean;
  /** When the earliest penalized FlowFile becomes ready (Infinity when none). */
  nextReadyAt(): number;

  /** Takes up to `max` ready FlowFiles into `out`; returns how many were taken. */
  poll(max: number, now: number, out: FlowFile[]): number;
  /** Adds FlowFiles at commit, penalized until `penalizedUntil` when set. An external queue may return a promise that the commit awaits. */
  offer(flowFiles: readonly FlowFile[], penalizedUntil?: number): void | Promise<void>;
  /** Returns polled FlowFiles after a rollback, penalized until `penalizedUntil` (0 = not penalized). */
  requeue(flowFiles: readonly FlowFile[], penalizedUntil: number): void;
  /** True when polled FlowFiles are leased and must be confirmed with release() after commit. */
  readonly leases: boolean;
  /** Confirms polled FlowFiles were committed onward (external queues complete their jobs here). */
  release(flowFiles: readonly FlowFile[]): void | Promise<void>;

  /** The first `limit` queued FlowFiles, in poll order. */
  list(limit: number): QueueListing[];
  find(id: string): FlowFile | undefined;
  /** Drops everything queued; returns how many were dropped. */
  empty(): number;

  /** Called when FlowFiles are dropped (emptied or expired) so their acks fail. */
  onDrop: DropListener | null;
  /** Called when FlowFiles arrive from outside the scheduler loop (external queues). */
  onAvailable: (() => void) | null;
}

/** At or over either back-pressure threshold (NiFi's semantics; a data size threshold of 0 is off). */
export function overBackPressure(bp: BackPressure, count: number, bytes: number): boolean {
  return count >= bp.objectThreshold || (bp.dataSizeThreshold > 0 && bytes >= bp.dataSizeThreshold);
}

export const DEFAULT_BACK_PRESSURE: BackPressure = { objectThreshold: 10_000, dataSizeThreshold: 1024 ** 3 };
