/**
 * Parser for property values that mix literal text and `${...}` Expression Language expressions.
 * Produces a small AST; every node records its 0-based offset in the original text for error messages.
 */
import { ExpressionSyntaxError } from './errors.ts';

export interface StringArg {
  kind: 'string';
  value: string;
  /** Set when the literal itself embeds expressions (NiFi evaluates `${...}` inside string literals). */
  template: TemplatePart[] | null;
  pos: number;
}
export interface WholeArg {
  kind: 'whole';
  value: bigint;
  pos: number;
}
export interface DecimalArg {
  kind: 'decimal';
  value: number;
  pos: number;
}
export interface BooleanArg {
  kind: 'bool';
  value: boolean;
  pos: number;
}
export interface ExprArg {
  kind: 'expr';
  expr: ExprNode;
  pos: number;
}
export type ArgNode = StringArg | WholeArg | DecimalArg | BooleanArg | ExprArg;

export interface CallNode {
  name: string;
  args: ArgNode[];
  pos: number;
}

export type SubjectNode =
  | { kind: 'attr'; name: string; pos: number }
  | { kind: 'quotedAttr'; name: StringArg; pos: number }
  | { kind: 'nestedAttr'; expr: ExprNode; pos: number }
  | { kind: 'fn'; call: CallNode; pos: number };

/** All `pos` fields are 0-based offsets into the original source text. */
export interface ExprNode {
  subject: SubjectNode;
  calls: CallNode[];
  /** Offset of the `$` that opens the expression. */
  pos: number;
}

export type TemplatePart = string | ExprNode;

const MAX_DEPTH = 100;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const NUMBER_RE = /[+-]?(?:\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/y;
const IDENT_RE = /[A-Za-z_][A-Za-z0-9_]*/y;

function isWs(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Characters that end an unquoted attribute name (NiFi's ATTRIBUTE_NAME lexer rule). */
function isNameStop(c: string): boolean {
  return '${}()[],:;/*\' \t\r\n'.includes(c);
}

/** Index of the `}` matching the `{` at `open` (quote-aware), or -1. Used to decide whether `$${...}` is an escape. */
export function findClosingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '{') depth++;
    else if (c === '}') {
      if (--depth === 0) return i;
    } else if ((c === '"' || c === "'") && depth > 0) {
      let q = i + 1;
      for (; q < s.length; q++) {
        if (s[q] === '\\') q++;
        else if (s[q] === c) break;
      }
      if (q >= s.length) return -1;
      i = q;
    }
  }
  return -1;
}

export class Parser {
  private i = 0;

  /**
   * @param s text to parse
   * @param offsets for text that came out of a string literal: offsets[k] is the position of s[k] in the
   *   original source (with one extra trailing entry); null when s is the original source itself.
   * @param isKnownFunction lookup used to report unknown functions at their own position
   */
  constructor(
    private readonly s: string,
    private readonly offsets: number[] | null,
    private readonly isKnownFunction: (name: string) => boolean,
    private depth = 0,
  ) {}

  /** Maps a local index to a 0-based offset in the original source. */
  private abs(i: number): number {
    if (!this.offsets) return i;
    if (i < this.offsets.length) return this.offsets[i]!;
    return this.offsets.length ? this.offsets[this.offsets.length - 1]! + 1 : 0;
  }

  private fail(msg: string, i: number): never {
    const column = this.abs(i) + 1;
    throw new ExpressionSyntaxError(`${msg} at column ${column}`, column);
  }

  private unclosed(start: number): never {
    this.fail("unclosed '${'", start);
  }

  private describe(i: number): string {
    const c = this.s[i];
    if (c === undefined) return 'end of text';
    if (c === '\n') return "'\\n'";
    return `'${c}'`;
  }

