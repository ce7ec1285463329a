// kafkaForTests(): the Kafka cluster a test should talk to. Uses the real cluster in env
// KAFKA_BROKERS (comma-separated host:port list) when set, otherwise starts the test broker
// (in-process by default, or as a child process with { process: true }).
import { randomUUID } from 'node:crypto';
import { startKafkaTestBroker, type BrokerOptions } from './broker.ts';
import { spawnKafkaTestBroker } from './process.ts';

export interface KafkaForTests {
  /** bootstrap list for clients */
  brokers: string[];
  /** true when talking to KAFKA_BROKERS rather than the test broker */
  external: boolean;
  /** a topic name unique to this run (real clusters are shared between runs) */
  uniqueName(prefix?: string): string;
  cleanup(): Promise<void>;
}

export interface KafkaForTestsOptions extends Pick<BrokerOptions, 'dataDir' | 'defaultPartitions' | 'minSessionTimeoutMs'> {
  /** run the test broker in a child process */
  process?: boolean;
}

export async function kafkaForTests(opts: KafkaForTestsOptions = {}): Promise<KafkaForTests> {
  const uniqueName = (prefix = 'test') => `${prefix}-${randomUUID().slice(0, 8)}`;
  const external = process.env.KAFKA_BROKERS?.trim();
  if (external) {
    return { brokers: external.split(',').map((s) => s.trim()).filter(Boolean), external: true, uniqueName, cleanup: async () => {} };
  }
  if (opts.process) {
    const b = await spawnKafkaTestBroker(opts);
    return { brokers: [b.brokers], external: false, uniqueName, cleanup: () => b.stop() };
  }
  const b = await startKafkaTestBroker({ port: 0, ...opts });
  return { brokers: [b.brokers], external: false, uniqueName, cleanup: () => b.close() };
}
