// Translation of java.util.regex patterns (what NiFi users type into ExtractText,
// ReplaceText, RouteText, ...) into equivalent JavaScript RegExp source.
//
// The pattern is parsed into an AST with Java's grammar and flag scoping, then
// emitted as JS `u`-mode source. Everything whose JS meaning would differ from
// Java's is either rewritten into an exact equivalent (character classes are
// evaluated as code-point sets, case-insensitivity is expanded into classes,
// anchors/dot/line terminators are spelled out, atomic groups and possessive
// quantifiers use the `(?=(X))\k` emulation) or rejected with an
// UnsupportedRegexError naming the construct. There is no silent approximation.

import {
  type RangeSet,
  EMPTY,
  FULL,
  asciiCaseClose,
  emitRangesBody,
  emitSet,
  fromRanges,
  intersect,
  negate,
  parseSimple,
  range,
  resolveJsClass,
  single,
  union,
  unicodeCaseClose,
} from './charset.ts';

export interface JavaRegexFlags {
  caseInsensitive?: boolean;
  multiline?: boolean;
  dotall?: boolean;
  comments?: boolean;
  literal?: boolean;
  unicodeCase?: boolean;
  unicodeCharacterClass?: boolean;
  unixLines?: boolean;
  canonicalEquivalence?: boolean;
}

/** A construct that has no faithful JavaScript translation. */
export class UnsupportedRegexError extends Error {
  readonly construct: string;
  readonly index: number;
  constructor(construct: string, index: number, detail?: string) {
    super(`unsupported regex construct '${construct}' at index ${index}${detail ? `: ${detail}` : ''}`);
    this.name = 'UnsupportedRegexError';
    this.construct = construct;
    this.index = index;
  }
}

/** The pattern is not a valid Java regex (Java would throw PatternSyntaxException). */
export class JavaRegexSyntaxError extends SyntaxError {
  readonly index: number;
  readonly pattern: string;
  constructor(description: string, pattern: string, index: number) {
    super(`${description} near index ${index}: ${pattern}`);
    this.name = 'JavaRegexSyntaxError';
    this.index = index;
    this.pattern = pattern;
  }
}

export interface TranslatedRegex {
  /** JS RegExp source. */
  source: string;
  /** JS RegExp flags (always includes `u`; add `g`/`y` yourself). */
  flags: string;
  /** Group names by Java group number ('' when unnamed); index 0 is the whole match. */
  groupNames: string[];
  /** Number of Java capturing groups (excluding group 0). */
  groupCount: number;
  /** jsGroupIndex[javaGroup] = index in the JS exec() array. Identity unless `remapped`. */
  jsGroupIndex: number[];
  /** True when the JS source has extra (synthetic) capture groups, so results must be remapped. */
  remapped: boolean;
  /** True when every match must start at input start (leading `^`/`\A` without MULTILINE). */
  anchoredStart: boolean;
  /** Parsed AST, used by the complexity analysis. */
  ast: Node;
}

// ---------------------------------------------------------------- AST

/** A character class: `set` is exact when known; `js` is the emitted atom; `approx` ⊇ the true set. */
export interface ClassValue {
  set: RangeSet | null;
  js: string | null;
  approx: RangeSet;
}

export type Node =
  | { t: 'set'; cls: ClassValue }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'group'; num: number; name?: string; body: Node }
  | { t: 'look'; behind: boolean; neg: boolean; body: Node }
  | { t: 'atomic'; body: Node }
  | { t: 'quant'; body: Node; min: number; max: number; mode: 'greedy' | 'lazy' | 'possessive' }
  | { t: 'backref'; num: number; at: number; ci: boolean }
  | { t: 'assert'; js: string; start?: boolean };

interface FlagState {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  d: boolean;
  u: boolean;
  U: boolean;
}

// ---------------------------------------------------------------- class helpers

function exact(set: RangeSet): ClassValue {
  return { set, js: null, approx: set };
}

const asciiProbe: string[] = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i));

/** A class known only by its JS atom (Unicode properties). approx = exact ASCII part ∪ all non-ASCII. */
function symbolic(js: string): ClassValue {
  const re = new RegExp('^' + js + '$', 'u');
  const pairs: [number, number][] = [[0x80, 0x10ffff]];
  for (let i = 0; i < 128; i++) if (re.test(asciiProbe[i])) pairs.push([i, i]);
  return { set: null, js, approx: fromRanges(pairs) };
}

function exactSet(c: ClassValue): RangeSet {
  if (c.set) return c.set;
  c.set = resolveJsClass(c.js!);
  return c.set;
}

/** Body of a class for use inside `[...]`, or null when it cannot be inlined (negated class). */
function classBody(c: ClassValue): string | null {
  if (c.set) return emitRangesBody(c.set);
  const js = c.js!;
  if (js.startsWith('[^')) return null;
  if (js.startsWith('[')) return js.slice(1, -1);
  return js;
}

function classUnion(a: ClassValue | null, b: ClassValue): ClassValue {
  if (!a) return b;
  if (a.set && b.set) return exact(union(a.set, b.set));
  let ba = classBody(a);
  let bb = classBody(b);
  if (ba === null) ba = emitRangesBody(exactSet(a));
  if (bb === null) bb = emitRangesBody(exactSet(b));
  return { set: null, js: '[' + ba + bb + ']', approx: union(a.approx, b.approx) };
}

function classNegate(c: ClassValue): ClassValue {
  if (c.set) return exact(negate(c.set));
  const js = c.js!;
  let njs: string;
  if (js.startsWith('[^')) njs = '[' + js.slice(2);
  else if (js.startsWith('[')) njs = '[^' + js.slice(1);
  else if (js.startsWith('\\p')) njs = '\\P' + js.slice(2);
  else if (js.startsWith('\\P')) njs = '\\p' + js.slice(2);
  else njs = '[^' + js + ']';
  return symbolic(njs);
}

function classIntersect(a: ClassValue | null, b: ClassValue | null): ClassValue | null {
  if (!a) return b;
  if (!b) return a;
  return exact(intersect(exactSet(a), exactSet(b)));
}

function emitClass(c: ClassValue): string {
  if (c.set) return emitSet(c.set);
  return c.js!;
}

