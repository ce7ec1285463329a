// The published JSON Schema of the flow format: generated from the zod schema, plus per-type
// property rules from the processor definitions. Never edit flows/flow.schema.json by hand.
import { z } from 'zod';
import { FlowSchema } from './schema.ts';
import type { ProcessorRegistry } from '../sdk/registry.ts';
import type { ServiceRegistry } from '../sdk/services.ts';
import { allowableValueNames, type PropertyDescriptor } from '../sdk/definition.ts';

function propertySchema(p: PropertyDescriptor): Record<string, unknown> {
  const allowed = allowableValueNames(p);
  const s: Record<string, unknown> = { type: 'string', description: p.description };
  if (p.defaultValue !== undefined) s.default = p.defaultValue;
  // Values with Expression Language or parameters are checked at run time, so only plain values are constrained.
  if (allowed) s.anyOf = [{ enum: allowed }, { pattern: '[$#]\\{' }];
  if (p.sensitive) s.writeOnly = true;
  return s;
}

function typeRule(type: string, properties: readonly PropertyDescriptor[], dynamic: boolean) {
  const props: Record<string, unknown> = {};
  for (const p of properties) {
    props[p.name] = propertySchema(p);
    for (const a of p.aliases ?? []) props[a] = { ...propertySchema(p), deprecated: true, description: `Older name of "${p.name}".` };
  }
  return {
    if: { properties: { type: { const: type } }, required: ['type'] },
    then: {
      properties: {
        properties: {
          type: 'object',
          properties: props,
          additionalProperties: dynamic ? { type: 'string' } : false,
        },
      },
    },
  };
}

export function buildFlowJsonSchema(registry: ProcessorRegistry, services?: ServiceRegistry): Record<string, unknown> {
  const base = z.toJSONSchema(FlowSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, any>;
  const processorTypes = registry.types();
  const procSchema = base.properties.processors.items;
  procSchema.properties.type = { ...procSchema.properties.type, enum: processorTypes };
  procSchema.allOf = registry.list().flatMap((def) =>
    [def.type, ...(def.aliases ?? [])].map((t) => typeRule(t, def.properties, !!def.dynamicProperties)));
  if (services) {
    const svc = base.properties.controllerServices.items;
    svc.properties.type = { ...svc.properties.type, enum: services.list().map((s) => s.type) };
    svc.allOf = services.list().map((def) => typeRule(def.type, def.properties, false));
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://sluice.dev/schemas/flow-v1.json',
    title: 'Sluice flow definition, format v1',
    ...Object.fromEntries(Object.entries(base).filter(([k]) => k !== '$schema')),
  };
}

export function flowJsonSchemaText(registry: ProcessorRegistry, services?: ServiceRegistry): string {
  return `${JSON.stringify(buildFlowJsonSchema(registry, services), null, 2)}\n`;
}
