// PublishKafka (NiFi 2.x; also registered as PutKafka): sends FlowFile content to Kafka, one record
// per FlowFile or one per demarcated segment. Many FlowFiles travel in each produce request; a
// FlowFile goes to success only once the broker acknowledged all its records (per the Delivery
// Guarantee), and to failure with a kafka.error attribute when they could not be delivered.
import { CompressionTypes, type Message, type Producer } from 'kafkajs';
import { defineProcessor, type PropertyDescriptor, type ValidationProblem } from '../../server/sdk/definition.ts';
import type { ProcessContext } from '../../server/sdk/context.ts';
import type { ProcessSession } from '../../server/engine/session.ts';
import type { FlowFile } from '../../server/engine/flowfile.ts';
import { Validators } from '../../server/sdk/validators.ts';
import { KAFKA_CONNECTION_SERVICE, type KafkaConnection } from './connection-service.ts';
import { attributesToHeaders, charsetOf, namePattern } from './headers.ts';
import { demarcatorBytes, splitByDemarcator } from './demarcator.ts';
import { errorText, publish, type PublishItem, type SendOptions } from './publisher.ts';
import { TransactionalProducerPool } from './transactions.ts';

/** NiFi's Delivery Guarantee names and the acks they stand for. */
export const DELIVERY_GUARANTEES = {
  'Best Effort': 0,
  'Guarantee Single Node Delivery': 1,
  'Guarantee Replicated Delivery': -1,
} as const;

/** FlowFiles taken per trigger at most, and their bytes at most (a multiple of Max Request Size). */
const MAX_FLOWFILES_PER_TRIGGER = 10_000;
const REQUESTS_PER_TRIGGER = 8;

interface Settings {
  acks: number;
  compression: CompressionTypes;
  maxRequestSize: number;
  demarcator: Buffer | null;
  headerPattern: RegExp | null;
  headerCharset: BufferEncoding;
  rollback: boolean;
  transactional: boolean;
  timeoutMs: number;
}

interface State {
  settings: Settings | null;
  pool: TransactionalProducerPool | null;
}

