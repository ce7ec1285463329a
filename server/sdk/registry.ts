// The explicit registry of processor types (no directory scanning).
import type { ProcessorDefinition } from './definition.ts';

export class ProcessorRegistry {
  private readonly byType = new Map<string, ProcessorDefinition>();
  private readonly canonical: ProcessorDefinition[] = [];

  constructor(definitions: readonly ProcessorDefinition[] = []) {
    for (const d of definitions) this.register(d);
  }

  register(def: ProcessorDefinition): void {
    for (const name of [def.type, ...(def.aliases ?? [])]) {
      if (this.byType.has(name)) throw new Error(`processor type "${name}" is registered twice`);
      this.byType.set(name, def);
    }
    this.canonical.push(def);
  }

  get(type: string): ProcessorDefinition | undefined {
    return this.byType.get(type);
  }

  /** Every definition once, by canonical type, sorted. */
  list(): ProcessorDefinition[] {
    return [...this.canonical].sort((a, b) => a.type.localeCompare(b.type));
  }

  types(): string[] {
    return [...this.byType.keys()].sort();
  }
}
