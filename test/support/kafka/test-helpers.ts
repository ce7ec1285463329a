// Small helpers for kafkajs-based tests.
import { Kafka, logLevel, type Admin, type KafkaConfig, type Producer } from 'kafkajs';
import { kafkaForTests, type KafkaForTests, type KafkaForTestsOptions } from './for-tests.ts';
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

/** A test broker (or KAFKA_BROKERS) with a connected admin and producer. */
export interface KafkaClients {
  env: KafkaForTests;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
}

export async function openKafkaClients(clientId: string, brokerOptions: KafkaForTestsOptions = {}): Promise<KafkaClients> {
  const env = await kafkaForTests(brokerOptions);
  const kafka = testKafka(env.brokers, clientId);
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  await producer.connect();
  return { env, kafka, admin, producer };
}

/** Closes what openKafkaClients opened; parts that were never opened are skipped. */
export async function closeKafkaClients(c: Partial<KafkaClients>): Promise<void> {
  await c.producer?.disconnect();
  await c.admin?.disconnect();
  await c.env?.cleanup();
}
