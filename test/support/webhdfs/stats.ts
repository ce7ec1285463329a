// Counters served by GET /_test/stats on the NameNode port (and `server.stats` in-process).

export class WebHdfsStats {
  readonly namenode = { requests: 0, byOp: {} as Record<string, number>, byStatus: {} as Record<string, number> };
  readonly datanode = {
    requests: 0,
    byOp: {} as Record<string, number>,
    byStatus: {} as Record<string, number>,
    writes: 0,
    bytesWritten: 0,
    reads: 0,
    bytesRead: 0,
    aborted: 0,
  };

  count(side: 'namenode' | 'datanode', op: string): void {
    const s = this[side];
    s.requests++;
    s.byOp[op] = (s.byOp[op] ?? 0) + 1;
  }

  status(side: 'namenode' | 'datanode', status: number): void {
    const s = this[side];
    s.byStatus[status] = (s.byStatus[status] ?? 0) + 1;
  }

  reset(): void {
    for (const s of [this.namenode, this.datanode]) {
      s.requests = 0;
      for (const o of [s.byOp, s.byStatus]) for (const k of Object.keys(o)) delete o[k];
    }
    Object.assign(this.datanode, { writes: 0, bytesWritten: 0, reads: 0, bytesRead: 0, aborted: 0 });
  }

  toJSON(): Record<string, unknown> {
    return { namenode: this.namenode, datanode: this.datanode };
  }
}
