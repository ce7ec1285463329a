// Every processor and service the canonical flow needs: the project's registry plus the Kafka,
// Elasticsearch and HDFS folders (added here when processors/index.ts does not list them yet).
import { processorDefinitions, serviceDefinitions } from '../../processors/index.ts';
import { kafkaProcessors, kafkaServices } from '../../processors/kafka/index.ts';
import { elasticsearchProcessors, elasticsearchServices } from '../../processors/elasticsearch/index.ts';
import { hdfsProcessors, hdfsServices } from '../../processors/hdfs/index.ts';
import { ProcessorRegistry } from '../../server/sdk/registry.ts';
import { ServiceRegistry, type ControllerServiceDefinition } from '../../server/sdk/services.ts';
import type { ProcessorDefinition } from '../../server/sdk/definition.ts';

function unique<T extends { type: string }>(lists: readonly (readonly T[])[]): T[] {
  const seen = new Map<string, T>();
  for (const list of lists) for (const d of list) if (!seen.has(d.type)) seen.set(d.type, d);
  return [...seen.values()];
}

export function fullProcessorRegistry(): ProcessorRegistry {
  return new ProcessorRegistry(unique<ProcessorDefinition>([processorDefinitions as ProcessorDefinition[], kafkaProcessors, elasticsearchProcessors, hdfsProcessors]));
}

export function fullServiceRegistry(): ServiceRegistry {
  return new ServiceRegistry(unique<ControllerServiceDefinition<any>>([serviceDefinitions as ControllerServiceDefinition<any>[], kafkaServices, elasticsearchServices, hdfsServices]));
}
