// Turns KafkaConnectionService settings into a kafkajs client configuration: brokers, TLS, SASL,
// timeouts, and a log bridge from kafkajs to the engine's logger.
import { existsSync, readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { Logger } from '../../server/engine/logger.ts';

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ConnectionSettings {
  bootstrapServers: string;
  clientId: string;
  securityProtocol: SecurityProtocol;
  saslMechanism?: SaslMechanism;
  saslUsername?: string;
  saslPassword?: string;
  /** PEM text or a path to a PEM file. */
  sslCa?: string;
  sslCertificate?: string;
  sslKey?: string;
  sslKeyPassword?: string;
  /** kafkajs requestTimeout. */
  clientTimeoutMs: number;
  /** kafkajs connectionTimeout and authenticationTimeout. */
  connectTimeoutMs: number;
}

export function parseBrokers(list: string): string[] {
  return list.split(',').map((s) => s.trim()).filter(Boolean);
}

/** "host:port" with a numeric port, or a problem description. */
export function brokerProblem(entry: string): string | null {
  const i = entry.lastIndexOf(':');
  if (i <= 0) return `"${entry}" is not host:port`;
  const port = Number(entry.slice(i + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `"${entry}" has no valid port`;
  return null;
}

export const isPem = (v: string): boolean => v.includes('-----BEGIN ');

/** PEM text as given, or the content of the file it names. */
export function loadPem(value: string): string {
  if (isPem(value)) return value;
  return readFileSync(value, 'utf8');
}

/** Why a PEM setting cannot be used, or null. */
export function pemProblem(value: string): string | null {
  if (isPem(value)) return null;
  return existsSync(value) ? null : `is neither PEM text nor the path of an existing file: ${value}`;
}

export function tlsOptions(s: ConnectionSettings): ConnectionOptions | undefined {
  if (s.securityProtocol !== 'SSL' && s.securityProtocol !== 'SASL_SSL') return undefined;
  const tls: ConnectionOptions = { rejectUnauthorized: true };
  if (s.sslCa) tls.ca = [loadPem(s.sslCa)];
  if (s.sslCertificate) tls.cert = loadPem(s.sslCertificate);
  if (s.sslKey) tls.key = loadPem(s.sslKey);
  if (s.sslKeyPassword) tls.passphrase = s.sslKeyPassword;
  return tls;
}

export function saslOptions(s: ConnectionSettings): SASLOptions | undefined {
  if (s.securityProtocol !== 'SASL_PLAINTEXT' && s.securityProtocol !== 'SASL_SSL') return undefined;
  const username = s.saslUsername ?? '';
  const password = s.saslPassword ?? '';
  switch (s.saslMechanism ?? 'PLAIN') {
    case 'PLAIN': return { mechanism: 'plain', username, password };
    case 'SCRAM-SHA-256': return { mechanism: 'scram-sha-256', username, password };
    case 'SCRAM-SHA-512': return { mechanism: 'scram-sha-512', username, password };
  }
}

/** kafkajs log level from KAFKAJS_LOG (debug|info|warn|error|nothing), WARN by default. */
function configuredLogLevel(): logLevel {
  const v = (process.env.KAFKAJS_LOG ?? '').toLowerCase();
  return ({ debug: logLevel.DEBUG, info: logLevel.INFO, warn: logLevel.WARN, error: logLevel.ERROR, nothing: logLevel.NOTHING } as Record<string, logLevel>)[v] ?? logLevel.WARN;
}

/** Sends kafkajs log lines to the engine's logger. */
export function logBridge(logger: Logger): KafkaConfig['logCreator'] {
  return () => (entry: LogEntry) => {
    const { message, timestamp: _t, ...rest } = entry.log;
    const obj = { kafkajs: entry.namespace, ...rest };
    if (entry.level === logLevel.ERROR) logger.error(obj, message);
    else if (entry.level === logLevel.WARN) logger.warn(obj, message);
    else if (entry.level === logLevel.INFO) logger.info(obj, message);
    else logger.debug(obj, message);
  };
}

export function kafkaClientConfig(s: ConnectionSettings, logger: Logger): KafkaConfig {
  const ssl = tlsOptions(s);
  const sasl = saslOptions(s);
  return {
    brokers: parseBrokers(s.bootstrapServers),
    clientId: s.clientId,
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
    requestTimeout: s.clientTimeoutMs,
    connectionTimeout: s.connectTimeoutMs,
    authenticationTimeout: s.connectTimeoutMs,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 5000 },
    logLevel: configuredLogLevel(),
    logCreator: logBridge(logger),
  };
}
