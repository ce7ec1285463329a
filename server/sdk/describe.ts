// Plain JSON descriptions of processor and service definitions: for `sluice processors --json`,
// the API, the editor's generated forms and the flow JSON Schema.
import type { ProcessorDefinition, PropertyDescriptor } from './definition.ts';
import type { ControllerServiceDefinition } from './services.ts';

export interface PropertyDoc {
  name: string;
  description: string;
  required: boolean;
  defaultValue?: string;
  allowableValues?: { value: string; displayName: string; description?: string }[];
  validator?: string;
  schema?: Record<string, unknown>;
  expressionLanguage: string;
  sensitive: boolean;
  aliases?: readonly string[];
  dependsOn?: { property: string; values?: readonly string[] };
  controllerServiceType?: string;
}

export function describeProperty(p: PropertyDescriptor): PropertyDoc {
  return {
    name: p.name,
    description: p.description,
    required: p.required ?? false,
    defaultValue: p.defaultValue,
    allowableValues: p.allowableValues?.map((v) => (typeof v === 'string' ? { value: v, displayName: v } : { value: v.value, displayName: v.displayName ?? v.value, description: v.description })),
    validator: p.validator?.description,
    schema: p.validator?.schema,
    expressionLanguage: p.expressionLanguage ?? 'none',
    sensitive: p.sensitive ?? false,
    aliases: p.aliases?.length ? p.aliases : undefined,
    dependsOn: p.dependsOn,
    controllerServiceType: p.controllerServiceType,
  };
}

export function describeProcessor(def: ProcessorDefinition) {
  return {
    type: def.type,
    aliases: def.aliases ?? [],
    description: def.description,
    tags: [...def.tags],
    inputRequirement: def.inputRequirement,
    primaryNodeOnly: def.primaryNodeOnly ?? false,
    triggerWhenEmpty: def.triggerWhenEmpty ?? false,
    defaultSchedule: def.defaultSchedule ?? {},
    properties: def.properties.map(describeProperty),
    dynamicProperties: def.dynamicProperties
      ? { name: def.dynamicProperties.name, value: def.dynamicProperties.value, description: def.dynamicProperties.description, expressionLanguage: def.dynamicProperties.expressionLanguage ?? 'none' }
      : null,
    dynamicRelationships: !!def.dynamicRelationships,
    relationships: def.relationships.map((r) => ({ name: r.name, description: r.description, terminalFailure: r.terminalFailure ?? false })),
    readsAttributes: def.readsAttributes ?? [],
    writesAttributes: def.writesAttributes ?? [],
  };
}

export function describeService(def: ControllerServiceDefinition) {
  return {
    type: def.type,
    description: def.description,
    tags: [...def.tags],
    provides: [...def.provides],
    properties: def.properties.map(describeProperty),
  };
}

export type ProcessorDoc = ReturnType<typeof describeProcessor>;
