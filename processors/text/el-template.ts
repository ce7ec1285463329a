// A property value with Expression Language evaluated piece by piece, so that the result of each
// `${...}` can pass through a decorator, as NiFi's evaluateAttributeExpressions(flowFile, extra,
// decorator) does (ReplaceText quotes attribute values spliced into a regex, and escapes `$n` in
// values spliced into a replacement). Literal text is never decorated.
import { compileExpression, type CompiledExpression, type EvaluationContext } from '../../server/expression/index.ts';
import { Parser, findClosingBrace } from '../../server/expression/parser.ts';
import type { FlowFile } from '../../server/engine/flowfile.ts';
import { flowFileEvaluationContext } from '../../server/sdk/property-value.ts';

const NO_ATTRIBUTES: EvaluationContext = { attribute: () => undefined, attributeNames: () => [] };

export class ElTemplate {
  private readonly parts: (string | CompiledExpression)[];
  readonly isLiteral: boolean;

  constructor(readonly source: string, supportsExpressions = true) {
    if (!supportsExpressions) {
      this.parts = [source];
      this.isLiteral = true;
      return;
    }
    const whole = compileExpression(source); // throws ExpressionSyntaxError for invalid text
    if (whole.isLiteral) {
      this.parts = [whole.evaluate(NO_ATTRIBUTES)];
      this.isLiteral = true;
      return;
    }
    const pieces = new Parser(source, null, () => true).parseTemplate(true);
    this.parts = pieces.map((p) => {
      if (typeof p === 'string') return p;
      const end = findClosingBrace(source, p.pos + 1);
      return compileExpression(source.slice(p.pos, end + 1));
    });
    this.isLiteral = false;
  }

  /** Evaluates against a FlowFile (or nothing) with extra attributes; `decorate` rewrites each expression's result. */
  evaluate(ff: FlowFile | null, extra?: Readonly<Record<string, string>>, decorate?: (value: string) => string): string {
    const parts = this.parts;
    if (this.isLiteral) return parts[0] as string;
    const ctx = ff ? flowFileEvaluationContext(ff, extra) : extra ? extraOnly(extra) : NO_ATTRIBUTES;
    let out = '';
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (typeof p === 'string') out += p;
      else {
        const v = p.evaluate(ctx);
        out += decorate && v !== '' ? decorate(v) : v;
      }
    }
    return out;
  }
}

function extraOnly(extra: Readonly<Record<string, string>>): EvaluationContext {
  return { attribute: (n) => extra[n], attributeNames: () => Object.keys(extra) };
}
