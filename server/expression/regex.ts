/**
 * A small translator from java.util.regex.Pattern syntax to JavaScript RegExp (with the `u` flag),
 * plus Java-style replacement strings. Private to the expression package.
 *
 * Supported: leading inline flags (?imsxdu), \A \z \Z, \Q...\E, \h \H \v \V \R, \e \a, \0ooo, \x{h..h},
 * POSIX classes \p{Alpha} etc., Unicode \p{L} / \p{IsLatin} / \p{Lu}, Java's "$" (before a final line
 * terminator), Java's \s (ASCII only), "]" / "}" as literals, named groups.
 * Rejected with a clear error: possessive quantifiers, atomic groups, \G, \X, class unions/intersections,
 * inline flags anywhere but the start of the pattern, Unicode blocks (\p{InGreek}).
 */
import { ExpressionEvaluationError } from './errors.ts';

export class RegexSyntaxError extends ExpressionEvaluationError {}

const LINE_END_DOLLAR = '(?=(?:\\r\\n|[\\n\\r\\u0085\\u2028\\u2029])?(?![\\s\\S]))';
const START_OF_INPUT = '(?<![\\s\\S])';
const END_OF_INPUT = '(?![\\s\\S])';

const H_SPACE = '\\t \\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000';
const V_SPACE = '\\n\\x0B\\f\\r\\x85\\u2028\\u2029';
const JAVA_SPACE = '\\t-\\r ';

const POSIX: Record<string, string> = {
  Lower: 'a-z', Upper: 'A-Z', ASCII: '\\x00-\\x7F', Alpha: 'a-zA-Z', Digit: '0-9', Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~', Graph: '!-~', Print: ' -~', Blank: ' \\t', Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F', Space: JAVA_SPACE,
};

const JAVA_CHAR_PROPS: Record<string, string> = {
  javaLowerCase: 'Lowercase', javaUpperCase: 'Uppercase', javaAlphabetic: 'Alphabetic', javaLetter: 'L',
  javaDigit: 'Nd', javaWhitespace: 'White_Space', javaTitleCase: 'Lt', javaIdeographic: 'Ideographic',
};

const BINARY_PROPS: Record<string, string> = {
  Alphabetic: 'Alphabetic', Ideographic: 'Ideographic', Letter: 'L', Lowercase: 'Lowercase', Uppercase: 'Uppercase',
  Titlecase: 'Lt', Punctuation: 'P', Control: 'Cc', White_Space: 'White_Space', WhiteSpace: 'White_Space',
  Digit: 'Nd', Hex_Digit: 'Hex_Digit', HexDigit: 'Hex_Digit', Join_Control: 'Join_Control',
  JoinControl: 'Join_Control', Noncharacter_Code_Point: 'Noncharacter_Code_Point', Assigned: 'Assigned',
  Emoji: 'Emoji',
};

function validJsProperty(prop: string): boolean {
  try {
    new RegExp(`\\p{${prop}}`, 'u');
    return true;
  } catch {
    return false;
  }
}

export interface TranslatedRegex {
  source: string;
  flags: string;
  multiline: boolean;
  groupCount: number;
  groupNames: Set<string>;
}

function fail(pattern: string, index: number, msg: string): never {
  throw new RegexSyntaxError(`invalid regular expression '${pattern}': ${msg} near index ${index}`);
}

function escapeLiteralChar(ch: string, inClass: boolean): string {
  if (inClass) return /[\\\]\[^-]/.test(ch) ? '\\' + ch : ch;
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? '\\' + ch : ch;
}