// ---------------------------------------------------------------- fixed sets

const S_DIGIT = parseSimple('0-9');
const S_WORD = parseSimple('a-zA-Z0-9_');
const S_SPACE = fromRanges([[0x20, 0x20], [0x09, 0x0d]]);
const S_HSPACE = fromRanges([
  [0x20, 0x20], [0x09, 0x09], [0xa0, 0xa0], [0x1680, 0x1680], [0x180e, 0x180e],
  [0x2000, 0x200a], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000],
]);
const S_VSPACE = fromRanges([[0x0a, 0x0d], [0x85, 0x85], [0x2028, 0x2029]]);
const S_LINE_TERM = fromRanges([[0x0a, 0x0a], [0x0d, 0x0d], [0x85, 0x85], [0x2028, 0x2029]]);
const S_NL = single(0x0a);
const S_ALPHA = parseSimple('a-zA-Z');
const S_PUNCT = fromRanges([[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]]);
const S_JAVA_WHITESPACE = fromRanges([
  [0x09, 0x0d], [0x1c, 0x20], [0x1680, 0x1680], [0x2000, 0x2006], [0x2008, 0x200a],
  [0x2028, 0x2029], [0x205f, 0x205f], [0x3000, 0x3000],
]);

const U_WORD_JS = '[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\u{200c}\\u{200d}]';

const A_CARET_MULTI = `(?:^|(?<=[\\n\\u{85}\\u{2028}\\u{2029}])|(?<=\\r)(?!\\n))(?=[\\s\\S])`;
const A_CARET_MULTI_UNIX = `(?:^|(?<=\\n))(?=[\\s\\S])`;
const A_DOLLAR = `(?=(?:\\r\\n|(?<!\\r)\\n|[\\r\\u{85}\\u{2028}\\u{2029}])?$)`;
const A_DOLLAR_MULTI = `(?=[\\r\\u{85}\\u{2028}\\u{2029}]|(?<!\\r)\\n|$)`;
const A_DOLLAR_UNIX = `(?=\\n?$)`;
const A_DOLLAR_MULTI_UNIX = `(?=\\n|$)`;

const CATEGORIES = new Set([
  'Cn', 'Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'Mn', 'Me', 'Mc', 'Nd', 'Nl', 'No', 'Zs', 'Zl', 'Zp', 'Cc', 'Cf', 'Co', 'Cs',
  'Pd', 'Ps', 'Pe', 'Pc', 'Po', 'Sm', 'Sc', 'Sk', 'So', 'Pi', 'Pf', 'L', 'M', 'N', 'Z', 'C', 'P', 'S', 'LC',
]);

const symCache = new Map<string, ClassValue>();
function sym(js: string): ClassValue {
  let c = symCache.get(js);
  if (!c) symCache.set(js, (c = symbolic(js)));
  return { ...c };
}

// ---------------------------------------------------------------- parser

const HEX = /^[0-9a-fA-F]$/;

class Parser {
  readonly src: string;
  pos = 0;
  flags: FlagState;
  groupCount = 0;
  groupNames: string[] = [''];
  named = new Map<string, number>();
  closedGroups = new Set<number>();
  lookbehindDepth = 0;

  constructor(src: string, flags: FlagState) {
    this.src = src;
    this.flags = flags;
  }

  syntax(msg: string, at = this.pos): never {
    throw new JavaRegexSyntaxError(msg, this.src, at);
  }

  unsupported(construct: string, at: number, detail?: string): never {
    throw new UnsupportedRegexError(construct, at, detail);
  }

  get eof(): boolean {
    return this.pos >= this.src.length;
  }

  /** Current code point (not consumed), or -1. */
  peekCp(): number {
    return this.pos < this.src.length ? this.src.codePointAt(this.pos)! : -1;
  }