  /**
   * Splits text into literal parts and expressions, applying `$$` escapes.
   * strict: an unclosed `${` is an error (top-level property values); otherwise it is literal text
   * (inside string literals, as NiFi does).
   */
  parseTemplate(strict: boolean): TemplatePart[] {
    const s = this.s;
    const n = s.length;
    const parts: TemplatePart[] = [];
    let buf = '';
    let i = 0;
    while (i < n) {
      if (s.charCodeAt(i) !== 36 /* $ */) {
        const next = s.indexOf('$', i);
        const stop = next < 0 ? n : next;
        buf += s.slice(i, stop);
        i = stop;
        continue;
      }
      let j = i;
      while (j < n && s.charCodeAt(j) === 36) j++;
      const run = j - i;
      if (j >= n || s.charCodeAt(j) !== 123 /* { */) {
        buf += s.slice(i, j);
        i = j;
        continue;
      }
      if (run % 2 === 0) {
        // "$${...}" is the literal text "${...}" - but only when it really is a complete expression.
        const close = findClosingBrace(s, j);
        if (close >= 0) {
          buf += '$'.repeat(run / 2) + s.slice(j, close + 1);
          i = close + 1;
        } else {
          buf += s.slice(i, j);
          i = j;
        }
        continue;
      }
      if (!strict && findClosingBrace(s, j) < 0) {
        buf += s.slice(i, j + 1);
        i = j + 1;
        continue;
      }
      buf += '$'.repeat((run - 1) / 2);
      this.i = j - 1;
      const expr = this.parseExpr();
      if (buf) parts.push(buf);
      buf = '';
      parts.push(expr);
      i = this.i;
    }
    if (buf) parts.push(buf);
    return parts;
  }

  private ws(): void {
    while (isWs(this.s[this.i])) this.i++;
  }

  private parseExpr(): ExprNode {
    const start = this.i;
    if (this.depth >= MAX_DEPTH) this.fail('expression is nested too deeply', start);
    this.depth++;
    this.i += 2; // "${"
    this.ws();
    const subject = this.parseSubject(start);
    const calls: CallNode[] = [];
    for (;;) {
      this.ws();
      if (this.i >= this.s.length) this.unclosed(start);
      const c = this.s[this.i];
      if (c === '}') {
        this.i++;
        break;
      }
      if (c === ':') {
        this.i++;
        this.ws();
        calls.push(this.parseCall(start));
        continue;
      }
      this.fail(`unexpected ${this.describe(this.i)}, expected ':' or '}'`, this.i);
    }
    this.depth--;
    return { subject, calls, pos: this.abs(start) };
  }

  private parseSubject(start: number): SubjectNode {
    const s = this.s;
    const i = this.i;
    if (i >= s.length) this.unclosed(start);
    const c = s[i]!;
    if (c === '"' || c === "'") return { kind: 'quotedAttr', name: this.parseString(), pos: this.abs(i) };
    if (c === '$' && s[i + 1] === '{') return { kind: 'nestedAttr', expr: this.parseExpr(), pos: this.abs(i) };
    if (c === '}') this.fail('empty expression, expected an attribute name or a function', i);
    if (c >= '0' && c <= '9') this.fail('attribute names that start with a digit must be quoted', i);
    let j = i;
    while (j < s.length && !isNameStop(s[j]!)) j++;
    if (j === i) this.fail(`unexpected ${this.describe(i)}, expected an attribute name or a function`, i);
    const name = s.slice(i, j);
    this.i = j;
    this.ws();
    if (s[this.i] === '(') {
      if (!this.isKnownFunction(name)) this.fail(`unknown function '${name}'`, i);
      const args = this.parseArgs(start);
      return { kind: 'fn', call: { name, args, pos: this.abs(i) }, pos: this.abs(i) };
    }
    this.i = j;
    return { kind: 'attr', name, pos: this.abs(i) };
  }

