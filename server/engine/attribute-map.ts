// Persistent attribute maps. A change adds a small layer over the parent map instead of copying
// it, so a FlowFile that gains six attributes pays for six, not for every attribute it carries.
// A layer is a shape (its names, shared by every layer made with the same names) and an array of
// values, so per-FlowFile layers cost two small arrays. Layers are flattened once they get deep.

const MAX_DEPTH = 6;
/** Above this many names a shape builds an index instead of scanning. */
const SCAN_LIMIT = 12;
const REMOVED: unique symbol = Symbol('removed');
export type AttributeSlot = string | typeof REMOVED;

/** The names of a layer, in order. Share one shape between layers with the same names. */
export class AttributeShape {
  private index: Map<string, number> | null = null;
  readonly names: readonly string[];

  constructor(names: readonly string[]) {
    this.names = names;
  }

  indexOf(name: string): number {
    const names = this.names;
    if (names.length <= SCAN_LIMIT) {
      for (let i = 0; i < names.length; i++) if (names[i] === name) return i;
      return -1;
    }
    if (this.index === null) {
      this.index = new Map();
      for (let i = 0; i < names.length; i++) this.index.set(names[i], i);
    }
    return this.index.get(name) ?? -1;
  }
}

/** Hands out one shape per distinct name list a caller produces (the last few are remembered). */
export class ShapeCache {
  private readonly recent: AttributeShape[] = [];

  /** The shape of names[0, count). */
  of(names: readonly string[], count = names.length): AttributeShape {
    const recent = this.recent;
    search: for (let r = 0; r < recent.length; r++) {
      const known = recent[r].names;
      if (known.length !== count) continue;
      for (let i = 0; i < count; i++) if (known[i] !== names[i]) continue search;
      return recent[r];
    }
    const shape = new AttributeShape(names.slice(0, count));
    if (recent.length >= 8) recent.pop();
    recent.unshift(shape);
    return shape;
  }
}

const EMPTY_SHAPE = new AttributeShape([]);

// withShape is called in loops over FlowFiles whose layers have the same shapes: remember the last answer.
const memoChain: AttributeShape[] = [];
let memoShape: AttributeShape | null = null;
let memoShadows = false;

export class AttributeMap {
  private flat: Readonly<Record<string, string>> | null = null;
  private count = -1;

  private constructor(
    /** The map this layer sits on (null for a base layer). */
    readonly parent: AttributeMap | null,
    readonly shape: AttributeShape,
    readonly values: readonly AttributeSlot[],
    private readonly depth: number,
    /** True when no layer in this chain removes or overrides a name of a layer below it. */
    readonly shadowFree: boolean,
  ) {}

  static readonly EMPTY = new AttributeMap(null, EMPTY_SHAPE, [], 0, true);

  static from(record: Readonly<Record<string, string | undefined>>): AttributeMap {
    return AttributeMap.EMPTY.with(record);
  }

  get(name: string): string | undefined {
    let m: AttributeMap | null = this;
    while (m !== null) {
      const i = m.shape.indexOf(name);
      if (i >= 0) {
        const v = m.values[i];
        return v === REMOVED ? undefined : v;
      }
      m = m.parent;
    }
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** A map with `changes` applied (undefined removes); returns this map when nothing changes. */
  with(changes: Readonly<Record<string, string | undefined>>): AttributeMap {
    let names: string[] | null = null;
    let values: AttributeSlot[] | null = null;
    let shadows = false;
    for (const k in changes) {
      if (k === 'uuid' || k === '__proto__') continue;
      const v = changes[k];
      const old = this.get(k);
      if (old === v) continue;
      if (old !== undefined || v === undefined) shadows = true;
      (names ??= []).push(k);
      (values ??= []).push(v === undefined ? REMOVED : v);
    }
    if (names === null) return this;
    return this.layer(new AttributeShape(names), values!, shadows);
  }

  /**
   * A map with `values[i]` set for `shape.names[i]` (no removals, no uuid). The fast path for
   * processors that write the same names to every FlowFile: build the shape once, reuse it.
   */
  withShape(shape: AttributeShape, values: readonly string[]): AttributeMap {
    // Whether the new names override older ones depends only on the shapes in the chain.
    let known = memoShape === shape && memoChain.length === this.depth + 1;
    if (known) {
      let m: AttributeMap | null = this;
      for (let i = 0; m !== null; i++, m = m.parent) if (m.shape !== memoChain[i]) { known = false; break; }
    }
    if (!known) {
      memoChain.length = 0;
      let shadows = false;
      const names = shape.names;
      for (let m: AttributeMap | null = this; m !== null; m = m.parent) {
        memoChain.push(m.shape);
        for (let i = 0; i < names.length && !shadows; i++) if (m.shape.indexOf(names[i]) >= 0) shadows = true;
      }
      memoShape = shape;
      memoShadows = shadows;
    }
    return this.layer(shape, values, memoShadows);
  }

  private layer(shape: AttributeShape, values: readonly AttributeSlot[], shadows: boolean): AttributeMap {
    if (this === AttributeMap.EMPTY) {
      return shadows ? AttributeMap.flatten([{ shape, values }]) : new AttributeMap(null, shape, values, 0, true);
    }
    if (this.depth >= MAX_DEPTH) return AttributeMap.flatten([...this.chain(), { shape, values }]);
    return new AttributeMap(this, shape, values, this.depth + 1, this.shadowFree && !shadows);
  }

  /** The layers, oldest first. */
  private chain(): AttributeMap[] {
    const layers: AttributeMap[] = [];
    for (let m: AttributeMap | null = this; m !== null; m = m.parent) layers.push(m);
    return layers.reverse();
  }

  /** One base layer holding the live attributes of `layers` (oldest first), in first-insertion order. */
  private static flatten(layers: readonly { shape: AttributeShape; values: readonly AttributeSlot[] }[]): AttributeMap {
    const merged = new Map<string, string>();
    for (const { shape, values } of layers) {
      const names = shape.names;
      for (let i = 0; i < names.length; i++) {
        const v = values[i];
        if (v === REMOVED) merged.delete(names[i]);
        else merged.set(names[i], v);
      }
    }
    return new AttributeMap(null, new AttributeShape([...merged.keys()]), [...merged.values()], 0, true);
  }

  forEach(fn: (value: string, name: string) => void): void {
    if (this.shadowFree) {
      this.visit(fn);
      return;
    }
    const base = AttributeMap.flatten(this.chain());
    const names = base.shape.names;
    for (let i = 0; i < names.length; i++) fn(base.values[i] as string, names[i]);
  }

  /** Oldest layer first; only for shadow-free chains. */
  private visit(fn: (value: string, name: string) => void): void {
    if (this.parent !== null) this.parent.visit(fn);
    const names = this.shape.names;
    const values = this.values;
    for (let i = 0; i < names.length; i++) fn(values[i] as string, names[i]);
  }

  keys(): string[] {
    const out: string[] = [];
    this.forEach((_, k) => out.push(k));
    return out;
  }

  get size(): number {
    if (this.count < 0) {
      let n = 0;
      this.forEach(() => { n++; });
      this.count = n;
    }
    return this.count;
  }

  /**
   * A frozen plain object of every attribute. Base maps (often shared by many FlowFiles) keep it;
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
