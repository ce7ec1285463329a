// A growable ring buffer: O(1) push, shift and unshift, no Array.prototype.shift.

export class RingBuffer<T> {
  private items: (T | undefined)[];
  private head = 0;
  private len = 0;

  constructor(initialCapacity = 16) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.items = new Array(cap);
  }

  get length(): number { return this.len; }

  push(item: T): void {
    if (this.len === this.items.length) this.grow();
    this.items[(this.head + this.len) & (this.items.length - 1)] = item;
    this.len++;
  }

  unshift(item: T): void {
    if (this.len === this.items.length) this.grow();
    this.head = (this.head - 1) & (this.items.length - 1);
    this.items[this.head] = item;
    this.len++;
  }

  shift(): T | undefined {
    if (this.len === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.len--;
    return item;
  }

  peek(): T | undefined {
    return this.len === 0 ? undefined : this.items[this.head];
  }

  at(index: number): T | undefined {
    return index < 0 || index >= this.len ? undefined : this.items[(this.head + index) & (this.items.length - 1)];
  }

  clear(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.len; i++) out.push(this.at(i) as T);
    this.items = new Array(16);
    this.head = 0;
    this.len = 0;
    return out;
  }

  private grow(): void {
    const old = this.items;
    const next: (T | undefined)[] = new Array(old.length * 2);
    for (let i = 0; i < this.len; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.items = next;
    this.head = 0;
  }
}
