// A configured processor in a running flow: its definition, settings, queues, state and counters.
import { CronExpressionParser } from 'cron-parser';
import type { ProcessorDefinition, Relationship } from '../sdk/definition.ts';
import { relationshipsOf } from '../sdk/definition.ts';
import type { BulletinLevel, ProcessContext } from '../sdk/context.ts';
import { PropertyValue } from '../sdk/property-value.ts';
import { resolveConfig } from '../sdk/validate-config.ts';
import type { FlowFileQueue } from './queue/queue.ts';
import type { FlowFile } from './flowfile.ts';
import { ProcessSession, type RetryPolicy, type Route, type SessionHost } from './session.ts';
import { ProcessorStats } from './stats.ts';
import { AckHandle, type AckCallback } from './ack.ts';
import type { ContentStore } from './content/store.ts';
import type { ProvenanceSink } from './provenance.ts';
import type { Logger } from './logger.ts';

export type RunState = 'STOPPED' | 'RUNNING' | 'DISABLED';

export interface ProcessorSettings {
  concurrentTasks: number;
  /** Timer-driven period in ms (0 = as fast as work allows). Ignored when `cron` is set. */
  runScheduleMs: number;
  cron?: string;
  penaltyMs: number;
  yieldMs: number;
  bulletinLevel: BulletinLevel;
  /** Stop triggering after this many triggers (then the processor counts as exhausted). */
  triggerLimit?: number;
  retry?: { relationships: readonly string[]; maxRetries: number; strategy: 'penalize' | 'yield'; maxBackoffMs: number };
}

export const DEFAULT_SETTINGS: ProcessorSettings = {
  concurrentTasks: 1,
  runScheduleMs: 0,
  penaltyMs: 30_000,
  yieldMs: 1_000,
  bulletinLevel: 'WARNING',
};

const LEVELS: Record<BulletinLevel, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3 };

/** How the node reaches the rest of the flow. */
export interface NodeEnvironment {
  flowId: string;
  contentStore: ContentStore;
  logger: Logger;
  provenance: ProvenanceSink | null;
  bulletin(node: ProcessorNode, level: BulletinLevel, message: string): void;
  wake(): void;
  requestWake(time: number): void;
  controllerService(id: string): unknown;
  readonly draining: boolean;
}

export class ProcessorNode implements SessionHost {
  readonly stats = new ProcessorStats();
  readonly held = new Set<FlowFile>();
  incoming: FlowFileQueue[] = [];
  routes = new Map<string, Route>();
  /** Every queue this processor writes to, for the back-pressure check. */
  private outgoing: FlowFileQueue[] = [];
  pollCursor = 0;
  yieldUntil = 0;
  /** Backing off after a trigger that did no work; new input ends it early. */
  boredUntil = 0;
  nextRunAt = 0;
  activeTasks = 0;
  triggerCount = 0;
  exhausted = false;
  /** The last trigger left work that needs no new input (ctx.continueLater). */
  continuing = false;
  /** Stopping: the last trigger flushes what is held (flushOnStop). */
  private flushing = false;
  state: RunState = 'STOPPED';
  validationErrors: string[] = [];
  readonly properties = new Map<string, PropertyValue>();
  readonly dynamic = new Map<string, PropertyValue>();
  private readonly sessions: ProcessSession[] = [];
  private idleWaiters: (() => void)[] = [];
  readonly context: ProcessContext<any>;
  readonly autoTerminated: Set<string>;
  private cronNext: (() => number) | null = null;

  constructor(
    readonly id: string,
    public name: string,
    readonly definition: ProcessorDefinition,
    readonly configured: Readonly<Record<string, string>>,
    public settings: ProcessorSettings,
    autoTerminate: readonly string[],
    private readonly env: NodeEnvironment,
  ) {
    this.autoTerminated = new Set(autoTerminate);
    const config = resolveConfig(definition, configured);
    this.validationErrors = config.problems.map((p) => (p.property ? `"${p.property}" ${p.message}` : p.message));
    for (const desc of definition.properties) {
      this.properties.set(desc.name, new PropertyValue(desc.name, config.values.get(desc.name), (desc.expressionLanguage ?? 'none') !== 'none'));
    }
    const dynEl = (definition.dynamicProperties?.expressionLanguage ?? 'none') !== 'none';
    for (const [k, v] of config.dynamic) this.dynamic.set(k, new PropertyValue(k, v, dynEl));
    if (settings.cron) {
      try {
        const expr = CronExpressionParser.parse(settings.cron);
        this.cronNext = () => expr.next().getTime();
      } catch (e) {
        this.validationErrors.push(`the cron schedule "${settings.cron}" is invalid: ${(e as Error).message}`);
      }
    }
    this.context = this.makeContext();
  }