/** Translates a Java regex into a JS RegExp source + flags. Throws RegexSyntaxError. */
export function translateJavaRegex(pattern: string): TranslatedRegex {
  const flags = { i: false, m: false, s: false, x: false };
  let i = 0;
  const n = pattern.length;
  const applyFlags = (on: string, off: string, at: number) => {
    for (const f of on + off) {
      if (!'idmsuxU'.includes(f)) fail(pattern, at, `unknown inline flag '${f}'`);
    }
    for (const f of on) if (f in flags) (flags as Record<string, boolean>)[f] = true;
    for (const f of off) if (f in flags) (flags as Record<string, boolean>)[f] = false;
  };
  for (;;) {
    const m = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)/.exec(pattern.slice(i));
    if (!m) break;
    applyFlags(m[1] ?? '', m[2] ?? '', i);
    i += m[0].length;
  }

  let out = '';
  let inClass = false;
  let groupCount = 0;
  const groupNames = new Set<string>();

  const checkPossessive = () => {
    if (pattern[i] === '+') fail(pattern, i, 'possessive quantifiers are not supported');
    if (pattern[i] === '?') {
      out += '?';
      i++;
    }
  };

  while (i < n) {
    const c = pattern[i]!;
    if (c === '\\') {
      i = translateEscape(pattern, i, inClass, groupCount, (s) => (out += s));
      continue;
    }
    if (flags.x && !inClass) {
      if (/\s/.test(c)) {
        i++;
        continue;
      }
      if (c === '#') {
        while (i < n && pattern[i] !== '\n') i++;
        continue;
      }
    }
    if (inClass) {
      if (c === '[') fail(pattern, i, 'nested character classes (unions) are not supported');
      if (c === '&' && pattern[i + 1] === '&') fail(pattern, i, 'character class intersections (&&) are not supported');
      if (c === ']') inClass = false;
      if (flags.x && /\s/.test(c)) {
        i++;
        continue;
      }
      out += c;
      i++;
      continue;
    }
    switch (c) {
      case '[':
        inClass = true;
        out += '[';
        i++;
        if (pattern[i] === '^') {
          out += '^';
          i++;
        }
        if (pattern[i] === ']') {
          out += '\\]';
          i++;
        }
        break;
      case '(': {
        if (pattern[i + 1] !== '?') {
          groupCount++;
          out += '(';
          i++;
          break;
        }
        const rest = pattern.slice(i + 2);
        if (/^(?::|=|!|<=|<!)/.test(rest)) {
          const m = /^(?::|=|!|<=|<!)/.exec(rest)!;
          out += '(?' + m[0];
          i += 2 + m[0].length;
          break;
        }
        const named = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(rest);
        if (named) {
          groupCount++;
          groupNames.add(named[1]!);
          out += '(?' + named[0];
          i += 2 + named[0].length;
          break;
        }
        if (rest[0] === '>') fail(pattern, i, 'atomic groups (?>...) are not supported');
        const fl = /^([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])/.exec(rest);
        if (fl) {
          const on = fl[1] ?? '';
          const off = fl[2] ?? '';
          const same = [...on].every((f) => !(f in flags) || (flags as Record<string, boolean>)[f]) &&
            [...off].every((f) => !(f in flags) || !(flags as Record<string, boolean>)[f]);
          if (!same) fail(pattern, i, 'inline flags are only supported at the start of the pattern');
          out += fl[3] === ':' ? '(?:' : '';
          i += 2 + fl[0].length;
          break;
        }
        fail(pattern, i, 'unknown group construct');
        break;
      }
      case '{': {
        const q = /^\{\d+(?:,\d*)?\}/.exec(pattern.slice(i));
        if (!q) fail(pattern, i, 'illegal repetition');
        out += q[0];
        i += q[0].length;
        checkPossessive();
        break;
      }
      case '*':
      case '+':
      case '?':
        out += c;
        i++;
        checkPossessive();
        break;
      case '}':
        out += '\\}';
        i++;
        break;
      case ']':
        out += '\\]';
        i++;
        break;
      case '$':
        out += flags.m ? '$' : LINE_END_DOLLAR;
        i++;
        break;
      default:
        out += c;
        i++;
    }
  }
  if (inClass) fail(pattern, n, 'unclosed character class');
  const jsFlags = 'u' + (flags.i ? 'i' : '') + (flags.m ? 'm' : '') + (flags.s ? 's' : '');
  try {
    new RegExp(out, jsFlags);
  } catch (e) {
    throw new RegexSyntaxError(`invalid regular expression '${pattern}': ${(e as Error).message}`);
  }
  return { source: out, flags: jsFlags, multiline: flags.m, groupCount, groupNames };
}

