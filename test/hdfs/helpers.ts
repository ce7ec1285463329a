// Shared by the HDFS tests: an HDFSConnectionService instance, enabled as the flow runtime would.
import { silentLogger } from '../../server/engine/logger.ts';
import { PropertyValue } from '../../server/sdk/property-value.ts';
import { resolveConfig } from '../../server/sdk/validate-config.ts';
import { HDFSConnectionService } from '../../processors/hdfs/connection-service.ts';
import type { WebHdfsClient } from '../../processors/hdfs/webhdfs-client.ts';

export async function enableHdfsService(properties: Record<string, string>): Promise<WebHdfsClient> {
  const resolved = resolveConfig(HDFSConnectionService, properties);
  if (resolved.problems.length) throw new Error(resolved.problems.map((p) => `${p.property}: ${p.message}`).join('; '));
  const values = new Map<string, PropertyValue>();
  for (const d of HDFSConnectionService.properties) {
    values.set(d.name, new PropertyValue(d.name, resolved.values.get(d.name), (d.expressionLanguage ?? 'none') !== 'none'));
  }
  return HDFSConnectionService.enable({
    serviceId: 'hdfs',
    logger: silentLogger,
    property: (name) => values.get(name) ?? new PropertyValue(name, undefined, false),
  });
}
