// sluice validate and sluice processors.
import { validateFlow, formatProblems } from '../../flow/validate.ts';
import { describeProcessor } from '../../sdk/describe.ts';
import { createProcessorRegistry, createServiceRegistry } from '../../../processors/index.ts';
import { readJsonFile, CliError } from '../load.ts';

export function validateCommand(files: string[]): number {
  const registry = createProcessorRegistry();
  const services = createServiceRegistry();
  let bad = 0;
  for (const file of files) {
    let input: unknown;
    try { input = readJsonFile(file); } catch (e) {
      if (!(e instanceof CliError)) throw e;
      process.stderr.write(`${e.message}\n`);
      bad++;
      continue;
    }
    const { problems } = validateFlow(input, registry, { services });
    if (problems.length === 0) process.stdout.write(`${file}: valid\n`);
    else {
      bad++;
      process.stdout.write(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${formatProblems(problems).replace(/^/gm, '  ')}\n`);
    }
  }
  return bad ? 2 : 0;
}

export function processorsCommand(opts: { json?: boolean }): number {
  const defs = createProcessorRegistry().list();
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(defs.map(describeProcessor), null, 2)}\n`);
    return 0;
  }
  for (const d of defs) {
    process.stdout.write(`${d.type}${d.aliases?.length ? ` (also ${d.aliases.join(', ')})` : ''}\n  ${d.description}\n`);
    process.stdout.write(`  relationships: ${d.relationships.map((r) => r.name).join(', ') || '(dynamic)'}\n`);
    for (const p of d.properties) {
      process.stdout.write(`  - ${p.name}${p.required ? ' (required)' : ''}${p.defaultValue !== undefined ? ` [default: ${p.defaultValue}]` : ''}\n`);
    }
    process.stdout.write('\n');
  }
  return 0;
}