/** Translates the escape at pattern[i] (a backslash), emitting through `emit`. Returns the new index. */
function translateEscape(
  pattern: string,
  i: number,
  inClass: boolean,
  groupsSoFar: number,
  emit: (s: string) => void,
): number {
  const d = pattern[i + 1];
  if (d === undefined) fail(pattern, i, 'unexpected trailing backslash');
  const notInClass = () => {
    if (inClass) fail(pattern, i, `\\${d} is not allowed in a character class`);
  };
  switch (d) {
    case 'Q': {
      const end = pattern.indexOf('\\E', i + 2);
      const lit = pattern.slice(i + 2, end < 0 ? pattern.length : end);
      for (const ch of lit) emit(escapeLiteralChar(ch, inClass));
      return end < 0 ? pattern.length : end + 2;
    }
    case 'E':
      return i + 2; // stray \E is ignored by Java
    case 'A':
      notInClass();
      emit(START_OF_INPUT);
      return i + 2;
    case 'z':
      notInClass();
      emit(END_OF_INPUT);
      return i + 2;
    case 'Z':
      notInClass();
      emit(LINE_END_DOLLAR);
      return i + 2;
    case 'G':
      fail(pattern, i, '\\G is not supported');
      break;
    case 'X':
      fail(pattern, i, '\\X is not supported');
      break;
    case 'h':
      emit(inClass ? H_SPACE : `[${H_SPACE}]`);
      return i + 2;
    case 'H':
      notInClass();
      emit(`[^${H_SPACE}]`);
      return i + 2;
    case 'v':
      emit(inClass ? V_SPACE : `[${V_SPACE}]`);
      return i + 2;
    case 'V':
      notInClass();
      emit(`[^${V_SPACE}]`);
      return i + 2;
    case 'R':
      notInClass();
      emit(`(?:\\r\\n|[${V_SPACE}])`);
      return i + 2;
    case 's':
      emit(inClass ? JAVA_SPACE : `[${JAVA_SPACE}]`);
      return i + 2;
    case 'S':
      emit(inClass ? '\\S' : `[^${JAVA_SPACE}]`);
      return i + 2;
    case 'e':
      emit('\\x1B');
      return i + 2;
    case 'a':
      emit('\\x07');
      return i + 2;
    case '0': {
      let j = i + 2;
      let digits = '';
      while (j < pattern.length && digits.length < 3 && /[0-7]/.test(pattern[j]!)) {
        const next = digits + pattern[j];
        if (parseInt(next, 8) > 0o377) break;
        digits = next;
        j++;
      }
      if (!digits) fail(pattern, i, 'illegal octal escape sequence');
      emit(`\\u{${parseInt(digits, 8).toString(16)}}`);
      return j;
    }
    case 'x': {
      if (pattern[i + 2] === '{') {
        const end = pattern.indexOf('}', i + 3);
        const hex = end < 0 ? '' : pattern.slice(i + 3, end);
        if (!/^[0-9a-fA-F]{1,6}$/.test(hex)) fail(pattern, i, 'illegal hexadecimal escape sequence');
        emit(`\\u{${hex}}`);
        return end + 1;
      }
      const hex = pattern.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail(pattern, i, 'illegal hexadecimal escape sequence');
      emit('\\x' + hex);
      return i + 4;
    }
    case 'u': {
      const hex = pattern.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(pattern, i, 'illegal Unicode escape sequence');
      emit('\\u' + hex);
      return i + 6;
    }
    case 'c': {
      const ch = pattern[i + 2];
      if (!ch || !/[a-zA-Z]/.test(ch)) fail(pattern, i, 'illegal control escape sequence');
      emit('\\c' + ch);
      return i + 3;
    }
    case 'p':
    case 'P':
      return translateProperty(pattern, i, inClass, emit);
    case 'k': {
      const m = /^\\k<([a-zA-Z][a-zA-Z0-9]*)>/.exec(pattern.slice(i));
      if (!m) fail(pattern, i, 'named back reference is malformed');
      emit(m[0]);
      return i + m[0].length;
    }
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 'b':
    case 'B':
    case 't':
    case 'n':
    case 'r':
    case 'f':
      emit('\\' + d);
      return i + 2;
    default:
      break;
  }
  if (d >= '1' && d <= '9') {
    if (inClass) fail(pattern, i, 'back references are not allowed in a character class');
    let j = i + 2;
    let num = Number(d);
    while (j < pattern.length && /\d/.test(pattern[j]!) && num * 10 + Number(pattern[j]) <= groupsSoFar) {
      num = num * 10 + Number(pattern[j]);
      j++;
    }
    if (num > groupsSoFar) {
      emit('(?!)'); // Java: a reference to a group that does not exist (yet) never matches
    } else {
      emit('\\' + num + '(?:)');
    }
    return j;
  }
  if (/[a-zA-Z]/.test(d)) fail(pattern, i, `illegal/unsupported escape sequence \\${d}`);
  emit(escapeLiteralChar(d, inClass));
  return i + 2;
}

