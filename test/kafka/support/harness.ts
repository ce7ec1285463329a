// Shared helpers for the Kafka processor tests: registries, a connection service instance, flows
// run through FlowRuntime, a collecting sink, and plain kafkajs produce/consume helpers.
import { type Admin, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';
import { testKafka, waitFor } from '../../support/kafka/test-helpers.ts';
import { defineProcessor } from '../../../server/sdk/definition.ts';
import { ProcessorRegistry } from '../../../server/sdk/registry.ts';
import { ServiceRegistry } from '../../../server/sdk/services.ts';
import { GenerateFlowFile } from '../../../processors/standard/generate-flow-file.ts';
import { UpdateAttribute } from '../../../processors/standard/update-attribute.ts';
import { PutFile } from '../../../processors/standard/put-file.ts';
import { kafkaProcessors, kafkaServices, KafkaConnectionService, type KafkaConnection } from '../../../processors/kafka/index.ts';
import { FlowRuntime } from '../../../server/engine/flow-runtime.ts';
import { validateFlow, formatProblems } from '../../../server/flow/validate.ts';
import { PropertyValue } from '../../../server/sdk/property-value.ts';
import { resolveConfig } from '../../../server/sdk/validate-config.ts';
import { silentLogger } from '../../../server/engine/logger.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export interface Collected {
  attributes: Record<string, string>;
  content: Buffer;
}

/** FlowFiles that reached a CollectKafkaTest sink, by the sink's "Collector" property. */
export const collectors = new Map<string, Collected[]>();
export function collector(name: string): Collected[] {
  let c = collectors.get(name);
  if (!c) collectors.set(name, (c = []));
  return c;
}

/** Test sink: records every FlowFile (attributes and content) and routes it to success. */
export const CollectKafkaTest = defineProcessor({
  type: 'CollectKafkaTest',
  description: 'test: collects FlowFiles',
  tags: ['test'],
  inputRequirement: 'required',
  properties: [{ name: 'Collector', description: 'name', required: true }],
  relationships: [{ name: 'success', description: 'everything' }],
  onTrigger(ctx, session) {
    const list = collector(ctx.property('Collector').value!);
    const batch = session.get(1000);
    for (const ff of batch) list.push({ attributes: ff.attributes(), content: Buffer.from(session.read(ff)) });
    session.transfer(batch, 'success');
  },
});

export function registries(extra: Parameters<ProcessorRegistry['register']>[0][] = []): { registry: ProcessorRegistry; services: ServiceRegistry } {
  // Only the standard processors these tests use (not processors/index.ts, so work in progress
  // elsewhere cannot break the Kafka tests).
  const base = [GenerateFlowFile, UpdateAttribute, PutFile];
  return {
    registry: new ProcessorRegistry([...base, ...kafkaProcessors, CollectKafkaTest, ...extra]),
    services: new ServiceRegistry(kafkaServices),
  };
}

/** An enabled KafkaConnectionService instance for TestRunner (options.services). */
export async function connectionFor(brokers: string[], extra: Record<string, string> = {}): Promise<KafkaConnection> {
  const configured = { 'Bootstrap Servers': brokers.join(','), 'Client ID': 'sluice-test', ...extra };
  const resolved = resolveConfig(KafkaConnectionService, configured);
  if (resolved.problems.length) throw new Error(JSON.stringify(resolved.problems));
  const props = new Map(KafkaConnectionService.properties.map((d) => [d.name, new PropertyValue(d.name, resolved.values.get(d.name), (d.expressionLanguage ?? 'none') !== 'none')]));
  return KafkaConnectionService.enable({ serviceId: 'kafka', logger: silentLogger, property: (n) => props.get(n)! }) as Promise<KafkaConnection>;
}

export function serviceConfig(brokers: string[], extra: Record<string, string> = {}) {
  return { id: 'kafka', type: 'KafkaConnectionService', properties: { 'Bootstrap Servers': brokers.join(','), 'Client ID': 'sluice-test', ...extra } };
}

/** Validates and builds a runtime (throws with the problems when the flow is invalid). */
export function runtimeFor(flow: unknown, extra: Parameters<typeof registries>[0] = [], parameters?: Record<string, string>): FlowRuntime {
  const { registry, services } = registries(extra);
  const { flow: valid, problems } = validateFlow(flow, registry, { services, parameters });
  if (!valid) throw new Error(formatProblems(problems));
  return new FlowRuntime('kafka-test', valid, { registry, services, parameters });
}

export function plainKafka(brokers: string[], clientId = 'kafka-test'): Kafka {
  return testKafka(brokers, clientId);
}

export async function createTopic(admin: Admin, topic: string, numPartitions: number): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }], waitForLeaders: true });
}

export interface ReadRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** Reads `count` records of a topic from the beginning with a throwaway group (read_committed unless told). */
export async function readTopic(kafka: Kafka, topic: string, count: number, opts: { timeoutMs?: number; readUncommitted?: boolean; settleMs?: number } = {}): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId: `reader-${Math.random().toString(36).slice(2)}`, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100, readUncommitted: opts.readUncommitted ?? false });
  const out: ReadRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
      out.push({ partition, offset: Number(message.offset), key: message.key ? message.key.toString() : null, value: message.value, headers: message.headers ?? {} });
      if (out.length >= count) done();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((r) => { timer = setTimeout(r, opts.timeoutMs ?? 10000); });
  await Promise.race([finished, timeout]);
  clearTimeout(timer);
  if (opts.settleMs) await new Promise((r) => setTimeout(r, opts.settleMs));
  await consumer.disconnect();
  return out;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export { waitFor };

/** Consumer settings that keep group operations quick in tests (dynamic properties of ConsumeKafka). */
export const FAST_GROUP = { 'session.timeout.ms': '6000', 'heartbeat.interval.ms': '500', 'fetch.max.wait.ms': '100', 'max.poll.interval.ms': '10000' };
