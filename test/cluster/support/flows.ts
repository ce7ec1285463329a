// Flows and data for the cluster tests.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDefinition } from '../../../server/flow/schema.ts';
import { FlowSchema } from '../../../server/flow/schema.ts';

export function lineName(n: number): string { return `line-${String(n).padStart(6, '0')}`; }

/** `files` files of `perFile` lines each: "line-000042 payload 42". */
export function writeLines(files: number, perFile: number): { base: string; input: string; output: string; total: number } {
  const base = mkdtempSync(join(tmpdir(), 'sluice-cluster-'));
  const input = join(base, 'in');
  const output = join(base, 'out');
  mkdirSync(input); mkdirSync(output);
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    for (let i = 0; i < perFile; i++) { const n = f * perFile + i; lines.push(`${lineName(n)} payload ${n}`); }
    // Hidden while written, so GetFile never picks up half a file.
    writeFileSync(join(input, `.part-${f}.txt`), `${lines.join('\n')}\n`);
  }
  for (let f = 0; f < files; f++) {
    renameSync(join(input, `.part-${f}.txt`), join(input, `part-${String(f).padStart(3, '0')}.txt`));
  }
  return { base, input, output, total: files * perFile };
}

/** GetFile → SplitText (`linesPerSplit` lines each) → ExtractText (filename = the first line's name) → PutFile. */
export function linesFlow(input: string, output: string, extra: { linesPerSplit?: number; getFile?: Record<string, string>; put?: Record<string, string> } = {}): FlowDefinition {
  return FlowSchema.parse({
    formatVersion: 1, name: 'lines',
    processors: [
      { id: 'get', type: 'GetFile', properties: { 'Input Directory': input, 'Batch Size': '1', ...extra.getFile }, state: 'RUNNING' },
      { id: 'split', type: 'SplitText', properties: { 'Line Split Count': String(extra.linesPerSplit ?? 1) }, autoTerminate: ['original', 'failure'], state: 'RUNNING' },
      { id: 'extract', type: 'ExtractText', properties: { filename: '^(line-\\d+)' }, autoTerminate: ['unmatched'], state: 'RUNNING' },
      { id: 'put', type: 'PutFile', properties: { Directory: output, 'Conflict Resolution Strategy': 'replace', ...extra.put }, autoTerminate: ['success', 'failure'], state: 'RUNNING' },
    ],
    connections: [
      { id: 'c1', source: 'get', relationships: ['success'], destination: 'split' },
      { id: 'c2', source: 'split', relationships: ['splits'], destination: 'extract' },
      { id: 'c3', source: 'extract', relationships: ['matched'], destination: 'put' },
    ],
  });
}

/** Lines missing from the output (every file holds whole lines "line-N payload N"); also counts stray ones. */
export function missingLines(output: string, total: number): string[] {
  const seen = new Uint8Array(total);
  const wrong: string[] = [];
  for (const f of readdirSync(output)) {
    if (f.startsWith('.')) continue;
    for (const line of readFileSync(join(output, f), 'utf8').split('\n')) {
      if (line === '') continue;
      const m = /^line-(\d+) payload (\d+)$/.exec(line);
      if (!m || m[1] !== m[2].padStart(6, '0') || Number(m[2]) >= total) { wrong.push(`${f}: ${JSON.stringify(line)}`); continue; }
      seen[Number(m[2])] = 1;
    }
  }
  const missing: string[] = [];
  for (let n = 0; n < total; n++) if (!seen[n]) missing.push(lineName(n));
  return [...wrong, ...missing];
}