  readCp(): number {
    const cp = this.src.codePointAt(this.pos);
    if (cp === undefined) this.syntax('Unexpected end of pattern');
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  /** Skips whitespace and #-comments in COMMENTS mode. */
  skipWs(): void {
    if (!this.flags.x) return;
    const s = this.src;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) this.pos++;
      else if (c === 0x23) {
        this.pos++;
        while (this.pos < s.length) {
          const d = s.charCodeAt(this.pos);
          if (d === 0x0a || (!this.flags.d && (d === 0x0d || d === 0x85 || d === 0x2028 || d === 0x2029))) break;
          this.pos++;
        }
      } else break;
    }
  }

  peekChar(): string {
    this.skipWs();
    return this.src[this.pos] ?? '';
  }

  // ---------------- structure

  parsePattern(): Node {
    const node = this.parseAlternation();
    if (!this.eof) {
      // Only a stray ')' can stop the top-level alternation.
      this.syntax("Unmatched closing ')'", this.pos - 1 < 0 ? 0 : this.pos);
    }
    return node;
  }

  parseAlternation(): Node {
    const alts = [this.parseSequence()];
    while (this.peekChar() === '|') {
      this.pos++;
      alts.push(this.parseSequence());
    }
    return alts.length === 1 ? alts[0] : { t: 'alt', alts };
  }

  parseSequence(): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peekChar();
      if (c === '' || c === '|' || c === ')') break;
      const start = this.pos;
      const atoms = this.parseAtom();
      if (atoms.length === 0) continue;
      const last = atoms.pop()!;
      items.push(...atoms);
      items.push(this.parseQuantifier(last, start));
    }
    return items.length === 1 ? items[0] : { t: 'seq', items };
  }

  parseQuantifier(atom: Node, atomStart: number): Node {
    const c = this.peekChar();
    let min: number;
    let max: number;
    if (c === '?') {
      min = 0;
      max = 1;
      this.pos++;
    } else if (c === '*') {
      min = 0;
      max = Infinity;
      this.pos++;
    } else if (c === '+') {
      min = 1;
      max = Infinity;
      this.pos++;
    } else if (c === '{') {
      const open = this.pos;
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos, this.pos + 40));
      if (!m) {
        if (/^\{\d/.test(this.src.slice(this.pos))) this.syntax('Unclosed counted closure', open);
        this.syntax('Illegal repetition', open);
      }
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (!Number.isSafeInteger(min) || min > 0x7fffffff || (max !== Infinity && max > 0x7fffffff)) {
        this.syntax('Illegal repetition range', open);
      }
      if (max < min) this.syntax('Illegal repetition range', open);
      this.pos += m[0].length;
    } else {
      return atom;
    }
    let mode: 'greedy' | 'lazy' | 'possessive' = 'greedy';
    const n = this.src[this.pos];
    if (n === '?') {
      mode = 'lazy';
      this.pos++;
    } else if (n === '+') {
      mode = 'possessive';
      this.pos++;
      if (this.lookbehindDepth > 0) this.unsupported('possessive quantifier in lookbehind', this.pos - 1);
    }
    void atomStart;
    return { t: 'quant', body: atom, min, max, mode };
  }

  literal(cp: number): Node {
    return { t: 'set', cls: this.caseClosed(single(cp)) };
  }

  caseClosed(s: RangeSet): ClassValue {
    if (!this.flags.i) return exact(s);
    return exact(this.flags.u ? unicodeCaseClose(s) : asciiCaseClose(s));
  }

  /** Parses one atom; may return several nodes (\Q..\E) or none (inline flags). */
  parseAtom(): Node[] {
    const start = this.pos;
    const c = this.src[this.pos];
    switch (c) {
      case '(':
        return this.parseGroup();
      case '[': {
        const cls = this.parseClass();
        return [{ t: 'set', cls }];
      }
      case '.':
        this.pos++;
        return [{ t: 'set', cls: exact(this.flags.s ? FULL : negate(this.flags.d ? S_NL : S_LINE_TERM)) }];
      case '^':
        this.pos++;
        if (!this.flags.m) return [{ t: 'assert', js: '^', start: true }];
        return [{ t: 'assert', js: this.flags.d ? A_CARET_MULTI_UNIX : A_CARET_MULTI }];
      case '$':
        this.pos++;
        if (this.flags.d) return [{ t: 'assert', js: this.flags.m ? A_DOLLAR_MULTI_UNIX : A_DOLLAR_UNIX }];
        return [{ t: 'assert', js: this.flags.m ? A_DOLLAR_MULTI : A_DOLLAR }];
      case '\\':
        return this.parseEscapeAtom();
      case '*':
      case '+':
      case '?':
        this.syntax(`Dangling meta character '${c}'`, start);
      // eslint-disable-next-line no-fallthrough
      case '{':
        this.syntax('Illegal repetition', start);
      // eslint-disable-next-line no-fallthrough
      default:
        return [this.literal(this.readCp())];
    }
  }

  parseGroup(): Node[] {
    const open = this.pos;
    this.pos++; // (
    const saved = { ...this.flags };
    let node: Node;
    if (this.src[this.pos] === '?') {
      this.pos++;
      const c = this.src[this.pos];
      if (c === ':') {
        this.pos++;
        node = { t: 'group', num: 0, body: this.parseAlternation() };
      } else if (c === '=' || c === '!') {
        this.pos++;
        node = { t: 'look', behind: false, neg: c === '!', body: this.parseAlternation() };
      } else if (c === '>') {
        this.pos++;
        if (this.lookbehindDepth > 0) this.unsupported('(?>', open, 'atomic group inside lookbehind');
        node = { t: 'atomic', body: this.parseAlternation() };
      } else if (c === '<') {
        this.pos++;
        const d = this.src[this.pos];
        if (d === '=' || d === '!') {
          this.pos++;
          this.lookbehindDepth++;
          const body = this.parseAlternation();
          this.lookbehindDepth--;
          node = { t: 'look', behind: true, neg: d === '!', body };
        } else {
          const m = /^([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.src.slice(this.pos));
          if (!m) {
            if (!/^[a-zA-Z]/.test(d ?? '')) this.syntax('capturing group name does not start with a Latin letter', this.pos);
            this.syntax("named capturing group is missing trailing '>'", this.pos);
          }
          const name = m[1];
          if (this.named.has(name)) this.syntax(`Named capturing group <${name}> is already defined`, this.pos);
          this.pos += m[0].length;
          const num = ++this.groupCount;
          this.named.set(name, num);
          this.groupNames[num] = name;
          const body = this.parseAlternation();
          this.closedGroups.add(num);
          node = { t: 'group', num, name, body };
        }
      } else {
        // inline flags (?idmsuxU-idmsuxU) or (?idmsuxU-idmsuxU:X)
        let on = true;
        for (;;) {
          const f = this.src[this.pos];
          if (f === undefined) this.syntax('Unknown inline modifier', this.pos);
          if (f === ')' || f === ':') break;
          this.pos++;
          if (f === '-') {
            on = false;
            continue;
          }
          switch (f) {
            case 'i': this.flags.i = on; break;
            case 'm': this.flags.m = on; break;
            case 's': this.flags.s = on; break;
            case 'x': this.flags.x = on; break;
            case 'd': this.flags.d = on; break;
            case 'u': this.flags.u = on; break;
            case 'U':
              this.flags.U = on;
              // Java: UNICODE_CHARACTER_CLASS implies UNICODE_CASE.
              if (on) this.flags.u = true;
              break;
            case 'c':
              this.unsupported('(?c)', this.pos - 1, 'canonical equivalence (CANON_EQ) is not supported');
            // eslint-disable-next-line no-fallthrough
            default:
              this.syntax('Unknown inline modifier', this.pos - 1);
          }
        }
        if (this.src[this.pos] === ')') {
          // Flag-only group: applies to the rest of the enclosing group.
          this.pos++;
          return [];
        }
        this.pos++; // ':'
        node = { t: 'group', num: 0, body: this.parseAlternation() };
      }
    } else {
      const num = ++this.groupCount;
      this.groupNames[num] = '';
      const body = this.parseAlternation();
      this.closedGroups.add(num);
      node = { t: 'group', num, body };
    }
    this.skipWs();
    if (this.src[this.pos] !== ')') this.syntax('Unclosed group', this.src.length);
    this.pos++;
    this.flags = saved;
    return [node];
  }

  // ---------------- escapes

  parseEscapeAtom(): Node[] {
    const start = this.pos;
    this.pos++; // backslash
    if (this.eof) this.syntax('Unexpected internal error', this.pos);
    const c = this.src[this.pos];
    switch (c) {
      case 'Q': {
        this.pos++;
        const end = this.src.indexOf('\\E', this.pos);
        const text = end < 0 ? this.src.slice(this.pos) : this.src.slice(this.pos, end);
        this.pos = end < 0 ? this.src.length : end + 2;
        return Array.from(text, (ch) => this.literal(ch.codePointAt(0)!));
      }
      case 'b':
        this.pos++;
        if (this.src[this.pos] === '{') this.unsupported('\\b{g}', start, 'grapheme cluster boundaries are not supported');
        return [{ t: 'assert', js: this.flags.U ? `(?:(?<=${U_WORD_JS})(?!${U_WORD_JS})|(?<!${U_WORD_JS})(?=${U_WORD_JS}))` : '\\b' }];
      case 'B':
        this.pos++;
        return [{ t: 'assert', js: this.flags.U ? `(?:(?<=${U_WORD_JS})(?=${U_WORD_JS})|(?<!${U_WORD_JS})(?!${U_WORD_JS}))` : '\\B' }];
      case 'A':
        this.pos++;
        return [{ t: 'assert', js: '^', start: true }];
      case 'z':
        this.pos++;
        return [{ t: 'assert', js: '$' }];
      case 'Z':
        this.pos++;
        return [{ t: 'assert', js: this.flags.d ? A_DOLLAR_UNIX : A_DOLLAR }];
      case 'G':
        this.unsupported('\\G', start, 'end-of-previous-match anchor has no JavaScript equivalent');
      // eslint-disable-next-line no-fallthrough
      case 'X':
        this.unsupported('\\X', start, 'extended grapheme clusters are not supported');
      // eslint-disable-next-line no-fallthrough
      case 'R': {
        this.pos++;
        const crlf: Node = { t: 'seq', items: [this.rawChar(0x0d), this.rawChar(0x0a)] };
        return [{ t: 'group', num: 0, body: { t: 'alt', alts: [crlf, { t: 'set', cls: exact(S_VSPACE) }] } }];
      }
      case 'k': {
        this.pos++;
        const m = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.src.slice(this.pos));
        if (!m) this.syntax("\\k is not followed by '<' for named capturing group", this.pos);
        const num = this.named.get(m[1]);
        if (num === undefined) this.syntax(`named capturing group <${m[1]}> does not exist`, this.pos);
        this.pos += m[0].length;
        return [this.backref(num, start)];
      }
      default:
        break;
    }
    if (c >= '1' && c <= '9') {
      // Java: take further digits while the number names an existing group.
      let num = c.charCodeAt(0) - 48;
      this.pos++;
      while (this.pos < this.src.length) {
        const d = this.src.charCodeAt(this.pos);
        if (d < 48 || d > 57) break;
        const next = num * 10 + (d - 48);
        if (next > this.groupCount) break;
        num = next;
        this.pos++;
      }
      return [this.backref(num, start)];
    }
    const r = this.parseEscapeValue(false, false);
    if (typeof r === 'number') return [this.literal(r)];
    return [{ t: 'set', cls: r }];
  }

  rawChar(cp: number): Node {
    return { t: 'set', cls: exact(single(cp)) };
  }

  backref(num: number, at: number): Node {
    if (this.lookbehindDepth > 0) this.unsupported('backreference in lookbehind', at, 'JavaScript evaluates lookbehind right-to-left');
    if (this.flags.i) this.unsupported('case-insensitive backreference', at, 'JavaScript cannot compare a backreference ASCII-case-insensitively without changing other matching');
    return { t: 'backref', num, at, ci: this.flags.i };
  }

  /**
   * Parses the escape after the backslash (this.pos at the escape letter) that
   * denotes a single character (returns the code point) or a class.
   */
  parseEscapeValue(inClass: boolean, inRange: boolean): number | ClassValue {
    const start = this.pos - 1;
    const c = this.src[this.pos];
    const code = this.readCp();
    switch (c) {
      case '0': {
        const m = /^([0-3][0-7]{2}|[0-7]{1,2})/.exec(this.src.slice(this.pos, this.pos + 3));
        if (!m) this.syntax('Illegal octal escape sequence', this.pos);
        this.pos += m[0].length;
        return parseInt(m[0], 8);
      }
      case 'a': return 0x07;
      case 'e': return 0x1b;
      case 'f': return 0x0c;
      case 'n': return 0x0a;
      case 'r': return 0x0d;
      case 't': return 0x09;
      case 'c': {
        if (this.eof) this.syntax('Illegal control escape sequence', this.pos);
        return this.readCp() ^ 64;
      }
      case 'x': {
        if (this.src[this.pos] === '{') {
          const end = this.src.indexOf('}', this.pos);
          const hex = end < 0 ? '' : this.src.slice(this.pos + 1, end);
          if (!/^[0-9a-fA-F]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) this.syntax('Illegal hexadecimal escape sequence', this.pos);
          this.pos = end + 1;
          return parseInt(hex, 16);
        }
        const h = this.src.slice(this.pos, this.pos + 2);
        if (h.length !== 2 || !HEX.test(h[0]) || !HEX.test(h[1])) this.syntax('Illegal hexadecimal escape sequence', this.pos);
        this.pos += 2;
        return parseInt(h, 16);
      }
      case 'u': {
        const n = this.hex4();
        if (n >= 0xd800 && n <= 0xdbff && this.src.startsWith('\\u', this.pos)) {
          const save = this.pos;
          this.pos += 2;
          const lo = /^[0-9a-fA-F]{4}/.test(this.src.slice(this.pos, this.pos + 4)) ? parseInt(this.src.slice(this.pos, this.pos + 4), 16) : -1;
          if (lo >= 0xdc00 && lo <= 0xdfff) {
            this.pos += 4;
            return 0x10000 + ((n - 0xd800) << 10) + (lo - 0xdc00);
          }
          this.pos = save;
        }
        return n;
      }
      case 'N':
        this.unsupported('\\N{name}', start, 'named characters are not supported');
      // eslint-disable-next-line no-fallthrough
      case 'd':
        return this.flags.U ? sym('\\p{Nd}') : exact(S_DIGIT);
      case 'D':
        return this.flags.U ? sym('\\P{Nd}') : exact(negate(S_DIGIT));
      case 's':
        return this.flags.U ? sym('\\p{White_Space}') : exact(S_SPACE);
      case 'S':
        return this.flags.U ? sym('\\P{White_Space}') : exact(negate(S_SPACE));
      case 'w':
        return this.flags.U ? sym(U_WORD_JS) : exact(S_WORD);
      case 'W':
        return this.flags.U ? classNegate(sym(U_WORD_JS)) : exact(negate(S_WORD));
      case 'h':
        return exact(S_HSPACE);
      case 'H':
        return exact(negate(S_HSPACE));
      case 'v':
        return inRange ? 0x0b : exact(S_VSPACE);
      case 'V':
        return exact(negate(S_VSPACE));
      case 'p':
      case 'P': {
        let name: string;
        if (this.src[this.pos] === '{') {
          const end = this.src.indexOf('}', this.pos);
          if (end < 0) this.syntax('Unclosed character family', this.pos);
          name = this.src.slice(this.pos + 1, end);
          this.pos = end + 1;
        } else {
          if (this.eof) this.syntax('Illegal character family', this.pos);
          name = String.fromCodePoint(this.readCp());
        }
        const cls = this.property(name, start);
        return c === 'P' ? classNegate(cls) : cls;
      }
      default:
        break;
    }
    if (inClass && (c === 'b' || c === 'B' || c === 'A' || c === 'G' || c === 'z' || c === 'Z' || c === 'R' || c === 'X' || c === 'k' || (c >= '1' && c <= '9'))) {
      this.syntax('Illegal/unsupported escape sequence', start + 1);
    }
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) {
      this.syntax('Illegal/unsupported escape sequence', start + 1);
    }
    return code;
  }

  hex4(): number {
    const h = this.src.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.syntax('Illegal Unicode escape sequence', this.pos);
    this.pos += 4;
    return parseInt(h, 16);
  }

  // ---------------- properties

  property(name: string, at: number): ClassValue {
    const ci = this.flags.i;
    const cased = (base: string): ClassValue =>
      ci ? sym('[\\p{Lowercase}\\p{Uppercase}\\p{Lt}]') : sym(base);
    const eq = name.indexOf('=');
    if (eq >= 0) {
      const key = name.slice(0, eq).toLowerCase();
      const value = name.slice(eq + 1);
      if (key === 'script' || key === 'sc') return this.script(value, at);
      if (key === 'block' || key === 'blk') this.unsupported(`\\p{${name}}`, at, 'Unicode blocks are not supported by JavaScript');
      if (key === 'general_category' || key === 'gc') {
        const cat = this.category(value, ci);
        if (cat) return cat;
      }
      this.syntax(`Unknown Unicode property {name=<${key}>, value=<${value}>}`, at);
    }
    if (name.startsWith('In')) this.unsupported(`\\p{${name}}`, at, 'Unicode blocks are not supported by JavaScript');
    if (name.startsWith('Is')) {
      const rest = name.slice(2);
      const u = this.unicodeProperty(rest.toUpperCase(), ci);
      if (u) return u;
      const cat = this.category(rest, ci);
      if (cat) return cat;
      return this.script(rest, at);
    }
    if (this.flags.U) {
      const p = this.posixUnicode(name.toUpperCase(), ci);
      if (p) return p;
    }
    switch (name) {
      case 'Lower': return exact(ci ? S_ALPHA : parseSimple('a-z'));
      case 'Upper': return exact(ci ? S_ALPHA : parseSimple('A-Z'));
      case 'ASCII': return exact(range(0, 0x7f));
      case 'Alpha': return exact(S_ALPHA);
      case 'Digit': return exact(S_DIGIT);
      case 'Alnum': return exact(parseSimple('a-zA-Z0-9'));
      case 'Punct': return exact(S_PUNCT);
      case 'Graph': return exact(range(0x21, 0x7e));
      case 'Print': return exact(range(0x20, 0x7e));
      case 'Blank': return exact(fromRanges([[0x20, 0x20], [0x09, 0x09]]));
      case 'Cntrl': return exact(fromRanges([[0, 0x1f], [0x7f, 0x7f]]));
      case 'XDigit': return exact(parseSimple('0-9a-fA-F'));
      case 'Space': return exact(S_SPACE);
      case 'javaLowerCase': return cased('\\p{Lowercase}');
      case 'javaUpperCase': return cased('\\p{Uppercase}');
      case 'javaTitleCase': return cased('\\p{Lt}');
      case 'javaAlphabetic': return sym('\\p{Alphabetic}');
      case 'javaIdeographic': return sym('\\p{Ideographic}');
      case 'javaDigit': return sym('\\p{Nd}');
      case 'javaDefined': return sym('\\P{Cn}');
      case 'javaLetter': return sym('\\p{L}');
      case 'javaLetterOrDigit': return sym('[\\p{L}\\p{Nd}]');
      case 'javaSpaceChar': return sym('\\p{Z}');
      case 'javaWhitespace': return exact(S_JAVA_WHITESPACE);
      case 'javaISOControl': return exact(fromRanges([[0, 0x1f], [0x7f, 0x9f]]));
      case 'javaMirrored': return sym('\\p{Bidi_Mirrored}');
      case 'javaJavaIdentifierStart':
      case 'javaJavaIdentifierPart':
      case 'javaUnicodeIdentifierStart':
      case 'javaUnicodeIdentifierPart':
      case 'javaIdentifierIgnorable':
        this.unsupported(`\\p{${name}}`, at, 'Java identifier classes have no exact JavaScript equivalent');
      // eslint-disable-next-line no-fallthrough
      default:
        break;
    }
    const cat = this.category(name, ci);
    if (cat) return cat;
    this.syntax(`Unknown character property name {${name}}`, at);
  }

  category(name: string, ci: boolean): ClassValue | null {
    if (ci && (name === 'Lu' || name === 'Ll' || name === 'Lt')) return sym('\\p{LC}');
    if (CATEGORIES.has(name)) return sym(`\\p{${name}}`);
    if (name === 'LD') return sym('[\\p{L}\\p{Nd}]');
    if (name === 'L1') return exact(range(0, 0xff));
    if (name === 'all') return exact(FULL);
    return null;
  }

  unicodeProperty(upper: string, ci: boolean): ClassValue | null {
    const anyCase = sym('[\\p{Lowercase}\\p{Uppercase}\\p{Lt}]');
    switch (upper) {
      case 'ALPHABETIC': return sym('\\p{Alphabetic}');
      case 'ASSIGNED': return sym('\\p{Assigned}');
      case 'CONTROL': return sym('\\p{Cc}');
      case 'EMOJI': return sym('\\p{Emoji}');
      case 'EMOJI_PRESENTATION': return sym('\\p{Emoji_Presentation}');
      case 'EMOJI_MODIFIER': return sym('\\p{Emoji_Modifier}');
      case 'EMOJI_MODIFIER_BASE': return sym('\\p{Emoji_Modifier_Base}');
      case 'EMOJI_COMPONENT': return sym('\\p{Emoji_Component}');
      case 'EXTENDED_PICTOGRAPHIC': return sym('\\p{Extended_Pictographic}');
      case 'HEXDIGIT':
      case 'HEX_DIGIT': return sym('[\\p{Nd}\\p{Hex_Digit}]');
      case 'IDEOGRAPHIC': return sym('\\p{Ideographic}');
      case 'JOINCONTROL':
      case 'JOIN_CONTROL': return sym('\\p{Join_Control}');
      case 'LETTER': return sym('\\p{L}');
      case 'LOWERCASE': return ci ? anyCase : sym('\\p{Lowercase}');
      case 'UPPERCASE': return ci ? anyCase : sym('\\p{Uppercase}');
      case 'TITLECASE': return ci ? anyCase : sym('\\p{Lt}');
      case 'NONCHARACTERCODEPOINT':
      case 'NONCHARACTER_CODE_POINT': return sym('\\p{Noncharacter_Code_Point}');
      case 'PUNCTUATION': return sym('\\p{P}');
      case 'WHITESPACE':
      case 'WHITE_SPACE': return sym('\\p{White_Space}');
      case 'WORD': return sym(U_WORD_JS);
      default: return this.posixUnicode(upper, ci);
    }
  }

  posixUnicode(upper: string, ci: boolean): ClassValue | null {
    const anyCase = (): ClassValue => sym('[\\p{Lowercase}\\p{Uppercase}\\p{Lt}]');
    switch (upper) {
      case 'ALPHA': return sym('\\p{Alphabetic}');
      case 'LOWER': return ci ? anyCase() : sym('\\p{Lowercase}');
      case 'UPPER': return ci ? anyCase() : sym('\\p{Uppercase}');
      case 'SPACE': return sym('\\p{White_Space}');
      case 'PUNCT': return sym('\\p{P}');
      case 'XDIGIT': return sym('[\\p{Nd}\\p{Hex_Digit}]');
      case 'ALNUM': return sym('[\\p{Alphabetic}\\p{Nd}]');
      case 'CNTRL': return sym('\\p{Cc}');
      case 'DIGIT': return sym('\\p{Nd}');
      case 'BLANK': return sym('[\\p{Zs}\\t]');
      case 'GRAPH': return sym('[^\\p{Z}\\p{Cc}\\p{Cs}\\p{Cn}]');
      case 'PRINT': return sym('[^\\p{Zl}\\p{Zp}\\p{Cc}\\p{Cs}\\p{Cn}]');
      default: return null;
    }
  }

  script(name: string, at: number): ClassValue {
    const candidates = [
      name,
      name
        .toLowerCase()
        .split(/[_ ]/)
        .map((w) => (w ? w[0].toUpperCase() + w.slice(1) : w))
        .join('_'),
    ];
    for (const cand of candidates) {
      if (!/^[A-Za-z_]+$/.test(cand)) continue;
      try {
        new RegExp(`\\p{Script=${cand}}`, 'u');
        return sym(`\\p{Script=${cand}}`);
      } catch {
        // try next spelling
      }
    }
    this.syntax(`Unknown character script name {${name}}`, at);
  }

  // ---------------- character classes

  /** Parses `[...]` starting at '['. Java 9+ semantics: `^` negates the whole class. */
  parseClass(): ClassValue {
    const open = this.pos;
    this.pos++; // [
    let negated = false;
    if (this.src[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    let acc: ClassValue | null = null; // current union operand
    let left: ClassValue | null = null; // accumulated intersection
    let sawAnd = false;
    let first = true;
    for (;;) {
      this.skipWs();
      if (this.eof) this.syntax('Unclosed character class', this.src.length - 1);
      const c = this.src[this.pos];
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === '[') {
        acc = classUnion(acc, this.parseClass());
        continue;
      }
      if (c === '&' && this.src[this.pos + 1] === '&') {
        this.pos += 2;
        left = sawAnd ? classIntersect(left, acc) : acc;
        sawAnd = true;
        acc = null;
        continue;
      }
      // single character, escape or range
      let lo: number | ClassValue;
      if (c === '\\') {
        this.pos++;
        if (this.src[this.pos] === 'Q') {
          this.pos++;
          const end = this.src.indexOf('\\E', this.pos);
          const text = end < 0 ? this.src.slice(this.pos) : this.src.slice(this.pos, end);
          this.pos = end < 0 ? this.src.length : end + 2;
          for (const ch of text) acc = classUnion(acc, this.caseClosed(single(ch.codePointAt(0)!)));
          continue;
        }
        lo = this.parseEscapeValue(true, false);
      } else {
        lo = this.readCp();
      }
      if (typeof lo !== 'number') {
        acc = classUnion(acc, lo);
        continue;
      }
      this.skipWs();
      if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']' && this.src[this.pos + 1] !== '[') {
        const dash = this.pos;
        this.pos++;
        this.skipWs();
        let hi: number | ClassValue;
        if (this.src[this.pos] === '\\') {
          this.pos++;
          hi = this.parseEscapeValue(true, true);
        } else if (this.eof) {
          this.syntax('Unclosed character class', this.src.length - 1);
        } else {
          hi = this.readCp();
        }
        if (typeof hi !== 'number' || hi < lo) this.syntax('Illegal character range', dash);
        acc = classUnion(acc, this.caseClosed(range(lo, hi)));
      } else {
        acc = classUnion(acc, this.caseClosed(single(lo)));
      }
    }
    let result: ClassValue | null = sawAnd ? classIntersect(left, acc) : acc;
    if (!result) result = exact(EMPTY);
    void open;
    return negated ? classNegate(result) : result;
  }
}

