// The explicit registry of every processor and controller service Sluice ships. Add new ones here.
import { ProcessorRegistry } from '../server/sdk/registry.ts';
import { ServiceRegistry } from '../server/sdk/services.ts';
import { GenerateFlowFile } from './standard/generate-flow-file.ts';
import { GetFile } from './standard/get-file.ts';
import { PutFile } from './standard/put-file.ts';
import { LogAttribute } from './standard/log-attribute.ts';
import { UpdateAttribute } from './standard/update-attribute.ts';
import { textProcessors } from './text/index.ts';
import { dataProcessors } from './data/index.ts';
import { kafkaProcessors, kafkaServices } from './kafka/index.ts';
import { elasticsearchProcessors, elasticsearchServices } from './elasticsearch/index.ts';
import { hdfsProcessors, hdfsServices } from './hdfs/index.ts';

export const processorDefinitions = [
  GenerateFlowFile,
  GetFile,
  PutFile,
  LogAttribute,
  UpdateAttribute,
  ...textProcessors,
  ...dataProcessors,
  ...kafkaProcessors,
  ...elasticsearchProcessors,
  ...hdfsProcessors,
];

export const serviceDefinitions = [
  ...kafkaServices,
  ...elasticsearchServices,
  ...hdfsServices,
];

export function createProcessorRegistry(): ProcessorRegistry {
  return new ProcessorRegistry(processorDefinitions);
}

export function createServiceRegistry(): ServiceRegistry {
  return new ServiceRegistry(serviceDefinitions);
}
