// A binary min-heap with a stable tie-break on insertion order.

export class StableHeap<T> {
  private items: T[] = [];
  private seqs: number[] = [];
  private seq = 0;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get length(): number { return this.items.length; }

  push(item: T, seq = this.seq++): void {
    this.items.push(item);
    this.seqs.push(seq);
    this.up(this.items.length - 1);
  }

  /** Re-inserts ahead of everything equal (used for rollbacks). */
  pushFront(item: T): void {
    this.push(item, -1 - this.seq++);
  }

  peek(): T | undefined { return this.items[0]; }

  pop(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0];
    const lastItem = this.items.pop() as T;
    const lastSeq = this.seqs.pop() as number;
    if (n > 1) { this.items[0] = lastItem; this.seqs[0] = lastSeq; this.down(0); }
    return top;
  }

  /** Items in heap order (not sorted); use sorted() for listing. */
  sorted(limit: number): T[] {
    const idx = this.items.map((_, i) => i).sort((a, b) => this.cmp(a, b));
    return idx.slice(0, limit).map((i) => this.items[i]);
  }

  clear(): T[] {
    const out = this.items;
    this.items = []; this.seqs = [];
    return out;
  }

  private cmp(i: number, j: number): number {
    return this.compare(this.items[i], this.items[j]) || this.seqs[i] - this.seqs[j];
  }
  private swap(i: number, j: number): void {
    const t = this.items[i]; this.items[i] = this.items[j]; this.items[j] = t;
    const s = this.seqs[i]; this.seqs[i] = this.seqs[j]; this.seqs[j] = s;
  }
  private up(i: number): void {
    while (i > 0) { const p = (i - 1) >> 1; if (this.cmp(i, p) >= 0) break; this.swap(i, p); i = p; }
  }
  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1; const r = l + 1; let m = i;
      if (l < n && this.cmp(l, m) < 0) m = l;
      if (r < n && this.cmp(r, m) < 0) m = r;
      if (m === i) return;
      this.swap(i, m); i = m;
    }
  }
}
