// Controller services: named, typed, shared clients (a Kafka client, an Elasticsearch client)
// declared with properties like processors and referenced by id from processor properties.
import type { PropertyDescriptor, ValidationProblem } from './definition.ts';
import type { PropertyValue } from './property-value.ts';
import type { Logger } from '../engine/logger.ts';

export interface ServiceContext {
  readonly serviceId: string;
  readonly logger: Logger;
  property(name: string): PropertyValue;
}

export interface ControllerServiceDefinition<T = unknown> {
  type: string;
  description: string;
  tags: readonly string[];
  /** Interface names this service provides, matched against a property's controllerServiceType. */
  provides: readonly string[];
  properties: readonly PropertyDescriptor[];
  customValidate?(ctx: { value(name: string): string | undefined }): ValidationProblem[];
  /** Creates the shared instance when the service is enabled. */
  enable(ctx: ServiceContext): T | Promise<T>;
  /** Closes the instance when the service is disabled. */
  disable?(instance: T): void | Promise<void>;
}

export function defineControllerService<T>(def: ControllerServiceDefinition<T>): ControllerServiceDefinition<T> {
  return def;
}

export class ServiceRegistry {
  private readonly byType = new Map<string, ControllerServiceDefinition>();

  constructor(definitions: readonly ControllerServiceDefinition<any>[] = []) {
    for (const d of definitions) this.register(d);
  }

  register(def: ControllerServiceDefinition<any>): void {
    if (this.byType.has(def.type)) throw new Error(`controller service type "${def.type}" is registered twice`);
    this.byType.set(def.type, def);
  }

  get(type: string): ControllerServiceDefinition | undefined {
    return this.byType.get(type);
  }

  implements(type: string, iface: string): boolean {
    const def = this.byType.get(type);
    return !!def && (def.type === iface || def.provides.includes(iface));
  }

  list(): ControllerServiceDefinition[] {
    return [...this.byType.values()].sort((a, b) => a.type.localeCompare(b.type));
  }
}
