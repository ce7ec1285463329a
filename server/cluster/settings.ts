// Cluster settings: explicit options first, then SLUICE_* environment variables, then defaults.
export interface ClusterSettings {
  /** redis://host:port[/db] (env SLUICE_REDIS_URL). */
  redisUrl: string;
  /** Every key Sluice writes starts with this (env SLUICE_REDIS_PREFIX, default "sluice"). */
  prefix: string;
  /** FlowFiles per BullMQ job (env SLUICE_BATCH_COUNT). */
  batchCount: number;
  /** Bytes of content per BullMQ job (env SLUICE_BATCH_BYTES). */
  batchBytes: number;
  /** A partial batch waits at most this long before it is written (env SLUICE_BATCH_LINGER_MS). */
  lingerMs: number;
  /** Content of one FlowFile above this size goes to its own Redis key instead of the job (env SLUICE_CONTENT_OFFLOAD_BYTES). */
  offloadBytes: number;
  /** TTL of offloaded content and ack counters, seconds (env SLUICE_CONTENT_TTL). */
  contentTtlSec: number;
  /** Jobs a node holds per connection (env SLUICE_PREFETCH). */
  prefetch: number;
  /** BullMQ job lock; a dead worker's jobs go back to the queue after about this long (env SLUICE_JOB_LOCK_MS). */
  jobLockMs: number;
  /** How often stalled jobs are looked for (env SLUICE_STALLED_INTERVAL_MS). */
  stalledIntervalMs: number;
  /** Primary-node lock TTL (env SLUICE_PRIMARY_TTL_MS). */
  primaryTtlMs: number;
  /** Heartbeat period of the node registry (env SLUICE_HEARTBEAT_MS). */
  heartbeatMs: number;
  /** How often a node re-reads the cluster state even without a change notification (env SLUICE_STATE_POLL_MS). */
  statePollMs: number;
  /** How often the back-pressure counters are re-read (env SLUICE_COUNTER_REFRESH_MS). */
  counterRefreshMs: number;
}

export const DEFAULT_CLUSTER_SETTINGS: Omit<ClusterSettings, 'redisUrl'> = {
  prefix: 'sluice',
  batchCount: 500,
  batchBytes: 1024 * 1024,
  lingerMs: 20,
  offloadBytes: 64 * 1024,
  contentTtlSec: 7 * 24 * 3600,
  prefetch: 4,
  jobLockMs: 30_000,
  stalledIntervalMs: 15_000,
  primaryTtlMs: 10_000,
  heartbeatMs: 1_000,
  statePollMs: 1_000,
  counterRefreshMs: 100,
};

const ENV: Record<Exclude<keyof ClusterSettings, 'redisUrl' | 'prefix'>, string> = {
  batchCount: 'SLUICE_BATCH_COUNT',
  batchBytes: 'SLUICE_BATCH_BYTES',
  lingerMs: 'SLUICE_BATCH_LINGER_MS',
  offloadBytes: 'SLUICE_CONTENT_OFFLOAD_BYTES',
  contentTtlSec: 'SLUICE_CONTENT_TTL',
  prefetch: 'SLUICE_PREFETCH',
  jobLockMs: 'SLUICE_JOB_LOCK_MS',
  stalledIntervalMs: 'SLUICE_STALLED_INTERVAL_MS',
  primaryTtlMs: 'SLUICE_PRIMARY_TTL_MS',
  heartbeatMs: 'SLUICE_HEARTBEAT_MS',
  statePollMs: 'SLUICE_STATE_POLL_MS',
  counterRefreshMs: 'SLUICE_COUNTER_REFRESH_MS',
};

export class ClusterSettingsError extends Error {}

export function resolveClusterSettings(
  input: Partial<ClusterSettings> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): ClusterSettings {
  const redisUrl = input.redisUrl ?? env.SLUICE_REDIS_URL;
  if (!redisUrl) throw new ClusterSettingsError('no Redis URL: pass --redis redis://host:6379 or set SLUICE_REDIS_URL');
  if (!/^rediss?:\/\//.test(redisUrl)) throw new ClusterSettingsError(`the Redis URL "${redisUrl}" must start with redis:// or rediss://`);
  const prefix = input.prefix ?? env.SLUICE_REDIS_PREFIX ?? DEFAULT_CLUSTER_SETTINGS.prefix;
  if (!/^[A-Za-z0-9_.{}-]+$/.test(prefix)) throw new ClusterSettingsError(`the Redis key prefix "${prefix}" may only use letters, digits, ".", "_", "-", "{" and "}"`);
  const out = { ...DEFAULT_CLUSTER_SETTINGS, redisUrl, prefix } as ClusterSettings;
  for (const key of Object.keys(ENV) as (keyof typeof ENV)[]) {
    const given = input[key];
    const raw = given !== undefined ? String(given) : env[ENV[key]];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new ClusterSettingsError(`${ENV[key]} must be a positive number, not "${raw}"`);
    out[key] = n;
  }
  if (out.stalledIntervalMs > out.jobLockMs) out.stalledIntervalMs = out.jobLockMs;
  return out;
}
