// Cross-node acknowledgements. A source's AckHandle lives on the node that created it (the origin);
// FlowFiles carry its cluster-wide id `<originNode>~<n>` in job payloads. Elsewhere a FlowFile's ack
// is a RemoteAck stand-in: the engine's per-commit deltas on it are ignored (counting happens per
// job in Redis, see ledger.ts) and a failure (a descendant dropped on a terminal relationship,
// expired, emptied) is published to the origin at once. The origin subscribes to its channel:
//   {id, sent}  every FlowFile it sent with this handle up to `sent` has finished: credit them;
//   {id, fail}  a descendant was dropped: fail the handle.
import type { Redis } from 'ioredis';
import { AckHandle } from '../engine/ack.ts';
import type { ClusterKeys } from './keys.ts';
import type { Logger } from '../engine/logger.ts';

export class RemoteAck extends AckHandle {
  private failed = false;
  constructor(readonly remoteId: string, private readonly onFail: (id: string, reason: string) => void) {
    super(() => undefined, remoteId);
  }
  /** Commit deltas are counted per job in Redis, not here. */
  override applyPending(): void {
    this.pendingDelta = 0;
    this.touched = false;
  }
  override fail(reason: string): void {
    if (this.failed) return;
    this.failed = true;
    this.onFail(this.remoteId, reason);
  }
}

interface Registered { handle: AckHandle; credited: number; since: number }

export class AckTracker {
  private seq = 0;
  private readonly ids = new WeakMap<AckHandle, string>();
  private readonly local = new Map<string, Registered>();
  private sweepTimer: NodeJS.Timeout;
  /** Acks fired here for FlowFiles that crossed nodes (status). */
  completed = 0;
  failed = 0;

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly keys: ClusterKeys,
    readonly nodeId: string,
    private readonly logger: Logger,
  ) {
    this.sweepTimer = setInterval(() => void this.sweep().catch(() => undefined), 5_000);
    this.sweepTimer.unref();
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(this.keys.ackChannel(this.nodeId));
  }

  /** Called by the node for messages on its ack channel. */
  handleMessage(message: string): void {
    let m: { id?: string; sent?: number; fail?: string };
    try { m = JSON.parse(message); } catch { return; }
    if (!m.id) return;
    const reg = this.local.get(m.id);
    if (!reg) return;
    const h = reg.handle;
    if (m.fail !== undefined) {
      h.fail(m.fail);
      this.failed++;
    } else if (typeof m.sent === 'number' && m.sent > reg.credited) {
      const credit = m.sent - reg.credited;
      reg.credited = m.sent;
      h.pendingDelta -= credit;
      h.applyPending();
      if (h.isSettled) this.completed++;
    }
    if (h.isSettled) this.forget(m.id);
  }

  /** The cluster-wide id of a handle: a RemoteAck's own, or a new registration for a local one. */
  idFor(h: AckHandle): { id: string; origin: boolean } {
    if (h instanceof RemoteAck) return { id: h.remoteId, origin: false };
    let id = this.ids.get(h);
    if (id === undefined) {
      id = `${this.nodeId}~${(++this.seq).toString(36)}`;
      this.ids.set(h, id);
      this.local.set(id, { handle: h, credited: 0, since: Date.now() });
    }
    return { id, origin: true };
  }

  /** A stand-in for a remote (or this node's own) ack id, for FlowFiles decoded from a job. */
  proxy(id: string): RemoteAck {
    return new RemoteAck(id, (rid, reason) => this.publishFail(rid, reason));
  }

  private publishFail(id: string, reason: string): void {
    const i = id.indexOf('~');
    const origin = i > 0 ? id.slice(0, i) : id;
    this.redis.publish(this.keys.ackChannel(origin), JSON.stringify({ id, fail: reason })).catch((e) => {
      this.logger.warn({ ack: id }, `could not publish an ack failure: ${(e as Error).message}`);
    });
  }

  private forget(id: string): void {
    this.local.delete(id);
    this.redis.unlink(this.keys.ack(id)).catch(() => undefined);
  }

  /**
   * Forgets settled handles, and re-reads the counters of old unsettled ones: a zero notification
   * published while this node was disconnected from Redis is not delivered again.
   */
  private async sweep(): Promise<void> {
    const old: string[] = [];
    const now = Date.now();
    for (const [id, reg] of this.local) {
      if (reg.handle.isSettled) this.forget(id);
      else if (now - reg.since > 5_000) old.push(id);
    }
    for (let i = 0; i < old.length; i += 500) {
      const ids = old.slice(i, i + 500);
      const p = this.redis.pipeline();
      for (const id of ids) p.hmget(this.keys.ack(id), 'out', 'sent');
      const res = (await p.exec()) ?? [];
      ids.forEach((id, k) => {
        const v = res[k]?.[1] as (string | null)[] | undefined;
        if (v && v[0] !== null && Number(v[0]) <= 0) this.handleMessage(JSON.stringify({ id, sent: Number(v[1] ?? 0) }));
      });
    }
  }

  get pending(): number { return this.local.size; }

  close(): void {
    clearInterval(this.sweepTimer);
  }
}
