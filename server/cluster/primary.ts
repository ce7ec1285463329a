// The primary-node lock: `…:sl:primary` holds the primary's node id with a TTL. The holder renews
// it every TTL/4; every other node tries to take it every TTL/10 (at most 250 ms), so when the
// primary dies another node takes over at most TTL (+ one try) after the last renewal. A primary
// that cannot renew in time (Redis unreachable, event loop stalled) steps down on its own before
// the key can expire, so two nodes never both believe they are primary for long.
import type { Redis } from 'ioredis';
import type { Logger } from '../engine/logger.ts';

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

interface LockCommands {
  slRenew(key: string, id: string, ttl: number): Promise<number>;
  slRelease(key: string, id: string): Promise<number>;
}

export class PrimaryLock {
  private primary = false;
  private timer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private lastRenewed = 0;
  private stopped = false;
  private readonly cmd: LockCommands;
  /** When this node last became primary. */
  since = 0;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly nodeId: string,
    private readonly ttlMs: number,
    private readonly onChange: (primary: boolean) => void,
    private readonly logger: Logger,
  ) {
    const r = redis as Redis & Partial<LockCommands>;
    if (!r.slRenew) {
      redis.defineCommand('slRenew', { numberOfKeys: 1, lua: RENEW });
      redis.defineCommand('slRelease', { numberOfKeys: 1, lua: RELEASE });
    }
    this.cmd = redis as unknown as LockCommands;
  }

  get isPrimary(): boolean { return this.primary; }

  start(): void {
    this.stopped = false;
    void this.tick();
    this.watchdog = setInterval(() => {
      if (this.primary && Date.now() - this.lastRenewed > this.ttlMs * 0.8) {
        this.logger.warn({ node: this.nodeId }, 'primary lock not renewed in time; stepping down');
        this.set(false);
      }
    }, Math.max(50, Math.floor(this.ttlMs / 10)));
    this.watchdog.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const started = Date.now();
    try {
      if (this.primary) {
        const ok = await this.cmd.slRenew(this.key, this.nodeId, this.ttlMs);
        if (ok === 1 && Date.now() - started < this.ttlMs / 2) this.lastRenewed = started;
        else if (ok !== 1) this.set(false);
      } else {
        const got = await this.redis.set(this.key, this.nodeId, 'PX', this.ttlMs, 'NX');
        if (got === 'OK' && Date.now() - started < this.ttlMs / 2) {
          this.lastRenewed = started;
          this.set(true);
        }
      }
    } catch (e) {
      this.logger.warn({ node: this.nodeId }, `primary lock: ${(e as Error).message}`);
    }
    if (this.stopped) return;
    const every = this.primary ? this.ttlMs / 4 : Math.min(250, this.ttlMs / 10);
    this.timer = setTimeout(() => void this.tick(), Math.max(20, Math.floor(every)));
  }

  private set(primary: boolean): void {
    if (this.primary === primary) return;
    this.primary = primary;
    if (primary) this.since = Date.now();
    this.onChange(primary);
  }

  async holder(): Promise<string | null> {
    return this.redis.get(this.key);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.watchdog) clearInterval(this.watchdog);
    const was = this.primary;
    this.set(false);
    if (was) await this.cmd.slRelease(this.key, this.nodeId).catch(() => undefined);
  }
}
