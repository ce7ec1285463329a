// Counters served by GET /_test/stats (and `server.stats()` in-process).

export class EsStats {
  requests = 0;
  readonly byRoute: Record<string, number> = {};
  readonly byStatus: Record<string, number> = {};
  bulkRequests = 0;
  bulkItems = 0;
  bulkBytes = 0;
  readonly itemsByResult: Record<string, number> = {};

  countRequest(route: string): void {
    this.requests++;
    this.byRoute[route] = (this.byRoute[route] ?? 0) + 1;
  }

  countStatus(status: number): void {
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
  }

  /** `result` is the item's result (created/updated/deleted/not_found/noop) or its error type. */
  countItem(result: string): void {
    this.itemsByResult[result] = (this.itemsByResult[result] ?? 0) + 1;
  }

  reset(): void {
    this.requests = this.bulkRequests = this.bulkItems = this.bulkBytes = 0;
    for (const o of [this.byRoute, this.byStatus, this.itemsByResult]) for (const k of Object.keys(o)) delete o[k];
  }

  toJSON(): Record<string, unknown> {
    return {
      requests: this.requests,
      byRoute: this.byRoute,
      byStatus: this.byStatus,
      bulk: { requests: this.bulkRequests, items: this.bulkItems, bytes: this.bulkBytes, itemsByResult: this.itemsByResult },
    };
  }
}
