// The flow manager: every flow the server holds, each with its own runtime (and scheduler), its
// persisted definition and the desired run state of each processor (the `state` field on disk).
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FlowRuntime } from '../engine/flow-runtime.ts';
import type { ContentStore } from '../engine/content/store.ts';
import type { Logger } from '../engine/logger.ts';
import type { Bulletin } from '../engine/bulletins.ts';
import type { FlowFile } from '../engine/flowfile.ts';
import type { QueueListing } from '../engine/queue/queue.ts';
import { FlowSchema, type FlowDefinition } from '../flow/schema.ts';
import { validateFlow } from '../flow/validate.ts';
import type { ProcessorRegistry } from '../sdk/registry.ts';
import type { ServiceRegistry } from '../sdk/services.ts';
import { ApiError, badRequest, conflict, notFound, type ErrorDetail } from './errors.ts';
import { FLOW_ID, FlowStore } from './flow-store.ts';
import { SensitiveRules, rawSecrets, scrub } from './sensitive.ts';
import { PathConfinement } from './allowed-paths.ts';
import type { ProvenanceStore, StoredProvenanceEvent } from './provenance-store.ts';
import { buildStatus, desiredState, type DesiredState, type FlowStatus } from './status.ts';

export interface ManagerOptions {
  dataDir: string;
  registry: ProcessorRegistry;
  services: ServiceRegistry;
  contentStore: ContentStore;
  logger: Logger;
  provenance: ProvenanceStore;
  allowedPaths: readonly string[] | null;
  /** Loaded (stopped) on a first start with an empty data dir; null to skip. */
  examplesDir: string | null;
  /** How long run-once waits for its trigger. */
  runOnceTimeoutMs?: number;
  /** Scheduler time slice: how long a runtime works before giving the event loop back (API latency vs overhead). */
  sliceMs?: number;
  /**
   * false = cluster mode: desired run states are recorded, persisted and emitted as `runState`
   * events (which the cluster mirror follows), but no runtime is ever built or started here.
   * Default true (embedded mode).
   */
  execute?: boolean;
}

/** Shorter than the engine's default (20 ms): the server's API and live status share the event loop with every flow. */
export const SERVER_SLICE_MS = 5;

export interface ManagedFlow {
  readonly id: string;
  definition: FlowDefinition;
  runtime: FlowRuntime | null;
  problems: ErrorDetail[];
  version: number;
  createdAt: number;
  updatedAt: number;
  secrets: string[];
  lock: Promise<unknown>;
  unsubscribe: (() => void) | null;
}

export interface FlowSummary {
  id: string;
  name: string;
  description?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  processors: number;
  connections: number;
  runState: FlowStatus['runState'];
  counts: FlowStatus['counts'];
}

export interface FlowRecord {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  flow: FlowDefinition;
  problems: ErrorDetail[];
}

export interface RunStateEvent {
  flowId: string;
  processorId: string;
  state: string;
  desiredState: DesiredState;
}

export interface FlowChangeEvent {
  flowId: string;
  change: 'created' | 'updated' | 'deleted';
  version: number;
}

export interface ManagerEvents {
  runState: [RunStateEvent];
  bulletin: [string, Bulletin];
  flow: [FlowChangeEvent];
}

export class FlowManager {
  readonly events = new EventEmitter<ManagerEvents>();
  private readonly flows = new Map<string, ManagedFlow>();
  private readonly store: FlowStore;
  private readonly rules: SensitiveRules;
  private readonly confinement: PathConfinement | null;
  /** The registry runtimes are built from (path-confined when SLUICE_ALLOWED_PATHS is set). */
  private readonly runRegistry: ProcessorRegistry;
  private closing = false;
  ready = false;

  constructor(private readonly options: ManagerOptions) {
    this.events.setMaxListeners(0);
    this.store = new FlowStore(options.dataDir);
    this.rules = new SensitiveRules(options.registry, options.services);
    this.confinement = options.allowedPaths ? new PathConfinement(options.allowedPaths) : null;
    this.runRegistry = this.confinement ? this.confinement.wrapRegistry(options.registry) : options.registry;
  }

