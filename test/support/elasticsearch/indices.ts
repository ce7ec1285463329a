// Index management: create, exists, delete, get, _mapping, _refresh.
import type { Handler } from './context.ts';
import { errors } from './errors.ts';
import { boolParam, parseJsonBody } from './http.ts';
import type { EsIndex } from './store.ts';

export const createIndex: Handler = (req, params, ctx) => {
  const body = parseJsonBody(req, false) as { mappings?: unknown; settings?: Record<string, unknown> } | undefined;
  if (body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body)))
    throw errors.parse('request body must be an object');
  const index = ctx.store.create(params.index, body);
  return { status: 200, body: { acknowledged: true, shards_acknowledged: true, index: index.name } };
};

export const indexExists: Handler = (req, params, ctx) => {
  const found = ctx.store.resolve(params.index, true);
  const anyMissing = params.index
    .split(',')
    .some((p) => !p.includes('*') && !p.startsWith('-') && p !== '_all' && !ctx.store.indices.has(p));
  return { status: found.length > 0 && !anyMissing ? 200 : 404 };
};

export const deleteIndex: Handler = (req, params, ctx) => {
  const ignore = boolParam(req.query, 'ignore_unavailable');
  for (const index of ctx.store.resolve(params.index, ignore)) ctx.store.indices.delete(index.name);
  return { status: 200, body: { acknowledged: true } };
};

function settingsOf(index: EsIndex): Record<string, unknown> {
  return {
    index: {
      routing: { allocation: { include: { _tier_preference: 'data_content' } } },
      number_of_shards: '1',
      provided_name: index.name,
      creation_date: String(index.creationDate),
      number_of_replicas: '0',
      uuid: index.uuid,
      version: { created: '9009000' },
      ...((index.settings.index as Record<string, unknown>) ?? {}),
    },
  };
}

export const getIndex: Handler = (req, params, ctx) => {
  const out: Record<string, unknown> = {};
  for (const index of ctx.store.resolve(params.index, boolParam(req.query, 'ignore_unavailable')))
    out[index.name] = { aliases: {}, mappings: index.mapping.toJSON(), settings: settingsOf(index) };
  return { status: 200, body: out };
};

export const getMapping: Handler = (req, params, ctx) => {
  const out: Record<string, unknown> = {};
  for (const index of ctx.store.resolve(params.index, boolParam(req.query, 'ignore_unavailable')))
    out[index.name] = { mappings: index.mapping.toJSON() };
  return { status: 200, body: out };
};

export const refresh: Handler = (req, params, ctx) => {
  const indices = ctx.store.resolve(params.index, boolParam(req.query, 'ignore_unavailable'));
  for (const index of indices) index.refresh();
  const n = indices.length;
  return { status: 200, body: { _shards: { total: n, successful: n, failed: 0 } } };
};
