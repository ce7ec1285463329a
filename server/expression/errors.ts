/** Errors raised by the Expression Language compiler and evaluator. */

/** Raised by compileExpression() when the text is not a valid expression. `column` is 1-based. */
export class ExpressionSyntaxError extends Error {
  readonly column: number;
  constructor(message: string, column: number) {
    super(message);
    this.name = 'ExpressionSyntaxError';
    this.column = column;
  }
}

/** Raised by CompiledExpression.evaluate() when a value cannot be computed (bad number, bad regex, ...). */
export class ExpressionEvaluationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExpressionEvaluationError';
  }
}