  get registry(): ProcessorRegistry { return this.options.registry; }
  get services(): ServiceRegistry { return this.options.services; }
  get provenance(): ProvenanceStore { return this.options.provenance; }
  get pathConfinement(): PathConfinement | null { return this.confinement; }
  /** The registry runtimes are built from (path-confined when SLUICE_ALLOWED_PATHS is set); cluster workers use it too. */
  get runtimeRegistry(): ProcessorRegistry { return this.runRegistry; }
  /** false in cluster mode: flows run on the cluster's workers, never in this manager. */
  get executes(): boolean { return this.options.execute !== false; }
  private get log(): Logger { return this.options.logger; }

  // ---- loading ----

  async init(): Promise<void> {
    const fresh = this.store.fresh;
    for (const file of this.store.list()) this.loadStored(file.id, file.text, file.mtime.getTime());
    if (fresh && this.options.examplesDir) this.loadExamples(this.options.examplesDir);
    for (const mf of this.flows.values()) {
      if (!this.executes) continue;
      this.build(mf);
      this.subscribe(mf);
      await this.startDesired(mf);
    }
    this.ready = true;
    const running = [...this.flows.values()].reduce((n, f) => n + f.definition.processors.filter((p) => p.state === 'RUNNING').length, 0);
    this.log.info({ flows: this.flows.size, running }, 'flows loaded');
  }

