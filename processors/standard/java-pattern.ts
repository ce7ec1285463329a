// Java regexes for the standard processors' filters, through the shared translator in server/regex.
import { translateJavaRegex } from '../../server/regex/index.ts';

/** Compiles a Java pattern; with `whole`, it must match the entire input (Java's matches()). */
export function compileJavaPattern(pattern: string, whole = false): RegExp {
  const t = translateJavaRegex(pattern);
  return new RegExp(whole ? `^(?:${t.source})$` : t.source, t.flags);
}
