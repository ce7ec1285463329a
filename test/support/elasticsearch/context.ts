// What every route handler gets: the data, the fault injector, the counters and the server identity.
import type { EsFaults } from './faults.ts';
import type { EsReply, EsRequest } from './http.ts';
import type { EsStats } from './stats.ts';
import type { EsStore } from './store.ts';

export interface EsContext {
  store: EsStore;
  faults: EsFaults;
  stats: EsStats;
  clusterName: string;
  clusterUuid: string;
  nodeName: string;
  version: string;
}

export type Handler = (req: EsRequest, params: Record<string, string>, ctx: EsContext) => EsReply | Promise<EsReply>;

/** `?refresh=true|wait_for` makes the write visible to search before answering. */
export function refreshIfAsked(req: EsRequest, ctx: EsContext, indexNames: Iterable<string>): void {
  if (!req.query.has('refresh')) return;
  const v = req.query.get('refresh');
  if (v === 'false') return;
  for (const name of indexNames) ctx.store.indices.get(name)?.refresh();
}