  private loadStored(id: string, text: string, mtime: number): void {
    let raw: unknown;
    try { raw = JSON.parse(text); } catch (e) {
      this.log.error({ flow: id }, `flow file ${id}.json is not valid JSON and was not loaded: ${(e as Error).message}`);
      return;
    }
    const parsed = FlowSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.error({ flow: id }, `flow file ${id}.json is not a flow definition (format v1) and was not loaded`);
      return;
    }
    const definition = { ...parsed.data, id };
    const problems = this.problemsOf({ ...(raw as Raw), id });
    const mf = this.managed(id, definition, mtime);
    mf.problems = problems;
    if (problems.length) this.log.warn({ flow: id, problems: problems.length }, `flow ${id} has problems; it is listed but cannot run until it is fixed`);
    this.flows.set(id, mf);
  }

  private loadExamples(dir: string): void {
    let names: string[];
    try { names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort(); } catch { return; }
    for (const name of names) {
      const path = join(dir, name);
      try {
        const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
        const wanted = typeof raw.id === 'string' && FLOW_ID.test(raw.id) ? raw.id : basename(name, '.json');
        const id = this.uniqueId(FLOW_ID.test(wanted) ? wanted : slug(String(raw.name ?? 'flow')));
        const parsed = FlowSchema.safeParse({ ...raw, id });
        if (!parsed.success) {
          this.log.warn({ example: name }, `example ${name} is not a flow definition (format v1) and was not loaded`);
          continue;
        }
        const flow = parsed.data;
        stripRunState(flow);
        const problems = this.problemsOf(flow);
        this.store.save(id, flow);
        const mf = this.managed(id, flow, Date.now());
        mf.problems = problems;
        this.flows.set(id, mf);
        if (problems.length) this.log.warn({ flow: id, problems: problems.length }, `loaded example ${name}; it has problems and cannot run until they are fixed: ${this.scrubbed(problems, mf.secrets).map((p) => `${p.path}: ${p.message}`).join('; ')}`);
        else this.log.info({ flow: id }, `loaded example ${name}`);
      } catch (e) {
        this.log.warn({ example: name }, `example ${name} was not loaded: ${(e as Error).message}`);
      }
    }
  }

  private managed(id: string, definition: FlowDefinition, time: number): ManagedFlow {
    return {
      id, definition, runtime: null, problems: [], version: 1, createdAt: time, updatedAt: time,
      secrets: this.rules.values(definition), lock: Promise.resolve(), unsubscribe: null,
    };
  }

  private build(mf: ManagedFlow): void {
    if (mf.problems.length) { mf.runtime = null; return; }
    try {
      const runtime = new FlowRuntime(mf.id, mf.definition, {
        registry: this.runRegistry,
        services: this.services,
        contentStore: this.options.contentStore,
        logger: scrubbingLogger(this.log.child({ flow: mf.id }), () => mf.secrets),
        provenance: this.options.provenance.sinkFor(mf.id),
        sliceMs: this.options.sliceMs ?? SERVER_SLICE_MS,
      });
      mf.runtime = runtime;
    } catch (e) {
      mf.runtime = null;
      mf.problems = [{ path: '(root)', message: (e as Error).message }];
    }
  }

  /** Forwards the runtime's bulletins as manager events (for live clients). */
  private subscribe(mf: ManagedFlow): void {
    mf.unsubscribe?.();
    mf.unsubscribe = mf.runtime ? mf.runtime.bulletins.subscribe((b) => this.events.emit('bulletin', mf.id, b)) : null;
  }

  private async startDesired(mf: ManagedFlow): Promise<{ id: string; error: string }[]> {
    const ids = mf.definition.processors.filter((p) => p.state === 'RUNNING').map((p) => p.id);
    if (!mf.runtime || ids.length === 0) return [];
    let failures: { id: string; error: string }[];
    try {
      failures = await mf.runtime.start(ids);
    } catch (e) {
      failures = ids.map((id) => ({ id, error: (e as Error).message }));
    }
    for (const f of failures) {
      const node = mf.runtime.nodes.get(f.id) ?? null;
      mf.runtime.bulletin(node, 'ERROR', scrub(`could not be restarted: ${f.error}`, mf.secrets));
    }
    return failures;
  }

  // ---- queries ----

  list(): FlowSummary[] {
    return [...this.flows.values()].map((mf) => {
      const s = this.status(mf.id, 0);
      return {
        id: mf.id, name: mf.definition.name, description: mf.definition.description, version: mf.version,
        createdAt: new Date(mf.createdAt).toISOString(), updatedAt: new Date(mf.updatedAt).toISOString(),
        processors: mf.definition.processors.length, connections: mf.definition.connections.length,
        runState: s.runState, counts: s.counts,
      };
    });
  }

  all(): IterableIterator<ManagedFlow> { return this.flows.values(); }

  has(id: string): boolean { return this.flows.has(id); }

  require(id: string): ManagedFlow {
    const mf = this.flows.get(id);
    if (!mf) throw notFound(`Flow "${id}"`);
    return mf;
  }

  record(id: string): FlowRecord {
    const mf = this.require(id);
    return {
      id, version: mf.version, createdAt: new Date(mf.createdAt).toISOString(), updatedAt: new Date(mf.updatedAt).toISOString(),
      flow: this.rules.mask(mf.definition), problems: this.scrubbed(mf.problems, mf.secrets),
    };
  }

  /** The definition as exported: sensitive values masked, run states (other than DISABLED) left out. */
  exportDefinition(id: string): FlowDefinition {
    const flow = this.rules.mask(this.require(id).definition);
    stripRunState(flow);
    return flow;
  }

  status(id: string, bulletinLimit = 50): FlowStatus {
    const mf = this.require(id);
    const status = buildStatus({ id, version: mf.version, definition: mf.definition, runtime: mf.runtime, problems: mf.problems, secrets: mf.secrets, bulletinLimit });
    return this.executes ? status : detachedStatus(status, mf.problems.length > 0);
  }

  bulletins(id: string, filter: { sinceId?: number; limit: number; processorId?: string }): Bulletin[] {
    const mf = this.require(id);
    return (mf.runtime?.bulletins.list(filter) ?? []).map((b) => ({ ...b, message: scrub(b.message, mf.secrets) }));
  }

  validate(id: string, input: unknown | undefined): { valid: boolean; problems: ErrorDetail[] } {
    const mf = this.require(id);
    if (input === undefined) {
      const problems = mf.problems.length ? mf.problems : this.problemsOf(mf.definition);
      return { valid: problems.length === 0, problems: this.scrubbed(problems, mf.secrets) };
    }
    if (!isObj(input)) throw badRequest('The request body must be a JSON object (a flow definition, format v1) or empty.');
    const { value } = this.rules.unmask(input, mf.definition);
    const candidate = { ...(value as Record<string, unknown>), id };
    const problems = this.problemsOf(candidate);
    return { valid: problems.length === 0, problems: this.scrubbed(problems, [...mf.secrets, ...rawSecrets(this.rules, candidate)]) };
  }

  private problemsOf(input: unknown): ErrorDetail[] {
    const { flow, problems } = validateFlow(input, this.registry, { services: this.services });
    const all: ErrorDetail[] = [...problems];
    if (flow && this.confinement) all.push(...this.confinement.check(flow, this.registry));
    return all;
  }

  private validateOrThrow(input: unknown): FlowDefinition {
    if (!isObj(input)) throw badRequest('The request body must be a JSON object (a flow definition, format v1).');
    const problems = this.problemsOf(input);
    if (problems.length) {
      throw new ApiError(400, `The flow definition is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}).`,
        this.scrubbed(problems, rawSecrets(this.rules, input)));
    }
    return FlowSchema.parse(input);
  }

  private scrubbed(problems: readonly ErrorDetail[], secrets: readonly string[]): ErrorDetail[] {
    return problems.map((p) => ({ path: p.path, message: scrub(p.message, secrets) }));
  }

  // ---- changes ----

  private async locked<T>(id: string, fn: (mf: ManagedFlow) => Promise<T> | T): Promise<T> {
    const mf = this.require(id);
    const run = mf.lock.then(() => {
      if (this.closing) throw new ApiError(503, 'The server is shutting down.');
      return fn(this.require(id));
    });
    mf.lock = run.catch(() => undefined);
    return run;
  }

  private persist(mf: ManagedFlow): void {
    this.store.save(mf.id, mf.definition);
  }

  /** POST /api/flows and POST /api/flows/import. */
  async create(input: unknown, mode: 'create' | 'import'): Promise<{ record: FlowRecord; warnings: ErrorDetail[] }> {
    if (this.closing) throw new ApiError(503, 'The server is shutting down.');
    if (!isObj(input)) throw badRequest('The request body must be a JSON object (a flow definition, format v1).');
    const { value, dropped } = this.rules.unmask(input, null);
    const body = value as Record<string, unknown>;
    const warnings: ErrorDetail[] = [...dropped];
    let id: string;
    if (body.id !== undefined) {
      if (typeof body.id !== 'string' || !FLOW_ID.test(body.id)) {
        throw badRequest('The flow definition is invalid (1 problem).', [{ path: 'id', message: 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit' }]);
      }
      if (this.flows.has(body.id)) {
        if (mode === 'create') throw conflict(`A flow with id "${body.id}" already exists.`, [{ path: 'id', message: 'is already used by another flow' }]);
        id = this.uniqueId(body.id);
        warnings.push({ path: 'id', message: `"${body.id}" is already used by another flow, so the imported flow is "${id}"` });
      } else id = body.id;
    } else id = this.uniqueId(slug(typeof body.name === 'string' ? body.name : 'flow'));
    const flow = this.validateOrThrow({ ...body, id });
    stripRunState(flow);
    if (this.flows.has(id)) throw conflict(`A flow with id "${id}" already exists.`);
    this.store.save(id, flow);
    const mf = this.managed(id, flow, Date.now());
    this.flows.set(id, mf);
    if (this.executes) {
      this.build(mf);
      this.subscribe(mf);
    }
    this.log.info({ flow: id }, mode === 'import' ? 'flow imported' : 'flow created');
    this.events.emit('flow', { flowId: id, change: 'created', version: mf.version });
    return { record: this.record(id), warnings };
  }

  /** PUT /api/flows/:id: validates, persists, replaces the runtime and restarts what was running. */
  async update(id: string, input: unknown, ifMatch?: number): Promise<{ record: FlowRecord; warnings: ErrorDetail[]; restarted: string[]; failures: { id: string; error: string }[] }> {
    return this.locked(id, async (mf) => {
      if (ifMatch !== undefined && ifMatch !== mf.version) {
        throw new ApiError(412, `The flow changed since version ${ifMatch} (it is now version ${mf.version}); reload it and try again.`);
      }
      if (!isObj(input)) throw badRequest('The request body must be a JSON object (a flow definition, format v1).');
      const { value, dropped } = this.rules.unmask(input, mf.definition);
      const body = value as Record<string, unknown>;
      if (body.id !== undefined && body.id !== id) {
        throw badRequest('The flow definition is invalid (1 problem).', [{ path: 'id', message: `must be "${id}" (the flow being replaced) or left out` }]);
      }
      const flow = this.validateOrThrow({ ...body, id });
      const old = new Map(mf.definition.processors.map((p) => [p.id, p]));
      for (const p of flow.processors) {
        const before = old.get(p.id);
        if (p.state === 'DISABLED') continue;
        if (before?.state === 'RUNNING') p.state = 'RUNNING';
        else delete p.state;
      }
      const before = this.states(mf);
      const oldRuntime = mf.runtime;
      mf.definition = flow;
      mf.secrets = this.rules.values(flow);
      mf.problems = [];
      mf.version++;
      mf.updatedAt = Date.now();
      this.persist(mf);
      if (oldRuntime) {
        await oldRuntime.close();
        mf.unsubscribe?.();
        mf.unsubscribe = null;
      }
      if (this.executes) this.build(mf);
      if (oldRuntime && mf.runtime) this.carryOver(oldRuntime, mf.runtime, mf.id);
      this.subscribe(mf);
      const failures = await this.startDesired(mf);
      const restarted = flow.processors.filter((p) => p.state === 'RUNNING' && !failures.some((f) => f.id === p.id)).map((p) => p.id);
      this.emitDiff(mf, before);
      this.log.info({ flow: id, version: mf.version }, 'flow updated');
      this.events.emit('flow', { flowId: id, change: 'updated', version: mf.version });
      return { record: this.record(id), warnings: dropped, restarted, failures };
    });
  }

  /**
   * Moves queued FlowFiles without acknowledgements into the new runtime's connection with the same
   * id and endpoints. Everything else is dropped: acknowledged FlowFiles fail their acks, so their
   * (replayable) sources deliver them again from the new runtime instead of twice.
   */
  private carryOver(from: FlowRuntime, to: FlowRuntime, flowId: string): void {
    let moved = 0;
    let dropped = 0;
    for (const [cid, { config, queue }] of from.connections) {
      const target = to.connections.get(cid);
      if (target && !queue.leases && !target.queue.leases && target.config.source === config.source && target.config.destination === config.destination) {
        const out: FlowFile[] = [];
        queue.poll(queue.count(), Date.now(), out);
        const keep = out.filter((ff) => ff.acks === null);
        if (keep.length) { target.queue.offer(keep); moved += keep.length; }
        if (keep.length < out.length) queue.requeue(out.filter((ff) => ff.acks !== null), 0);
      }
      dropped += queue.empty();
    }
    for (const { id: _id, ...b } of from.bulletins.list()) to.bulletins.add(b);
    if (moved || dropped) this.log.info({ flow: flowId, moved, dropped }, 'queued FlowFiles carried over to the updated flow');
  }

  async remove(id: string): Promise<void> {
    await this.locked(id, async (mf) => {
      if (mf.runtime) {
        await mf.runtime.close();
        for (const { queue } of mf.runtime.connections.values()) queue.empty();
      }
      mf.unsubscribe?.();
      this.store.remove(id);
      this.flows.delete(id);
      this.options.provenance.purge(id);
      this.log.info({ flow: id }, 'flow deleted');
      this.events.emit('flow', { flowId: id, change: 'deleted', version: mf.version });
    });
  }

  // ---- run control ----

  private runtimeOf(mf: ManagedFlow): FlowRuntime {
    if (!mf.runtime) {
      throw conflict(`Flow "${mf.id}" cannot run until its problems are fixed.`, this.scrubbed(mf.problems, mf.secrets));
    }
    return mf.runtime;
  }

  private node(mf: ManagedFlow, pid: string) {
    const node = this.runtimeOf(mf).nodes.get(pid);
    if (!node) throw notFound(`Processor "${pid}" in flow "${mf.id}"`);
    return node;
  }

  private setDesired(mf: ManagedFlow, pid: string, state: DesiredState): boolean {
    const p = mf.definition.processors.find((x) => x.id === pid);
    if (!p || desiredState(p) === state) return false;
    if (state === 'STOPPED') delete p.state;
    else p.state = state;
    return true;
  }

  private states(mf: ManagedFlow): Map<string, string> {
    const out = new Map<string, string>();
    for (const p of mf.definition.processors) out.set(p.id, `${this.stateOf(mf, p)}/${desiredState(p)}`);
    return out;
  }

  /** The run state reported for a processor: its runtime's here, the desired one in cluster mode (the workers run it). */
  private stateOf(mf: ManagedFlow, p: FlowDefinition['processors'][number]): string {
    if (!this.executes) return desiredState(p);
    return mf.runtime?.nodes.get(p.id)?.state ?? 'STOPPED';
  }

  /** Cluster mode: the flow must be free of problems to be started. */
  private requireRunnable(mf: ManagedFlow): void {
    if (mf.problems.length) throw conflict(`Flow "${mf.id}" cannot run until its problems are fixed.`, this.scrubbed(mf.problems, mf.secrets));
  }

  private processorDef(mf: ManagedFlow, pid: string): FlowDefinition['processors'][number] {
    const p = mf.definition.processors.find((x) => x.id === pid);
    if (!p) throw notFound(`Processor "${pid}" in flow "${mf.id}"`);
    return p;
  }

  /** Cluster mode: records the new desired states, persists them and emits `runState` (the mirror writes them to Redis). */
  private async setDesiredAll(mf: ManagedFlow, change: (p: FlowDefinition['processors'][number]) => DesiredState | null): Promise<string[]> {
    const before = this.states(mf);
    const touched: string[] = [];
    let changed = false;
    for (const p of mf.definition.processors) {
      const next = change(p);
      if (next === null) continue;
      touched.push(p.id);
      changed = this.setDesired(mf, p.id, next) || changed;
    }
    if (changed) this.persist(mf);
    this.emitDiff(mf, before);
    return touched;
  }

  private emitDiff(mf: ManagedFlow, before: Map<string, string>): void {
    for (const p of mf.definition.processors) {
      const state = this.stateOf(mf, p);
      if (before.get(p.id) === `${state}/${desiredState(p)}`) continue;
      this.events.emit('runState', { flowId: mf.id, processorId: p.id, state, desiredState: desiredState(p) });
    }
  }

  async startFlow(id: string): Promise<{ started: string[]; failures: { id: string; error: string }[] }> {
    return this.locked(id, async (mf) => {
      if (!this.executes) {
        this.requireRunnable(mf);
        const started = await this.setDesiredAll(mf, (p) => (desiredState(p) === 'DISABLED' ? null : 'RUNNING'));
        return { started, failures: [] };
      }
      const rt = this.runtimeOf(mf);
      const before = this.states(mf);
      let failures: { id: string; error: string }[];
      try { failures = await rt.start(); } catch (e) {
        throw conflict(`Flow "${id}" could not start: ${scrub((e as Error).message, mf.secrets)}`);
      }
      const started: string[] = [];
      let changed = false;
      for (const node of rt.nodes.values()) {
        if (node.state === 'RUNNING') { started.push(node.id); changed = this.setDesired(mf, node.id, 'RUNNING') || changed; }
      }
      if (changed) this.persist(mf);
      this.emitDiff(mf, before);
      return { started, failures: failures.map((f) => ({ id: f.id, error: scrub(f.error, mf.secrets) })) };
    });
  }

  async stopFlow(id: string): Promise<{ stopped: string[] }> {
    return this.locked(id, async (mf) => {
      if (!this.executes) {
        this.requireRunnable(mf);
        return { stopped: await this.setDesiredAll(mf, (p) => (desiredState(p) === 'RUNNING' ? 'STOPPED' : null)) };
      }
      const rt = this.runtimeOf(mf);
      const before = this.states(mf);
      const running = [...rt.nodes.values()].filter((n) => n.state === 'RUNNING').map((n) => n.id);
      await rt.stop();
      let changed = false;
      for (const p of mf.definition.processors) if (p.state === 'RUNNING') changed = this.setDesired(mf, p.id, 'STOPPED') || changed;
      if (changed) this.persist(mf);
      this.emitDiff(mf, before);
      return { stopped: running };
    });
  }

  async processorAction(id: string, pid: string, action: 'start' | 'stop' | 'run-once' | 'enable' | 'disable'): Promise<{ id: string; state: string }> {
    return this.locked(id, async (mf) => {
      if (!this.executes) return this.detachedAction(mf, pid, action);
      const node = this.node(mf, pid);
      const rt = mf.runtime!;
      const before = this.states(mf);
      const fail = (e: unknown) => conflict(`Processor "${pid}" cannot ${action === 'run-once' ? 'run once' : action}: ${scrub((e as Error).message, mf.secrets)}`);
      let changed = false;
      switch (action) {
        case 'start':
          try { await rt.startProcessor(pid); } catch (e) { throw fail(e); }
          changed = this.setDesired(mf, pid, 'RUNNING');
          break;
        case 'stop':
          await rt.stopProcessor(pid);
          changed = this.setDesired(mf, pid, 'STOPPED');
          break;
        case 'run-once':
          await this.runOnce(mf, pid).catch((e) => { throw e instanceof ApiError ? e : fail(e); });
          break;
        case 'disable':
          try { node.disable(); } catch (e) { throw fail(e); }
          changed = this.setDesired(mf, pid, 'DISABLED');
          break;
        case 'enable':
          node.enable();
          changed = this.setDesired(mf, pid, 'STOPPED');
          break;
      }
      if (changed) this.persist(mf);
      this.emitDiff(mf, before);
      return { id: pid, state: node.state };
    });
  }

  private async detachedAction(mf: ManagedFlow, pid: string, action: 'start' | 'stop' | 'run-once' | 'enable' | 'disable'): Promise<{ id: string; state: string }> {
    this.requireRunnable(mf);
    const p = this.processorDef(mf, pid);
    const current = desiredState(p);
    const cannot = (why: string) => conflict(`Processor "${pid}" cannot ${action === 'run-once' ? 'run once' : action}: ${why}`);
    let next: DesiredState | null = null;
    switch (action) {
      case 'start':
        if (current === 'DISABLED') throw cannot('it is disabled; enable it first');
        next = 'RUNNING';
        break;
      case 'stop':
        if (current === 'RUNNING') next = 'STOPPED';
        break;
      case 'disable':
        if (current === 'RUNNING') throw cannot('it is running; stop it before disabling');
        next = 'DISABLED';
        break;
      case 'enable':
        if (current === 'DISABLED') next = 'STOPPED';
        break;
      case 'run-once':
        throw cannot('run once is not available in cluster mode (the processors run on the workers)');
    }
    if (next !== null) await this.setDesiredAll(mf, (x) => (x.id === pid ? next : null));
    return { id: pid, state: desiredState(p) };
  }

  private async runOnce(mf: ManagedFlow, pid: string): Promise<void> {
    const rt = mf.runtime!;
    const node = rt.node(pid);
    if (node.state === 'RUNNING') throw conflict(`Processor "${pid}" is running; stop it before running it once.`);
    if (node.state === 'DISABLED') throw conflict(`Processor "${pid}" is disabled; enable it first.`);
    const now = Date.now();
    const hasInput = node.incoming.some((q) => q.hasReady(now));
    if (!node.isSource && !hasInput && !node.definition.triggerWhenEmpty) throw conflict(`Processor "${pid}" has no queued input to run on.`);
    const runtimeConnections = [...rt.connections.values()].filter((c) => c.config.source === pid);
    if (runtimeConnections.some((c) => c.queue.isFull())) throw conflict(`Processor "${pid}" cannot run: an outgoing connection is full (back pressure).`);
    const timeout = this.options.runOnceTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeout); });
    const result = await Promise.race([rt.runOnce(pid).then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      // Ends the engine's wait for the trigger that never came; runOnce then stops the processor.
      if (node.triggerCount < 1) node.triggerCount = 1;
      throw conflict(`Processor "${pid}" did not run within ${timeout / 1000} s.`);
    }
  }

  // ---- queues and provenance ----

  private connection(mf: ManagedFlow, cid: string) {
    const c = this.runtimeOf(mf).connections.get(cid);
    if (!c) throw notFound(`Connection "${cid}" in flow "${mf.id}"`);
    return c;
  }

  listQueue(id: string, cid: string, limit: number) {
    const mf = this.require(id);
    if (!this.executes) {
      // Cluster mode: the FlowFiles are in Redis, not here; the API fills in the cluster-wide queue size.
      if (!mf.definition.connections.some((c) => c.id === cid)) throw notFound(`Connection "${cid}" in flow "${mf.id}"`);
      return { connectionId: cid, queued: { count: 0, bytes: 0 }, flowFiles: [] as QueueListing[] };
    }
    const { queue } = this.connection(mf, cid);
    return { connectionId: cid, queued: { count: queue.count(), bytes: queue.bytes() }, flowFiles: queue.list(limit) };
  }

  findFlowFile(id: string, cid: string, ffid: string): FlowFile {
    const mf = this.require(id);
    if (!this.executes) throw notFound(`FlowFile "${ffid}" in connection "${cid}" (in cluster mode queued FlowFiles are kept in Redis and cannot be listed here)`);
    const ff = this.connection(mf, cid).queue.find(ffid);
    if (!ff) throw notFound(`FlowFile "${ffid}" in connection "${cid}"`);
    return ff;
  }

  emptyQueue(id: string, cid: string): number {
    const mf = this.require(id);
    if (!this.executes) throw conflict(`Connection "${cid}" cannot be emptied in cluster mode: its FlowFiles are queued in Redis.`);
    const dropped = this.connection(mf, cid).queue.empty();
    this.log.info({ flow: id, connection: cid, dropped }, 'connection emptied');
    return dropped;
  }

  queryProvenance(id: string, q: { flowFileId?: string; componentId?: string; type?: string; limit: number }): StoredProvenanceEvent[] {
    this.require(id);
    return this.options.provenance.query({ flowId: id, ...q });
  }

  // ---- shutdown ----

  /** Stops every flow (sources first, in-flight sessions finish) within `timeoutMs`. Desired states stay as persisted. */
  async close(timeoutMs: number): Promise<{ clean: boolean }> {
    if (this.closing) return { clean: true };
    this.closing = true;
    this.ready = false;
    const all = [...this.flows.values()];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); timer.unref(); });
    const result = await Promise.race([
      Promise.allSettled(all.map(async (mf) => { await mf.lock; await mf.runtime?.close(); })).then(() => 'done' as const),
      deadline,
    ]);
    clearTimeout(timer);
    for (const mf of all) { mf.runtime?.scheduler.close(); mf.unsubscribe?.(); }
    if (result === 'timeout') this.log.warn({ timeoutMs }, 'some flows did not stop in time; shutting down anyway');
    return { clean: result === 'done' };
  }

  private uniqueId(base: string): string {
    const root = FLOW_ID.test(base) ? base.slice(0, 56) : 'flow';
    if (!this.flows.has(root)) return root;
    for (let i = 2; ; i++) if (!this.flows.has(`${root}-${i}`)) return `${root}-${i}`;
  }
}

