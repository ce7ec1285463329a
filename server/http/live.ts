// Live status over socket.io. A client authenticates in the handshake (auth.token), subscribes to
// flows and then receives, per flow: a status snapshot at most once per interval (default 1 s),
// bulletins in small batches as they happen, and run-state changes. Snapshots and bulletins are
// volatile and skipped for a client whose send buffer is backed up, so a slow client never slows
// the engine or grows the server's memory.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { FlowManager, FlowChangeEvent, RunStateEvent } from '../manager/flow-manager.ts';
import type { Bulletin } from '../engine/bulletins.ts';
import type { FlowStatus } from '../manager/status.ts';
import type { Logger } from '../engine/logger.ts';
import { scrub } from '../manager/sensitive.ts';
import type { HostPolicy, TokenCheck } from './security.ts';
import { SubscribeMessage } from './schemas.ts';

export interface LiveOptions {
  manager: FlowManager;
  tokenCheck: TokenCheck;
  hostPolicy: HostPolicy;
  statusIntervalMs: number;
  logger: Logger;
  /** Largest accepted socket.io message (bytes). */
  maxMessageBytes?: number;
  /** Cluster mode: the status snapshot of a flow (the manager's with the cluster's counters); default manager.status. */
  status?: (flowId: string) => Promise<FlowStatus>;
}

const BULLETIN_FLUSH_MS = 250;
const MAX_PENDING_BULLETINS = 100;
/** Packets waiting in a client's engine.io buffer beyond which volatile events are skipped for it. */
const MAX_BACKLOG = 8;
const MAX_SUBSCRIPTIONS = 100;

const room = (flowId: string) => `flow:${flowId}`;

type Ack = (response: unknown) => void;

export class LiveStatus {
  readonly io: Server;
  private readonly statusTimer: NodeJS.Timeout;
  private readonly bulletinTimer: NodeJS.Timeout;
  private readonly pending = new Map<string, { items: Bulletin[]; dropped: number }>();
  private readonly detach: (() => void)[] = [];
  /** Snapshots sent, for tests and diagnostics. */
  snapshotsSent = 0;

  constructor(httpServer: HttpServer, private readonly options: LiveOptions) {
    const { hostPolicy, tokenCheck, manager } = options;
    this.io = new Server(httpServer, {
      serveClient: false,
      maxHttpBufferSize: options.maxMessageBytes ?? 64 * 1024,
      connectTimeout: 10_000,
      allowRequest: (req, callback) => {
        const why = hostPolicy.reject(req);
        callback(why ?? null, why === undefined);
      },
    });
    // Every engine.io request (polling with a session id, websocket upgrades), not just the handshake.
    this.io.engine.use((req: IncomingMessage, _res: unknown, next: (err?: Error) => void) => {
      const why = hostPolicy.reject(req);
      next(why ? new Error(why) : undefined);
    });
    this.io.use((socket, next) => {
      const token = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
      if (tokenCheck.matches(token)) return next();
      const err = new Error(token === undefined || token === '' ? 'An access token is required: connect with auth: { token }.' : 'The access token is not valid.') as Error & { data?: unknown };
      err.data = { status: 401 };
      next(err);
    });
    this.io.on('connection', (socket) => this.onConnection(socket));

    const onBulletin = (flowId: string, b: Bulletin) => this.queueBulletin(flowId, b);
    const onRunState = (e: RunStateEvent) => this.io.to(room(e.flowId)).emit('runState', e);
    const onFlow = (e: FlowChangeEvent) => {
      this.io.emit('flow', e);
      if (e.change === 'deleted') this.io.in(room(e.flowId)).socketsLeave(room(e.flowId));
    };
    manager.events.on('bulletin', onBulletin);
    manager.events.on('runState', onRunState);
    manager.events.on('flow', onFlow);
    this.detach.push(() => manager.events.off('bulletin', onBulletin), () => manager.events.off('runState', onRunState), () => manager.events.off('flow', onFlow));

    this.statusTimer = setInterval(() => this.pushSnapshots(), Math.max(1000, options.statusIntervalMs));
    this.bulletinTimer = setInterval(() => this.flushBulletins(), BULLETIN_FLUSH_MS);
  }

