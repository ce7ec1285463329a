// Test-only control endpoints (not part of Elasticsearch): faults, stats and a full reset.
//   GET /_test/faults      current fault settings
//   POST /_test/faults     apply a patch (see faults.ts); {"reset": true} clears first
//   DELETE /_test/faults   clear all faults
//   GET /_test/stats       request/item counters, fault triggers, per-index doc counts
//   POST /_test/reset      drop all indices, faults and counters
import type { Handler } from './context.ts';
import { errors } from './errors.ts';
import { parseJsonBody } from './http.ts';
import type { EsFaultPatch } from './faults.ts';

export const getFaults: Handler = (_req, _p, ctx) => ({ status: 200, body: ctx.faults.snapshot() });

export const setFaults: Handler = (req, _p, ctx) => {
  const patch = parseJsonBody(req, true) as EsFaultPatch;
  try {
    return { status: 200, body: ctx.faults.configure(patch) };
  } catch (e) {
    throw errors.illegalArgument((e as Error).message);
  }
};

export const resetFaults: Handler = (_req, _p, ctx) => {
  ctx.faults.reset();
  return { status: 200, body: ctx.faults.snapshot() };
};

export const getStats: Handler = (_req, _p, ctx) => {
  const indices: Record<string, unknown> = {};
  for (const index of ctx.store.indices.values())
    indices[index.name] = { docs: index.docs.size, searchable: index.searchable.size, max_seq_no: index.maxSeqNo };
  return { status: 200, body: { ...ctx.stats.toJSON(), faults: { ...ctx.faults.triggered }, indices } };
};

export const resetAll: Handler = (_req, _p, ctx) => {
  ctx.store.clear();
  ctx.faults.reset();
  ctx.stats.reset();
  ctx.faults.resetCounters();
  return { status: 200, body: { acknowledged: true } };
};
