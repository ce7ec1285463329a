// JSON parsing for request bodies: a depth limit checked before parsing (so 10,000-deep nesting is a
// 400, never a stack overflow) and no "__proto__", "constructor" or "prototype" keys anywhere.
export class JsonInputError extends Error {}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Nesting depth of a JSON text, stopping as soon as it exceeds `max`. Strings are skipped. */
export function exceedsDepth(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) { if (++depth > max) return true; }
    else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

export function parseJsonSafely(text: string, maxDepth: number): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (exceedsDepth(text, maxDepth)) throw new JsonInputError(`The JSON is nested more than ${maxDepth} levels deep.`);
  let bad: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v) => {
      if (FORBIDDEN.has(key)) { bad ??= key; return undefined; }
      return v;
    });
  } catch (e) {
    throw new JsonInputError(`The request body is not valid JSON: ${(e as Error).message}.`);
  }
  if (bad !== undefined) throw new JsonInputError(`The JSON must not contain the key ${JSON.stringify(bad)}.`);
  return value;
}
