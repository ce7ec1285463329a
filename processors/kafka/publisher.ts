// Batching for PublishKafka: the records of many FlowFiles are packed into produce requests of at
// most Max Request Size bytes (and a bounded record count), sent with a bounded number in flight,
// and the outcome of each request is mapped back to the FlowFiles whose records it carried.
import { CompressionTypes, type Message, type Producer, type Transaction } from 'kafkajs';

/** Records per produce request at most (kafkajs groups records per partition in quadratic time). */
export const MAX_RECORDS_PER_REQUEST = 2000;
/** Produce requests in flight at once per trigger. */
export const MAX_REQUESTS_IN_FLIGHT = 4;
/** Bytes kafkajs adds per record on the wire at most (lengths, varints, attributes). */
const RECORD_OVERHEAD = 32;

/** One FlowFile's records, all for one topic (or the reason they could not be built). */
export interface PublishItem<T> {
  ref: T;
  topic: string;
  messages: Message[];
  error?: string;
}

interface Request {
  topics: Map<string, Message[]>;
  bytes: number;
  count: number;
  /** Items with at least one record in this request. */
  items: Set<number>;
}

export interface SendOptions {
  acks: number;
  compression: CompressionTypes;
  timeoutMs: number;
  maxRequestSize: number;
}

export interface PublishResult {
  /** Per item: undefined when every record was acknowledged, else the error. */
  errors: (string | undefined)[];
  requests: number;
}

export function recordSize(m: Message): number {
  let n = RECORD_OVERHEAD;
  if (m.value) n += m.value.length;
  if (m.key) n += m.key.length;
  if (m.headers) {
    for (const k in m.headers) {
      const v = m.headers[k];
      n += Buffer.byteLength(k) + 8;
      if (Array.isArray(v)) for (const x of v) n += x.length;
      else if (v) n += v.length;
    }
  }
  return n;
}

/** Packs the items' records into requests; records of one item may span requests. */
export function packRequests<T>(items: readonly PublishItem<T>[], maxRequestSize: number, maxRecords = MAX_RECORDS_PER_REQUEST): { requests: Request[]; errors: (string | undefined)[] } {
  const requests: Request[] = [];
  const errors: (string | undefined)[] = new Array<string | undefined>(items.length).fill(undefined);
  let cur: Request | null = null;
  let sizes: number[] = [];
  for (let idx = 0; idx < items.length; idx++) {
    const item = items[idx];
    if (item.error !== undefined) { errors[idx] = item.error; continue; }
    const msgs = item.messages;
    if (sizes.length < msgs.length) sizes = new Array(msgs.length);
    let tooLarge = -1;
    for (let i = 0; i < msgs.length; i++) {
      const size = recordSize(msgs[i]);
      sizes[i] = size;
      if (size > maxRequestSize) { tooLarge = size; break; }
    }
    if (tooLarge >= 0) {
      errors[idx] = `a record of ${tooLarge} bytes exceeds the Max Request Size of ${maxRequestSize} bytes`;
      continue;
    }
    let list: Message[] | undefined;
    for (let i = 0; i < msgs.length; i++) {
      const size = sizes[i];
      if (cur === null || cur.bytes + size > maxRequestSize || cur.count >= maxRecords) {
        cur = { topics: new Map(), bytes: 0, count: 0, items: new Set() };
        requests.push(cur);
        list = undefined;
      }
      if (list === undefined) {
        list = cur.topics.get(item.topic);
        if (!list) cur.topics.set(item.topic, (list = []));
        cur.items.add(idx);
      }
      list.push(msgs[i]);
      cur.bytes += size;
      cur.count++;
    }
  }
  return { requests, errors };
}

export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  const inner = cause instanceof Error && cause.message !== e.message ? ` (${cause.message})` : '';
  return `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}${inner}`;
}

async function runLimited(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/** Sends the items through a producer or an open transaction; never throws. */
export async function publish<T>(sender: Producer | Transaction, items: readonly PublishItem<T>[], opts: SendOptions): Promise<PublishResult> {
  const { requests, errors } = packRequests(items, opts.maxRequestSize);
  const tasks = requests.map((req) => async () => {
    try {
      await sender.sendBatch({
        acks: opts.acks,
        timeout: opts.timeoutMs,
        compression: opts.compression,
        topicMessages: [...req.topics].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (e) {
      const text = errorText(e);
      for (const idx of req.items) errors[idx] ??= text;
    }
  });
  await runLimited(tasks, MAX_REQUESTS_IN_FLIGHT);
  return { errors, requests: requests.length };
}