type Raw = Record<string, unknown>;
function isObj(v: unknown): v is Raw { return typeof v === 'object' && v !== null && !Array.isArray(v); }

/** A logger that masks the flow's sensitive values in messages (processors may echo configuration). */
function scrubbingLogger(inner: Logger, secrets: () => readonly string[]): Logger {
  const wrap = (level: 'debug' | 'info' | 'warn' | 'error') => (obj: object | string, msg?: string) => {
    const s = secrets();
    if (s.length === 0) return inner[level](obj, msg);
    if (typeof obj === 'string') return inner[level](scrub(obj, s));
    return inner[level](obj, msg === undefined ? undefined : scrub(msg, s));
  };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error'), child: (b) => scrubbingLogger(inner.child(b), secrets) };
}

/**
 * Cluster mode: nothing runs here, so a processor's state is its desired state (what the workers are
 * told to do) and only flow-level problems make it invalid. The API overlays the cluster's counters.
 */
function detachedStatus(status: FlowStatus, invalid: boolean): FlowStatus {
  if (invalid) return status;
  const counts = { running: 0, stopped: 0, disabled: 0, invalid: 0 };
  const processors = status.processors.map((p) => {
    const state = p.desiredState;
    if (state === 'RUNNING') counts.running++;
    else if (state === 'DISABLED') counts.disabled++;
    else counts.stopped++;
    return { ...p, state, valid: true, validationErrors: [] };
  });
  const enabled = processors.length - counts.disabled;
  const runState: FlowStatus['runState'] = counts.running === 0 ? 'STOPPED' : counts.running === enabled ? 'RUNNING' : 'PARTIAL';
  return { ...status, runState, counts, processors };
}

function slug(name: string): string {
  const s = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48);
  return s || 'flow';
}

function stripRunState(flow: FlowDefinition): void {
  for (const p of flow.processors) if (p.state !== 'DISABLED') delete p.state;
}
