// KafkaConnectionService: one kafkajs client per enabled service, shared by the processors that
// name it. The service owns every consumer, producer and admin client made from it and
// disconnects them all when it is disabled.
import { Kafka, type Admin, type Consumer, type ConsumerConfig, type Producer, type ProducerConfig } from 'kafkajs';
import { defineControllerService, type ControllerServiceDefinition } from '../../server/sdk/services.ts';
import { Validators } from '../../server/sdk/validators.ts';
import type { PropertyDescriptor, ValidationProblem } from '../../server/sdk/definition.ts';
import type { Logger } from '../../server/engine/logger.ts';
import { brokerProblem, kafkaClientConfig, parseBrokers, pemProblem, type ConnectionSettings, type SaslMechanism, type SecurityProtocol } from './client-config.ts';
import { createJavaCompatiblePartitioner } from './partitioner.ts';

/** The interface processors ask for (controllerServiceType). */
export const KAFKA_CONNECTION_SERVICE = 'KafkaConnectionService';

export interface KafkaClientSettings {
  /** read_committed hides aborted and still-open transactional records from consumers. */
  readCommitted: boolean;
  /** Records ConsumeKafka hands out per trigger. */
  maxPollRecords: number;
  /** The broker-side wait for acknowledgements on produce requests (ms). */
  ackWaitMs: number;
  clientTimeoutMs: number;
}

/** The shared instance processors receive from ctx.controllerService(). */
export class KafkaConnection {
  private readonly consumers = new Set<Consumer>();
  private readonly producers = new Set<Producer>();
  private readonly admins = new Set<Admin>();
  private shared: Promise<Producer> | null = null;
  private closed = false;

  constructor(readonly kafka: Kafka, readonly settings: KafkaClientSettings, readonly logger: Logger, readonly description: string) {}

  get isClosed(): boolean { return this.closed; }

  private check(): void {
    if (this.closed) throw new Error(`the Kafka connection to ${this.description} is disabled`);
  }

  /** A new consumer owned by this connection (release it with releaseConsumer). */
  consumer(config: ConsumerConfig): Consumer {
    this.check();
    const c = this.kafka.consumer({ readUncommitted: !this.settings.readCommitted, ...config });
    this.consumers.add(c);
    return c;
  }

  async releaseConsumer(c: Consumer): Promise<void> {
    if (!this.consumers.delete(c)) return;
    await c.disconnect().catch((e) => this.logger.warn({ err: e }, 'kafka consumer disconnect failed'));
  }

  /** A connected producer owned by this connection, always using the Java-compatible partitioner. */
  async producer(config: ProducerConfig = {}): Promise<Producer> {
    this.check();
    const p = this.kafka.producer({ createPartitioner: createJavaCompatiblePartitioner, ...config });
    this.producers.add(p);
    try {
      await p.connect();
    } catch (e) {
      this.producers.delete(p);
      await p.disconnect().catch(() => {});
      throw e;
    }
    return p;
  }

  async releaseProducer(p: Producer): Promise<void> {
    if (!this.producers.delete(p)) return;
    await p.disconnect().catch((e) => this.logger.warn({ err: e }, 'kafka producer disconnect failed'));
  }

  /** The non-transactional producer every PublishKafka of this service shares (acks and compression are per request). */
  sharedProducer(): Promise<Producer> {
    this.check();
    if (!this.shared) {
      const p = this.producer({ allowAutoTopicCreation: true });
      this.shared = p;
      p.catch(() => { if (this.shared === p) this.shared = null; });
    }
    return this.shared;
  }

  /** Forgets the shared producer after a fatal error so the next call makes a new one. */
  async resetSharedProducer(): Promise<void> {
    const p = this.shared;
    this.shared = null;
    if (p) await p.then((x) => this.releaseProducer(x), () => {});
  }

  async admin(): Promise<Admin> {
    this.check();
    const a = this.kafka.admin();
    this.admins.add(a);
    try {
      await a.connect();
    } catch (e) {
      this.admins.delete(a);
      throw e;
    }
    return a;
  }