  get type(): string { return this.definition.type; }
  get contentStore(): ContentStore { return this.env.contentStore; }
  get provenance(): ProvenanceSink | null { return this.env.provenance; }
  get penaltyMs(): number { return this.settings.penaltyMs; }
  get yieldMs(): number { return this.settings.yieldMs; }
  get isSource(): boolean { return this.incoming.length === 0 || this.definition.inputRequirement === 'forbidden'; }

  relationships(): Relationship[] {
    return relationshipsOf(this.definition, new Map(Object.entries(this.configured)));
  }

  /** Wires the node to its queues and checks that every relationship goes somewhere. */
  connect(incoming: FlowFileQueue[], outgoing: Map<string, FlowFileQueue[]>): void {
    this.incoming = incoming;
    const retry = this.settings.retry;
    const policy: RetryPolicy | null = retry ? { maxRetries: retry.maxRetries, strategy: retry.strategy, maxBackoffMs: retry.maxBackoffMs } : null;
    this.routes = new Map();
    const unrouted: string[] = [];
    for (const rel of this.relationships()) {
      const queues = outgoing.get(rel.name) ?? [];
      const auto = this.autoTerminated.has(rel.name);
      if (queues.length === 0 && !auto) unrouted.push(rel.name);
      this.routes.set(rel.name, {
        name: rel.name, queues, autoTerminate: auto && queues.length === 0, terminalFailure: rel.terminalFailure ?? false,
        retry: policy && retry!.relationships.includes(rel.name) ? policy : null,
      });
    }
    for (const name of unrouted) this.validationErrors.push(`relationship "${name}" is neither connected nor auto-terminated`);
    if (this.definition.inputRequirement === 'required' && incoming.length === 0) this.validationErrors.push(`${this.type} requires an incoming connection`);
    if (this.definition.inputRequirement === 'forbidden' && incoming.length > 0) this.validationErrors.push(`${this.type} does not accept incoming connections`);
    this.outgoing = [...new Set([...outgoing.values()].flat())];
    for (const s of this.sessions) s.refreshRoutes();
  }

  get isValid(): boolean { return this.validationErrors.length === 0; }

  // ---- scheduling decisions ----

  /** Whether the scheduler may trigger this processor now. */
  canTrigger(now: number): boolean {
    if (this.state !== 'RUNNING' || this.activeTasks >= this.settings.concurrentTasks || now < this.yieldUntil) return false;
    const limit = this.settings.triggerLimit;
    if (limit !== undefined && this.triggerCount >= limit) return false;
    const out = this.outgoing;
    for (let i = 0; i < out.length; i++) if (out[i].isFull()) return false;
    const due = now >= this.nextRunAt;
    if (!due) return false;
    if (this.isSource) return now >= this.boredUntil;
    if (this.continuing || (this.env.draining && this.held.size > 0)) return true;
    const inc = this.incoming;
    for (let i = 0; i < inc.length; i++) if (inc[i].hasReady(now)) return true;
    return this.definition.triggerWhenEmpty === true && now >= this.boredUntil;
  }

  /** Earliest time something time-based could make this node triggerable (Infinity when none). */
  nextWakeTime(now: number): number {
    if (this.state !== 'RUNNING') return Infinity;
    let t = Infinity;
    if (this.yieldUntil > now) t = this.yieldUntil;
    if (this.boredUntil > now && (this.isSource || this.definition.triggerWhenEmpty)) t = Math.min(t, Math.max(this.boredUntil, this.yieldUntil));
    if ((this.isSource || this.definition.triggerWhenEmpty) && this.nextRunAt > now) t = Math.min(t, Math.max(this.nextRunAt, this.yieldUntil));
    for (const q of this.incoming) {
      const r = q.nextReadyAt();
      if (r > now && r < Infinity) t = Math.min(t, Math.max(r, this.yieldUntil, this.nextRunAt));
    }
    return t;
  }

  /** True when exhausted for `--until-idle`: a source with nothing more to produce. */
  get isExhausted(): boolean {
    const limit = this.settings.triggerLimit;
    return this.exhausted || (limit !== undefined && this.triggerCount >= limit) || this.state !== 'RUNNING';
  }

  // ---- triggering ----

  /** Runs one trigger. Returns true if it did work (or started async work). */
  trigger(now: number): boolean {
    const session = this.sessions.pop() ?? new ProcessSession(this);
    session.begin(now);
    this.activeTasks++;
    this.triggerCount++;
    this.nextRunAt = this.cronNext ? this.cronNext() : now + this.settings.runScheduleMs;
    this.continuing = false;
    let result: void | Promise<void>;
    try {
      result = this.definition.onTrigger(this.context, session);
    } catch (e) {
      this.fail(session, e);
      return true;
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(() => this.finish(session), (e) => this.fail(session, e)).finally(() => this.env.wake());
      return true;
    }
    return this.finish(session);
  }