const properties: PropertyDescriptor[] = [
  { name: 'Kafka Connection Service', description: 'Provides connections to Kafka Broker for publishing Kafka Records', required: true, controllerServiceType: KAFKA_CONNECTION_SERVICE },
  { name: 'Topic Name', description: 'Name of the Kafka Topic to which the Processor publishes Kafka Records', required: true, expressionLanguage: 'flowfile', validator: Validators.nonEmpty, aliases: ['topic'] },
  {
    name: 'Failure Strategy', description: 'Specifies how the processor handles a FlowFile if it is unable to publish the data to Kafka', required: true, defaultValue: 'Route to Failure',
    allowableValues: [
      { value: 'Route to Failure', description: 'When unable to publish records to Kafka, the FlowFile will be routed to the failure relationship.' },
      { value: 'Rollback', description: 'When unable to publish records to Kafka, the FlowFile will be placed back on the queue so that it will be retried. For flows where FlowFile ordering is important, this strategy can be used along with FirstInFirstOutPrioritizer on the incoming queue.' },
    ],
  },
  {
    name: 'Delivery Guarantee', description: 'Specifies the requirement for guaranteeing that a message is sent to Kafka. Corresponds to Kafka Client acks property.', required: true, defaultValue: 'Guarantee Replicated Delivery',
    allowableValues: [
      { value: 'Best Effort', description: 'FlowFile will be routed to success after successfully sending the content to a Kafka node, without waiting for any acknowledgment from the node at all. This provides the best performance but may result in data loss. (acks=0)' },
      { value: 'Guarantee Single Node Delivery', description: 'FlowFile will be routed to success if the message is received by a single Kafka node, whether or not it is replicated. This is faster than <Guarantee Replicated Delivery> but can result in data loss if a Kafka node crashes. (acks=1)' },
      { value: 'Guarantee Replicated Delivery', description: 'FlowFile will be routed to failure unless the message is replicated to the appropriate number of Kafka Nodes according to the Topic configuration. (acks=all)' },
    ],
    aliases: ['acks'],
  },
  {
    name: 'Compression Type', description: 'Specifies the compression strategy for records sent to Kafka. Corresponds to Kafka Client compression.type property.', required: true, defaultValue: 'none',
    allowableValues: ['none', 'gzip'], aliases: ['compression.type', 'Compression Codec'],
  },
  { name: 'Max Request Size', description: 'The maximum size of a request in bytes. Corresponds to Kafka Client max.request.size property. A single record larger than this fails.', required: true, defaultValue: '1 MB', validator: Validators.dataSize({ min: 1024 }), aliases: ['max.request.size'] },
  { name: 'Transactions Enabled', description: 'Specifies whether to provide transactional guarantees when communicating with Kafka. If there is a problem sending data to Kafka, and this property is set to false, then the messages that have already been sent to Kafka will continue on and be delivered to consumers. If this is set to true, then the Kafka transaction will be rolled back so that those messages are not available to consumers. Setting this to true requires that the Delivery Guarantee property be set to Guarantee Replicated Delivery.', required: true, defaultValue: 'true', allowableValues: ['true', 'false'], aliases: ['use-transactions'] },
  { name: 'Transactional ID Prefix', description: 'Specifies the KafkaProducer config transactional.id will be a generated UUID and will be prefixed with the configured string.', expressionLanguage: 'environment', dependsOn: { property: 'Transactions Enabled', values: ['true'] }, aliases: ['transactional-id-prefix'] },
  { name: 'Message Demarcator', description: 'Specifies the string (interpreted as UTF-8) to use for demarcating multiple messages within a single FlowFile. If not specified, the entire content of the FlowFile will be used as a single message. If specified, the contents of the FlowFile will be split on this delimiter and each section sent as a separate Kafka message. Empty sections are not sent.', expressionLanguage: 'environment', aliases: ['message-demarcator', 'Message Delimiter'] },
  { name: 'Kafka Key', description: 'The Key to use for the Message. If not specified, the FlowFile attribute \'kafka.key\' is used as the message key, if it is present. Beware that setting Kafka key and demarcating at the same time may potentially lead to many Kafka messages with the same key. Normally this is not a problem as Kafka does not enforce or assume message and key uniqueness. Still, setting the demarcator and Kafka key at the same time poses a risk of data loss on Kafka. During a topic compaction on Kafka, messages will be deduplicated based on this key.', expressionLanguage: 'flowfile', aliases: ['kafka-key'] },
  { name: 'Partition', description: 'Specifies which Partition Records will go to. When unset, the partition is chosen from the key (murmur2, as the Java client\'s default partitioner) or round-robin for records without a key.', expressionLanguage: 'flowfile', aliases: ['partition'] },
  { name: 'FlowFile Attribute Header Pattern', description: 'A Regular Expression that is matched against all FlowFile attribute names. Any attribute whose name matches the pattern will be added to the Kafka messages as a Header. If not specified, no FlowFile attributes will be added as headers.', aliases: ['attribute-name-regex'] },
  { name: 'Header Encoding', description: 'For any attribute that is added as a Kafka Record Header, this property indicates the Character Encoding to use for serializing the headers.', required: true, defaultValue: 'UTF-8', validator: Validators.characterSet, aliases: ['message-header-encoding'] },
];

function customValidate(ctx: { value(name: string): string | undefined }): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  if (ctx.value('Transactions Enabled') === 'true' && ctx.value('Delivery Guarantee') !== 'Guarantee Replicated Delivery') {
    problems.push({ property: 'Delivery Guarantee', message: 'must be "Guarantee Replicated Delivery" when Transactions Enabled is true (transactions need idempotent, fully acknowledged writes)' });
  }
  const hp = ctx.value('FlowFile Attribute Header Pattern');
  if (hp) {
    try { namePattern(hp); } catch (e) { problems.push({ property: 'FlowFile Attribute Header Pattern', message: `is not a valid pattern: ${(e as Error).message}` }); }
  }
  return problems;
}

/** Property values that are the same for every FlowFile are evaluated once per trigger. */
interface Evaluated {
  topic: string | undefined;
  key: string | undefined;
  partition: string | undefined;
}

function evaluateOnce(ctx: ProcessContext<State>): { fixed: Partial<Evaluated>; dynamic: (keyof Evaluated)[] } {
  const props: [keyof Evaluated, string][] = [['topic', 'Topic Name'], ['key', 'Kafka Key'], ['partition', 'Partition']];
  const fixed: Partial<Evaluated> = {};
  const dynamic: (keyof Evaluated)[] = [];
  for (const [k, name] of props) {
    const p = ctx.property(name);
    if (p.isExpression) dynamic.push(k);
    else fixed[k] = p.evaluate();
  }
  return { fixed, dynamic };
}

const PROPERTY_OF: Record<keyof Evaluated, string> = { topic: 'Topic Name', key: 'Kafka Key', partition: 'Partition' };

