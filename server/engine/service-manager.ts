// Enables and disables a flow's controller services and hands their shared instances to processors.
import type { ControllerServiceConfig } from '../flow/schema.ts';
import type { ServiceRegistry, ControllerServiceDefinition } from '../sdk/services.ts';
import { PropertyValue } from '../sdk/property-value.ts';
import { resolveConfig } from '../sdk/validate-config.ts';
import { resolvedProperties } from '../flow/validate.ts';
import type { Logger } from './logger.ts';

export type ServiceState = 'ENABLED' | 'DISABLED' | 'INVALID';

interface ManagedService {
  config: ControllerServiceConfig;
  def: ControllerServiceDefinition | undefined;
  problems: string[];
  properties: Map<string, PropertyValue>;
  instance: unknown;
  state: ServiceState;
  enabling: Promise<void> | null;
}

export class ServiceManager {
  private readonly services = new Map<string, ManagedService>();

  constructor(configs: readonly ControllerServiceConfig[], registry: ServiceRegistry | undefined, params: Record<string, string>, private readonly logger: Logger) {
    for (const config of configs) {
      const def = registry?.get(config.type);
      const problems: string[] = [];
      const properties = new Map<string, PropertyValue>();
      if (!def) problems.push(`unknown controller service type "${config.type}"`);
      else {
        const resolved = resolveConfig(def, resolvedProperties(config.properties, params));
        problems.push(...resolved.problems.map((p) => (p.property ? `"${p.property}" ${p.message}` : p.message)));
        for (const d of def.properties) properties.set(d.name, new PropertyValue(d.name, resolved.values.get(d.name), (d.expressionLanguage ?? 'none') !== 'none'));
      }
      this.services.set(config.id, {
        config, def, problems, properties, instance: undefined,
        state: problems.length ? 'INVALID' : 'DISABLED', enabling: null,
      });
    }
  }

  /** Why a processor cannot use this service, or undefined when it can. */
  problemFor(id: string): string | undefined {
    const s = this.services.get(id);
    if (!s) return `names controller service "${id}", which does not exist`;
    if (s.problems.length) return `names controller service "${id}", which is invalid: ${s.problems.join('; ')}`;
    if (!s.config.enabled) return `names controller service "${id}", which is disabled`;
    return undefined;
  }

  async enableAll(): Promise<void> {
    for (const [id, s] of this.services) if (s.config.enabled && s.state === 'DISABLED') await this.enable(id);
  }

  async enable(id: string): Promise<void> {
    const s = this.services.get(id);
    if (!s) throw new Error(`no controller service with id "${id}"`);
    if (s.state === 'ENABLED') return;
    if (s.state === 'INVALID' || !s.def) throw new Error(`controller service "${id}" is invalid: ${s.problems.join('; ')}`);
    if (s.enabling) return s.enabling;
    const def = s.def;
    s.enabling = (async () => {
      s.instance = await def.enable({
        serviceId: id,
        logger: this.logger.child({ service: id }),
        property: (name) => {
          const p = s.properties.get(name);
          if (!p) throw new Error(`${def.type} has no property "${name}"`);
          return p;
        },
      });
      s.state = 'ENABLED';
    })().finally(() => { s.enabling = null; });
    return s.enabling;
  }

  async disable(id: string): Promise<void> {
    const s = this.services.get(id);
    if (!s || s.state !== 'ENABLED') return;
    const instance = s.instance;
    s.instance = undefined;
    s.state = 'DISABLED';
    await s.def?.disable?.(instance);
  }

  async disableAll(): Promise<void> {
    for (const id of this.services.keys()) await this.disable(id);
  }

  instance(id: string): unknown {
    const s = this.services.get(id);
    if (!s || s.state !== 'ENABLED') throw new Error(`controller service "${id}" is not enabled`);
    return s.instance;
  }

  states(): { id: string; type: string; state: ServiceState; problems: string[] }[] {
    return [...this.services.entries()].map(([id, s]) => ({ id, type: s.config.type, state: s.state, problems: s.problems }));
  }
}
