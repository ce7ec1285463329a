// Validates a processor's configured properties against its definition and resolves defaults and aliases.
import { allowableValueNames, type ProcessorDefinition, type PropertyDescriptor, type ValidationProblem } from './definition.ts';
import { containsExpression, validateExpression } from '../expression/index.ts';

export interface ResolvedConfig {
  /** Declared properties with a value (configured or default), by canonical name. */
  values: Map<string, string>;
  /** User-named properties. */
  dynamic: Map<string, string>;
  problems: ValidationProblem[];
}

/** What config validation needs: processors and controller services both fit. */
export type Configurable = Pick<ProcessorDefinition, 'type' | 'properties' | 'dynamicProperties' | 'customValidate'>;

export function descriptorByName(def: Configurable, name: string): PropertyDescriptor | undefined {
  return def.properties.find((p) => p.name === name || p.aliases?.includes(name));
}

/** Problems with one property value, as sentence fragments (no property name prefix). */
export function validatePropertyValue(def: Configurable, name: string, value: string): string[] {
  const desc = descriptorByName(def, name);
  if (!desc) {
    if (!def.dynamicProperties) return [`is not a property of ${def.type}`];
    const dyn = def.dynamicProperties;
    return checkValue(value, dyn.expressionLanguage ?? 'none', undefined, dyn.validator);
  }
  return checkValue(value, desc.expressionLanguage ?? 'none', allowableValueNames(desc), desc.validator);
}

function checkValue(value: string, el: string, allowable: string[] | undefined, validator: PropertyDescriptor['validator']): string[] {
  const hasExpr = containsExpression(value);
  if (hasExpr) {
    if (el === 'none') return ['does not support Expression Language'];
    const err = validateExpression(value);
    return err ? [`has an invalid expression: ${err}`] : [];
  }
  if (allowable && !allowable.includes(value)) {
    return [`must be one of ${allowable.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`];
  }
  const err = validator?.validate(value);
  return err ? [err] : [];
}

function dependencySatisfied(def: Configurable, desc: PropertyDescriptor, values: Map<string, string>): boolean {
  const dep = desc.dependsOn;
  if (!dep) return true;
  const other = values.get(dep.property);
  if (other === undefined) return false;
  const parent = def.properties.find((p) => p.name === dep.property);
  if (parent && !dependencySatisfied(def, parent, values)) return false;
  return dep.values === undefined || dep.values.includes(other);
}

export function resolveConfig(def: Configurable, configured: Readonly<Record<string, string>>): ResolvedConfig {
  const values = new Map<string, string>();
  const dynamic = new Map<string, string>();
  const problems: ValidationProblem[] = [];

  for (const [rawName, value] of Object.entries(configured)) {
    const desc = descriptorByName(def, rawName);
    if (desc) {
      if (values.has(desc.name) && rawName !== desc.name) continue; // the current name wins over an alias
      values.set(desc.name, value);
    } else if (def.dynamicProperties) {
      if (rawName.trim() === '') problems.push({ property: rawName, message: 'a dynamic property needs a name' });
      else dynamic.set(rawName, value);
    } else {
      problems.push({ property: rawName, message: `is not a property of ${def.type}` });
    }
  }
  for (const desc of def.properties) {
    if (!values.has(desc.name) && desc.defaultValue !== undefined) values.set(desc.name, desc.defaultValue);
  }
  for (const desc of def.properties) {
    const value = values.get(desc.name);
    if (!dependencySatisfied(def, desc, values)) continue;
    if (value === undefined || value === '') {
      if (desc.required) problems.push({ property: desc.name, message: 'is required' });
      if (value === '') values.delete(desc.name);
      continue;
    }
    for (const message of checkValue(value, desc.expressionLanguage ?? 'none', allowableValueNames(desc), desc.validator)) {
      problems.push({ property: desc.name, message });
    }
  }
  if (def.dynamicProperties) {
    const dyn = def.dynamicProperties;
    for (const [name, value] of dynamic) {
      for (const message of checkValue(value, dyn.expressionLanguage ?? 'none', undefined, dyn.validator)) problems.push({ property: name, message });
    }
  }
  if (def.customValidate && problems.length === 0) {
    problems.push(...def.customValidate({ value: (n) => values.get(n), dynamicProperties: dynamic }));
  }
  return { values, dynamic, problems };
}
