// sluice test-processor <Type>: runs one processor on given inputs and prints what it transferred.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { TestRunner, InvalidPropertyError } from '../../testing/test-runner.ts';
import { createProcessorRegistry } from '../../../processors/index.ts';
import { parsePairs, CliError } from '../load.ts';

export interface TestProcessorOptions { property?: string[]; attribute?: string[]; input?: string[] }

export async function testProcessorCommand(type: string, opts: TestProcessorOptions): Promise<number> {
  const def = createProcessorRegistry().get(type);
  if (!def) throw new CliError(`unknown processor type "${type}" (see \`sluice processors\`)`);
  const runner = new TestRunner(def);
  const errors: string[] = [];
  for (const [name, value] of Object.entries(parsePairs(opts.property ?? [], '--property'))) {
    try { runner.setProperty(name, value); } catch (e) { if (e instanceof InvalidPropertyError) errors.push(e.message); else throw e; }
  }
  if (errors.length === 0) errors.push(...runner.validate());
  if (errors.length) {
    process.stdout.write(`${JSON.stringify({ valid: false, errors }, null, 2)}\n`);
    return 2;
  }
  const attributes = parsePairs(opts.attribute ?? [], '--attribute');
  for (const file of opts.input ?? []) {
    let content: Buffer;
    try { content = readFileSync(file); } catch (e) { throw new CliError(`cannot read input ${file}: ${(e as Error).message}`); }
    runner.enqueue(content, { filename: basename(file), ...attributes });
  }
  try {
    if (def.inputRequirement === 'forbidden') await runner.run(1);
    else await runner.runUntilIdle();
  } catch (e) {
    if (e instanceof InvalidPropertyError) {
      process.stdout.write(`${JSON.stringify({ valid: false, errors: [e.message] }, null, 2)}\n`);
      return 2;
    }
    throw e;
  }
  const transfers: Record<string, { attributes: Record<string, string>; content: string }[]> = {};
  for (const rel of runner.relationships()) {
    transfers[rel] = runner.flowFilesFor(rel).map((f) => ({ attributes: f.attributes, content: f.text() }));
  }
  const out: Record<string, unknown> = { valid: true, transfers };
  if (runner.bulletins.length) out.bulletins = runner.bulletins.map((b) => ({ level: b.level, message: b.message }));
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}
