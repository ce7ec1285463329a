// The bounded hand-over between the kafkajs fetch loop (which pushes fetched records) and
// ConsumeKafka's onTrigger (which takes them out as FlowFiles). Records stay in fetch order.
import type { KafkaMessage } from 'kafkajs';
import type { PartitionTracker } from './offset-tracker.ts';

export interface Segment {
  tracker: PartitionTracker;
  messages: KafkaMessage[];
}

interface Entry extends Segment {
  /** Index of the first message not yet taken. */
  index: number;
  bytes: number;
}

const sizeOf = (m: KafkaMessage): number => (m.value ? m.value.length : 0) + (m.key ? m.key.length : 0) + 64;

export class RecordBuffer {
  private entries: Entry[] = [];
  private head = 0;
  /** Records held. */
  count = 0;
  /** Approximate bytes held (values, keys and a per-record overhead). */
  bytes = 0;

  push(tracker: PartitionTracker, messages: KafkaMessage[]): void {
    if (messages.length === 0) return;
    let bytes = 0;
    for (let i = 0; i < messages.length; i++) bytes += sizeOf(messages[i]);
    this.entries.push({ tracker, messages, index: 0, bytes });
    this.count += messages.length;
    this.bytes += bytes;
  }

  /** Takes up to `max` records, oldest first, as per-partition segments. */
  take(max: number): Segment[] {
    const out: Segment[] = [];
    let left = max;
    const entries = this.entries;
    while (left > 0 && this.head < entries.length) {
      const e = entries[this.head];
      const avail = e.messages.length - e.index;
      const n = Math.min(avail, left);
      const msgs = e.index === 0 && n === e.messages.length ? e.messages : e.messages.slice(e.index, e.index + n);
      let bytes = 0;
      for (let i = 0; i < msgs.length; i++) bytes += sizeOf(msgs[i]);
      out.push({ tracker: e.tracker, messages: msgs });
      e.index += n;
      e.bytes -= bytes;
      this.count -= n;
      this.bytes -= bytes;
      left -= n;
      if (e.index >= e.messages.length) {
        entries[this.head] = undefined as never;
        this.head++;
      }
    }
    if (this.head === entries.length) { this.entries = []; this.head = 0; }
    else if (this.head > 256 && this.head * 2 > entries.length) { this.entries = entries.slice(this.head); this.head = 0; }
    return out;
  }

  /** Drops the records of a partition (those at or after `fromOffset` when given). */
  discard(tracker: PartitionTracker, fromOffset = -Infinity): number {
    let dropped = 0;
    const kept: Entry[] = [];
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.tracker !== tracker) { kept.push(e); continue; }
      const rest = e.messages.slice(e.index);
      const keep = rest.filter((m) => Number(m.offset) < fromOffset);
      const gone = rest.length - keep.length;
      if (gone === 0) { kept.push(e); continue; }
      dropped += gone;
      let bytes = 0;
      for (const m of keep) bytes += sizeOf(m);
      this.count -= gone;
      this.bytes -= e.bytes - bytes;
      if (keep.length) kept.push({ tracker, messages: keep, index: 0, bytes });
    }
    this.entries = kept;
    this.head = 0;
    return dropped;
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.count = 0;
    this.bytes = 0;
  }

  /** Partitions with records in the buffer. */
  trackers(): Set<PartitionTracker> {
    const s = new Set<PartitionTracker>();
    for (let i = this.head; i < this.entries.length; i++) s.add(this.entries[i].tracker);
    return s;
  }
}
