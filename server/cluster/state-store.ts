// The cluster state store: flow definitions (controller services included), the desired run state
// of every processor, and a change notification. Every node re-reads the store when the revision
// counter moves: at once on the pub/sub notification, and at the latest on its next poll (1 s), so
// a change converges within a second even if a notification was lost during a reconnect.
//   …:sl:flows       hash flowId -> definition JSON (run states left out)
//   …:sl:flowver     hash flowId -> definition version (bumped on every definition change)
//   …:sl:states:<id> hash processorId -> RUNNING | STOPPED | DISABLED
//   …:sl:rev         revision of the whole store; …:sl:changes  pub/sub channel
import type { Redis } from 'ioredis';
import type { FlowDefinition } from '../flow/schema.ts';
import type { ClusterKeys } from './keys.ts';
import { deleteMatching } from './connection.ts';

export type DesiredState = 'RUNNING' | 'STOPPED' | 'DISABLED';

export interface StoredFlow {
  id: string;
  version: number;
  definition: FlowDefinition;
  states: Record<string, DesiredState>;
}

export interface ChangeEvent { flowId: string; change: 'definition' | 'states' | 'deleted'; revision: number }

export class ClusterStateStore {
  constructor(private readonly redis: Redis, private readonly keys: ClusterKeys) {}

  private get versions(): string { return this.keys.flowVersions(); }

  /**
   * Stores a definition (a new version). Desired run states come from the definition's `state`
   * fields when `states` is "definition" (or the flow is new); "keep" leaves the stored ones.
   */
  async putFlow(id: string, definition: FlowDefinition, states: 'definition' | 'keep' = 'keep'): Promise<number> {
    const stripped: FlowDefinition = { ...definition, id, processors: definition.processors.map(({ state: _s, ...p }) => p) };
    const exists = (await this.redis.hexists(this.keys.flows(), id)) === 1;
    const m = this.redis.multi();
    m.hincrby(this.versions, id, 1);
    m.hset(this.keys.flows(), id, JSON.stringify(stripped));
    if (states === 'definition' || !exists) {
      m.del(this.keys.states(id));
      const entries: string[] = [];
      for (const p of definition.processors) entries.push(p.id, p.state ?? 'STOPPED');
      if (entries.length) m.hset(this.keys.states(id), ...entries);
    }
    m.incr(this.keys.revision());
    const res = await m.exec();
    const version = Number(res?.[0]?.[1] ?? 0);
    const rev = Number(res?.[res.length - 1]?.[1] ?? 0);
    await this.notify({ flowId: id, change: 'definition', revision: rev });
    return version;
  }

  async setRunStates(flowId: string, states: Record<string, DesiredState>): Promise<void> {
    const entries = Object.entries(states).flat();
    if (entries.length === 0) return;
    const m = this.redis.multi();
    m.hset(this.keys.states(flowId), ...entries);
    m.incr(this.keys.revision());
    const res = await m.exec();
    await this.notify({ flowId, change: 'states', revision: Number(res?.[1]?.[1] ?? 0) });
  }

  async setRunState(flowId: string, processorId: string, state: DesiredState): Promise<void> {
    await this.setRunStates(flowId, { [processorId]: state });
  }

  async deleteFlow(flowId: string): Promise<void> {
    const m = this.redis.multi();
    m.hdel(this.keys.flows(), flowId);
    m.hdel(this.versions, flowId);
    m.del(this.keys.states(flowId));
    m.incr(this.keys.revision());
    const res = await m.exec();
    await this.notify({ flowId, change: 'deleted', revision: Number(res?.[3]?.[1] ?? 0) });
  }

  /** Deletes the BullMQ queues, counters and ledgers of a flow (after deleteFlow, once nodes let go). */
  async purgeQueues(flowId: string): Promise<number> {
    let n = 0;
    for (const pattern of this.keys.flowPatterns(flowId)) n += await deleteMatching(this.redis, pattern);
    return n;
  }

  async getFlow(flowId: string): Promise<StoredFlow | null> {
    const [def, ver, states] = await Promise.all([
      this.redis.hget(this.keys.flows(), flowId),
      this.redis.hget(this.versions, flowId),
      this.redis.hgetall(this.keys.states(flowId)),
    ]);
    if (!def) return null;
    return { id: flowId, version: Number(ver ?? 0), definition: JSON.parse(def) as FlowDefinition, states: states as Record<string, DesiredState> };
  }

  async listFlows(): Promise<StoredFlow[]> {
    const [defs, vers] = await Promise.all([this.redis.hgetall(this.keys.flows()), this.redis.hgetall(this.versions)]);
    const ids = Object.keys(defs);
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.hgetall(this.keys.states(id));
    const states = (await p.exec()) ?? [];
    return ids.map((id, i) => ({
      id, version: Number(vers[id] ?? 0), definition: JSON.parse(defs[id]) as FlowDefinition,
      states: (states[i]?.[1] ?? {}) as Record<string, DesiredState>,
    }));
  }

  async revision(): Promise<number> {
    return Number((await this.redis.get(this.keys.revision())) ?? 0);
  }

  private async notify(e: ChangeEvent): Promise<void> {
    await this.redis.publish(this.keys.changes(), JSON.stringify(e));
  }
}

/** The definition as a node runs it: stored states applied to the processors. */
export function withStates(flow: StoredFlow): FlowDefinition {
  return { ...flow.definition, processors: flow.definition.processors.map((p) => ({ ...p, state: flow.states[p.id] ?? 'STOPPED' })) };
}
