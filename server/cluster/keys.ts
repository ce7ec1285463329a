// Redis key and BullMQ queue naming. BullMQ's own keys are `${prefix}:${queueName}:...`; Sluice's
// bookkeeping lives under `${prefix}:sl:...`, so one prefix holds (and cleans up) a whole cluster.

/**
 * Ids are free text; queue names may not contain ":" (BullMQ's separator) and should not contain
 * glob characters. "." is escaped too: it separates the flow from the connection in queue names.
 */
export function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, (c) => `~${c.charCodeAt(0).toString(16)}~`);
}

export class ClusterKeys {
  constructor(readonly prefix: string) {}

  /** The BullMQ queue of one connection: named by flow id and connection id. */
  queueName(flowId: string, connectionId: string): string {
    return `${safeName(flowId)}.${safeName(connectionId)}`;
  }

  /** Key patterns (SCAN MATCH) of everything a flow's queues keep in Redis. */
  flowPatterns(flowId: string): string[] {
    const f = safeName(flowId);
    return [`${this.prefix}:${f}.*`, `${this.root}bp:${f}.*`, `${this.root}ledger:${f}.*`];
  }

  /** Key prefix of a BullMQ job hash (append the job id). */
  bullJobPrefix(queueName: string): string {
    return `${this.prefix}:${queueName}:`;
  }

  /** Hash {n, b}: FlowFiles and bytes queued (waiting, delayed or leased) on a connection, cluster-wide. */
  counters(queueName: string): string { return `${this.prefix}:sl:bp:${queueName}`; }
  /** Hash jobId -> accounting entry: what each job added to the counters (settled exactly once). */
  ledger(queueName: string): string { return `${this.prefix}:sl:ledger:${queueName}`; }

  /** Root for per-id keys built inside Lua: `${root}ack:<id>`, `${root}content:<id>`, `${root}acks:<node>`. */
  get root(): string { return `${this.prefix}:sl:`; }
  ack(id: string): string { return `${this.root}ack:${id}`; }
  ackChannel(nodeId: string): string { return `${this.root}acks:${nodeId}`; }
  content(id: string): string { return `${this.root}content:${id}`; }

  flows(): string { return `${this.prefix}:sl:flows`; }
  flowVersions(): string { return `${this.prefix}:sl:flowver`; }
  states(flowId: string): string { return `${this.prefix}:sl:states:${flowId}`; }
  revision(): string { return `${this.prefix}:sl:rev`; }
  changes(): string { return `${this.prefix}:sl:changes`; }

  nodes(): string { return `${this.prefix}:sl:nodes`; }
  beats(): string { return `${this.prefix}:sl:beats`; }
  primary(): string { return `${this.prefix}:sl:primary`; }
}
