// Shared by the Elasticsearch processor tests: a client service instance (as the flow runtime
// would enable it) and small ES helpers that work against the test server and a real cluster.
import { Client } from '@elastic/elasticsearch';
import { silentLogger } from '../../server/engine/logger.ts';
import { PropertyValue } from '../../server/sdk/property-value.ts';
import { resolveConfig } from '../../server/sdk/validate-config.ts';
import { ElasticsearchClientService } from '../../processors/elasticsearch/client-service.ts';
import type { ElasticsearchClientHandle } from '../../processors/elasticsearch/client.ts';

/** Enables an ElasticsearchClientService with these properties, exactly as the ServiceManager does. */
export async function enableClientService(properties: Record<string, string>): Promise<ElasticsearchClientHandle> {
  const resolved = resolveConfig(ElasticsearchClientService, properties);
  if (resolved.problems.length) throw new Error(resolved.problems.map((p) => `${p.property}: ${p.message}`).join('; '));
  const values = new Map<string, PropertyValue>();
  for (const d of ElasticsearchClientService.properties) {
    values.set(d.name, new PropertyValue(d.name, resolved.values.get(d.name), (d.expressionLanguage ?? 'none') !== 'none'));
  }
  return ElasticsearchClientService.enable({
    serviceId: 'es',
    logger: silentLogger,
    property: (name) => values.get(name) ?? new PropertyValue(name, undefined, false),
  });
}

export async function countDocs(client: Client, index: string): Promise<number> {
  await client.indices.refresh({ index, ignore_unavailable: true });
  const res = await client.count({ index, ignore_unavailable: true });
  return res.count;
}

export async function getSource(client: Client, index: string, id: string): Promise<Record<string, unknown> | null> {
  try {
    const res = await client.get<Record<string, unknown>>({ index, id });
    return res._source ?? null;
  } catch (e) {
    if ((e as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return null;
    throw e;
  }
}
