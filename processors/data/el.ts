// Per-FlowFile Expression Language evaluation without per-call allocation: the expression is compiled
// once and evaluated against one reusable context whose FlowFile is swapped in (PropertyValue.evaluate
// builds a fresh context object with two closures on every call, which shows up at millions of calls).
import { compileExpression, type EvaluationContext } from '../../server/expression/index.ts';
import type { PropertyValue } from '../../server/sdk/property-value.ts';
import type { FlowFile } from '../../server/engine/flowfile.ts';

class FlowFileContext implements EvaluationContext {
  ff: FlowFile | null = null;
  attribute(name: string): string | undefined {
    return this.ff?.getAttribute(name);
  }
  attributeNames(): Iterable<string> {
    return this.ff?.attributeNames() ?? [];
  }
}

export type FlowFileExpression = (ff: FlowFile) => string | undefined;

/** The property's value for a FlowFile, as PropertyValue.evaluate(ff) would give it. Throws on evaluation errors. */
export function flowFileExpression(value: PropertyValue): FlowFileExpression {
  if (value.value === undefined) return () => undefined;
  if (!value.isExpression) {
    const literal = value.evaluate();
    return () => literal;
  }
  const compiled = compileExpression(value.value);
  const ctx = new FlowFileContext();
  return (ff) => {
    ctx.ff = ff;
    try {
      return compiled.evaluate(ctx);
    } finally {
      ctx.ff = null;
    }
  };
}
