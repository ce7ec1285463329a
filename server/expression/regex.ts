/**
 * Java regexes for Expression Language functions (matches, find, replaceAll, replaceFirst, the
 * *MatchingAttribute functions), through the shared translator in server/regex, plus Java-style
 * replacement strings. Translation errors surface as RegexSyntaxError (an evaluation error).
 */
import { ExpressionEvaluationError } from './errors.ts';
import { translateJavaRegex as translateShared } from '../regex/index.ts';

export class RegexSyntaxError extends ExpressionEvaluationError {}

export interface TranslatedRegex {
  source: string;
  flags: string;
  /** The whole-input form, for matches(). */
  fullSource: string;
  groupCount: number;
  /** Java group number by group name. */
  groupNames: Map<string, number>;
  /** jsGroupIndex[javaGroup] = index in the JS match (differs when the translation adds groups). */
  jsGroupIndex: number[];
}

export function translateJavaRegex(pattern: string): TranslatedRegex {
  try {
    const t = translateShared(pattern);
    return {
      source: t.source,
      flags: t.flags,
      // Lookarounds instead of ^…$ so that MULTILINE patterns still have to match the whole input.
      fullSource: `(?<![\\s\\S])(?:${t.source})(?![\\s\\S])`,
      groupCount: t.groupCount,
      groupNames: new Map(t.groupNames.flatMap((n, i) => (n === '' ? [] : [[n, i] as const]))),
      jsGroupIndex: t.jsGroupIndex,
    };
  } catch (e) {
    throw new RegexSyntaxError(`invalid regular expression '${pattern}': ${(e as Error).message}`);
  }
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
  readonly groupNames: Map<string, number>;
  readonly jsGroupIndex: number[];
}

const regexCache = new Map<string, JavaRegex | RegexSyntaxError>();
const REGEX_CACHE_LIMIT = 1000;

/** Compiles (and caches) a Java regex. Throws RegexSyntaxError (an ExpressionEvaluationError). */
export function javaRegex(pattern: string): JavaRegex {
  let r = regexCache.get(pattern);
  if (r === undefined) {
    try {
      const t = translateJavaRegex(pattern);
      r = {
        pattern,
        find: new RegExp(t.source, t.flags),
        full: new RegExp(t.fullSource, t.flags),
        global: new RegExp(t.source, t.flags + 'g'),
        groupCount: t.groupCount,
        groupNames: t.groupNames,
        jsGroupIndex: t.jsGroupIndex,
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

/** Literal text, or a Java group number. */
type ReplacementPart = string | number;

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
      parts.push(re.groupNames.get(name)!);
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
  const jsIndex = re.jsGroupIndex;
  return subject.replace(rx, (...args: unknown[]) => {
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else out += p === 0 ? (args[0] as string) : ((args[jsIndex[p]] as string | undefined) ?? '');
    }
    return out;
  });
}
