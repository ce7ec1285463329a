// What a processor sees at run time (ProcessContext) and during custom validation (ValidationContext).
import type { PropertyValue } from './property-value.ts';
import type { AckCallback, AckHandle } from '../engine/ack.ts';
import type { ContentStore } from '../engine/content/store.ts';
import type { Logger } from '../engine/logger.ts';

export interface ValidationContext {
  /** The configured value (after defaults and parameters), or undefined. */
  value(name: string): string | undefined;
  readonly dynamicProperties: ReadonlyMap<string, string>;
  /** Relationships that are connected to something. */
  readonly connectedRelationships?: ReadonlySet<string>;
}

export type BulletinLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

export interface ProcessContext<S = unknown> {
  readonly processorId: string;
  readonly processorName: string;
  readonly flowId: string;
  /** Per-instance state from the definition's initialState(). */
  state: S;
  readonly logger: Logger;
  readonly contentStore: ContentStore;

  property(name: string): PropertyValue;
  /** User-named properties, by name. */
  readonly dynamicProperties: ReadonlyMap<string, PropertyValue>;
  /** Relationships that lead somewhere: connected or auto-terminated. */
  isAvailable(relationship: string): boolean;
  isConnected(relationship: string): boolean;

  /** Backs off for the processor's yield duration. */
  yield(): void;
  bulletin(level: BulletinLevel, message: string): void;
  /** A handle a source attaches to the FlowFiles it creates; fires once all descendants are done. */
  createAck(callback: AckCallback, label?: string): AckHandle;
  /** A source says it has nothing more to produce (for `sluice run --until-idle`). */
  setExhausted(exhausted: boolean): void;
  /** True when the rest of the flow is idle and `--until-idle` is draining, or when stopping (see flushOnStop): flush held work. */
  readonly isDraining: boolean;
  /** True when this flow records provenance events (they show each FlowFile's attributes). */
  readonly recordsProvenance: boolean;
  /** Asks the scheduler to trigger again at this time (epoch ms) even without input. */
  wakeAt(time: number): void;
  /**
   * Says this trigger left work unfinished that needs no new input (a parent split part-way):
   * the processor is triggered again as soon as its outputs have room, and the flow is not idle meanwhile.
   */
  continueLater(): void;
  /** A controller service instance by the id configured in `property`. */
  controllerService<T = unknown>(property: string): T;
}
