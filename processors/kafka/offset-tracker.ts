// At-least-once offset tracking for ConsumeKafka. Every FlowFile (or group of FlowFiles) made from
// a run of records of one partition is a Range [first, last]. Ranges are opened in offset order; a
// range is done when the engine acknowledges its FlowFiles. The committable offset of a partition
// is last + 1 of the longest prefix of done ranges, so an offset is committed only once every
// record before it has been acknowledged, whatever order the acknowledgements arrive in.

export const PENDING = 0;
export const DONE = 1;
export const FAILED = 2;
export const CANCELLED = 3;
type RangeState = typeof PENDING | typeof DONE | typeof FAILED | typeof CANCELLED;

export class Range {
  state: RangeState = PENDING;
  constructor(readonly tracker: PartitionTracker, readonly first: number, readonly last: number) {}
}

export class PartitionTracker {
  private ranges: Range[] = [];
  private head = 0;
  /** Offset after the last record accepted from a fetch; records below it are duplicates of ones we hold. */
  nextOffset = -1;
  /** Offset after the acknowledged prefix (-1 until something is acknowledged). */
  committable = -1;
  /** The offset last committed to Kafka (-1 when none by us). */
  committed = -1;
  /** False once the partition was revoked (or the consumer restarted): its ranges no longer count. */
  active = true;

  constructor(readonly topic: string, readonly partition: number) {}

  /** Ranges not yet acknowledged (pending or failed ones not yet cleared). */
  get inFlight(): number { return this.ranges.length - this.head; }

  /** Whether a fetched record is new to us; advances the accept position when it is. */
  accept(offset: number): boolean {
    if (offset < this.nextOffset) return false;
    this.nextOffset = offset + 1;
    return true;
  }

  open(first: number, last: number): Range {
    const r = new Range(this, first, last);
    this.ranges.push(r);
    return r;
  }

  /** Marks a range acknowledged; returns true when the committable offset moved. */
  ack(r: Range): boolean {
    if (r.state !== PENDING || !this.active) return false;
    r.state = DONE;
    const before = this.committable;
    const ranges = this.ranges;
    let h = this.head;
    while (h < ranges.length && ranges[h].state === DONE) {
      this.committable = ranges[h].last + 1;
      h++;
    }
    this.head = h;
    if (h > 1024 && h * 2 > ranges.length) {
      this.ranges = ranges.slice(h);
      this.head = 0;
    }
    return this.committable !== before;
  }

  /**
   * A range's data was dropped: it and every later range are abandoned (their acknowledgements
   * will be ignored) and the accept position goes back to the range's first offset, so the records
   * are fetched and delivered again. Returns the offset to seek to, or -1 when the range was stale.
   */
  fail(r: Range): number {
    if (r.state !== PENDING || !this.active) return -1;
    const ranges = this.ranges;
    const at = ranges.indexOf(r, this.head);
    if (at < 0) return -1;
    for (let i = at; i < ranges.length; i++) ranges[i].state = i === at ? FAILED : CANCELLED;
    ranges.length = at;
    this.nextOffset = r.first;
    return r.first;
  }

  /** Offset to commit now, or -1 when nothing new was acknowledged since the last commit. */
  pendingCommit(): number {
    return this.active && this.committable > this.committed ? this.committable : -1;
  }

  /** The partition is no longer ours: abandon everything. */
  revoke(): void {
    this.active = false;
    for (let i = this.head; i < this.ranges.length; i++) this.ranges[i].state = CANCELLED;
    this.ranges = [];
    this.head = 0;
  }
}

const keyOf = (topic: string, partition: number) => `${partition}\u0000${topic}`;

/** Trackers of the partitions currently assigned to one consumer. */
export class OffsetTracker {
  private readonly byKey = new Map<string, PartitionTracker>();

  get(topic: string, partition: number): PartitionTracker | undefined {
    return this.byKey.get(keyOf(topic, partition));
  }

  getOrCreate(topic: string, partition: number): PartitionTracker {
    const k = keyOf(topic, partition);
    let t = this.byKey.get(k);
    if (!t) this.byKey.set(k, (t = new PartitionTracker(topic, partition)));
    return t;
  }

  all(): IterableIterator<PartitionTracker> {
    return this.byKey.values();
  }

  /** Revokes and forgets every tracker for which `keep` is false; returns the revoked ones. */
  retain(keep: (t: PartitionTracker) => boolean): PartitionTracker[] {
    const revoked: PartitionTracker[] = [];
    for (const [k, t] of this.byKey) {
      if (keep(t)) continue;
      t.revoke();
      this.byKey.delete(k);
      revoked.push(t);
    }
    return revoked;
  }

  /** Offsets ready to commit, in kafkajs's commitOffsets shape. */
  commitList(): { topic: string; partition: number; offset: string }[] {
    const out: { topic: string; partition: number; offset: string }[] = [];
    for (const t of this.byKey.values()) {
      const o = t.pendingCommit();
      if (o >= 0) out.push({ topic: t.topic, partition: t.partition, offset: String(o) });
    }
    return out;
  }
}