function translateProperty(pattern: string, i: number, inClass: boolean, emit: (s: string) => void): number {
  const neg = pattern[i + 1] === 'P';
  let name: string;
  let next: number;
  if (pattern[i + 2] === '{') {
    const end = pattern.indexOf('}', i + 3);
    if (end < 0) fail(pattern, i, 'unclosed character family');
    name = pattern.slice(i + 3, end);
    next = end + 1;
  } else {
    name = pattern[i + 2] ?? '';
    next = i + 3;
  }
  if (!name) fail(pattern, i, 'empty character family');
  const posix = POSIX[name] ?? (name.startsWith('Is') ? POSIX[name.slice(2)] : undefined);
  if (posix !== undefined) {
    if (inClass) {
      if (neg) fail(pattern, i, `\\P{${name}} is not supported inside a character class`);
      emit(posix);
    } else {
      emit(`[${neg ? '^' : ''}${posix}]`);
    }
    return next;
  }
  let prop: string | undefined = JAVA_CHAR_PROPS[name];
  if (!prop) {
    if (name.startsWith('In') || /^(?:blk|block)=/i.test(name)) fail(pattern, i, `Unicode blocks (\\p{${name}}) are not supported`);
    let base = name;
    const kv = /^(sc|script|gc|general_category)=(.+)$/i.exec(base);
    if (kv) {
      prop = (/^s/i.test(kv[1]!) ? 'Script=' : 'General_Category=') + kv[2];
    } else {
      if (base.startsWith('Is')) base = base.slice(2);
      prop = BINARY_PROPS[base] ?? base;
      if (!validJsProperty(prop)) prop = 'Script=' + base;
    }
  }
  if (!validJsProperty(prop)) fail(pattern, i, `unknown character property \\p{${name}}`);
  emit(`\\${neg ? 'P' : 'p'}{${prop}}`);
  return next;
}

// ---------------------------------------------------------------------------------------------
// Compiled-regex cache
// ---------------------------------------------------------------------------------------------

export interface JavaRegex {
  readonly pattern: string;
  /** Unanchored, non-global: for find() and replaceFirst(). */
  readonly find: RegExp;
  /** Anchored to the whole input: for matches(). */
  readonly full: RegExp;
  /** Global: for replaceAll(). */
  readonly global: RegExp;
  readonly groupCount: number;
  readonly groupNames: Set<string>;
}

const regexCache = new Map<string, JavaRegex | RegexSyntaxError>();
const REGEX_CACHE_LIMIT = 1000;

