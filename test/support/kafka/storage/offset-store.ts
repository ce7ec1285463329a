// Committed consumer-group offsets. With a data dir they are journaled to offsets.jsonl
// (one JSON object per commit/delete), replayed and compacted on startup.
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface CommittedOffset {
  offset: number;
  metadata: string | null;
  leaderEpoch: number;
  commitTimestamp: number;
}

type Journal =
  | { g: string; t: string; p: number; o: number; m: string | null; e: number; ts: number }
  | { g: string; t: string; p: number; del: true }
  | { deleteTopic: string }
  | { deleteGroup: string };

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class OffsetStore {
  private readonly groups = new Map<string, Map<string, CommittedOffset & { topic: string; partition: number }>>();
  private readonly path: string | null;
  private fd: number | null = null;

  constructor(dataDir: string | null) {
    this.path = dataDir ? join(dataDir, 'offsets.jsonl') : null;
    if (this.path) {
      if (existsSync(this.path)) this.replay(readFileSync(this.path, 'utf8'));
      this.compact();
      this.fd = openSync(this.path, 'a');
    }
  }

  private replay(text: string): void {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let j: Journal;
      try {
        j = JSON.parse(line) as Journal;
      } catch {
        continue; // torn last line
      }
      if ('deleteTopic' in j) this.applyDeleteTopic(j.deleteTopic);
      else if ('deleteGroup' in j) this.groups.delete(j.deleteGroup);
      else if ('del' in j) this.groups.get(j.g)?.delete(key(j.t, j.p));
      else this.apply(j.g, j.t, j.p, { offset: j.o, metadata: j.m, leaderEpoch: j.e, commitTimestamp: j.ts });
    }
  }

  private compact(): void {
    const lines: string[] = [];
    for (const [g, m] of this.groups)
      for (const v of m.values()) lines.push(JSON.stringify({ g, t: v.topic, p: v.partition, o: v.offset, m: v.metadata, e: v.leaderEpoch, ts: v.commitTimestamp }));
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, lines.length ? lines.join('\n') + '\n' : '');
    renameSync(tmp, this.path!);
  }

  private journal(j: Journal): void {
    if (this.fd !== null) writeSync(this.fd, JSON.stringify(j) + '\n');
  }

  private apply(group: string, topic: string, partition: number, v: CommittedOffset): void {
    let m = this.groups.get(group);
    if (!m) this.groups.set(group, (m = new Map()));
    m.set(key(topic, partition), { ...v, topic, partition });
  }

  private applyDeleteTopic(topic: string): void {
    for (const m of this.groups.values()) for (const [k, v] of m) if (v.topic === topic) m.delete(k);
  }

  commit(group: string, topic: string, partition: number, v: CommittedOffset): void {
    this.apply(group, topic, partition, v);
    this.journal({ g: group, t: topic, p: partition, o: v.offset, m: v.metadata, e: v.leaderEpoch, ts: v.commitTimestamp });
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(group)?.get(key(topic, partition));
  }

  /** All committed offsets of a group. */
  list(group: string): { topic: string; partition: number; value: CommittedOffset }[] {
    const m = this.groups.get(group);
    if (!m) return [];
    return [...m.values()].map((v) => ({ topic: v.topic, partition: v.partition, value: v }));
  }

  hasGroup(group: string): boolean {
    return (this.groups.get(group)?.size ?? 0) > 0;
  }

  groupIds(): string[] {
    return [...this.groups.keys()].filter((g) => this.hasGroup(g));
  }

  deleteTopic(topic: string): void {
    this.applyDeleteTopic(topic);
    this.journal({ deleteTopic: topic });
  }

  deleteGroup(group: string): void {
    this.groups.delete(group);
    this.journal({ deleteGroup: group });
  }

  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