// ---------------------------------------------------------------- semantic checks

function containsCapture(n: Node): boolean {
  switch (n.t) {
    case 'group':
      return n.num > 0 || containsCapture(n.body);
    case 'seq':
      return n.items.some(containsCapture);
    case 'alt':
      return n.alts.some(containsCapture);
    case 'look':
    case 'atomic':
    case 'quant':
      return containsCapture(n.body);
    default:
      return false;
  }
}

export function nullable(n: Node): boolean {
  switch (n.t) {
    case 'set':
      return false;
    case 'seq':
      return n.items.every(nullable);
    case 'alt':
      return n.alts.some(nullable);
    case 'group':
    case 'atomic':
      return nullable(n.body);
    case 'quant':
      return n.min === 0 || nullable(n.body);
    case 'backref':
      return true;
    default:
      return true;
  }
}

function isDeterministicBody(n: Node): boolean {
  switch (n.t) {
    case 'alt':
      return false;
    case 'quant':
      return n.min === n.max && isDeterministicBody(n.body);
    case 'seq':
      return n.items.every(isDeterministicBody);
    case 'group':
    case 'atomic':
    case 'look':
      return isDeterministicBody(n.body);
    case 'backref':
      return false;
    default:
      return true;
  }
}

/**
 * Rejects constructs whose capture semantics differ between Java and JS:
 *  - Java keeps a group's value from an earlier iteration of an enclosing loop
 *    when a later iteration skips the group; JavaScript resets it.
 *  - A backreference to a group that did not participate fails in Java but
 *    matches the empty string in JavaScript.
 *  - Captures inside lookbehind are filled right-to-left in JavaScript.
 */
