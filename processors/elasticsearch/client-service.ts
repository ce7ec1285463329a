// ElasticsearchClientService: one shared @elastic/elasticsearch 9.x client per service, referenced
// by PutElasticsearchJson's "Client Service" property. The client's major version must match the
// cluster's (9.x talks to Elasticsearch 9; see docs/FULL-STACK.md).
import { defineControllerService } from '../../server/sdk/services.ts';
import { CLIENT_SERVICE_PROPERTIES, readClientConfig, validateClientConfig } from './config.ts';
import { createElasticsearchClient, type ElasticsearchClientHandle } from './client.ts';

/** The interface name processors ask for (controllerServiceType). */
export const ELASTICSEARCH_CLIENT_SERVICE = 'ElasticsearchClientService';

export const ElasticsearchClientService = defineControllerService<ElasticsearchClientHandle>({
  type: ELASTICSEARCH_CLIENT_SERVICE,
  description: 'A controller service for accessing an Elasticsearch 9.x cluster with the official Elastic client (@elastic/elasticsearch 9.x). The client\'s major version must match the cluster\'s.',
  tags: ['elasticsearch', 'elasticsearch9', 'client'],
  // NiFi's interface and implementation names, so flows written for NiFi resolve.
  provides: ['ElasticSearchClientService', 'ElasticSearchClientServiceImpl'],
  properties: CLIENT_SERVICE_PROPERTIES,
  customValidate: (ctx) => validateClientConfig((n) => ctx.value(n)),
  enable(ctx) {
    const config = readClientConfig((name) => {
      const p = ctx.property(name);
      return p.evaluate() ?? undefined;
    });
    ctx.logger.info({ hosts: config.hosts, auth: config.auth.scheme }, 'Elasticsearch client enabled');
    return createElasticsearchClient(config);
  },
  async disable(instance) {
    await instance?.close();
  },
});
