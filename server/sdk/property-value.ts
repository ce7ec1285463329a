// A configured property value with typed accessors, parsed once when the processor is scheduled.
import { parseDataSize, parseTimePeriod } from '../engine/units.ts';
import { compileExpression, type CompiledExpression, type EvaluationContext } from '../expression/index.ts';
import type { FlowFile } from '../engine/flowfile.ts';

const NO_ATTRIBUTES: EvaluationContext = { attribute: () => undefined, attributeNames: () => [] };

/** Exposes a FlowFile's attributes (core ones included) to Expression Language; reused across calls. */
class FlowFileContext implements EvaluationContext {
  ff: FlowFile | null = null;
  extra: Readonly<Record<string, string>> | undefined = undefined;
  attribute(name: string): string | undefined {
    const e = this.extra?.[name];
    return e !== undefined ? e : this.ff?.getAttribute(name);
  }
  attributeNames(): Iterable<string> {
    const names = this.ff?.attributeNames() ?? [];
    return this.extra ? [...new Set([...names, ...Object.keys(this.extra)])] : names;
  }
}

/** An evaluation context for one FlowFile (for callers outside property values). */
export function flowFileEvaluationContext(ff: FlowFile, extra?: Readonly<Record<string, string>>): EvaluationContext {
  const ctx = new FlowFileContext();
  ctx.ff = ff;
  ctx.extra = extra;
  return ctx;
}

export class PropertyValue {
  private compiled: CompiledExpression | undefined;
  private context: FlowFileContext | undefined;

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
    if (expr.isLiteral || !ff) return expr.evaluate(NO_ATTRIBUTES);
    const ctx = (this.context ??= new FlowFileContext());
    ctx.ff = ff;
    ctx.extra = extra;
    try {
      return expr.evaluate(ctx);
    } finally {
      ctx.ff = null;
      ctx.extra = undefined;
    }
  }

  private expression(): CompiledExpression {
    return (this.compiled ??= compileExpression(this.value ?? ''));
  }
}
