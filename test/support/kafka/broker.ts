// Entry point: start an in-process Kafka wire-protocol test broker.
//
//   const broker = await startKafkaTestBroker({ port: 0 });
//   new Kafka({ brokers: [broker.brokers] });
//   await broker.close();
import type { BrokerCore, BrokerOptions } from './core.ts';
import { KafkaTestServer } from './server.ts';

export type { BrokerOptions } from './core.ts';

export interface KafkaTestBroker {
  port: number;
  /** "host:port" for client bootstrap lists */
  brokers: string;
  /** broker state, for assertions in tests */
  core: BrokerCore;
  close(): Promise<void>;
}

export async function startKafkaTestBroker(opts: BrokerOptions = {}): Promise<KafkaTestBroker> {
  const host = opts.host ?? '127.0.0.1';
  const server = new KafkaTestServer({ ...opts, host });
  const port = await server.listen(opts.port ?? 0, host);
  let closing: Promise<void> | null = null;
  return {
    port,
    brokers: `${server.core.advertisedHost}:${port}`,
    core: server.core,
    close: () => (closing ??= server.close()),
  };
}