  async releaseAdmin(a: Admin): Promise<void> {
    if (!this.admins.delete(a)) return;
    await a.disconnect().catch(() => {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.shared = null;
    const all: Promise<void>[] = [];
    for (const c of this.consumers) all.push(c.disconnect().catch(() => {}));
    for (const p of this.producers) all.push(p.disconnect().catch(() => {}));
    for (const a of this.admins) all.push(a.disconnect().catch(() => {}));
    this.consumers.clear();
    this.producers.clear();
    this.admins.clear();
    await Promise.all(all);
  }
}

const SASL_PROTOCOLS = ['SASL_PLAINTEXT', 'SASL_SSL'];
const SSL_PROTOCOLS = ['SSL', 'SASL_SSL'];

const properties: PropertyDescriptor[] = [
  { name: 'Bootstrap Servers', description: 'Comma-separated list of Kafka Bootstrap Servers in the format host:port. Corresponds to the Kafka bootstrap.servers property.', required: true, defaultValue: 'localhost:9092', expressionLanguage: 'environment', validator: Validators.nonEmpty, aliases: ['bootstrap.servers'] },
  { name: 'Client ID', description: 'The client.id the Kafka client reports to brokers (visible in broker logs and quotas).', required: true, defaultValue: 'sluice', expressionLanguage: 'environment', validator: Validators.nonEmpty, aliases: ['client.id'] },
  {
    name: 'Security Protocol', description: 'Security protocol used to communicate with brokers. Corresponds to the Kafka security.protocol property.', required: true, defaultValue: 'PLAINTEXT',
    allowableValues: ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'], aliases: ['security.protocol'],
  },
  {
    name: 'SASL Mechanism', description: 'SASL mechanism used for authentication. Corresponds to the Kafka sasl.mechanism property.', required: true, defaultValue: 'PLAIN',
    allowableValues: [
      { value: 'PLAIN', description: 'PLAIN: username and password sent in the clear (use with SASL_SSL)' },
      { value: 'SCRAM-SHA-256', description: 'Salted Challenge Response Authentication Mechanism with SHA-256' },
      { value: 'SCRAM-SHA-512', description: 'Salted Challenge Response Authentication Mechanism with SHA-512' },
    ],
    dependsOn: { property: 'Security Protocol', values: SASL_PROTOCOLS }, aliases: ['sasl.mechanism'],
  },
  { name: 'SASL Username', description: 'Username provided with the configured SASL mechanism', expressionLanguage: 'environment', dependsOn: { property: 'Security Protocol', values: SASL_PROTOCOLS }, aliases: ['sasl.username'] },
  { name: 'SASL Password', description: 'Password provided with the configured SASL mechanism', sensitive: true, expressionLanguage: 'environment', dependsOn: { property: 'Security Protocol', values: SASL_PROTOCOLS }, aliases: ['sasl.password'] },
  { name: 'SSL CA Certificate', description: 'Certificate authorities trusted to sign the brokers\' certificates: PEM text, or the path of a PEM file. When unset, the system\'s trusted CAs are used.', expressionLanguage: 'environment', dependsOn: { property: 'Security Protocol', values: SSL_PROTOCOLS } },
  { name: 'SSL Client Certificate', description: 'The client certificate chain for mutual TLS: PEM text, or the path of a PEM file.', expressionLanguage: 'environment', dependsOn: { property: 'Security Protocol', values: SSL_PROTOCOLS } },
  { name: 'SSL Client Key', description: 'The private key of the client certificate: PEM text, or the path of a PEM file.', sensitive: true, expressionLanguage: 'environment', dependsOn: { property: 'Security Protocol', values: SSL_PROTOCOLS } },
  { name: 'SSL Client Key Password', description: 'Password of an encrypted SSL Client Key.', sensitive: true, dependsOn: { property: 'Security Protocol', values: SSL_PROTOCOLS } },
  {
    name: 'Transaction Isolation Level', description: 'Whether consumers read records of transactions that are still open or were aborted. Corresponds to the Kafka isolation.level property.', required: true, defaultValue: 'read_committed',
    allowableValues: [
      { value: 'read_committed', displayName: 'Read Committed', description: 'Only records of committed transactions (and non-transactional records) are read' },
      { value: 'read_uncommitted', displayName: 'Read Uncommitted', description: 'All records are read, including those of open and aborted transactions' },
    ],
    aliases: ['isolation.level'],
  },
  { name: 'Max Poll Records', description: 'The maximum number of records ConsumeKafka hands out in one trigger. Corresponds to the Kafka max.poll.records property.', required: true, defaultValue: '10000', validator: Validators.integer({ min: 1 }), aliases: ['max.poll.records'] },
  { name: 'Client Timeout', description: 'How long a request to a broker may take before it is considered failed. Corresponds to the Kafka request.timeout.ms property.', required: true, defaultValue: '60 sec', validator: Validators.timePeriod, aliases: ['default.api.timeout.ms'] },
  { name: 'Max Metadata Wait Time', description: 'How long to wait for a connection to a broker (and its authentication) before giving up on it.', required: true, defaultValue: '5 sec', validator: Validators.timePeriod, aliases: ['max.block.ms'] },
  { name: 'Acknowledgment Wait Time', description: 'How long a broker may wait for the required acknowledgements of a produce request before failing it.', required: true, defaultValue: '5 sec', validator: Validators.timePeriod, aliases: ['ack.wait.time'] },
];

function validate(ctx: { value(name: string): string | undefined }): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const servers = ctx.value('Bootstrap Servers');
  if (servers && !servers.includes('${')) {
    const list = parseBrokers(servers);
    if (list.length === 0) problems.push({ property: 'Bootstrap Servers', message: 'lists no broker' });
    for (const b of list) {
      const p = brokerProblem(b);
      if (p) problems.push({ property: 'Bootstrap Servers', message: p });
    }
  }
  const protocol = ctx.value('Security Protocol') ?? 'PLAINTEXT';
  if (SASL_PROTOCOLS.includes(protocol)) {
    if (!ctx.value('SASL Username')) problems.push({ property: 'SASL Username', message: `is required with ${protocol}` });
    if (!ctx.value('SASL Password')) problems.push({ property: 'SASL Password', message: `is required with ${protocol}` });
  }
  if (SSL_PROTOCOLS.includes(protocol)) {
    for (const name of ['SSL CA Certificate', 'SSL Client Certificate', 'SSL Client Key']) {
      const v = ctx.value(name);
      if (v && !v.includes('${')) {
        const p = pemProblem(v);
        if (p) problems.push({ property: name, message: p });
      }
    }
    if (!!ctx.value('SSL Client Certificate') !== !!ctx.value('SSL Client Key')) {
      problems.push({ property: 'SSL Client Key', message: 'SSL Client Certificate and SSL Client Key must be set together' });
    }
  }
  return problems;
}

function makeService(type: string, description: string): ControllerServiceDefinition<KafkaConnection> {
  return defineControllerService<KafkaConnection>({
    type,
    description,
    tags: ['kafka', 'connection', 'client'],
    provides: [KAFKA_CONNECTION_SERVICE],
    properties,
    customValidate: validate,
    enable(ctx) {
      const ms = (name: string, def: number) => ctx.property(name).asTimePeriod() ?? def;
      const protocol = (ctx.property('Security Protocol').value ?? 'PLAINTEXT') as SecurityProtocol;
      const settings: ConnectionSettings = {
        bootstrapServers: ctx.property('Bootstrap Servers').evaluate() ?? 'localhost:9092',
        clientId: ctx.property('Client ID').evaluate() ?? 'sluice',
        securityProtocol: protocol,
        saslMechanism: (ctx.property('SASL Mechanism').value ?? 'PLAIN') as SaslMechanism,
        saslUsername: ctx.property('SASL Username').evaluate(),
        saslPassword: ctx.property('SASL Password').evaluate(),
        sslCa: ctx.property('SSL CA Certificate').evaluate(),
        sslCertificate: ctx.property('SSL Client Certificate').evaluate(),
        sslKey: ctx.property('SSL Client Key').evaluate(),
        sslKeyPassword: ctx.property('SSL Client Key Password').value,
        clientTimeoutMs: ms('Client Timeout', 60_000),
        connectTimeoutMs: ms('Max Metadata Wait Time', 5_000),
      };
      const kafka = new Kafka(kafkaClientConfig(settings, ctx.logger));
      return new KafkaConnection(kafka, {
        readCommitted: (ctx.property('Transaction Isolation Level').value ?? 'read_committed') === 'read_committed',
        maxPollRecords: ctx.property('Max Poll Records').asInteger() ?? 10_000,
        ackWaitMs: ms('Acknowledgment Wait Time', 5_000),
        clientTimeoutMs: settings.clientTimeoutMs,
      }, ctx.logger, `${settings.bootstrapServers} (${ctx.serviceId})`);
    },
    async disable(instance) {
      await instance.close();
    },
  });
}

export const KafkaConnectionService = makeService(
  'KafkaConnectionService',
  'Provides a shared connection to Apache Kafka brokers (one kafkajs client) for ConsumeKafka and PublishKafka. Supports PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL with PLAIN or SCRAM authentication.',
);

/** NiFi 2.x's implementation name, so flows written for NiFi load unchanged. */
export const Kafka3ConnectionService = makeService(
  'Kafka3ConnectionService',
  'The same service as KafkaConnectionService, under the name of NiFi 2.x\'s implementation (Kafka 3 client).',
);
