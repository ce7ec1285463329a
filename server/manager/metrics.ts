// Prometheus metrics: per-processor and per-connection series read from the runtimes at scrape time,
// plus the standard process metrics. One registry per server, so servers started in-process don't clash.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { FlowManager } from './flow-manager.ts';
import type { ProcessorNode } from '../engine/processor-node.ts';
import type { FlowFileQueue } from '../engine/queue/queue.ts';

export function createMetrics(manager: FlowManager): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const procLabels = ['flow', 'processor', 'type'] as const;
  const connLabels = ['flow', 'connection'] as const;

  const eachNode = (fn: (labels: Record<(typeof procLabels)[number], string>, node: ProcessorNode) => void) => {
    for (const mf of manager.all()) {
      if (!mf.runtime) continue;
      for (const node of mf.runtime.nodes.values()) fn({ flow: mf.id, processor: node.id, type: node.type }, node);
    }
  };

  const counter = (name: string, help: string, read: (n: ProcessorNode) => number) =>
    new Counter({
      name, help, labelNames: procLabels, registers: [registry],
      collect() {
        this.reset();
        eachNode((labels, node) => this.inc(labels, read(node)));
      },
    });
  counter('sluice_processor_flowfiles_in_total', 'FlowFiles taken from incoming connections (since the flow runtime was built).', (n) => n.stats.in.totalCount);
  counter('sluice_processor_bytes_in_total', 'Content bytes taken from incoming connections.', (n) => n.stats.in.totalBytes);
  counter('sluice_processor_flowfiles_out_total', 'FlowFiles transferred to outgoing relationships.', (n) => n.stats.out.totalCount);
  counter('sluice_processor_bytes_out_total', 'Content bytes transferred to outgoing relationships.', (n) => n.stats.out.totalBytes);
  counter('sluice_processor_tasks_total', 'Completed triggers.', (n) => n.stats.tasks);

  new Gauge({
    name: 'sluice_processor_active_tasks', help: 'Triggers running now.', labelNames: procLabels, registers: [registry],
    collect() { this.reset(); eachNode((labels, node) => this.set(labels, node.activeTasks)); },
  });
  new Gauge({
    name: 'sluice_processor_running', help: '1 when the processor is running, 0 otherwise.', labelNames: procLabels, registers: [registry],
    collect() { this.reset(); eachNode((labels, node) => this.set(labels, node.state === 'RUNNING' ? 1 : 0)); },
  });

  const eachConnection = (fn: (labels: Record<(typeof connLabels)[number], string>, q: FlowFileQueue) => void) => {
    for (const mf of manager.all()) {
      if (!mf.runtime) continue;
      for (const [id, c] of mf.runtime.connections) fn({ flow: mf.id, connection: id }, c.queue);
    }
  };
  new Gauge({
    name: 'sluice_connection_queued_flowfiles', help: 'FlowFiles queued in the connection.', labelNames: connLabels, registers: [registry],
    collect() { this.reset(); eachConnection((labels, q) => this.set(labels, q.count())); },
  });
  new Gauge({
    name: 'sluice_connection_queued_bytes', help: 'Content bytes queued in the connection.', labelNames: connLabels, registers: [registry],
    collect() { this.reset(); eachConnection((labels, q) => this.set(labels, q.bytes())); },
  });
  new Gauge({
    name: 'sluice_connection_back_pressure_ratio', help: 'Queue fill relative to the nearer back-pressure threshold (1 = full).', labelNames: connLabels, registers: [registry],
    collect() {
      this.reset();
      eachConnection((labels, q) => {
        const bp = q.backPressure;
        this.set(labels, Math.max(bp.objectThreshold > 0 ? q.count() / bp.objectThreshold : 0, bp.dataSizeThreshold > 0 ? q.bytes() / bp.dataSizeThreshold : 0));
      });
    },
  });
  new Gauge({
    name: 'sluice_flows', help: 'Flows held by the server.', registers: [registry],
    collect() { this.set([...manager.all()].length); },
  });
  new Gauge({
    name: 'sluice_provenance_events_stored', help: 'Provenance events held in the bounded store.', registers: [registry],
    collect() { this.set(manager.provenance.size); },
  });
  new Counter({
    name: 'sluice_provenance_events_total', help: 'Provenance events recorded since start.', registers: [registry],
    collect() { this.reset(); this.inc(manager.provenance.recorded); },
  });
  new Counter({
    name: 'sluice_provenance_skipped_sessions_total', help: 'Commits whose provenance was not recorded because the rate budget (SLUICE_PROVENANCE_RATE) was spent.', registers: [registry],
    collect() { this.reset(); this.inc(manager.provenance.skippedSessions); },
  });
  return registry;
}