function checkSemantics(root: Node, groupCount: number): void {
  const parents = new Map<Node, Node | null>();
  const groupNode = new Map<number, Node>();
  const groupAt = new Map<number, number>();
  let order = 0;
  const orderOf = new Map<Node, number>();

  const walk = (n: Node, parent: Node | null, inRepeat: boolean, optional: boolean, inBehind: boolean): void => {
    parents.set(n, parent);
    orderOf.set(n, order++);
    switch (n.t) {
      case 'group':
        if (n.num > 0) {
          groupNode.set(n.num, n);
          groupAt.set(n.num, order);
          if (inRepeat && optional) {
            throw new UnsupportedRegexError(
              `capture group ${n.num} in repeated group`,
              0,
              `group ${n.num} may not take part in every repetition; Java keeps its value from an earlier repetition but JavaScript resets it`,
            );
          }
        }
        walk(n.body, n, inRepeat, optional, inBehind);
        break;
      case 'seq':
        for (const it of n.items) walk(it, n, inRepeat, optional, inBehind);
        break;
      case 'alt':
        for (const a of n.alts) walk(a, n, inRepeat, inRepeat || optional, inBehind);
        break;
      case 'atomic':
        walk(n.body, n, inRepeat, optional, inBehind);
        break;
      case 'look':
        if (n.behind && containsCapture(n.body) && !isDeterministicBody(n.body)) {
          throw new UnsupportedRegexError('capture group in lookbehind', 0, 'JavaScript fills captures in a variable lookbehind right-to-left, Java left-to-right');
        }
        walk(n.body, n, inRepeat, optional || n.neg, inBehind || n.behind);
        break;
      case 'quant':
        if (n.max > 1) {
          if (containsCapture(n.body) && nullable(n.body)) {
            throw new UnsupportedRegexError(
              'capture group in repeated empty-matching group',
              0,
              'Java and JavaScript record different captures for a repeated group that can match the empty string',
            );
          }
          walk(n.body, n, true, false, inBehind);
        } else {
          walk(n.body, n, inRepeat, optional || n.min === 0, inBehind);
        }
        break;
      default:
        break;
    }
  };
  walk(root, null, false, false, false);

  const ancestors = (n: Node): Node[] => {
    const out: Node[] = [];
    for (let p: Node | null | undefined = n; p; p = parents.get(p)) out.push(p);
    return out.reverse(); // root first
  };

  const checkRefs = (n: Node): void => {
    switch (n.t) {
      case 'backref': {
        const g = groupNode.get(n.num);
        const fail = (why: string): never => {
          throw new UnsupportedRegexError(`\\${n.num}`, n.at, why);
        };
        if (!g || n.num > groupCount) return; // reference to a group that never exists: never matches (emitted as [])
        const ga = ancestors(g);
        const ba = ancestors(n);
        if (ba.includes(g)) fail(`backreference inside group ${n.num} itself (Java fails, JavaScript matches empty)`);
        let k = 0;
        while (k < ga.length && k < ba.length && ga[k] === ba[k]) k++;
        const lca = ga[k - 1];
        if (lca.t !== 'seq') fail(`group ${n.num} is not guaranteed to have matched before the backreference (Java fails the match, JavaScript matches empty)`);
        if (orderOf.get(ga[k])! > orderOf.get(ba[k])!) fail(`forward reference to group ${n.num}`);
        for (let j = k; j < ga.length - 1; j++) {
          const a = ga[j];
          const ok =
            a.t === 'seq' ||
            a.t === 'group' ||
            a.t === 'atomic' ||
            (a.t === 'look' && !a.neg) ||
            (a.t === 'quant' && a.min >= 1);
          if (!ok) fail(`group ${n.num} is optional, so it may not have matched before the backreference (Java fails the match, JavaScript matches empty)`);
        }
        break;
      }
      case 'seq':
        n.items.forEach(checkRefs);
        break;
      case 'alt':
        n.alts.forEach(checkRefs);
        break;
      case 'group':
      case 'look':
      case 'atomic':
      case 'quant':
        checkRefs(n.body);
        break;
      default:
        break;
    }
  };
  checkRefs(root);
}