/** The records of one FlowFile. */
function buildItem(ctx: ProcessContext<State>, session: ProcessSession, s: Settings, ff: FlowFile, once: ReturnType<typeof evaluateOnce>): PublishItem<FlowFile> {
  const v: Partial<Evaluated> = once.dynamic.length ? { ...once.fixed } : once.fixed;
  try {
    for (const k of once.dynamic) v[k] = ctx.property(PROPERTY_OF[k]).evaluate(ff);
  } catch (e) {
    return { ref: ff, topic: '', messages: [], error: `could not evaluate a property: ${(e as Error).message}` };
  }
  const topic = v.topic;
  if (!topic) return { ref: ff, topic: '', messages: [], error: 'Topic Name evaluated to an empty string' };
  let partition: number | undefined;
  const p = v.partition;
  if (p !== undefined && p.trim() !== '') {
    partition = Number(p.trim());
    if (!Number.isInteger(partition) || partition < 0) return { ref: ff, topic, messages: [], error: `Partition evaluated to ${JSON.stringify(p)}, which is not a partition number` };
  }
  let keyText = v.key;
  if (keyText === undefined || keyText === '') keyText = ff.getAttribute('kafka.key');
  const key = keyText === undefined ? null : Buffer.from(keyText, 'utf8');
  const headers = attributesToHeaders(ff, s.headerPattern, s.headerCharset);
  const content = session.read(ff);
  if (!s.demarcator && key === null && partition === undefined && !headers) {
    return { ref: ff, topic, messages: [{ value: content.length ? content : null }] };
  }
  const values: (Buffer | null)[] = s.demarcator ? splitByDemarcator(content, s.demarcator) : [content.length ? content : null];
  const messages: Message[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const message: Message = { value: values[i] };
    if (key !== null) message.key = key;
    if (partition !== undefined) message.partition = partition;
    if (headers) message.headers = headers;
    messages[i] = message;
  }
  return { ref: ff, topic, messages };
}

/** Takes FlowFiles until the trigger's count or byte budget is reached. */
function takeBatch(session: ProcessSession, maxBytes: number): FlowFile[] {
  const out: FlowFile[] = [];
  let bytes = 0;
  while (out.length < MAX_FLOWFILES_PER_TRIGGER && bytes < maxBytes) {
    const got = session.get(Math.min(256, MAX_FLOWFILES_PER_TRIGGER - out.length));
    if (got.length === 0) break;
    for (const ff of got) { out.push(ff); bytes += ff.size; }
  }
  return out;
}

async function send(ctx: ProcessContext<State>, s: Settings, items: PublishItem<FlowFile>[]): Promise<(string | undefined)[]> {
  const connection = ctx.controllerService<KafkaConnection>('Kafka Connection Service');
  const opts: SendOptions = { acks: s.acks, compression: s.compression, timeoutMs: s.timeoutMs, maxRequestSize: s.maxRequestSize };
  if (!s.transactional) {
    let producer: Producer;
    try {
      producer = await connection.sharedProducer();
    } catch (e) {
      const text = `could not connect to Kafka: ${errorText(e)}`;
      return items.map(() => text);
    }
    return (await publish(producer, items, opts)).errors;
  }
  // Transactions: everything sent by this trigger is committed or aborted together.
  const pool = ctx.state.pool!;
  let producer: Producer;
  try {
    producer = await pool.acquire();
  } catch (e) {
    const text = `could not start a transactional producer: ${errorText(e)}`;
    return items.map(() => text);
  }
  let healthy = true;
  try {
    const txn = await producer.transaction();
    const { errors } = await publish(txn, items, opts);
    const firstError = errors.find((e) => e !== undefined);
    if (firstError === undefined) {
      try {
        await txn.commit();
        return errors;
      } catch (e) {
        healthy = false;
        const text = `the transaction could not be committed: ${errorText(e)}`;
        await txn.abort().catch(() => {});
        return items.map(() => text);
      }
    }
    await txn.abort().catch(() => { healthy = false; });
    // Nothing of an aborted transaction is visible: the FlowFiles that were fine fail with the others.
    return errors.map((e) => e ?? `the transaction was aborted because another record failed: ${firstError}`);
  } catch (e) {
    healthy = false;
    const text = `transaction failed: ${errorText(e)}`;
    return items.map(() => text);
  } finally {
    pool.release(producer, healthy);
  }
}

