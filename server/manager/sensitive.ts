// Sensitive values (properties whose descriptor says `sensitive`, and the flow's sensitiveParameters)
// never leave the server: responses and exports carry "********" instead, and a masked value sent
// back on PUT/import means "keep the stored value".
import type { FlowDefinition } from '../flow/schema.ts';
import type { ProcessorRegistry } from '../sdk/registry.ts';
import type { ServiceRegistry } from '../sdk/services.ts';
import type { PropertyDescriptor } from '../sdk/definition.ts';
import { MASK } from './logger.ts';

export { MASK };

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function sensitiveNames(properties: readonly PropertyDescriptor[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const p of properties ?? []) {
    if (!p.sensitive) continue;
    out.add(p.name);
    for (const a of p.aliases ?? []) out.add(a);
  }
  return out;
}

export class SensitiveRules {
  constructor(private readonly registry: ProcessorRegistry, private readonly services?: ServiceRegistry) {}

  processorNames(type: unknown): Set<string> {
    return typeof type === 'string' ? sensitiveNames(this.registry.get(type)?.properties) : new Set();
  }

  serviceNames(type: unknown): Set<string> {
    return typeof type === 'string' ? sensitiveNames(this.services?.get(type)?.properties) : new Set();
  }

  /** A deep copy with every sensitive value replaced by the mask. */
  mask(flow: FlowDefinition): FlowDefinition {
    const copy = structuredClone(flow);
    const secretParams = new Set(copy.sensitiveParameters ?? []);
    for (const name of Object.keys(copy.parameters ?? {})) if (secretParams.has(name)) copy.parameters[name] = MASK;
    for (const p of copy.processors) maskProps(p.properties, this.processorNames(p.type));
    for (const s of copy.controllerServices ?? []) maskProps(s.properties, this.serviceNames(s.type));
    return copy;
  }

  /**
   * Replaces masked values in an incoming (unvalidated) definition with the stored ones, matched by
   * component id and property name. Masked values with nothing stored are removed; each is reported.
   */
  unmask(input: unknown, stored: FlowDefinition | null): { value: unknown; dropped: { path: string; message: string }[] } {
    if (!isObj(input)) return { value: input, dropped: [] };
    const value = structuredClone(input);
    const dropped: { path: string; message: string }[] = [];
    const drop = (path: string) => dropped.push({ path, message: 'was masked ("********") and has no stored value, so it was left unset' });

    if (isObj(value.parameters)) {
      const params = value.parameters;
      for (const [k, v] of Object.entries(params)) {
        if (v !== MASK) continue;
        const old = stored?.parameters?.[k];
        if (old !== undefined && Object.hasOwn(stored!.parameters, k)) params[k] = old;
        else { delete params[k]; drop(`parameters[${JSON.stringify(k)}]`); }
      }
    }
    const restore = (list: unknown, storedList: readonly { id: string; type: string; properties: Record<string, string> }[] | undefined, base: string, names: (type: unknown) => Set<string>) => {
      if (!Array.isArray(list)) return;
      list.forEach((c, i) => {
        if (!isObj(c) || !isObj(c.properties)) return;
        const secret = names(c.type);
        const old = storedList?.find((s) => s.id === c.id && s.type === c.type);
        const props = c.properties;
        for (const [k, v] of Object.entries(props)) {
          if (v !== MASK || !secret.has(k)) continue;
          if (old && Object.hasOwn(old.properties, k)) props[k] = old.properties[k];
          else { delete props[k]; drop(`${base}[${i}].properties[${JSON.stringify(k)}]`); }
        }
      });
    };
    restore(value.processors, stored?.processors, 'processors', (t) => this.processorNames(t));
    restore(value.controllerServices, stored?.controllerServices, 'controllerServices', (t) => this.serviceNames(t));
    return { value, dropped };
  }

  /** Every sensitive value set in a flow, for scrubbing messages. */
  values(flow: FlowDefinition | null): string[] {
    if (!flow) return [];
    const out = new Set<string>();
    for (const name of flow.sensitiveParameters ?? []) {
      const v = flow.parameters?.[name];
      if (v) out.add(v);
    }
    for (const p of flow.processors) for (const n of this.processorNames(p.type)) { const v = p.properties[n]; if (v) out.add(v); }
    for (const s of flow.controllerServices ?? []) for (const n of this.serviceNames(s.type)) { const v = s.properties[n]; if (v) out.add(v); }
    return [...out].filter((v) => v.length >= 3 && v !== MASK).sort((a, b) => b.length - a.length);
  }
}

function maskProps(props: Record<string, string> | undefined, secret: Set<string>): void {
  if (!props) return;
  for (const k of Object.keys(props)) if (secret.has(k)) props[k] = MASK;
}

/** Replaces any occurrence of a secret in a message. */
export function scrub(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(MASK);
  return out;
}

/** Raw inputs may carry secrets too (before validation): collect sensitive values from an unvalidated definition. */
export function rawSecrets(rules: SensitiveRules, input: unknown): string[] {
  if (!isObj(input)) return [];
  const out = new Set<string>();
  const params = isObj(input.parameters) ? input.parameters : {};
  if (Array.isArray(input.sensitiveParameters)) for (const n of input.sensitiveParameters) { const v = typeof n === 'string' ? params[n] : undefined; if (typeof v === 'string') out.add(v); }
  const scan = (list: unknown, names: (t: unknown) => Set<string>) => {
    if (!Array.isArray(list)) return;
    for (const c of list) {
      if (!isObj(c) || !isObj(c.properties)) continue;
      for (const n of names(c.type)) { const v = c.properties[n]; if (typeof v === 'string') out.add(v); }
    }
  };
  scan(input.processors, (t) => rules.processorNames(t));
  scan(input.controllerServices, (t) => rules.serviceNames(t));
  return [...out].filter((v) => v.length >= 3 && v !== MASK).sort((a, b) => b.length - a.length);
}
