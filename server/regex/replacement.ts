// Java Matcher.appendReplacement syntax: `$n` (greedy digits while the group
// exists), `${name}`, `\x` escapes x (so `\$` is a literal dollar, `\\` a
// backslash). Anything else after `$` is an error, as in Java.

export class ReplacementSyntaxError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = 'ReplacementSyntaxError';
  }
}

/** Literal text or a Java group number. */
export type ReplacementPart = string | number;

export interface CompiledReplacement {
  readonly template: string;
  /** Parts referencing Java group numbers. */
  readonly parts: ReplacementPart[];
  /** True when the template has no group references at all. */
  readonly literal: boolean;
}

export function compileJavaReplacement(
  template: string,
  groupCount: number,
  groupNames: readonly string[],
): CompiledReplacement {
  const parts: ReplacementPart[] = [];
  let text = '';
  const flush = (): void => {
    if (text) parts.push(text);
    text = '';
  };
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === '\\') {
      i++;
      if (i >= template.length) throw new ReplacementSyntaxError('character to be escaped is missing');
      const cp = template.codePointAt(i)!;
      text += String.fromCodePoint(cp);
      i += cp > 0xffff ? 2 : 1;
    } else if (c === '$') {
      i++;
      if (i >= template.length) throw new ReplacementSyntaxError('Illegal group reference: group index is missing');
      if (template[i] === '{') {
        const end = template.indexOf('}', i);
        const name = end < 0 ? '' : template.slice(i + 1, end);
        if (end < 0) throw new ReplacementSyntaxError("named capturing group is missing trailing '}'");
        if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(name)) {
          throw new ReplacementSyntaxError(name ? 'named capturing group name does not start with a Latin letter' : 'named capturing group has 0 length name');
        }
        const num = groupNames.indexOf(name);
        if (num <= 0) throw new ReplacementSyntaxError(`No group with name {${name}}`);
        flush();
        parts.push(num);
        i = end + 1;
      } else {
        let d = template.charCodeAt(i) - 48;
        if (d < 0 || d > 9) throw new ReplacementSyntaxError('Illegal group reference');
        let num = d;
        i++;
        while (i < template.length) {
          d = template.charCodeAt(i) - 48;
          if (d < 0 || d > 9) break;
          const next = num * 10 + d;
          if (next > groupCount) break;
          num = next;
          i++;
        }
        if (num > groupCount) throw new ReplacementSyntaxError(`No group ${num}`);
        flush();
        parts.push(num);
      }
    } else {
      text += c;
      i++;
    }
  }
  flush();
  return { template, parts, literal: parts.every((p) => typeof p === 'string') };
}

/** Escapes a literal string for use as a Java replacement (Matcher.quoteReplacement). */
export function quoteJavaReplacement(s: string): string {
  return s.replace(/[\\$]/g, (c) => '\\' + c);
}
