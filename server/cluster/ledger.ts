// Shared back-pressure counters and the job ledger, kept in Redis by Lua scripts (atomic).
//
// Per connection: a hash {n, b} (FlowFiles and bytes queued cluster-wide, leased ones included) and
// a ledger hash jobId -> what that job added (counts, bytes, FlowFiles per ack id, references per
// offloaded content id). The enqueue script records a job in the ledger and adds its counts; the
// settle script removes it and subtracts them. Both are idempotent per job id, so a command resent
// after a reconnect, a job completed twice after a stall, or a reconciliation racing a normal
// completion never counts twice. The ledger also makes leaks repairable: an entry whose BullMQ job
// no longer exists (a node died between completing a job and settling it, or between counting a
// job and adding it) is settled by the primary's periodic reconciliation.
//
// Cross-node acks ride on the same scripts: `…:sl:ack:<id>` is a hash {out, sent}. `out` counts
// FlowFiles carrying the ack that are queued or leased anywhere; `sent` counts those the origin node
// sent from its local handle. When `out` reaches zero the origin is told `sent` over pub/sub and
// credits exactly that many to its local handle, which fires once nothing is left in flight.
import type { Redis } from 'ioredis';
import type { BatchAccounting } from './codec.ts';

const APPLY_DELTAS = `
local function ackChannel(root, id)
  local origin = string.match(id, '^(.-)~') or id
  return root .. 'acks:' .. origin
end
local function addAck(root, ttl, id, delta, sent, reason)
  local key = root .. 'ack:' .. id
  if reason ~= '' then redis.call('PUBLISH', ackChannel(root, id), cjson.encode({id = id, fail = reason})) end
  -- The origin deletes the key once its handle settled (or failed): later decrements are moot.
  if delta < 0 and redis.call('EXISTS', key) == 0 then return end
  local out = redis.call('HINCRBY', key, 'out', delta)
  if sent and sent ~= 0 then redis.call('HINCRBY', key, 'sent', sent) end
  redis.call('EXPIRE', key, ttl)
  if delta < 0 and out <= 0 then
    redis.call('PUBLISH', ackChannel(root, id), cjson.encode({id = id, sent = tonumber(redis.call('HGET', key, 'sent') or '0')}))
  end
end
local function addContent(root, ttl, id, delta)
  local key = root .. 'content:' .. id
  local r = redis.call('HINCRBY', key, 'r', delta)
  if r <= 0 and delta < 0 then redis.call('DEL', key) else redis.call('EXPIRE', key, ttl) end
end
`;

/** KEYS: counters, ledger. ARGV: root, ttl, producer node id, jobs JSON [{id, n, b, a, s, c}]. Returns {n, b, missing content ids}. */
const ENQUEUE = `${APPLY_DELTAS}
local root = ARGV[1]
local ttl = tonumber(ARGV[2])
local producer = ARGV[3]
local jobs = cjson.decode(ARGV[4])
local missing = {}
for _, j in ipairs(jobs) do
  for cid, _ in pairs(j.c) do
    if redis.call('HEXISTS', root .. 'content:' .. cid, 'd') == 0 then missing[#missing + 1] = cid end
  end
end
if #missing == 0 then
  local now = tonumber(redis.call('TIME')[1])
  for _, j in ipairs(jobs) do
    if redis.call('HSETNX', KEYS[2], j.id, cjson.encode({n = j.n, b = j.b, a = j.a, c = j.c, t = now, p = producer})) == 1 then
      redis.call('HINCRBY', KEYS[1], 'n', j.n)
      redis.call('HINCRBY', KEYS[1], 'b', j.b)
      for id, k in pairs(j.a) do addAck(root, ttl, id, k, j.s[id], '') end
      for cid, k in pairs(j.c) do addContent(root, ttl, cid, k) end
    end
  end
end
local v = redis.call('HMGET', KEYS[1], 'n', 'b')
return {tonumber(v[1]) or 0, tonumber(v[2]) or 0, missing}
`;

/**
 * KEYS: counters, ledger. ARGV: root, ttl, fail reason ('' = none), BullMQ job key prefix ('' = settle
 * unconditionally; otherwise only entries whose job is gone and that are older than min age or were
 * counted by a node not in the live set), min age s, live node ids JSON, job ids...
 * Returns {n, b, settled}.
 */
const SETTLE = `${APPLY_DELTAS}
local root = ARGV[1]
local ttl = tonumber(ARGV[2])
local reason = ARGV[3]
local jobPrefix = ARGV[4]
local minAge = tonumber(ARGV[5])
local live = cjson.decode(ARGV[6])
local now = tonumber(redis.call('TIME')[1])
local settled = 0
for i = 7, #ARGV do
  local jid = ARGV[i]
  local raw = redis.call('HGET', KEYS[2], jid)
  if raw then
    local e = cjson.decode(raw)
    local go = true
    if jobPrefix ~= '' then
      if redis.call('EXISTS', jobPrefix .. jid) == 1 then go = false
      elseif now - (e.t or 0) < minAge and (e.p == nil or live[e.p]) then go = false end
    end
    if go then
      redis.call('HDEL', KEYS[2], jid)
      settled = settled + 1
      -- 0 - x, not -x: Lua's -0 prints as "-0", which HINCRBY refuses.
      redis.call('HINCRBY', KEYS[1], 'n', 0 - e.n)
      redis.call('HINCRBY', KEYS[1], 'b', 0 - e.b)
      for id, k in pairs(e.a) do addAck(root, ttl, id, 0 - k, 0, reason) end
      for cid, k in pairs(e.c) do addContent(root, ttl, cid, 0 - k) end
    end
  end
end
local v = redis.call('HMGET', KEYS[1], 'n', 'b')
return {tonumber(v[1]) or 0, tonumber(v[2]) or 0, settled}
`;

