// The single declarative definition of a processor. The same object drives config validation,
// `sluice processors --json`, the flow JSON Schema and the editor's forms.
import type { Validator } from './validators.ts';
import type { ProcessContext, ValidationContext } from './context.ts';
import type { ProcessSession } from '../engine/session.ts';

export interface AllowableValue {
  value: string;
  displayName?: string;
  description?: string;
}

export type ExpressionScope = 'none' | 'environment' | 'flowfile';

export interface PropertyDescriptor {
  /** Exactly as NiFi spells it. */
  name: string;
  description: string;
  required?: boolean;
  defaultValue?: string;
  allowableValues?: readonly (string | AllowableValue)[];
  validator?: Validator;
  /** Where Expression Language may be used ('none' by default). */
  expressionLanguage?: ExpressionScope;
  sensitive?: boolean;
  /** Older names (NiFi 1.x) accepted when loading flows. */
  aliases?: readonly string[];
  /** Only relevant when another property has one of these values. */
  dependsOn?: { property: string; values?: readonly string[] };
  /** The value names a controller service of this type. */
  controllerServiceType?: string;
}

export interface Relationship {
  name: string;
  description: string;
  /** Auto-terminating this relationship drops data: acknowledgements fail instead of succeeding. */
  terminalFailure?: boolean;
}

export interface AttributeDoc {
  name: string;
  description: string;
}

export interface DynamicPropertyDoc {
  name: string;
  value: string;
  description: string;
  expressionLanguage?: ExpressionScope;
  validator?: Validator;
}

export interface ValidationProblem {
  /** Property name, or undefined for a processor-level problem. */
  property?: string;
  message: string;
}

export type InputRequirement = 'required' | 'forbidden' | 'allowed';

export interface ProcessorDefinition<S = any> {
  type: string;
  description: string;
  tags: readonly string[];
  properties: readonly PropertyDescriptor[];
  relationships: readonly Relationship[];
  /** Present when the processor accepts user-named properties. */
  dynamicProperties?: DynamicPropertyDoc;
  /** Relationships that depend on configuration (e.g. RouteOnAttribute's property names). */
  dynamicRelationships?(properties: ReadonlyMap<string, string>): Relationship[];
  readsAttributes?: readonly AttributeDoc[];
  writesAttributes?: readonly AttributeDoc[];
  inputRequirement: InputRequirement;
  /** Trigger even with no input (sources, and bin-based processors on their schedule). */
  triggerWhenEmpty?: boolean;
  /** In a cluster, runs on the primary node only. */
  primaryNodeOnly?: boolean;
  /** Defaults for the scheduling settings (e.g. a source's run schedule). */
  defaultSchedule?: { runSchedule?: string; concurrentTasks?: number };
  /** Other type names this processor is registered under (NiFi's older names). */
  aliases?: readonly string[];
  /** Cross-property rules no single property can express. */
  customValidate?(ctx: ValidationContext): ValidationProblem[];

  /** Per-instance state created when the processor is scheduled. */
  initialState?(): S;
  onScheduled?(ctx: ProcessContext<S>): void | Promise<void>;
  onTrigger(ctx: ProcessContext<S>, session: ProcessSession): void | Promise<void>;
  onStopped?(ctx: ProcessContext<S>): void | Promise<void>;
  /**
   * Asked when the processor stops while the engine holds FlowFiles for it: true gets one last
   * trigger with ctx.isDraining set (to merge what it holds) instead of the held FlowFiles going
   * back to the input queue. For processors whose held FlowFiles cannot go back as they came.
   */
  flushOnStop?(ctx: ProcessContext<S>): boolean;
}

export function defineProcessor<S = undefined>(def: ProcessorDefinition<S>): ProcessorDefinition<S> {
  return def;
}

export function allowableValueNames(p: PropertyDescriptor): string[] | undefined {
  return p.allowableValues?.map((v) => (typeof v === 'string' ? v : v.value));
}

/** Relationship names for a configured processor (static plus dynamic). */
export function relationshipsOf(def: ProcessorDefinition, properties: ReadonlyMap<string, string>): Relationship[] {
  const dyn = def.dynamicRelationships?.(properties) ?? [];
  return [...def.relationships, ...dyn];
}
