// Server settings: explicit options first, then SLUICE_* environment variables, then defaults.
// Every value is validated at start; a bad one stops the server with a sentence naming it.
import { isIP } from 'node:net';
import { delimiter, resolve } from 'node:path';
import { parseDataSize, parseTimePeriod } from '../engine/units.ts';

export interface Settings {
  host: string;
  port: number;
  dataDir: string;
  /** Explicit access token (SLUICE_TOKEN); otherwise one is read from or generated in the data dir. */
  token: string | undefined;
  /** Roots that file-path properties must stay inside; null = not confined (the default). */
  allowedPaths: string[] | null;
  /** Extra host names accepted in Host/Origin headers (besides localhost and the bind address). */
  allowedHosts: string[];
  /** Provenance events kept in memory (ring buffer, all flows together); 0 disables provenance. */
  provenanceEvents: number;
  /** Provenance events recorded per second at most (whole sessions are skipped beyond it); 0 = no limit. */
  provenanceRate: number;
  maxBodyBytes: number;
  maxJsonDepth: number;
  shutdownTimeoutMs: number;
  /** Live status snapshots are pushed at most this often per flow (never below 1000 ms). */
  statusIntervalMs: number;
  logLevel: string;
  /** Cluster mode: the Redis URL (SLUICE_REDIS_URL); undefined = embedded mode (flows run in this process). */
  redisUrl: string | undefined;
  /** Cluster mode only: this server also runs processors (`serve --worker`, SLUICE_WORKER). */
  worker: boolean;
}

export type SettingsInput = Partial<Settings>;

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `invalid settings:\n  ${problems.join('\n  ')}`);
  }
}

export const ENV_VARS = {
  host: 'SLUICE_HOST',
  port: 'SLUICE_PORT',
  dataDir: 'SLUICE_DATA_DIR',
  token: 'SLUICE_TOKEN',
  allowedPaths: 'SLUICE_ALLOWED_PATHS',
  allowedHosts: 'SLUICE_ALLOWED_HOSTS',
  provenanceEvents: 'SLUICE_PROVENANCE_EVENTS',
  provenanceRate: 'SLUICE_PROVENANCE_RATE',
  maxBodyBytes: 'SLUICE_MAX_BODY',
  maxJsonDepth: 'SLUICE_MAX_JSON_DEPTH',
  shutdownTimeoutMs: 'SLUICE_SHUTDOWN_TIMEOUT',
  statusIntervalMs: 'SLUICE_STATUS_INTERVAL',
  logLevel: 'SLUICE_LOG_LEVEL',
  redisUrl: 'SLUICE_REDIS_URL',
  worker: 'SLUICE_WORKER',
} as const;

export const DEFAULT_PROVENANCE_RATE = 5_000;

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * Resolves settings. `input` values win over `env`; both are validated.
 * Numbers in `input` may be given as numbers; env values are strings.
 */