  private finish(session: ProcessSession): boolean {
    const worked = session.didWork;
    let committed: void | Promise<void>;
    try {
      committed = session.commit();
    } catch (e) {
      this.fail(session, e);
      return true;
    }
    if (committed) {
      committed.then(() => this.done(session, worked), (e) => this.fail(session, e)).finally(() => this.env.wake());
      return true;
    }
    this.done(session, worked);
    return worked;
  }

  private done(session: ProcessSession, worked: boolean): void {
    this.activeTasks--;
    this.stats.tasks++;
    this.sessions.push(session);
    if (!worked) this.boredUntil = session.now + this.settings.yieldMs;
    if (this.activeTasks === 0) this.notifyIdle();
  }

  private fail(session: ProcessSession, error: unknown): void {
    if (session.isActive) session.rollback(true);
    const message = error instanceof Error ? error.message : String(error);
    this.env.bulletin(this, 'ERROR', `${this.name} failed and its session was rolled back: ${message}`);
    this.env.logger.error({ processor: this.id, err: error }, 'trigger failed');
    this.yieldUntil = Date.now() + this.settings.yieldMs;
    this.activeTasks--;
    this.stats.tasks++;
    this.sessions.push(session);
    if (this.activeTasks === 0) this.notifyIdle();
  }

  // ---- lifecycle ----

  async start(): Promise<void> {
    if (this.state === 'RUNNING') return;
    if (this.state === 'DISABLED') throw new Error(`processor "${this.name}" is disabled; enable it first`);
    if (!this.isValid) throw new Error(`processor "${this.name}" is invalid: ${this.validationErrors.join('; ')}`);
    this.context.state = this.definition.initialState?.();
    this.triggerCount = 0;
    this.exhausted = false;
    await this.definition.onScheduled?.(this.context);
    this.yieldUntil = 0;
    this.boredUntil = 0;
    this.nextRunAt = 0;
    this.state = 'RUNNING';
    this.env.wake();
  }

  /** Stops triggering, waits for in-flight triggers, then returns held FlowFiles to the input queue. */
  async stop(): Promise<void> {
    if (this.state !== 'RUNNING') return;
    this.state = 'STOPPED';
    this.continuing = false;
    if (this.activeTasks > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.held.size > 0 && this.definition.flushOnStop?.(this.context)) {
      this.flushing = true;
      try {
        this.trigger(Date.now());
        if (this.activeTasks > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      } finally {
        this.flushing = false;
      }
    }
    try {
      await this.definition.onStopped?.(this.context);
    } finally {
      if (this.held.size > 0 && this.incoming.length > 0) {
        this.incoming[0].requeue([...this.held.values()], 0);
        this.held.clear();
      }
      this.env.wake();
    }
  }

  disable(): void {
    if (this.state === 'RUNNING') throw new Error(`processor "${this.name}" is running; stop it before disabling`);
    this.state = 'DISABLED';
  }

  enable(): void {
    if (this.state === 'DISABLED') this.state = 'STOPPED';
  }

  private notifyIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  private makeContext(): ProcessContext<any> {
    const node = this;
    const env = this.env;
    return {
      processorId: node.id,
      get processorName() { return node.name; },
      flowId: env.flowId,
      state: undefined,
      logger: env.logger.child({ processor: node.id }),
      contentStore: env.contentStore,
      property(name: string): PropertyValue {
        const p = node.properties.get(name);
        if (!p) throw new Error(`${node.type} has no property "${name}"`);
        return p;
      },
      dynamicProperties: node.dynamic,
      isAvailable: (rel) => { const r = node.routes.get(rel); return !!r && (r.autoTerminate || r.queues.length > 0); },
      isConnected: (rel) => (node.routes.get(rel)?.queues.length ?? 0) > 0,
      yield: () => { node.yieldUntil = Date.now() + node.settings.yieldMs; },
      bulletin: (level, message) => {
        if (LEVELS[level] >= LEVELS[node.settings.bulletinLevel]) env.bulletin(node, level, message);
      },
      createAck: (cb: AckCallback, label?: string) => new AckHandle((outcome) => { cb(outcome); env.wake(); }, label),
      setExhausted: (v) => { node.exhausted = v; },
      get isDraining() { return env.draining || node.flushing; },
      get recordsProvenance() { return env.provenance !== null && env.provenance.off !== true; },
      wakeAt: (time) => env.requestWake(time),
      continueLater: () => { node.continuing = true; },
      controllerService<T>(property: string): T {
        const id = node.properties.get(property)?.value;
        if (!id) throw new Error(`property "${property}" names no controller service`);
        return env.controllerService(id) as T;
      },
    };
  }
}
