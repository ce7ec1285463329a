// Elasticsearch: the client service and PutElasticsearchJson. The lead wires these into processors/index.ts.
import type { ProcessorDefinition } from '../../server/sdk/definition.ts';
import type { ControllerServiceDefinition } from '../../server/sdk/services.ts';
import { ElasticsearchClientService } from './client-service.ts';
import { PutElasticsearchJson } from './put-elasticsearch-json.ts';

export const elasticsearchProcessors: ProcessorDefinition<any>[] = [PutElasticsearchJson];
export const elasticsearchServices: ControllerServiceDefinition<any>[] = [ElasticsearchClientService];

export { ElasticsearchClientService, PutElasticsearchJson };
export type { ElasticsearchClientHandle } from './client.ts';