/** Compiles (and caches) a Java regex. Throws RegexSyntaxError (an ExpressionEvaluationError). */
export function javaRegex(pattern: string): JavaRegex {
  let r = regexCache.get(pattern);
  if (r === undefined) {
    try {
      const t = translateJavaRegex(pattern);
      const full = t.multiline ? `${START_OF_INPUT}(?:${t.source})${END_OF_INPUT}` : `^(?:${t.source})$`;
      r = {
        pattern,
        find: new RegExp(t.source, t.flags),
        full: new RegExp(full, t.flags),
        global: new RegExp(t.source, t.flags + 'g'),
        groupCount: t.groupCount,
        groupNames: t.groupNames,
      };
    } catch (e) {
      if (!(e instanceof RegexSyntaxError)) throw e;
      r = e;
    }
    if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.delete(regexCache.keys().next().value!);
    regexCache.set(pattern, r);
  }
  if (r instanceof RegexSyntaxError) throw r;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Java replacement strings ($1, ${name}, \$)
// ---------------------------------------------------------------------------------------------

type ReplacementPart = string | number | { name: string };

function compileReplacement(rep: string, re: JavaRegex): ReplacementPart[] {
  const parts: ReplacementPart[] = [];
  let lit = '';
  for (let i = 0; i < rep.length; i++) {
    const c = rep[i]!;
    if (c === '\\') {
      i++;
      if (i >= rep.length) throw new ExpressionEvaluationError(`invalid replacement '${rep}': character to be escaped is missing`);
      lit += rep[i];
      continue;
    }
    if (c !== '$') {
      lit += c;
      continue;
    }
    i++;
    if (i >= rep.length) throw new ExpressionEvaluationError(`invalid replacement '${rep}': illegal group reference: group index is missing`);
    if (rep[i] === '{') {
      const end = rep.indexOf('}', i);
      const name = end < 0 ? '' : rep.slice(i + 1, end);
      if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(name)) throw new ExpressionEvaluationError(`invalid replacement '${rep}': named capturing group is malformed`);
      if (!re.groupNames.has(name)) throw new ExpressionEvaluationError(`invalid replacement '${rep}': no group with name {${name}}`);
      if (lit) parts.push(lit);
      lit = '';
      parts.push({ name });
      i = end;
      continue;
    }
    const d = rep.charCodeAt(i) - 48;
    if (d < 0 || d > 9) throw new ExpressionEvaluationError(`invalid replacement '${rep}': illegal group reference`);
    if (d > re.groupCount) throw new ExpressionEvaluationError(`invalid replacement '${rep}': no group ${d}`);
    let num = d;
    while (i + 1 < rep.length) {
      const nd = rep.charCodeAt(i + 1) - 48;
      if (nd < 0 || nd > 9 || num * 10 + nd > re.groupCount) break;
      num = num * 10 + nd;
      i++;
    }
    if (lit) parts.push(lit);
    lit = '';
    parts.push(num);
  }
  if (lit) parts.push(lit);
  return parts;
}

const replacementCache = new Map<string, ReplacementPart[]>();

function replacementParts(rep: string, re: JavaRegex): ReplacementPart[] {
  const key = re.pattern + '\u0000' + rep;
  let parts = replacementCache.get(key);
  if (!parts) {
    parts = compileReplacement(rep, re);
    if (replacementCache.size >= REGEX_CACHE_LIMIT) replacementCache.delete(replacementCache.keys().next().value!);
    replacementCache.set(key, parts);
  }
  return parts;
}

/** Java's String.replaceAll / replaceFirst. */
export function javaReplace(subject: string, re: JavaRegex, replacement: string, all: boolean): string {
  const parts = replacementParts(replacement, re);
  const rx = all ? re.global : re.find;
  if (parts.length === 0) return subject.replace(rx, () => '');
  if (parts.length === 1 && typeof parts[0] === 'string') {
    const lit = parts[0];
    return subject.replace(rx, () => lit);
  }
  const groupCount = re.groupCount;
  return subject.replace(rx, (...args: unknown[]) => {
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else if (typeof p === 'number') out += p === 0 ? (args[0] as string) : ((args[p] as string | undefined) ?? '');
      else {
        const groups = args[groupCount + 3] as Record<string, string | undefined> | undefined;
        out += groups?.[p.name] ?? '';
      }
    }
    return out;
  });
}