  private parseCall(start: number): CallNode {
    const pos = this.i;
    if (pos >= this.s.length) this.unclosed(start);
    IDENT_RE.lastIndex = pos;
    const m = IDENT_RE.exec(this.s);
    if (!m) this.fail(`expected a function name after ':' but found ${this.describe(pos)}`, pos);
    const name = m[0];
    this.i = pos + name.length;
    if (!this.isKnownFunction(name)) this.fail(`unknown function '${name}'`, pos);
    this.ws();
    if (this.i >= this.s.length) this.unclosed(start);
    if (this.s[this.i] !== '(') this.fail(`expected '(' after function name '${name}'`, this.i);
    const args = this.parseArgs(start);
    return { name, args, pos: this.abs(pos) };
  }

  private parseArgs(start: number): ArgNode[] {
    this.i++; // "("
    this.ws();
    const args: ArgNode[] = [];
    if (this.s[this.i] === ')') {
      this.i++;
      return args;
    }
    for (;;) {
      args.push(this.parseArg(start));
      this.ws();
      if (this.i >= this.s.length) this.unclosed(start);
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        this.ws();
        continue;
      }
      if (c === ')') {
        this.i++;
        return args;
      }
      this.fail(`unexpected ${this.describe(this.i)}, expected ',' or ')'`, this.i);
    }
  }

  private parseArg(start: number): ArgNode {
    const s = this.s;
    const i = this.i;
    if (i >= s.length) this.unclosed(start);
    const c = s[i]!;
    if (c === '"' || c === "'") return this.parseString();
    if (c === '$' && s[i + 1] === '{') return { kind: 'expr', expr: this.parseExpr(), pos: this.abs(i) };
    NUMBER_RE.lastIndex = i;
    const num = NUMBER_RE.exec(s);
    if (num) {
      const text = num[0];
      this.i = i + text.length;
      if (/[.eE]/.test(text)) return { kind: 'decimal', value: Number(text), pos: this.abs(i) };
      const value = BigInt(text);
      if (value < LONG_MIN || value > LONG_MAX) this.fail(`number ${text} is out of range for a whole number`, i);
      return { kind: 'whole', value, pos: this.abs(i) };
    }
    IDENT_RE.lastIndex = i;
    const word = IDENT_RE.exec(s);
    if (word && (word[0] === 'true' || word[0] === 'false')) {
      this.i = i + word[0].length;
      return { kind: 'bool', value: word[0] === 'true', pos: this.abs(i) };
    }
    if (c === ')' || c === ',') this.fail('missing function argument', i);
    if (word) this.fail(`unexpected '${word[0]}' (string arguments must be quoted)`, i);
    this.fail(`unexpected ${this.describe(i)} in function arguments`, i);
  }

  /** Parses a quoted literal. Escapes: \" \' \n \r \t \\ ; any other \x is kept as-is (useful for regexes). */
  private parseString(): StringArg {
    const s = this.s;
    const start = this.i;
    const q = s[start]!;
    let out = '';
    const map: number[] = [];
    let i = start + 1;
    for (;;) {
      if (i >= s.length) this.fail('unclosed string literal', start);
      const c = s[i]!;
      if (c === q) break;
      if (c === '\\') {
        const d = s[i + 1];
        if (d === undefined) this.fail('unclosed string literal', start);
        let rep: string;
        switch (d) {
          case '"':
          case "'":
          case '\\':
            rep = d;
            break;
          case 'n':
            rep = '\n';
            break;
          case 'r':
            rep = '\r';
            break;
          case 't':
            rep = '\t';
            break;
          default:
            rep = '\\' + d;
        }
        out += rep;
        map.push(this.abs(i));
        if (rep.length === 2) map.push(this.abs(i + 1));
        i += 2;
        continue;
      }
      out += c;
      map.push(this.abs(i));
      i++;
    }
    map.push(this.abs(i)); // closing quote
    this.i = i + 1;
    let template: TemplatePart[] | null = null;
    if (out.includes('${')) {
      const parts = new Parser(out, map, this.isKnownFunction, this.depth + 1).parseTemplate(false);
      if (parts.some((p) => typeof p !== 'string')) template = parts;
      else out = parts.join('');
    }
    return { kind: 'string', value: out, template, pos: this.abs(start) };
  }
}
