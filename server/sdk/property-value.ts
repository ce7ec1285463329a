// A configured property value with typed accessors, parsed once when the processor is scheduled.
import { parseDataSize, parseTimePeriod } from '../engine/units.ts';
import { compileExpression, type CompiledExpression, type EvaluationContext } from '../expression/index.ts';
import type { FlowFile } from '../engine/flowfile.ts';

const NO_ATTRIBUTES: EvaluationContext = { attribute: () => undefined, attributeNames: () => [] };

/** Exposes a FlowFile's attributes (core ones included) to Expression Language. */
export function flowFileEvaluationContext(ff: FlowFile, extra?: Readonly<Record<string, string>>): EvaluationContext {
  return {
    attribute: (name) => extra?.[name] ?? ff.getAttribute(name),
    attributeNames: () => (extra ? [...new Set([...ff.attributeNames(), ...Object.keys(extra)])] : ff.attributeNames()),
  };
}

export class PropertyValue {
  private compiled: CompiledExpression | undefined;

  constructor(readonly name: string, readonly value: string | undefined, private readonly supportsExpressions: boolean) {}

  get isSet(): boolean { return this.value !== undefined; }

  asString(): string | undefined { return this.value; }

  asInteger(): number | undefined {
    return this.value === undefined || this.value.trim() === '' ? undefined : Number.parseInt(this.value, 10);
  }
  asNumber(): number | undefined {
    return this.value === undefined || this.value.trim() === '' ? undefined : Number(this.value);
  }
  asBoolean(): boolean { return this.value === 'true'; }
  asDataSize(): number | undefined { return this.value === undefined ? undefined : parseDataSize(this.value); }
  /** Milliseconds. */
  asTimePeriod(): number | undefined { return this.value === undefined ? undefined : parseTimePeriod(this.value); }

  /** True when evaluate() can differ between FlowFiles. */
  get isExpression(): boolean { return this.supportsExpressions && !this.expression().isLiteral; }

  /** Evaluates Expression Language against a FlowFile (or none); plain values come back as they are. */
  evaluate(ff?: FlowFile, extra?: Readonly<Record<string, string>>): string | undefined {
    if (this.value === undefined) return undefined;
    if (!this.supportsExpressions) return this.value;
    const expr = this.expression();
    if (expr.isLiteral) return expr.evaluate(NO_ATTRIBUTES);
    return expr.evaluate(ff ? flowFileEvaluationContext(ff, extra) : NO_ATTRIBUTES);
  }

  private expression(): CompiledExpression {
    return (this.compiled ??= compileExpression(this.value ?? ''));
  }
}
