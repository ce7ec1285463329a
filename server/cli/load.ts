// Reading flow files for the CLI, with errors a user can act on.
import { readFileSync } from 'node:fs';
import { validateFlow, formatProblems } from '../flow/validate.ts';
import type { FlowDefinition } from '../flow/schema.ts';
import type { ProcessorRegistry } from '../sdk/registry.ts';
import type { ServiceRegistry } from '../sdk/services.ts';
import { createProcessorRegistry, createServiceRegistry } from '../../processors/index.ts';

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

/** A flow file validated for running, with the registries and `--param` values it was checked against. */
export interface LoadedFlow {
  flow: FlowDefinition;
  registry: ProcessorRegistry;
  services: ServiceRegistry;
  parameters: Record<string, string>;
}

/** Reads and validates a flow to run; prints every problem and returns null when it is invalid. */
export function loadFlowToRun(file: string, params: readonly string[] = []): LoadedFlow | null {
  const registry = createProcessorRegistry();
  const services = createServiceRegistry();
  const parameters = parsePairs(params, '--param');
  const { flow, problems } = validateFlow(readJsonFile(file), registry, { parameters, services });
  if (!flow) {
    process.stderr.write(`${file} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${formatProblems(problems)}\n`);
    return null;
  }
  return { flow, registry, services, parameters };
}
