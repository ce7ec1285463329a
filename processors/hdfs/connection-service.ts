// HDFSConnectionService: where and as whom Sluice talks WebHDFS. Replaces NiFi's "Hadoop
// Configuration Resources" (core-site.xml/hdfs-site.xml) with the few settings WebHDFS needs.
import { defineControllerService } from '../../server/sdk/services.ts';
import type { ValidationProblem } from '../../server/sdk/definition.ts';
import { Validators } from '../../server/sdk/validators.ts';
import { parseTimePeriod } from '../../server/engine/units.ts';
import { WebHdfsClient } from './webhdfs-client.ts';

export const HDFS_CONNECTION_SERVICE = 'HDFSConnectionService';

export function parseNamenodeUrls(value: string | undefined): string[] {
  return (value ?? '').split(',').map((u) => u.trim().replace(/\/+$/, '').replace(/\/webhdfs\/v1$/, '')).filter(Boolean);
}

function validate(get: (name: string) => string | undefined): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  for (const u of parseNamenodeUrls(get('NameNode URLs'))) {
    if (!/^https?:\/\/[^/]+/i.test(u)) problems.push({ property: 'NameNode URLs', message: `must list http:// or https:// NameNode URLs (WebHDFS, e.g. http://namenode:9870), got ${JSON.stringify(u)}` });
  }
  return problems;
}

export const HDFSConnectionService = defineControllerService<WebHdfsClient>({
  type: HDFS_CONNECTION_SERVICE,
  description: 'Connects to HDFS through the WebHDFS REST API of the NameNode(s), with simple authentication (user.name). ' +
    'Data is written in WebHDFS\'s two steps: the NameNode redirects to a DataNode, which must be reachable under the host name it advertises.',
  tags: ['hadoop', 'hdfs', 'webhdfs'],
  provides: [HDFS_CONNECTION_SERVICE],
  properties: [
    {
      name: 'NameNode URLs', required: true, validator: Validators.urlList, expressionLanguage: 'environment',
      description: 'Comma-separated HTTP addresses of the NameNode(s), e.g. http://namenode:9870 (Hadoop 3\'s dfs.namenode.http-address). With an HA pair list both: a standby answer moves on to the next.',
    },
    {
      name: 'User Name', expressionLanguage: 'environment',
      description: 'The user.name sent with every request (simple authentication, hadoop.security.authentication=simple). Empty: the server\'s default user (dr.who).',
    },
    {
      name: 'Authentication Type', required: true, defaultValue: 'SIMPLE',
      allowableValues: [{ value: 'SIMPLE', displayName: 'Simple', description: 'user.name query parameter; no Kerberos/SPNEGO.' }],
      description: 'How requests are authenticated. Only simple authentication is supported.',
    },
    { name: 'Connect Timeout', required: true, defaultValue: '5 secs', validator: Validators.timePeriod, description: 'How long to wait for a connection to a NameNode or DataNode.' },
    { name: 'Read Timeout', required: true, defaultValue: '60 secs', validator: Validators.timePeriod, description: 'How long to wait for an answer once a request is sent.' },
  ],
  customValidate: (ctx) => validate((n) => ctx.value(n)),
  enable(ctx) {
    const client = new WebHdfsClient({
      namenodes: parseNamenodeUrls(ctx.property('NameNode URLs').evaluate()),
      user: ctx.property('User Name').evaluate() || undefined,
      connectTimeoutMs: parseTimePeriod(ctx.property('Connect Timeout').value ?? '') ?? 5_000,
      readTimeoutMs: parseTimePeriod(ctx.property('Read Timeout').value ?? '') ?? 60_000,
    });
    ctx.logger.info({ namenodes: client.namenodeUrl, user: client.user }, 'WebHDFS connection enabled');
    return client;
  },
  disable(client) {
    client?.close();
  },
});
