// Bulletins: the processor-level messages NiFi shows on the canvas. Bounded, newest kept.
import type { BulletinLevel } from '../sdk/context.ts';

export interface Bulletin {
  id: number;
  time: number;
  flowId: string;
  processorId: string;
  processorName: string;
  level: BulletinLevel;
  message: string;
}

export type BulletinListener = (b: Bulletin) => void;

export class BulletinBoard {
  private items: Bulletin[] = [];
  private nextId = 1;
  private readonly listeners = new Set<BulletinListener>();

  constructor(private readonly capacity = 500) {}

  add(b: Omit<Bulletin, 'id' | 'time'> & { time?: number }): Bulletin {
    const full: Bulletin = { id: this.nextId++, time: b.time ?? Date.now(), ...b } as Bulletin;
    this.items.push(full);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
    for (const l of this.listeners) l(full);
    return full;
  }

  list(filter: { processorId?: string; sinceId?: number; limit?: number } = {}): Bulletin[] {
    let out = this.items;
    if (filter.processorId) out = out.filter((b) => b.processorId === filter.processorId);
    if (filter.sinceId) out = out.filter((b) => b.id > filter.sinceId!);
    return filter.limit ? out.slice(-filter.limit) : [...out];
  }

  subscribe(l: BulletinListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
