/** Turns the parser's AST into closures. Evaluation never re-parses anything. */
import { ExpressionEvaluationError, ExpressionSyntaxError } from './errors.ts';
import { FUNCTIONS, setTemplateEvaluator } from './functions.ts';
import { Parser, type ArgNode, type CallNode, type ExprNode, type SubjectNode, type TemplatePart } from './parser.ts';
import { javaRegex } from './regex.ts';
import type { BuildContext, Compiled, EvaluationContext, Fn } from './types.ts';
import { toStr, type Value } from './values.ts';

const isKnownFunction = (name: string): boolean => FUNCTIONS.has(name);

function attributeLookup(name: string): Fn {
  return (ctx) => {
    const v = ctx.attribute(name);
    return v === undefined ? null : v;
  };
}

function describeArity(min: number, max: number): string {
  const plural = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
  if (max === 0) return 'no arguments';
  if (min === max) return plural(min);
  if (max === Infinity) return `at least ${plural(min)}`;
  if (max === min + 1) return `${min} or ${plural(max)}`;
  return `${min} to ${plural(max)}`;
}

/** Java's String.split(literal): trailing empty strings are removed. */
function splitLikeJava(value: string, delimiter: string): string[] {
  if (value === '') return [''];
  const parts = delimiter === '' ? [...value] : value.split(delimiter);
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export interface CompiledTemplate {
  /** Literal text (after `$$` unescaping) when the template holds no expression, else null. */
  literal: string | null;
  evaluate: (ctx: EvaluationContext) => string;
  referencedAttributes: string[];
}

export class Compiler {
  private readonly refs = new Set<string>();

  private fail(message: string, pos: number): never {
    const column = pos + 1;
    throw new ExpressionSyntaxError(`${message} at column ${column}`, column);
  }

  /** Compiles a whole property value. */
  compileSource(text: string): CompiledTemplate {
    const parts = new Parser(text, null, isKnownFunction).parseTemplate(true);
    if (parts.every((p) => typeof p === 'string')) {
      const literal = (parts as string[]).join('');
      return { literal, evaluate: () => literal, referencedAttributes: [] };
    }
    const evaluate = this.topLevel(parts);
    return { literal: null, evaluate, referencedAttributes: [...this.refs] };
  }

  private topLevel(parts: TemplatePart[]): (ctx: EvaluationContext) => string {
    if (parts.length === 1) {
      const expr = parts[0] as ExprNode;
      if (expr.subject.kind === 'attr' && expr.calls.length === 0) {
        // Hot path: "${filename}".
        const name = expr.subject.name;
        this.refs.add(name);
        return (ctx) => {
          const v = ctx.attribute(name);
          return v === undefined ? '' : v;
        };
      }
      const f = this.compileExpr(expr).fn;
      return (ctx) => {
        const v = f(ctx);
        return typeof v === 'string' ? v : v === null ? '' : toStr(v)!;
      };
    }
    const pieces: Array<string | Fn> = parts.map((p) => (typeof p === 'string' ? p : this.compileExpr(p).fn));
    const n = pieces.length;
    return (ctx) => {
      let out = '';
      for (let i = 0; i < n; i++) {
        const p = pieces[i]!;
        if (typeof p === 'string') out += p;
        else {
          const v = p(ctx);
          if (v !== null) out += typeof v === 'string' ? v : toStr(v);
        }
      }
      return out;
    };
  }

  /** A template inside a string literal: a single embedded expression keeps null, several concatenate. */
  private compileLiteralTemplate(parts: TemplatePart[]): Compiled {
    const pieces: Array<string | Fn> = parts.map((p) => (typeof p === 'string' ? p : this.compileExpr(p).fn));
    if (pieces.length === 1) {
      const f = pieces[0] as Fn;
      return { type: 'string', fn: (ctx) => toStr(f(ctx)) };
    }
    return {
      type: 'string',
      fn: (ctx) => {
        let out = '';
        for (const p of pieces) {
          if (typeof p === 'string') out += p;
          else {
            const v = p(ctx);
            if (v !== null) out += toStr(v);
          }
        }
        return out;
      },
    };
  }

  private constant(value: Value, type: Compiled['type']): Compiled {
    return { type, fn: () => value, constant: { value } };
  }

  private compileArg(a: ArgNode): Compiled {
    switch (a.kind) {
      case 'string':
        return a.template ? this.compileLiteralTemplate(a.template) : this.constant(a.value, 'string');
      case 'whole':
        return this.constant(a.value, 'whole');
      case 'decimal':
        return this.constant(a.value, 'decimal');
      case 'bool':
        return this.constant(a.value, 'boolean');
      case 'expr':
        return this.compileExpr(a.expr);
    }
  }

  private compileSubject(s: SubjectNode): Compiled {
    switch (s.kind) {
      case 'attr':
        this.refs.add(s.name);
        return { type: 'string', fn: attributeLookup(s.name) };
      case 'quotedAttr': {
        if (!s.name.template) {
          this.refs.add(s.name.value);
          return { type: 'string', fn: attributeLookup(s.name.value) };
        }
        return this.dynamicAttribute(this.compileLiteralTemplate(s.name.template).fn);
      }
      case 'nestedAttr':
        return this.dynamicAttribute(this.compileExpr(s.expr).fn);
      case 'fn': {
        const spec = FUNCTIONS.get(s.call.name)!;
        if (spec.subject === 'required') this.fail(`function '${s.call.name}' needs a subject, e.g. \${attr:${s.call.name}(...)}`, s.call.pos);
        return this.build(s.call, null);
      }
    }
  }

  private dynamicAttribute(nameFn: Fn): Compiled {
    return {
      type: 'string',
      fn: (ctx) => {
        const name = toStr(nameFn(ctx));
        if (name === null) return null;
        const v = ctx.attribute(name);
        return v === undefined ? null : v;
      },
    };
  }

  private build(call: CallNode, subject: Compiled | null): Compiled {
    const spec = FUNCTIONS.get(call.name)!;
    const n = call.args.length;
    if (n < spec.min || n > spec.max) {
      this.fail(`function '${call.name}' takes ${describeArity(spec.min, spec.max)} but was given ${n}`, call.pos);
    }
    const args = call.args.map((a) => this.compileArg(a));
    const ctx: BuildContext = {
      name: call.name,
      subject,
      args,
      fail: (message) => this.fail(message, call.pos),
      reference: (name) => this.refs.add(name),
    };
    return spec.build(ctx);
  }

  private applyCall(subject: Compiled, call: CallNode): Compiled {
    const spec = FUNCTIONS.get(call.name)!;
    if (spec.subject === 'none') this.fail(`function '${call.name}' does not take a subject`, call.pos);
    return this.build(call, subject);
  }

  compileExpr(e: ExprNode): Compiled {
    if (e.subject.kind === 'fn' && FUNCTIONS.get(e.subject.call.name)!.multi) return this.compileMulti(e);
    let cur = this.compileSubject(e.subject);
    let reducedBy: string | null = null;
    for (const call of e.calls) {
      if (reducedBy) this.reducerFollowed(call, reducedBy);
      cur = this.applyCall(cur, call);
      if (FUNCTIONS.get(call.name)!.reducer) reducedBy = call.name;
    }
    return cur;
  }

  private reducerFollowed(call: CallNode, reducer: string): never {
    this.fail(
      `cannot call function '${call.name}' on the result of '${reducer}'; use \${literal(\${<embedded expression>}):${call.name}(...)} instead`,
      call.pos,
    );
  }

  /** anyAttribute / allAttributes / any|allMatchingAttribute(s) / any|allDelineatedValue(s). */
  private compileMulti(e: ExprNode): Compiled {
    const head = (e.subject as Extract<SubjectNode, { kind: 'fn' }>).call;
    const spec = FUNCTIONS.get(head.name)!;
    const isAll = spec.multi === 'all';
    if (head.args.length < spec.min || head.args.length > spec.max) {
      this.fail(`function '${head.name}' takes ${describeArity(spec.min, spec.max)} but was given ${head.args.length}`, head.pos);
    }
    for (const a of head.args) {
      if (a.kind !== 'string' && a.kind !== 'expr') this.fail(`the arguments of '${head.name}' must be strings`, a.pos);
    }
    const args = head.args.map((a) => this.compileArg(a));

    let items: (ctx: EvaluationContext) => Value[];
    if (head.name === 'allAttributes' || head.name === 'anyAttribute') {
      for (const a of args) if (a.constant) this.refs.add(toStr(a.constant.value)!);
      const names = args.map((a) => a.fn);
      items = (ctx) =>
        names.map((f) => {
          const name = toStr(f(ctx));
          const v = name === null ? undefined : ctx.attribute(name);
          return v === undefined ? null : v;
        });
    } else if (head.name === 'allMatchingAttributes' || head.name === 'anyMatchingAttribute') {
      const patterns = args.map((a) => a.fn);
      items = (ctx) => {
        const regexes = patterns.map((f) => javaRegex(toStr(f(ctx)) ?? ''));
        const out: Value[] = [];
        for (const name of ctx.attributeNames()) {
          if (regexes.some((r) => r.full.test(name))) {
            const v = ctx.attribute(name);
            out.push(v === undefined ? null : v);
          }
        }
        return out;
      };
    } else {
      const valueFn = args[0]!.fn;
      const delimFn = args[1]!.fn;
      items = (ctx) => {
        const value = toStr(valueFn(ctx));
        if (value === null) return [];
        return splitLikeJava(value, toStr(delimFn(ctx)) ?? ',');
      };
    }

    // The rest of the chain is evaluated once per item, reading the item from this cell.
    const cell: { v: Value } = { v: null };
    let cur: Compiled = { type: 'string', fn: () => cell.v };
    let reducer: CallNode | null = null;
    let joinDelimiter: Fn | null = null;
    for (const call of e.calls) {
      if (reducer) this.reducerFollowed(call, reducer.name);
      const callSpec = FUNCTIONS.get(call.name)!;
      if (callSpec.reducer) {
        if (!isAll) this.fail(`function '${call.name}' can only be used with allAttributes, allMatchingAttributes or allDelineatedValues`, call.pos);
        if (call.args.length < callSpec.min || call.args.length > callSpec.max) {
          this.fail(`function '${call.name}' takes ${describeArity(callSpec.min, callSpec.max)} but was given ${call.args.length}`, call.pos);
        }
        reducer = call;
        if (call.name === 'join') joinDelimiter = this.compileArg(call.args[0]!).fn;
        continue;
      }
      cur = this.applyCall(cur, call);
    }
    const each = cur.fn;
    const withItems = <T>(ctx: EvaluationContext, body: (values: Value[]) => T): T => {
      const values = items(ctx);
      const saved = cell.v;
      try {
        return body(values);
      } finally {
        cell.v = saved;
      }
    };

    if (!reducer) {
      if (cur.type !== 'boolean') {
        this.fail(
          `'${head.name}' references multiple attributes, so the expression must end with a boolean function${isAll ? ' or a reducing function (count, join)' : ''}`,
          e.pos,
        );
      }
      return {
        type: 'boolean',
        fn: isAll
          ? (ctx) =>
              withItems(ctx, (values) => {
                for (const v of values) {
                  cell.v = v;
                  if (each(ctx) !== true) return false;
                }
                return true;
              })
          : (ctx) =>
              withItems(ctx, (values) => {
                for (const v of values) {
                  cell.v = v;
                  if (each(ctx) === true) return true;
                }
                return false;
              }),
      };
    }
    if (reducer.name === 'count') {
      return {
        type: 'whole',
        fn: (ctx) =>
          withItems(ctx, (values) => {
            let count = 0n;
            for (const v of values) {
              cell.v = v;
              const r = each(ctx);
              if (r !== null && r !== false) count++;
            }
            return count;
          }),
      };
    }
    const delim = joinDelimiter!;
    return {
      type: 'string',
      fn: (ctx) => {
        const d = toStr(delim(ctx)) ?? '';
        return withItems(ctx, (values) => {
          const out: string[] = [];
          for (const v of values) {
            cell.v = v;
            const r = toStr(each(ctx));
            if (r !== null) out.push(r);
          }
          return out.join(d);
        });
      },
    };
  }
}

// evaluateELString(): compile the attribute's text as an expression, with a small cache.
const elStringCache = new Map<string, CompiledTemplate | ExpressionSyntaxError>();
setTemplateEvaluator((text, ctx) => {
  let t = elStringCache.get(text);
  if (!t) {
    try {
      t = new Compiler().compileSource(text);
    } catch (e) {
      if (!(e instanceof ExpressionSyntaxError)) throw e;
      t = e;
    }
    if (elStringCache.size >= 500) elStringCache.delete(elStringCache.keys().next().value!);
    elStringCache.set(text, t);
  }
  if (t instanceof ExpressionSyntaxError) throw new ExpressionEvaluationError(`evaluateELString(): ${t.message}`);
  return t.evaluate(ctx);
});
