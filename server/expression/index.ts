/**
 * Apache NiFi Expression Language for Sluice.
 *
 *   const expr = compileExpression("prefix-${filename:substringBefore('.'):toUpper()}-suffix");
 *   expr.evaluate({ attribute: (n) => attrs[n], attributeNames: () => Object.keys(attrs) });
 *
 * Compile once, evaluate many times: compilation produces closures, evaluation never re-parses.
 */
import { Compiler } from './compiler.ts';
import { ExpressionEvaluationError, ExpressionSyntaxError } from './errors.ts';
import type { EvaluationContext } from './types.ts';

export { ExpressionEvaluationError, ExpressionSyntaxError } from './errors.ts';
export type { EvaluationContext } from './types.ts';

export interface CompiledExpression {
  readonly source: string;
  /** True when the text holds no `${...}`: evaluate() returns the literal (after `$$` unescaping). */
  readonly isLiteral: boolean;
  /** Attribute names the expression reads (best effort: names computed at runtime are not listed). */
  readonly referencedAttributes: string[];
  /** Evaluates against a FlowFile's attributes. Throws ExpressionEvaluationError on failure. */
  evaluate(ctx: EvaluationContext): string;
}

/** Compiles a property value that mixes literal text and `${...}` expressions. Throws ExpressionSyntaxError. */
export function compileExpression(text: string): CompiledExpression {
  const compiled = new Compiler().compileSource(text);
  const inner = compiled.evaluate;
  const evaluate =
    compiled.literal !== null
      ? ((literal: string) => () => literal)(compiled.literal)
      : (ctx: EvaluationContext): string => {
          try {
            return inner(ctx);
          } catch (e) {
            if (e instanceof ExpressionEvaluationError) throw e;
            const message = e instanceof Error ? e.message : String(e);
            throw new ExpressionEvaluationError(`failed to evaluate ${JSON.stringify(text)}: ${message}`, { cause: e });
          }
        };
  return Object.freeze({
    source: text,
    isLiteral: compiled.literal !== null,
    referencedAttributes: [...compiled.referencedAttributes],
    evaluate,
  });
}

/** Quick check: does the text contain a `${` that is not escaped as `$${`? */
export function containsExpression(text: string): boolean {
  let i = text.indexOf('${');
  while (i >= 0) {
    let run = 1;
    while (i - run >= 0 && text.charCodeAt(i - run) === 36) run++;
    if (run % 2 === 1) return true;
    i = text.indexOf('${', i + 2);
  }
  return false;
}

/** Returns null when the text compiles, otherwise the syntax error message (which names the column). */
export function validateExpression(text: string): string | null {
  try {
    compileExpression(text);
    return null;
  } catch (e) {
    if (e instanceof ExpressionSyntaxError) return e.message;
    return e instanceof Error ? e.message : String(e);
  }
}

const PARAMETER_NAME = /^[A-Za-z0-9 ._-]+$/;

/**
 * Replaces `#{name}` parameter references with their values. `##{name}` is the literal text `#{name}`
 * (runs of `#` pair up like `$$` does for expressions). Throws an Error naming an unknown parameter.
 */
export function substituteParameters(text: string, lookup: (name: string) => string | undefined): string {
  if (!text.includes('#{')) return text;
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const hash = text.indexOf('#', i);
    if (hash < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, hash);
    let j = hash;
    while (j < n && text[j] === '#') j++;
    const run = j - hash;
    const close = text[j] === '{' ? text.indexOf('}', j + 1) : -1;
    const name = close < 0 ? '' : text.slice(j + 1, close);
    if (close < 0 || !PARAMETER_NAME.test(name)) {
      out += text.slice(hash, j);
      i = j;
      continue;
    }
    out += '#'.repeat(Math.floor(run / 2));
    if (run % 2 === 0) {
      out += `{${name}}`;
    } else {
      const value = lookup(name);
      if (value === undefined) throw new Error(`unknown parameter '${name}' referenced as #{${name}}`);
      out += value;
    }
    i = close + 1;
  }
  return out;
}
