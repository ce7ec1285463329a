// Persistent attribute maps. A change adds a small layer over the parent map instead of copying
// it, so a FlowFile that gains six attributes pays for six, not for every attribute it carries.
// Layers are flattened once they get deep, which keeps lookups short.

const MAX_DEPTH = 6;
const REMOVED: unique symbol = Symbol('removed');
type Slot = string | typeof REMOVED;

export class AttributeMap {
  private flat: Readonly<Record<string, string>> | null = null;
  private count = -1;

  private constructor(
    private readonly parent: AttributeMap | null,
    private readonly own: Map<string, Slot>,
    private readonly depth: number,
  ) {}

  static readonly EMPTY = new AttributeMap(null, new Map(), 0);

  static from(record: Readonly<Record<string, string | undefined>>): AttributeMap {
    return AttributeMap.EMPTY.with(record);
  }

  get(name: string): string | undefined {
    let m: AttributeMap | null = this;
    while (m !== null) {
      const v = m.own.get(name);
      if (v !== undefined) return v === REMOVED ? undefined : v;
      m = m.parent;
    }
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** A map with `changes` applied (undefined removes); returns this map when nothing changes. */
  with(changes: Readonly<Record<string, string | undefined>>): AttributeMap {
    let own: Map<string, Slot> | null = null;
    for (const k in changes) {
      if (k === 'uuid' || k === '__proto__') continue;
      const v = changes[k];
      if (this.get(k) === v) continue;
      own ??= new Map();
      own.set(k, v === undefined ? REMOVED : v);
    }
    if (own === null) return this;
    if (this.depth >= MAX_DEPTH) {
      const merged = this.collect();
      for (const [k, v] of own) { if (v === REMOVED) merged.delete(k); else merged.set(k, v); }
      return new AttributeMap(null, merged, 0);
    }
    return new AttributeMap(this === AttributeMap.EMPTY ? null : this, own, this === AttributeMap.EMPTY ? 0 : this.depth + 1);
  }

  /** Every live attribute, oldest layer first, as a fresh Map. */
  private collect(): Map<string, Slot> {
    const layers: AttributeMap[] = [];
    for (let m: AttributeMap | null = this; m !== null; m = m.parent) layers.push(m);
    const out = new Map<string, Slot>();
    for (let i = layers.length - 1; i >= 0; i--) {
      for (const [k, v] of layers[i].own) {
        if (v === REMOVED) out.delete(k);
        else out.set(k, v);
      }
    }
    return out;
  }

  forEach(fn: (value: string, name: string) => void): void {
    if (this.parent === null) {
      for (const [k, v] of this.own) if (v !== REMOVED) fn(v, k);
      return;
    }
    for (const [k, v] of this.collect()) fn(v as string, k);
  }

  keys(): string[] {
    return Object.keys(this.toObject());
  }

  get size(): number {
    if (this.count < 0) this.count = this.parent === null ? [...this.own.values()].filter((v) => v !== REMOVED).length : this.collect().size;
    return this.count;
  }

  /**
   * A frozen plain object of every attribute. Flat maps (often shared by many FlowFiles) keep it;
   * layered maps, usually one FlowFile's own, build it afresh rather than hold a copy.
   */
  toObject(): Readonly<Record<string, string>> {
    if (this.flat) return this.flat;
    const out: Record<string, string> = {};
    this.forEach((v, k) => { out[k] = v; });
    Object.freeze(out);
    if (this.parent === null) this.flat = out;
    return out;
  }
}