// ---------------------------------------------------------------- emitter

class Emitter {
  jsGroups = 0;
  javaToJs: number[] = [0];
  synthetic = 0;

  emit(n: Node): string {
    switch (n.t) {
      case 'set':
        return emitClass(n.cls);
      case 'seq':
        return n.items.map((it) => this.emitSeqItem(it)).join('');
      case 'alt':
        return n.alts.map((a) => this.emit(a)).join('|');
      case 'group': {
        if (n.num === 0) return '(?:' + this.emit(n.body) + ')';
        const js = ++this.jsGroups;
        this.javaToJs[n.num] = js;
        // names are kept in groupNames; unnamed in JS, so exec() builds no groups object
        return '(' + this.emit(n.body) + ')';
      }
      case 'look':
        return (n.behind ? (n.neg ? '(?<!' : '(?<=') : n.neg ? '(?!' : '(?=') + this.emit(n.body) + ')';
      case 'atomic':
        return this.atomic(() => this.emit(n.body));
      case 'quant': {
        if (n.mode === 'possessive') {
          return this.atomic(() => this.quantified(n.body, n.min, n.max, false));
        }
        return this.quantified(n.body, n.min, n.max, n.mode === 'lazy');
      }
      case 'backref': {
        const js = this.javaToJs[n.num];
        if (js === undefined) return '[]'; // group does not exist (yet): Java never matches
        return `(?:\\${js})`;
      }
      case 'assert':
        return n.js;
    }
  }

