// Event-driven scheduler: runs processors that have input and room downstream, in passes over
// the flow, for at most one time slice before giving the event loop back.
import { performance } from 'node:perf_hooks';
import type { ProcessorNode } from './processor-node.ts';

export class Scheduler {
  private nodes: ProcessorNode[] = [];
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private requested = Infinity;
  private closed = false;
  /** Called whenever a pass finds no work (the flow may be idle). */
  onQuiet: (() => void) | null = null;

  constructor(private readonly sliceMs = 20) {}

  /** Nodes in trigger order; downstream first, so queues drain before sources refill them. */
  setNodes(nodes: ProcessorNode[]): void {
    this.nodes = nodes;
    this.wake();
  }

  wake(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  /** Ensures a pass runs at `time` (epoch ms) even if nothing else wakes the scheduler. */
  requestWake(time: number): void {
    if (time < this.requested) this.requested = time;
    this.arm(Date.now());
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly run = (): void => {
    this.scheduled = false;
    if (this.closed) return;
    const start = performance.now();
    const nodes = this.nodes;
    for (;;) {
      const now = Date.now();
      if (this.requested <= now) this.requested = Infinity;
      let worked = false;
      for (let i = 0; i < nodes.length; i++) {
        const node = nodes[i];
        if (node.canTrigger(now) && node.trigger(now)) worked = true;
      }
      if (!worked) break;
      if (performance.now() - start >= this.sliceMs) {
        this.wake();
        return;
      }
    }
    // Time moved on during the pass: anything a yield or penalty held back may be ready now.
    const now = Date.now();
    for (let i = 0; i < nodes.length; i++) {
      if (nodes[i].canTrigger(now)) { this.wake(); return; }
    }
    this.onQuiet?.();
    this.arm(now);
  };

  private arm(now: number): void {
    if (this.closed) return;
    let next = this.requested;
    for (const node of this.nodes) {
      const t = node.nextWakeTime(now);
      if (t < next) next = t;
    }
    if (next === Infinity) {
      if (this.timer) { clearTimeout(this.timer); this.timer = null; this.timerAt = Infinity; }
      return;
    }
    if (this.timer && this.timerAt <= next) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.wake();
    }, Math.max(1, Math.ceil(next - now)));
  }
}