function settingsOf(ctx: ProcessContext<State>): Settings {
  const connection = ctx.controllerService<KafkaConnection>('Kafka Connection Service');
  const guarantee = (ctx.property('Delivery Guarantee').value ?? 'Guarantee Replicated Delivery') as keyof typeof DELIVERY_GUARANTEES;
  return {
    acks: DELIVERY_GUARANTEES[guarantee] ?? -1,
    compression: ctx.property('Compression Type').value === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
    maxRequestSize: ctx.property('Max Request Size').asDataSize() ?? 1024 * 1024,
    demarcator: demarcatorBytes(ctx.property('Message Demarcator').evaluate()),
    headerPattern: namePattern(ctx.property('FlowFile Attribute Header Pattern').value),
    headerCharset: charsetOf(ctx.property('Header Encoding').value),
    rollback: ctx.property('Failure Strategy').value === 'Rollback',
    transactional: ctx.property('Transactions Enabled').value === 'true',
    timeoutMs: connection.settings.ackWaitMs,
  };
}

export const PublishKafka = defineProcessor<State>({
  type: 'PublishKafka',
  aliases: ['PutKafka'],
  description: 'Sends the contents of a FlowFile as a message, or as one message per demarcated segment, to Apache Kafka. The records of many FlowFiles share each produce request; a FlowFile is routed to success only after the broker acknowledged all of its records. Records with the same key go to the same partition (murmur2, as Java clients). The complementary processor for fetching messages is ConsumeKafka.',
  tags: ['kafka', 'apache', 'put', 'send', 'message', 'pubsub'],
  inputRequirement: 'required',
  properties,
  relationships: [
    { name: 'success', description: 'FlowFiles for which all content was sent to Kafka.' },
    { name: 'failure', description: 'Any FlowFile that cannot be sent to Kafka will be routed to this Relationship', terminalFailure: true },
  ],
  customValidate,
  readsAttributes: [{ name: 'kafka.key', description: 'The message key when Kafka Key is not set' }],
  writesAttributes: [
    { name: 'msg.count', description: 'The number of messages that were sent to Kafka for this FlowFile. This attribute is added only to FlowFiles that are routed to success.' },
    { name: 'kafka.error', description: 'Why the FlowFile could not be sent (FlowFiles routed to failure)' },
  ],
  initialState: () => ({ settings: null, pool: null }),
  onScheduled(ctx) {
    const s = settingsOf(ctx);
    ctx.state.settings = s;
    if (s.transactional) {
      const connection = ctx.controllerService<KafkaConnection>('Kafka Connection Service');
      const prefix = ctx.property('Transactional ID Prefix').evaluate() ?? '';
      ctx.state.pool = new TransactionalProducerPool(connection, `${prefix}${ctx.flowId}-${ctx.processorId}`);
    }
  },
  async onTrigger(ctx, session) {
    const s = ctx.state.settings!;
    const flowFiles = takeBatch(session, s.maxRequestSize * REQUESTS_PER_TRIGGER);
    if (flowFiles.length === 0) return;
    const once = evaluateOnce(ctx);
    const items = flowFiles.map((ff) => buildItem(ctx, session, s, ff, once));
    const errors = await send(ctx, s, items);
    let failed = 0;
    let firstError = '';
    for (const e of errors) if (e !== undefined) { failed++; firstError ||= e; }
    if (failed > 0 && s.rollback) {
      ctx.bulletin('ERROR', `could not send ${failed} of ${flowFiles.length} FlowFile(s) to Kafka (${firstError}); rolling back`);
      // As NiFi: back on the queue in their order (not penalized), and the processor yields.
      session.rollback(false);
      ctx.yield();
      return;
    }
    if (failed > 0) ctx.bulletin('ERROR', `routing ${failed} of ${flowFiles.length} FlowFile(s) to failure: ${firstError}`);
    const ok: FlowFile[] = [];
    const bad: FlowFile[] = [];
    for (let i = 0; i < items.length; i++) {
      const ff = items[i].ref;
      const e = errors[i];
      if (e === undefined) ok.push(session.putAttribute(ff, 'msg.count', String(items[i].messages.length)));
      else bad.push(session.penalize(session.putAllAttributes(ff, { 'kafka.error': e })));
    }
    if (ok.length) session.transfer(ok, 'success');
    if (bad.length) session.transfer(bad, 'failure');
  },
  async onStopped(ctx) {
    const pool = ctx.state.pool;
    ctx.state.pool = null;
    if (pool) await pool.close();
  },
});