  emitSeqItem(n: Node): string {
    if (n.t === 'alt') return '(?:' + this.emit(n) + ')';
    return this.emit(n);
  }

  atomic(body: () => string): string {
    const js = ++this.jsGroups;
    this.synthetic++;
    return `(?=(${body()}))\\${js}`;
  }

  quantified(body: Node, min: number, max: number, lazy: boolean): string {
    let atom: string;
    if (body.t === 'set' || (body.t === 'group' && body.num === 0) || body.t === 'backref') atom = this.emit(body);
    else if (body.t === 'group') atom = this.emit(body);
    else atom = '(?:' + this.emit(body) + ')';
    let q: string;
    if (min === 0 && max === 1) q = '?';
    else if (min === 0 && max === Infinity) q = '*';
    else if (min === 1 && max === Infinity) q = '+';
    else if (max === Infinity) q = `{${min},}`;
    else if (min === max) q = `{${min}}`;
    else q = `{${min},${max}}`;
    return atom + q + (lazy ? '?' : '');
  }
}

// ---------------------------------------------------------------- entry point

function startsAnchored(n: Node): boolean {
  switch (n.t) {
    case 'assert':
      return n.start === true;
    case 'seq':
      for (const it of n.items) {
        if (startsAnchored(it)) return true;
        // zero-width items before the anchor do not move the start
        if (it.t !== 'assert' && it.t !== 'look') return false;
      }
      return false;
    case 'alt':
      return n.alts.every(startsAnchored);
    case 'group':
    case 'atomic':
      return startsAnchored(n.body);
    case 'quant':
      return n.min >= 1 && startsAnchored(n.body);
    default:
      return false;
  }
}

