// ElasticsearchClientService configuration: its property descriptors (NiFi's names) and the
// translation of their values into @elastic/elasticsearch client options.
import { readFileSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
type ClientOptions = ConstructorParameters<typeof Client>[0];
import type { PropertyDescriptor, ValidationProblem } from '../../server/sdk/definition.ts';
import { Validators, type Validator } from '../../server/sdk/validators.ts';
import { parseTimePeriod } from '../../server/engine/units.ts';

export const AUTH_NONE = 'NONE';
export const AUTH_BASIC = 'BASIC';
export const AUTH_API_KEY = 'API_KEY';

/** A duration given as NiFi's plain milliseconds ("5000") or as a time period ("5 secs"). */
export const millisOrPeriod: Validator = {
  description: 'milliseconds or a time period such as "5 secs"',
  schema: { type: 'string' },
  validate: (v) => (parseMillis(v) === undefined ? `must be milliseconds or a time period such as "5 secs", got ${JSON.stringify(v)}` : null),
};

export function parseMillis(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v);
  return parseTimePeriod(v);
}

export const CLIENT_SERVICE_PROPERTIES: readonly PropertyDescriptor[] = [
  {
    name: 'HTTP Hosts', required: true, validator: Validators.urlList, expressionLanguage: 'environment',
    description: 'A comma-separated list of HTTP hosts that host Elasticsearch query nodes, e.g. http://localhost:9200. Requests are spread over them and a host that fails is tried again later.',
    aliases: ['el-cs-http-hosts'],
  },
  {
    name: 'Authorization Scheme', required: true, defaultValue: AUTH_NONE,
    description: 'Authorization scheme used to authenticate with Elasticsearch.',
    allowableValues: [
      { value: AUTH_NONE, displayName: 'None', description: 'No authorization scheme.' },
      { value: AUTH_BASIC, displayName: 'Basic', description: 'Basic authentication with a username and password.' },
      { value: AUTH_API_KEY, displayName: 'API Key', description: 'An Elasticsearch API key (optionally with its id).' },
    ],
    aliases: ['authorization-scheme'],
  },
  {
    name: 'Username', description: 'The username to use with XPack security.', expressionLanguage: 'environment',
    dependsOn: { property: 'Authorization Scheme', values: [AUTH_BASIC] }, aliases: ['el-cs-username'],
  },
  {
    name: 'Password', description: 'The password to use with XPack security.', sensitive: true,
    dependsOn: { property: 'Authorization Scheme', values: [AUTH_BASIC] }, aliases: ['el-cs-password'],
  },
  {
    name: 'API Key ID', description: 'Unique identifier of the API key. Leave empty when the API Key is the encoded (base64 "id:key") form.',
    dependsOn: { property: 'Authorization Scheme', values: [AUTH_API_KEY] }, aliases: ['api-key-id'],
  },
  {
    name: 'API Key', description: 'Encoded API key, or the key itself when API Key ID is set.', sensitive: true,
    dependsOn: { property: 'Authorization Scheme', values: [AUTH_API_KEY] }, aliases: ['api-key'],
  },
  {
    name: 'TLS CA Certificate File', expressionLanguage: 'environment',
    description: 'PEM file with the certificate authority that signed the cluster\'s HTTP certificate (for https:// hosts with a private CA). Sluice\'s counterpart of NiFi\'s SSL Context Service.',
  },
  {
    name: 'Connect timeout', required: true, defaultValue: '5000', validator: millisOrPeriod,
    description: 'Controls the amount of time, in milliseconds, before a timeout occurs when trying to connect.',
    aliases: ['el-cs-connect-timeout', 'Connect Timeout'],
  },
  {
    name: 'Read timeout', required: true, defaultValue: '60000', validator: millisOrPeriod,
    description: 'Controls the amount of time, in milliseconds, before a timeout occurs when waiting for a response.',
    aliases: ['el-cs-socket-timeout', 'Read Timeout'],
  },
];

export interface EsConnectionConfig {
  hosts: string[];
  auth: { scheme: 'NONE' } | { scheme: 'BASIC'; username: string; password: string } | { scheme: 'API_KEY'; id?: string; key: string };
  caFile?: string;
  connectTimeoutMs: number;
  readTimeoutMs: number;
}

type Get = (name: string) => string | undefined;

export function validateClientConfig(get: Get): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const scheme = get('Authorization Scheme') ?? AUTH_NONE;
  if (scheme === AUTH_BASIC) {
    if (!get('Username')) problems.push({ property: 'Username', message: 'is required with Basic authorization' });
    if (!get('Password')) problems.push({ property: 'Password', message: 'is required with Basic authorization' });
  }
  if (scheme === AUTH_API_KEY && !get('API Key')) problems.push({ property: 'API Key', message: 'is required with API Key authorization' });
  for (const host of (get('HTTP Hosts') ?? '').split(',')) {
    const h = host.trim();
    if (h && !/^https?:\/\//i.test(h)) problems.push({ property: 'HTTP Hosts', message: `must list http:// or https:// URLs, got ${JSON.stringify(h)}` });
  }
  return problems;
}

export function readClientConfig(get: Get): EsConnectionConfig {
  const hosts = (get('HTTP Hosts') ?? '').split(',').map((h) => h.trim().replace(/\/+$/, '')).filter(Boolean);
  if (hosts.length === 0) throw new Error('HTTP Hosts names no host');
  const scheme = get('Authorization Scheme') ?? AUTH_NONE;
  let auth: EsConnectionConfig['auth'] = { scheme: 'NONE' };
  if (scheme === AUTH_BASIC) auth = { scheme: 'BASIC', username: get('Username') ?? '', password: get('Password') ?? '' };
  else if (scheme === AUTH_API_KEY) auth = { scheme: 'API_KEY', id: get('API Key ID') || undefined, key: get('API Key') ?? '' };
  return {
    hosts,
    auth,
    caFile: get('TLS CA Certificate File') || undefined,
    connectTimeoutMs: parseMillis(get('Connect timeout')) ?? 5000,
    readTimeoutMs: parseMillis(get('Read timeout')) ?? 60000,
  };
}

/**
 * Options for the official client. Retries are left to the processor (maxRetries 0), which knows
 * which bulk items to re-send; the connect timeout rides on the socket options the client hands
 * to its undici pool.
 */
export function clientOptions(cfg: EsConnectionConfig): ClientOptions {
  const opts: ClientOptions = {
    nodes: cfg.hosts,
    requestTimeout: cfg.readTimeoutMs,
    maxRetries: 0,
    tls: { timeout: cfg.connectTimeoutMs, ...(cfg.caFile ? { ca: readFileSync(cfg.caFile) } : {}) },
  };
  if (cfg.auth.scheme === 'BASIC') opts.auth = { username: cfg.auth.username, password: cfg.auth.password };
  else if (cfg.auth.scheme === 'API_KEY') opts.auth = { apiKey: cfg.auth.id ? { id: cfg.auth.id, api_key: cfg.auth.key } : cfg.auth.key };
  return opts;
}
