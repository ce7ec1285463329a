// A Java regex as a JavaScript RegExp, for filters and simple patterns in the standard processors.
// Full translation (and protection from hostile patterns) lives in server/regex for the text processors.

/** Compiles a Java-style pattern; with `whole`, it must match the entire input (Java's matches()). */
export function compileJavaPattern(pattern: string, whole = false): RegExp {
  let flags = '';
  let body = pattern;
  const inline = /^\(\?([imsx]+)\)/.exec(body);
  if (inline) {
    body = body.slice(inline[0].length);
    for (const f of inline[1]) if (f !== 'x' && !flags.includes(f)) flags += f;
  }
  body = body.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  return new RegExp(whole ? `^(?:${body})$` : body, flags);
}
