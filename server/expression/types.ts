import type { Value } from './values.ts';

/** What an expression can see while it is evaluated. */
export interface EvaluationContext {
  /** FlowFile attribute lookup (core attributes such as filename, uuid, path included). */
  attribute(name: string): string | undefined;
  /** All attribute names, for allAttributes/anyMatchingAttribute/allMatchingAttributes etc. */
  attributeNames(): Iterable<string>;
}

export type Fn = (ctx: EvaluationContext) => Value;

/** Static result type, used for NiFi's compile-time type checks. 'number' = whole or decimal. */
export type StaticType = 'string' | 'boolean' | 'whole' | 'decimal' | 'number' | 'date' | 'any';

export interface Compiled {
  fn: Fn;
  type: StaticType;
  /** Set for literal arguments, so functions can precompile regexes, date patterns, JSON paths... */
  constant?: { value: Value };
}

export interface BuildContext {
  readonly name: string;
  /** null for subjectless calls. */
  readonly subject: Compiled | null;
  readonly args: Compiled[];
  /** Throws an ExpressionSyntaxError pointing at the function call. */
  fail(message: string): never;
  /** Records an attribute name the expression reads (best effort). */
  reference(name: string): void;
}

export interface FunctionSpec {
  readonly min: number;
  readonly max: number;
  readonly subject: 'required' | 'none' | 'optional';
  /** count() and join(): aggregate the values produced by allAttributes(...) and friends. */
  readonly reducer?: boolean;
  /** anyAttribute(...), allMatchingAttributes(...), ...: handled by the compiler itself. */
  readonly multi?: 'any' | 'all';
  build(b: BuildContext): Compiled;
}
