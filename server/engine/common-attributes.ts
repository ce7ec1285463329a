// The attributes a group of FlowFiles all hold with the same value (MergeContent's "Keep Only
// Common Attributes"), tallied one map at a time. Maps that share layers (the children of one split)
// are compared by layer identity, not value by value: once a map's chain reaches a layer of the
// first map's chain, everything from there down is common.
import type { AttributeMap } from './attribute-map.ts';

/** Attribute names and their values, index for index. */
export interface AttributeList { names: string[]; values: string[] }

export class CommonAttributes {
  private readonly names: string[] = [];
  private readonly values: string[] = [];
  private alive: boolean[] = [];
  private left = 0;
  /** The first map's layers, newest first, when it is shadow-free (else compare by value). */
  private readonly firstChain: AttributeMap[] = [];
  /** Per candidate: index in firstChain of the layer it came from, and its index there. */
  private readonly depthOf: number[] = [];
  private readonly slots: number[] = [];
  private previous: AttributeMap;
  private readonly walked: AttributeMap[] = [];

  constructor(first: AttributeMap) {
    this.previous = first;
    if (first.shadowFree) {
      for (let l: AttributeMap | null = first; l !== null; l = l.parent) this.firstChain.push(l);
      for (let d = this.firstChain.length - 1; d >= 0; d--) {
        const layer = this.firstChain[d];
        const ln = layer.shape.names;
        for (let i = 0; i < ln.length; i++) this.candidate(ln[i], layer.values[i] as string, d, i);
      }
    } else {
      first.forEach((v, k) => this.candidate(k, v, -1, -1));
    }
  }

  private candidate(name: string, value: string, depth: number, slot: number): void {
    this.names.push(name);
    this.values.push(value);
    this.depthOf.push(depth);
    this.slots.push(slot);
    this.alive.push(true);
    this.left++;
  }

  /** Drops the candidates `m` does not hold with the same value. */
  add(m: AttributeMap): void {
    if (m === this.previous || this.left === 0) return;
    this.previous = m;
    const { names, values, alive, depthOf, slots, firstChain, walked } = this;
    // Walk m's chain down to the first layer it shares with the first map.
    let shared = this.firstChain.length;
    let w = 0;
    const layered = m.shadowFree && firstChain.length > 0;
    if (layered) {
      for (let l: AttributeMap | null = m; l !== null; l = l.parent) {
        const d = firstChain.indexOf(l);
        if (d >= 0) { shared = d; break; }
        walked[w++] = l;
      }
    }
    candidates: for (let c = 0; c < names.length; c++) {
      if (!alive[c] || (layered && depthOf[c] >= shared)) continue;
      if (layered) {
        // a layer of the same shape holds the name at the same index
        const shape = firstChain[depthOf[c]].shape;
        for (let i = 0; i < w; i++) {
          if (walked[i].shape !== shape) continue;
          if (walked[i].values[slots[c]] !== values[c]) { alive[c] = false; this.left--; }
          continue candidates;
        }
      }
      if (m.get(names[c]) !== values[c]) { alive[c] = false; this.left--; }
    }
    for (let i = 0; i < w; i++) walked[i] = firstChain[0]; // hold no references to m's layers
  }

  /** For rolling back: the tally as it is now. */
  snapshot(): { alive: boolean[]; left: number } {
    return { alive: this.alive.slice(), left: this.left };
  }

  restore(snap: { alive: boolean[]; left: number }): void {
    this.alive = snap.alive.slice();
    this.left = snap.left;
  }

  /** The common attributes, in the first map's order. */
  result(): AttributeList {
    const names: string[] = [];
    const values: string[] = [];
    for (let c = 0; c < this.names.length; c++) if (this.alive[c]) { names.push(this.names[c]); values.push(this.values[c]); }
    return { names, values };
  }

  /** The common attributes of `maps`. */
  static of(maps: readonly AttributeMap[]): AttributeList {
    if (maps.length === 0) return { names: [], values: [] };
    const common = new CommonAttributes(maps[0]);
    for (let i = 1; i < maps.length; i++) common.add(maps[i]);
    return common.result();
  }
}
