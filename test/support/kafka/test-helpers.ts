// Small helpers for kafkajs-based tests.
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

/** A kafkajs client that only logs errors (set KAFKAJS_LOG=info|debug to see more). */
export function testKafka(brokers: string[], clientId = 'sluice-test', extra: Partial<KafkaConfig> = {}): Kafka {
  const level = { debug: logLevel.DEBUG, info: logLevel.INFO, warn: logLevel.WARN }[process.env.KAFKAJS_LOG ?? ''] ?? logLevel.NOTHING;
  return new Kafka({ brokers, clientId, logLevel: level, retry: { retries: 5, initialRetryTime: 100 }, ...extra });
}

/** Polls `cond` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(cond: () => T | Promise<T>, timeoutMs = 10000, what = 'condition'): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Consumer settings that keep kafkajs group operations fast in tests. */
export const FAST_CONSUMER = { sessionTimeout: 6000, rebalanceTimeout: 10000, heartbeatInterval: 500, maxWaitTimeInMs: 250 } as const;