export function resolveSettings(input: SettingsInput = {}, env: Readonly<Record<string, string | undefined>> = process.env): Settings {
  const problems: string[] = [];
  const pick = <K extends keyof Settings>(key: K): { value: unknown; source: string } | undefined => {
    if (input[key] !== undefined) return { value: input[key], source: optionName(key) };
    const name = ENV_VARS[key];
    const v = env[name];
    if (v !== undefined && v !== '') return { value: v, source: name };
    return undefined;
  };

  const host = str(pick('host')) ?? '127.0.0.1';
  if (!isIP(host) && !HOSTNAME.test(host)) problems.push(`${src(pick('host'), 'host')} must be an IP address or host name, got ${JSON.stringify(host)}`);

  const port = int(pick('port'), 8080, 0, 65535, problems, 'an integer from 0 to 65535');

  const dataDir = resolve(str(pick('dataDir')) ?? './data');

  let token = str(pick('token'));
  if (token !== undefined) {
    token = token.trim();
    if (token.length < 16) problems.push(`${src(pick('token'), 'token')} must be at least 16 characters long`);
    else if (!/^[\x21-\x7e]+$/.test(token)) problems.push(`${src(pick('token'), 'token')} may only contain printable ASCII characters without spaces`);
  }

  let allowedPaths: string[] | null = null;
  const ap = pick('allowedPaths');
  if (ap) {
    const list = Array.isArray(ap.value) ? ap.value.map(String) : String(ap.value).split(delimiter);
    const roots = list.map((s) => s.trim()).filter(Boolean);
    for (const r of roots) if (r.includes('\0')) problems.push(`${ap.source} contains an invalid path`);
    allowedPaths = roots.length ? roots.map((r) => resolve(r)) : null;
  }

  const ah = pick('allowedHosts');
  const allowedHosts = ah ? (Array.isArray(ah.value) ? ah.value.map(String) : String(ah.value).split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean) : [];
  for (const h of allowedHosts) if (!isIP(h) && !HOSTNAME.test(h)) problems.push(`${ah!.source} lists ${JSON.stringify(h)}, which is not a host name`);

  const provenanceEvents = int(pick('provenanceEvents'), 10_000, 0, 10_000_000, problems, 'an integer from 0 (off) to 10000000');
  const provenanceRate = int(pick('provenanceRate'), DEFAULT_PROVENANCE_RATE, 0, 100_000_000, problems, 'an integer (events per second; 0 = no limit)');
  const maxBodyBytes = size(pick('maxBodyBytes'), 5 * 1024 * 1024, problems);
  const maxJsonDepth = int(pick('maxJsonDepth'), 64, 8, 1000, problems, 'an integer from 8 to 1000');
  const shutdownTimeoutMs = period(pick('shutdownTimeoutMs'), 10_000, problems);
  const statusIntervalMs = Math.max(1000, period(pick('statusIntervalMs'), 1000, problems));

  const logLevel = (str(pick('logLevel')) ?? (env.NODE_ENV === 'test' ? 'silent' : 'info')).toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`${src(pick('logLevel'), 'logLevel')} must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);

  const redisUrl = str(pick('redisUrl'))?.trim() || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) problems.push(`${src(pick('redisUrl'), 'redisUrl')} must be a Redis URL starting with redis:// or rediss://, got ${JSON.stringify(redisUrl.replace(/\/\/[^@/]*@/, '//***@'))}`);

  const worker = bool(pick('worker'), false, problems);
  if (worker && redisUrl === undefined) problems.push(`${src(pick('worker'), 'worker')} needs cluster mode: also pass --redis redis://host:6379 (or set SLUICE_REDIS_URL)`);

  if (problems.length) throw new SettingsError(problems);
  return { host, port, dataDir, token, allowedPaths, allowedHosts, provenanceEvents, provenanceRate, maxBodyBytes, maxJsonDepth, shutdownTimeoutMs, statusIntervalMs, logLevel, redisUrl, worker };
}

const FLAGS: Partial<Record<keyof Settings, string>> = { host: '--host', port: '--port', dataDir: '--data-dir', redisUrl: '--redis', worker: '--worker' };

function optionName(key: keyof Settings): string {
  return FLAGS[key] ?? `option ${key}`;
}

function src(p: { source: string } | undefined, key: keyof Settings): string {
  return p?.source ?? optionName(key);
}

function str(p: { value: unknown } | undefined): string | undefined {
  return p === undefined ? undefined : String(p.value);
}

function int(p: { value: unknown; source: string } | undefined, dflt: number, min: number, max: number, problems: string[], what: string): number {
  if (!p) return dflt;
  const v = typeof p.value === 'number' ? p.value : /^\s*-?\d+\s*$/.test(String(p.value)) ? Number(p.value) : NaN;
  if (!Number.isInteger(v) || v < min || v > max) {
    problems.push(`${p.source} must be ${what}, got ${JSON.stringify(p.value)}`);
    return dflt;
  }
  return v;
}

function bool(p: { value: unknown; source: string } | undefined, dflt: boolean, problems: string[]): boolean {
  if (!p) return dflt;
  if (typeof p.value === 'boolean') return p.value;
  const v = String(p.value).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  problems.push(`${p.source} must be true or false, got ${JSON.stringify(p.value)}`);
  return dflt;
}

function size(p: { value: unknown; source: string } | undefined, dflt: number, problems: string[]): number {
  if (!p) return dflt;
  const v = typeof p.value === 'number' ? p.value : /^\s*\d+\s*$/.test(String(p.value)) ? Number(p.value) : parseDataSize(String(p.value));
  if (v === undefined || !Number.isFinite(v) || v < 1024 || v > 1024 ** 3) {
    problems.push(`${p.source} must be a data size from 1 KB to 1 GB such as "5 MB", got ${JSON.stringify(p.value)}`);
    return dflt;
  }
  return Math.floor(v);
}

function period(p: { value: unknown; source: string } | undefined, dflt: number, problems: string[]): number {
  if (!p) return dflt;
  const v = typeof p.value === 'number' ? p.value : /^\s*\d+\s*$/.test(String(p.value)) ? Number(p.value) : parseTimePeriod(String(p.value));
  if (v === undefined || !Number.isFinite(v) || v < 0 || v > 3_600_000) {
    problems.push(`${p.source} must be a time period up to 1 hour such as "10 sec" (plain numbers are milliseconds), got ${JSON.stringify(p.value)}`);
    return dflt;
  }
  return v;
}
