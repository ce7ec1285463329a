// Routing, attribute, JSON and merge processors.
import type { ProcessorDefinition } from '../../server/sdk/definition.ts';

export const dataProcessors: ProcessorDefinition<any>[] = [];
