// GET / (node and version info) and GET /_cluster/health.
import type { Handler } from './context.ts';

export const rootInfo: Handler = (_req, _params, ctx) => ({
  status: 200,
  body: {
    name: ctx.nodeName,
    cluster_name: ctx.clusterName,
    cluster_uuid: ctx.clusterUuid,
    version: {
      number: ctx.version,
      build_flavor: 'default',
      build_type: 'docker',
      build_hash: '0000000000000000000000000000000000000000',
      build_date: '2025-07-01T00:00:00.000000000Z',
      build_snapshot: false,
      lucene_version: '10.2.2',
      minimum_wire_compatibility_version: '8.19.0',
      minimum_index_compatibility_version: '8.0.0',
    },
    tagline: 'You Know, for Search',
  },
});

export const clusterHealth: Handler = (_req, params, ctx) => {
  const indices = params.index ? ctx.store.resolve(params.index, false) : [...ctx.store.indices.values()];
  const shards = indices.length;
  return {
    status: 200,
    body: {
      cluster_name: ctx.clusterName,
      status: 'green',
      timed_out: false,
      number_of_nodes: 1,
      number_of_data_nodes: 1,
      active_primary_shards: shards,
      active_shards: shards,
      relocating_shards: 0,
      initializing_shards: 0,
      unassigned_shards: 0,
      unassigned_primary_shards: 0,
      delayed_unassigned_shards: 0,
      number_of_pending_tasks: 0,
      number_of_in_flight_fetch: 0,
      task_max_waiting_in_queue_millis: 0,
      active_shards_percent_as_number: 100.0,
    },
  };
};