/** KEYS: counters, ledger. ARGV: root, ttl, job id, new entry JSON {n, b, a, c}. Replaces a job's entry by what is left of it. */
const REPLACE = `${APPLY_DELTAS}
local root = ARGV[1]
local ttl = tonumber(ARGV[2])
local jid = ARGV[3]
local raw = redis.call('HGET', KEYS[2], jid)
if not raw then return 0 end
local old = cjson.decode(raw)
local new = cjson.decode(ARGV[4])
new.t = old.t
redis.call('HSET', KEYS[2], jid, cjson.encode(new))
redis.call('HINCRBY', KEYS[1], 'n', new.n - old.n)
redis.call('HINCRBY', KEYS[1], 'b', new.b - old.b)
local ids = {}
for id, _ in pairs(old.a) do ids[id] = true end
for id, _ in pairs(new.a) do ids[id] = true end
for id, _ in pairs(ids) do
  local d = (new.a[id] or 0) - (old.a[id] or 0)
  if d ~= 0 then addAck(root, ttl, id, d, 0, '') end
end
local cids = {}
for id, _ in pairs(old.c) do cids[id] = true end
for id, _ in pairs(new.c) do cids[id] = true end
for id, _ in pairs(cids) do
  local d = (new.c[id] or 0) - (old.c[id] or 0)
  if d ~= 0 then addContent(root, ttl, id, d) end
end
return 1
`;

interface LedgerCommands {
  slEnqueue(counters: string, ledger: string, root: string, ttl: number, producer: string, jobs: string): Promise<[number, number, string[]]>;
  slSettle(counters: string, ledger: string, root: string, ttl: number, reason: string, jobPrefix: string, minAge: number, live: string, ...ids: string[]): Promise<[number, number, number]>;
  slReplace(counters: string, ledger: string, root: string, ttl: number, id: string, entry: string): Promise<number>;
}

export interface JobAccounting extends BatchAccounting { id: string }

export interface CounterValues { n: number; b: number }

/** The scripts, bound to one connection. */
export class Ledger {
  private readonly cmd: LedgerCommands;

  constructor(redis: Redis, private readonly root: string, private readonly ttlSec: number, private readonly nodeId: string) {
    const r = redis as Redis & Partial<LedgerCommands>;
    if (!r.slEnqueue) {
      redis.defineCommand('slEnqueue', { numberOfKeys: 2, lua: ENQUEUE });
      redis.defineCommand('slSettle', { numberOfKeys: 2, lua: SETTLE });
      redis.defineCommand('slReplace', { numberOfKeys: 2, lua: REPLACE });
    }
    this.cmd = redis as unknown as LedgerCommands;
  }

  /** Counts jobs about to be added (before BullMQ adds them); returns the new totals, or the offloaded content ids that have vanished (nothing is counted then). */
  async enqueue(counters: string, ledger: string, jobs: readonly JobAccounting[]): Promise<CounterValues & { missing: string[] }> {
    const [n, b, missing] = await this.cmd.slEnqueue(counters, ledger, this.root, this.ttlSec, this.nodeId, JSON.stringify(jobs));
    return { n, b, missing: missing ?? [] };
  }

  /** Settles completed jobs (or dropped ones, with a reason that fails their acks). */
  async settle(counters: string, ledger: string, jobIds: readonly string[], failReason = ''): Promise<CounterValues & { settled: number }> {
    const [n, b, settled] = await this.cmd.slSettle(counters, ledger, this.root, this.ttlSec, failReason, '', 0, '{}', ...jobIds);
    return { n, b, settled };
  }

  /**
   * Settles ledger entries whose BullMQ job is gone, once older than `minAgeSec` or at once when the
   * node that counted them is not among `liveNodes` (it died between counting and adding the job).
   */
  async reconcile(counters: string, ledger: string, bullJobPrefix: string, minAgeSec: number, liveNodes: readonly string[], jobIds: readonly string[]): Promise<number> {
    if (jobIds.length === 0) return 0;
    const live = JSON.stringify(Object.fromEntries(liveNodes.map((id) => [id, true])));
    const [, , settled] = await this.cmd.slSettle(counters, ledger, this.root, this.ttlSec, '', bullJobPrefix, minAgeSec, live, ...jobIds);
    return settled;
  }

  async replace(counters: string, ledger: string, jobId: string, entry: BatchAccounting): Promise<void> {
    await this.cmd.slReplace(counters, ledger, this.root, this.ttlSec, jobId, JSON.stringify({ n: entry.n, b: entry.b, a: entry.a, c: entry.c }));
  }
}