  private onConnection(socket: Socket): void {
    socket.on('subscribe', (msg: unknown, ack?: Ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      const parsed = SubscribeMessage.safeParse(msg);
      if (!parsed.success) return reply({ error: 'subscribe needs { flowId: "<id>" }.' });
      const { flowId } = parsed.data;
      if (!this.options.manager.has(flowId)) return reply({ error: `Flow "${flowId}" does not exist.` });
      if (socket.rooms.size > MAX_SUBSCRIPTIONS) return reply({ error: `At most ${MAX_SUBSCRIPTIONS} subscriptions per connection.` });
      void socket.join(room(flowId));
      if (this.options.status) {
        this.options.status(flowId).then((s) => socket.emit('status', s), () => undefined);
      } else {
        try {
          socket.emit('status', this.options.manager.status(flowId));
        } catch { /* deleted meanwhile */ }
      }
      reply({ ok: true, flowId, intervalMs: Math.max(1000, this.options.statusIntervalMs) });
    });
    socket.on('unsubscribe', (msg: unknown, ack?: Ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      const parsed = SubscribeMessage.safeParse(msg);
      if (!parsed.success) return reply({ error: 'unsubscribe needs { flowId: "<id>" }.' });
      void socket.leave(room(parsed.data.flowId));
      reply({ ok: true });
    });
  }

  /** Subscribed flows, each with the ids of its subscribers. */
  private subscribedFlows(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const [name, members] of this.io.sockets.adapter.rooms) {
      if (name.startsWith('flow:') && members.size > 0) out.set(name.slice(5), members);
    }
    return out;
  }

  private sendVolatile(members: Set<string>, event: string, payload: unknown): void {
    for (const sid of members) {
      const socket = this.io.sockets.sockets.get(sid);
      if (!socket) continue;
      const backlog = (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
      if (backlog > MAX_BACKLOG) continue;
      socket.volatile.emit(event, payload);
    }
  }

  private pushingAsync = false;

  private pushSnapshots(): void {
    if (this.options.status) { void this.pushAsyncSnapshots(this.options.status); return; }
    for (const [flowId, members] of this.subscribedFlows()) {
      if (!this.options.manager.has(flowId)) continue;
      try {
        const snapshot = this.options.manager.status(flowId);
        this.sendVolatile(members, 'status', snapshot);
        this.snapshotsSent++;
      } catch (e) {
        this.options.logger.warn({ flow: flowId }, `live status failed: ${(e as Error).message}`);
      }
    }
  }

  /** Cluster mode: snapshots need Redis; a round still in progress skips the next tick. */
  private async pushAsyncSnapshots(status: (flowId: string) => Promise<FlowStatus>): Promise<void> {
    if (this.pushingAsync) return;
    this.pushingAsync = true;
    try {
      for (const [flowId, members] of this.subscribedFlows()) {
        if (!this.options.manager.has(flowId)) continue;
        try {
          const snapshot = await status(flowId);
          this.sendVolatile(members, 'status', snapshot);
          this.snapshotsSent++;
        } catch (e) {
          this.options.logger.warn({ flow: flowId }, `live status failed: ${(e as Error).message}`);
        }
      }
    } finally {
      this.pushingAsync = false;
    }
  }

  private queueBulletin(flowId: string, b: Bulletin): void {
    if (!this.io.sockets.adapter.rooms.get(room(flowId))?.size) return;
    let p = this.pending.get(flowId);
    if (!p) this.pending.set(flowId, (p = { items: [], dropped: 0 }));
    p.items.push(b);
    if (p.items.length > MAX_PENDING_BULLETINS) { p.items.shift(); p.dropped++; }
  }

  private flushBulletins(): void {
    if (this.pending.size === 0) return;
    const flows = this.subscribedFlows();
    for (const [flowId, p] of this.pending) {
      const members = flows.get(flowId);
      if (!members || !this.options.manager.has(flowId)) continue;
      const secrets = this.options.manager.require(flowId).secrets;
      const bulletins = p.items.map((b) => ({ ...b, message: scrub(b.message, secrets) }));
      this.sendVolatile(members, 'bulletins', { flowId, bulletins, dropped: p.dropped });
    }
    this.pending.clear();
  }

  async close(): Promise<void> {
    clearInterval(this.statusTimer);
    clearInterval(this.bulletinTimer);
    for (const d of this.detach) d();
    await this.io.close();
  }
}
