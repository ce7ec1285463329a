// Writes flows/flow.schema.json from the zod schema and the processor definitions.
import { writeFileSync } from 'node:fs';
import { flowJsonSchemaText } from '../server/flow/json-schema.ts';
import { createProcessorRegistry, createServiceRegistry } from '../processors/index.ts';

const target = new URL('../flows/flow.schema.json', import.meta.url);
writeFileSync(target, flowJsonSchemaText(createProcessorRegistry(), createServiceRegistry()));
console.log(`wrote ${target.pathname}`);
