// The node registry: every node writes a heartbeat (what it is, what it runs, its counters) into
// one hash, stamped with Redis's clock so heartbeat ages do not depend on the nodes' clocks.
import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.ts';

export interface Counts { count: number; bytes: number }

export interface ProcessorReport {
  state: 'RUNNING' | 'STOPPED' | 'DISABLED';
  activeTasks: number;
  in: Counts;
  out: Counts;
  tasks: number;
}

export interface BulletinReport { time: number; level: string; processorId: string; message: string }

export interface FlowReport {
  /** Definition version the node runs. */
  version: number;
  /** The node's latest warnings and errors for this flow. */
  bulletins?: BulletinReport[];
  /** Nothing here in flight: no active task, no running source left to produce, nothing buffered. */
  idle: boolean;
  problems: string[];
  processors: Record<string, ProcessorReport>;
}

export interface NodeReport {
  id: string;
  host: string;
  pid: number;
  version: string;
  roles: string[];
  startedAt: number;
  /** Increases with every heartbeat. */
  seq: number;
  /** Set in the last heartbeat of a node leaving the cluster cleanly. */
  left?: boolean;
  primary: boolean;
  activeTasks: number;
  counters: { redelivered: number; redeliveredJobs: number; contentMissing: number; jobsWritten: number; jobsCompleted: number; contentUploads: number; contentBytesUploaded: number; acksCompleted: number; acksFailed: number };
  flows: Record<string, FlowReport>;
}

export interface NodeRecord extends NodeReport {
  heartbeatAgeMs: number;
  /** Heard from within three heartbeats (plus two seconds of slack for a busy event loop). */
  alive: boolean;
}

const BEAT = `
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ms)
return ms
`;
const LIST = `
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return {ms, redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2])}
`;

interface RegistryCommands {
  slBeat(nodes: string, beats: string, id: string, json: string): Promise<number>;
  slNodes(nodes: string, beats: string): Promise<[number, string[], string[]]>;
}

export class NodeRegistry {
  private readonly cmd: RegistryCommands;

  constructor(private readonly redis: Redis, private readonly keys: ClusterKeys, private readonly heartbeatMs: number) {
    const r = redis as Redis & Partial<RegistryCommands>;
    if (!r.slBeat) {
      redis.defineCommand('slBeat', { numberOfKeys: 2, lua: BEAT });
      redis.defineCommand('slNodes', { numberOfKeys: 2, lua: LIST });
    }
    this.cmd = redis as unknown as RegistryCommands;
  }

  async beat(report: NodeReport): Promise<void> {
    await this.cmd.slBeat(this.keys.nodes(), this.keys.beats(), report.id, JSON.stringify(report));
  }

  /** Every registered node with its heartbeat age; nodes silent for `forgetAfterMs` are removed. */
  async list(forgetAfterMs = 5 * 60_000): Promise<NodeRecord[]> {
    const [now, nodes, beats] = await this.cmd.slNodes(this.keys.nodes(), this.keys.beats());
    const at = new Map<string, number>();
    for (let i = 0; i < beats.length; i += 2) at.set(beats[i], Number(beats[i + 1]));
    const out: NodeRecord[] = [];
    const stale: string[] = [];
    for (let i = 0; i < nodes.length; i += 2) {
      const age = now - (at.get(nodes[i]) ?? 0);
      if (age > forgetAfterMs) { stale.push(nodes[i]); continue; }
      try {
        const r = JSON.parse(nodes[i + 1]) as NodeReport;
        out.push({ ...r, heartbeatAgeMs: age, alive: !r.left && age <= 3 * this.heartbeatMs + 2000 });
      } catch { stale.push(nodes[i]); }
    }
    if (stale.length) await this.redis.multi().hdel(this.keys.nodes(), ...stale).hdel(this.keys.beats(), ...stale).exec();
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Forgets a node at once (normally nodes that left stay listed, not alive, until forgotten). */
  async remove(nodeId: string): Promise<void> {
    await this.redis.multi().hdel(this.keys.nodes(), nodeId).hdel(this.keys.beats(), nodeId).exec();
  }
}
