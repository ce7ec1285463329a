// Java regexes for the text processors: validation messages and named-group scanning, on top of
// server/regex (translation to JavaScript and the hostile-pattern guard).
import type { Validator } from '../../server/sdk/validators.ts';
import { translateJavaRegex, UnsupportedRegexError, JavaRegexSyntaxError, type JavaRegexFlags, type TranslatedRegex } from '../../server/regex/index.ts';

/** A sentence fragment saying why the pattern cannot be used, or null. */
export function regexProblem(pattern: string, flags: JavaRegexFlags = {}): string | null {
  try {
    translateJavaRegex(pattern, flags);
    return null;
  } catch (e) {
    return describeRegexError(e);
  }
}

export function describeRegexError(e: unknown): string {
  if (e instanceof UnsupportedRegexError) return `uses a Java regex construct Sluice cannot run: ${e.message}`;
  if (e instanceof JavaRegexSyntaxError) return `is not a valid Java regular expression: ${e.message}`;
  return `is not a valid Java regular expression: ${(e as Error)?.message ?? String(e)}`;
}

/** Capturing groups of a pattern (as Java's Pattern.compile(pattern).matcher("").groupCount()), or null when invalid. */
export function groupCountOf(pattern: string, flags: JavaRegexFlags = {}): number | null {
  try {
    return translateJavaRegex(pattern, flags).groupCount;
  } catch {
    return null;
  }
}

/** A Java regex validator with a capturing-group range (NiFi's StandardValidators.createRegexValidator). */
export function javaRegexValidator(minGroups: number, maxGroups: number): Validator {
  return {
    description: 'a Java regular expression',
    schema: { type: 'string' },
    validate(v: string): string | null {
      let t: TranslatedRegex;
      try {
        t = translateJavaRegex(v);
      } catch (e) {
        return describeRegexError(e);
      }
      if (t.groupCount < minGroups || t.groupCount > maxGroups) {
        return `RegEx is required to have between ${minGroups} and ${maxGroups} Capturing Groups but has ${t.groupCount}`;
      }
      return null;
    },
  };
}

const NAMED_GROUP = /\(\?<([a-zA-Z][a-zA-Z0-9]*)>/g;

/** Group names as NiFi's ExtractText finds them: a textual scan of the pattern, distinct, in order. */
export function scanNamedGroups(pattern: string): string[] {
  const names = new Set<string>();
  for (const m of pattern.matchAll(NAMED_GROUP)) names.add(m[1]);
  return [...names];
}