const translationCache = new Map<string, TranslatedRegex>();

function flagKey(f: JavaRegexFlags): string {
  return [
    f.caseInsensitive, f.multiline, f.dotall, f.comments, f.literal, f.unicodeCase,
    f.unicodeCharacterClass, f.unixLines, f.canonicalEquivalence,
  ].map((b) => (b ? '1' : '0')).join('');
}

/**
 * Translates a Java regex into JS RegExp source + flags.
 * @throws UnsupportedRegexError for constructs with no faithful JS translation
 * @throws JavaRegexSyntaxError (a SyntaxError) for patterns Java itself rejects
 */
export function translateJavaRegex(pattern: string, flags: JavaRegexFlags = {}): TranslatedRegex {
  const key = flagKey(flags) + pattern;
  const cached = translationCache.get(key);
  if (cached) return cached;
  if (flags.canonicalEquivalence) {
    throw new UnsupportedRegexError('CANON_EQ', 0, 'canonical equivalence is not supported');
  }
  const state: FlagState = {
    i: !!flags.caseInsensitive,
    m: !!flags.multiline,
    s: !!flags.dotall,
    x: !!flags.comments,
    d: !!flags.unixLines,
    u: !!flags.unicodeCase || !!flags.unicodeCharacterClass,
    U: !!flags.unicodeCharacterClass,
  };
  const parser = new Parser(pattern, state);
  let ast: Node;
  if (flags.literal) {
    ast = { t: 'seq', items: Array.from(pattern, (ch) => parser.literal(ch.codePointAt(0)!)) };
  } else {
    ast = parser.parsePattern();
  }
  checkSemantics(ast, parser.groupCount);
  const em = new Emitter();
  const source = em.emit(ast);
  const jsGroupIndex: number[] = [0];
  for (let g = 1; g <= parser.groupCount; g++) jsGroupIndex[g] = em.javaToJs[g] ?? g;
  const result: TranslatedRegex = {
    source,
    flags: 'u',
    groupNames: parser.groupNames.slice(0, parser.groupCount + 1),
    groupCount: parser.groupCount,
    jsGroupIndex,
    remapped: em.synthetic > 0,
    anchoredStart: startsAnchored(ast),
    ast,
  };
  // Make sure the emitted source really compiles (defensive: a bug here must not
  // surface later as a confusing error).
  try {
    new RegExp(source, 'u');
  } catch (e) {
    throw new UnsupportedRegexError(pattern, 0, `internal translation produced invalid JavaScript (${(e as Error).message})`);
  }
  if (translationCache.size > 500) translationCache.clear();
  translationCache.set(key, result);
  return result;
}

/** Convenience: translate and compile (with extra JS flags such as 'g' or 'y'). */
export function compileJavaRegex(pattern: string, flags: JavaRegexFlags = {}, extraJsFlags = ''): RegExp {
  const t = translateJavaRegex(pattern, flags);
  return new RegExp(t.source, t.flags + extraJsFlags);
}

