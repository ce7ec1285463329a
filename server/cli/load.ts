// Reading flow files for the CLI, with errors a user can act on.
import { readFileSync } from 'node:fs';

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) { super(message); }
}

export function readJsonFile(path: string): unknown {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`); }
  try { return JSON.parse(text); } catch (e) { throw new CliError(`${path} is not valid JSON: ${(e as Error).message}`); }
}

/** Parses repeated "name=value" options, splitting at the first '='. */
export function parsePairs(values: readonly string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) throw new CliError(`${what} ${JSON.stringify(v)} must look like "name=value"`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

export const collect = (value: string, previous: string[] = []) => [...previous, value];
