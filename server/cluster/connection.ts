// Redis connections for the cluster and the start-up checks.
// Every connection uses maxRetriesPerRequest: null, so commands wait through a Redis restart
// instead of failing (BullMQ's workers need this on their blocking connections), and reconnects
// forever with a capped backoff. BullMQ duplicates the connection for its blocking commands and
// re-creates those itself after a reconnect.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../engine/logger.ts';

export class RedisStartupError extends Error {}

export function redisOptions(extra: RedisOptions = {}): RedisOptions {
  return {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    enableOfflineQueue: true,
    // Reconnect forever: 50 ms, 100 ms, ... capped at 2 s.
    retryStrategy: (times) => Math.min(times * 50, 2000),
    // A replica promoted or demoted under us answers READONLY: reconnect and resend.
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    ...extra,
  };
}

/** A command connection (also handed to BullMQ, which duplicates it for blocking reads). */
export function connectRedis(url: string, name: string, extra: RedisOptions = {}): Redis {
  const r = new Redis(url, redisOptions({ connectionName: name, ...extra }));
  // Errors while disconnected are retried by the retry strategy; without a listener they would crash the process.
  r.on('error', () => undefined);
  return r;
}

function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

export interface RedisCheck {
  version: string;
  maxmemoryPolicy: string;
  aof: boolean;
}

/**
 * Refuses a Redis that may evict keys (queued FlowFiles would silently vanish) and warns when AOF
 * persistence is off. Waits for the connection first, up to `timeoutMs`.
 */
export async function checkRedis(redis: Redis, url: string, logger: Logger, timeoutMs = 15_000): Promise<RedisCheck> {
  const where = url.replace(/\/\/[^@/]*@/, '//***@');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisStartupError(`cannot reach Redis at ${where} within ${timeoutMs / 1000} s (is it running?)`)), timeoutMs);
  });
  try {
    const [server, memory, persistence] = await Promise.race([
      Promise.all([redis.info('server'), redis.info('memory'), redis.info('persistence')]),
      timeout,
    ]);
    const version = parseInfo(server).get('redis_version') ?? 'unknown';
    // INFO works where CONFIG is disabled (managed Redis services).
    let policy = parseInfo(memory).get('maxmemory_policy');
    if (!policy) {
      const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
      policy = reply[1];
    }
    if (policy !== 'noeviction') {
      throw new RedisStartupError(
        `Redis at ${where} has maxmemory-policy "${policy}", so it may evict keys and silently lose queued FlowFiles. ` +
        'Sluice needs "noeviction". Fix it with:\n' +
        `  redis-cli -u ${where} CONFIG SET maxmemory-policy noeviction\n` +
        'and make it permanent with "maxmemory-policy noeviction" in redis.conf (or your provider\'s settings).',
      );
    }
    const aof = parseInfo(persistence).get('aof_enabled') === '1';
    if (!aof) {
      logger.warn({ redis: where }, `Redis at ${where} has AOF persistence off: if Redis crashes, queued FlowFiles since the last snapshot are lost. ` +
        'Enable it with "CONFIG SET appendonly yes" and "appendonly yes" + "appendfsync everysec" in redis.conf.');
    }
    return { version, maxmemoryPolicy: policy, aof };
  } finally {
    clearTimeout(timer);
  }
}

/** Deletes every key matching a SCAN pattern (tests, `sluice run` and flow deletion clean-up). */
export async function deleteMatching(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) n += await redis.unlink(...keys);
  } while (cursor !== '0');
  return n;
}
