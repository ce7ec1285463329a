// ConsumeKafka (NiFi 2.x): consumes records from Kafka topics as a member of a consumer group and
// emits one FlowFile per record (FLOW_FILE) or one per partition run of records joined with a
// demarcator (DEMARCATOR). Delivery is at-least-once: an offset is committed only after every
// FlowFile made from the records before it was acknowledged by the flow (see offset-tracker.ts).
import type { ConsumerConfig } from 'kafkajs';
import { defineProcessor, type PropertyDescriptor, type ValidationProblem } from '../../server/sdk/definition.ts';
import type { ProcessContext } from '../../server/sdk/context.ts';
import type { ProcessSession } from '../../server/engine/session.ts';
import type { FlowFile } from '../../server/engine/flowfile.ts';
import { EMPTY_CLAIM } from '../../server/engine/content/claim.ts';
import { Validators } from '../../server/sdk/validators.ts';
import { translateJavaRegex } from '../../server/regex/index.ts';
import { KAFKA_CONNECTION_SERVICE, type KafkaConnection } from './connection-service.ts';
import { ConsumerWorker, type AutoOffsetReset } from './consumer-worker.ts';
import { KEY_ENCODINGS, charsetOf, encodeKey, headerSignature, headersToAttributes, namePattern, type KeyEncoding } from './headers.ts';
import { demarcatorBytes, joinWithDemarcator } from './demarcator.ts';
import type { Range } from './offset-tracker.ts';
import type { Segment } from './record-buffer.ts';
import type { KafkaMessage } from 'kafkajs';

/** The buffer between the fetch loop and onTrigger holds at least this many records before pausing. */
const MIN_BUFFERED_RECORDS = 50_000;

/** How long an idle trigger waits for records before giving up (and letting the processor yield). */
const IDLE_WAIT_MS = 250;

/** Kafka consumer properties accepted as dynamic properties, and their kafkajs names. */
export const CONSUMER_DYNAMIC_PROPERTIES: Record<string, keyof ConsumerConfig> = {
  'session.timeout.ms': 'sessionTimeout',
  'heartbeat.interval.ms': 'heartbeatInterval',
  'max.poll.interval.ms': 'rebalanceTimeout',
  'rebalance.timeout.ms': 'rebalanceTimeout',
  'fetch.max.wait.ms': 'maxWaitTimeInMs',
  'fetch.min.bytes': 'minBytes',
  'fetch.max.bytes': 'maxBytes',
  'max.partition.fetch.bytes': 'maxBytesPerPartition',
  'metadata.max.age.ms': 'metadataMaxAge',
};

interface Settings {
  strategy: 'FLOW_FILE' | 'DEMARCATOR';
  keyEncoding: KeyEncoding;
  headerPattern: RegExp | null;
  headerCharset: BufferEncoding;
  demarcator: Buffer | null;
  separateByKey: boolean;
  maxPollRecords: number;
}

interface State {
  worker: ConsumerWorker | null;
  settings: Settings | null;
}

const properties: PropertyDescriptor[] = [
  { name: 'Kafka Connection Service', description: 'Provides connections to Kafka Broker for consuming Kafka Records', required: true, controllerServiceType: KAFKA_CONNECTION_SERVICE },
  { name: 'Group ID', description: 'Kafka Consumer Group Identifier corresponding to Kafka group.id property', required: true, expressionLanguage: 'environment', validator: Validators.nonEmpty, aliases: ['group.id'] },
  {
    name: 'Topic Format', description: 'Specifies whether the Topics provided are a comma separated list of names or a single regular expression', required: true, defaultValue: 'names',
    allowableValues: [
      { value: 'names', description: 'Topic is a full topic name or comma separated list of names' },
      { value: 'pattern', description: 'Topic is a regular expression according to the Java Pattern syntax (matched against topic names when the processor starts)' },
    ],
    aliases: ['topic_type'],
  },
  { name: 'Topics', description: 'The name or pattern of the Kafka Topics from which the Processor consumes Kafka Records. More than one can be supplied if comma separated.', required: true, expressionLanguage: 'environment', validator: Validators.nonEmpty, aliases: ['topic'] },
  {
    name: 'Auto Offset Reset', description: 'Automatic offset configuration applied when no previous consumer offset found corresponding to Kafka auto.offset.reset property', required: true, defaultValue: 'latest',
    allowableValues: [
      { value: 'earliest', description: 'Automatically reset the offset to the earliest offset' },
      { value: 'latest', description: 'Automatically reset the offset to the latest offset' },
      { value: 'none', description: 'Throw exception to the consumer if no previous offset found for the consumer group' },
    ],
    aliases: ['auto.offset.reset'],
  },
  { name: 'Commit Offsets', description: 'Specifies whether this Processor should commit the offsets to Kafka after receiving messages. Offsets are committed only for records whose FlowFiles the flow has acknowledged.', required: true, defaultValue: 'true', allowableValues: ['true', 'false'] },
  { name: 'Max Uncommitted Time', description: 'Specifies the maximum amount of time that acknowledged offsets may stay uncommitted. Committing less often costs fewer requests but means more duplicates after a crash.', required: true, defaultValue: '1 sec', validator: Validators.timePeriod, dependsOn: { property: 'Commit Offsets', values: ['true'] }, aliases: ['max-uncommit-offset-wait'] },
  { name: 'Header Encoding', description: 'Character encoding applied when reading Kafka Record Header values and writing FlowFile attributes', required: true, defaultValue: 'UTF-8', validator: Validators.characterSet, aliases: ['header-encoding'] },
  { name: 'Header Name Pattern', description: 'Regular Expression Pattern applied to Kafka Record Header Names for selecting Header Values to be written as FlowFile attributes', aliases: ['header-name-regex'] },
  {
    name: 'Processing Strategy', description: 'Strategy for processing Kafka Records and writing serialized output to FlowFiles', required: true, defaultValue: 'FLOW_FILE',
    allowableValues: [
      { value: 'FLOW_FILE', description: 'Write one FlowFile for each Kafka Record consumed' },
      { value: 'DEMARCATOR', description: 'Write one FlowFile for each batch of Kafka Records consumed' },
    ],
  },
  { name: 'Key Attribute Encoding', description: 'Encoding for value of configured FlowFile attribute containing Kafka Record Key.', required: true, defaultValue: 'utf-8', allowableValues: KEY_ENCODINGS, aliases: ['key-attribute-encoding'] },
  { name: 'Message Demarcator', description: 'Since KafkaConsumer receives messages in batches, this Processor has an option to output FlowFiles which contains all Kafka messages in a single batch for a given topic and partition and this property allows you to provide a string (interpreted as UTF-8) to use for demarcating apart multiple Kafka messages.', required: true, dependsOn: { property: 'Processing Strategy', values: ['DEMARCATOR'] }, aliases: ['message-demarcator'] },
  { name: 'Separate By Key', description: 'When this property is enabled, two messages will only be added to the same FlowFile if both of the Kafka Messages have identical keys.', required: true, defaultValue: 'false', allowableValues: ['true', 'false'], dependsOn: { property: 'Processing Strategy', values: ['DEMARCATOR'] }, aliases: ['separate-by-key'] },
];

function customValidate(ctx: { value(name: string): string | undefined; readonly dynamicProperties: ReadonlyMap<string, string> }): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const topics = ctx.value('Topics');
  if (ctx.value('Topic Format') === 'pattern' && topics && !topics.includes('${')) {
    try { translateJavaRegex(topics); } catch (e) { problems.push({ property: 'Topics', message: `is not a valid pattern: ${(e as Error).message}` }); }
  }
  const hp = ctx.value('Header Name Pattern');
  if (hp) {
    try { namePattern(hp); } catch (e) { problems.push({ property: 'Header Name Pattern', message: `is not a valid pattern: ${(e as Error).message}` }); }
  }
  for (const [name, value] of ctx.dynamicProperties) {
    if (!(name in CONSUMER_DYNAMIC_PROPERTIES)) {
      problems.push({ property: name, message: `is not a supported Kafka consumer property (supported: ${Object.keys(CONSUMER_DYNAMIC_PROPERTIES).join(', ')})` });
    } else if (!/^\d+$/.test(value.trim())) {
      problems.push({ property: name, message: `must be a non-negative integer, got ${JSON.stringify(value)}` });
    }
  }
  return problems;
}

function topicsOf(ctx: ProcessContext<State>): string[] | RegExp {
  const raw = ctx.property('Topics').evaluate() ?? '';
  if (ctx.property('Topic Format').value === 'pattern') {
    const t = translateJavaRegex(raw.trim());
    return new RegExp(`^(?:${t.source})$`, t.flags.replace(/[gy]/g, ''));
  }
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

function consumerConfig(ctx: ProcessContext<State>): Partial<ConsumerConfig> {
  const out: Record<string, number> = {};
  for (const [name, value] of ctx.dynamicProperties) {
    const key = CONSUMER_DYNAMIC_PROPERTIES[name];
    if (key && value.value !== undefined) out[key] = Number(value.value);
  }
  return out as Partial<ConsumerConfig>;
}

/** Attributes shared by the FlowFiles of one partition. */
function baseAttributes(topic: string, partition: number): Record<string, string> {
  return { 'kafka.topic': topic, 'kafka.partition': String(partition) };
}

function recordFlowFiles(ctx: ProcessContext<State>, session: ProcessSession, s: Settings, seg: Segment, ack: ReturnType<ProcessContext['createAck']>, out: FlowFile[]): void {
  const { topic, partition } = seg.tracker;
  const partitionText = String(partition);
  const options = { ack, content: EMPTY_CLAIM };
  for (const m of seg.messages) {
    // Four attributes for most records: small attribute maps are markedly cheaper to build.
    const attrs: Record<string, string> = {
      'kafka.topic': topic,
      'kafka.partition': partitionText,
      'kafka.offset': m.offset,
      'kafka.timestamp': m.timestamp,
    };
    const key = encodeKey(m.key, s.keyEncoding);
    if (key !== undefined) attrs['kafka.key'] = key;
    if (m.value === null) attrs['kafka.tombstone'] = 'true';
    if (s.headerPattern) headersToAttributes(m.headers, s.headerPattern, s.headerCharset, attrs);
    options.content = m.value && m.value.length ? ctx.contentStore.create(m.value) : EMPTY_CLAIM;
    out.push(session.create(attrs, options));
  }
}

function bundleFlowFiles(ctx: ProcessContext<State>, session: ProcessSession, s: Settings, seg: Segment, ack: ReturnType<ProcessContext['createAck']>, out: FlowFile[]): void {
  const { topic, partition } = seg.tracker;
  // Records go to the same bundle unless their keys differ (Separate By Key) or their matched header values differ.
  const groups = new Map<string, KafkaMessage[]>();
  for (const m of seg.messages) {
    let k = s.separateByKey ? (m.key === null ? '\u0001' : `\u0002${m.key.toString('latin1')}`) : '';
    if (s.headerPattern) k += `\u0000${headerSignature(m.headers, s.headerPattern, s.headerCharset)}`;
    const list = groups.get(k);
    if (list) list.push(m);
    else groups.set(k, [m]);
  }
  for (const msgs of groups.values()) {
    const first = msgs[0];
    const attrs = baseAttributes(topic, partition);
    attrs['kafka.offset'] = first.offset;
    attrs['kafka.max.offset'] = msgs[msgs.length - 1].offset;
    attrs['kafka.count'] = String(msgs.length);
    attrs['kafka.timestamp'] = first.timestamp;
    if (s.separateByKey) {
      const key = encodeKey(first.key, s.keyEncoding);
      if (key !== undefined) attrs['kafka.key'] = key;
    }
    if (s.headerPattern) headersToAttributes(first.headers, s.headerPattern, s.headerCharset, attrs);
    const content = joinWithDemarcator(msgs.map((m) => m.value), s.demarcator!);
    out.push(session.create(attrs, { ack, content: content.length ? ctx.contentStore.create(content) : EMPTY_CLAIM }));
  }
}

function drain(ctx: ProcessContext<State>, session: ProcessSession): void {
  const worker = ctx.state.worker;
  const s = ctx.state.settings;
  if (!worker || !s || worker.isStopped) return;
  const segments = worker.take(s.maxPollRecords);
  if (segments.length === 0) return;
  const opened: Range[] = [];
  const out: FlowFile[] = [];
  for (const seg of segments) {
    const msgs = seg.messages;
    const range = seg.tracker.open(Number(msgs[0].offset), Number(msgs[msgs.length - 1].offset));
    opened.push(range);
    const ack = ctx.createAck((outcome) => worker.complete(range, outcome));
    if (s.strategy === 'DEMARCATOR') bundleFlowFiles(ctx, session, s, seg, ack, out);
    else recordFlowFiles(ctx, session, s, seg, ack, out);
  }
  session.transfer(out, 'success');
  // A rolled-back session drops the FlowFiles without acknowledging them: fetch the records again.
  session.onRollback(() => { for (const r of opened) worker.redeliver(r, 'the session was rolled back'); });
}

export const ConsumeKafka = defineProcessor<State>({
  type: 'ConsumeKafka',
  description: 'Consumes messages from Apache Kafka as a member of a consumer group. Each record becomes a FlowFile (FLOW_FILE), or the records of one partition fetched together become one FlowFile with a demarcator between them (DEMARCATOR). Offsets are committed only after the FlowFiles made from the records were acknowledged by the flow (at-least-once); a back-pressured flow pauses fetching.',
  tags: ['kafka', 'get', 'ingest', 'ingress', 'topic', 'pubsub', 'consume'],
  inputRequirement: 'forbidden',
  properties,
  relationships: [
    { name: 'success', description: 'FlowFiles containing one or more serialized Kafka Records' },
  ],
  // NiFi adds "parse failure" only with the RECORD strategy (record readers), which Sluice does not have yet.
  dynamicRelationships: (props) => (props.get('Processing Strategy') === 'RECORD' ? [{ name: 'parse failure', description: 'If configured to use a Record Reader, a Kafka message that cannot be parsed using the configured Record Reader will be routed to this relationship' }] : []),
  dynamicProperties: {
    name: 'The name of a Kafka consumer configuration property',
    value: 'An integer value',
    description: `Passed to the Kafka consumer. Supported: ${Object.keys(CONSUMER_DYNAMIC_PROPERTIES).join(', ')}.`,
  },
  customValidate,
  writesAttributes: [
    { name: 'kafka.topic', description: 'The topic the records are from' },
    { name: 'kafka.partition', description: 'The partition of the topic the records are from' },
    { name: 'kafka.offset', description: 'The offset of the record (the first record of a demarcated FlowFile)' },
    { name: 'kafka.max.offset', description: 'The offset of the last record of a demarcated FlowFile' },
    { name: 'kafka.key', description: 'The key of the record, in the Key Attribute Encoding (demarcated FlowFiles: only with Separate By Key)' },
    { name: 'kafka.timestamp', description: 'The timestamp of the record (the first record of a demarcated FlowFile), in milliseconds since the epoch' },
    { name: 'kafka.count', description: 'The number of records in a demarcated FlowFile (not written when a FlowFile holds one record)' },
    { name: 'kafka.tombstone', description: 'Set to true when the record has a null value' },
  ],
  initialState: () => ({ worker: null, settings: null }),
  onScheduled(ctx) {
    const connection = ctx.controllerService<KafkaConnection>('Kafka Connection Service');
    const maxPollRecords = connection.settings.maxPollRecords;
    const strategy = (ctx.property('Processing Strategy').value ?? 'FLOW_FILE') as Settings['strategy'];
    ctx.state.settings = {
      strategy,
      keyEncoding: (ctx.property('Key Attribute Encoding').value ?? 'utf-8') as KeyEncoding,
      headerPattern: namePattern(ctx.property('Header Name Pattern').value),
      headerCharset: charsetOf(ctx.property('Header Encoding').value),
      demarcator: strategy === 'DEMARCATOR' ? demarcatorBytes(ctx.property('Message Demarcator').value) ?? Buffer.alloc(0) : null,
      separateByKey: ctx.property('Separate By Key').asBoolean(),
      maxPollRecords,
    };
    const worker = new ConsumerWorker({
      connection,
      groupId: ctx.property('Group ID').evaluate() ?? '',
      topics: topicsOf(ctx),
      autoOffsetReset: (ctx.property('Auto Offset Reset').value ?? 'latest') as AutoOffsetReset,
      commitOffsets: ctx.property('Commit Offsets').value !== 'false',
      maxUncommittedMs: ctx.property('Max Uncommitted Time').asTimePeriod() ?? 1000,
      // Room for a few fetches: a buffer smaller than one fetch would pause and resume all the
      // time, and kafkajs sleeps fetch.max.wait.ms whenever every partition is paused.
      maxBufferedRecords: Math.max(2 * maxPollRecords, MIN_BUFFERED_RECORDS),
      maxBufferedBytes: 64 * 1024 * 1024,
      consumerConfig: consumerConfig(ctx),
      redeliveryDelayMs: 1000,
      bulletin: (level, message) => ctx.bulletin(level, message),
      logger: ctx.logger,
    });
    ctx.state.worker = worker;
    worker.start();
  },
  onTrigger(ctx, session) {
    const worker = ctx.state.worker;
    if (!worker) return;
    if (worker.buffered > 0) return drain(ctx, session);
    // Nothing buffered: wait a little for the fetch loop instead of yielding straight away.
    return worker.waitForData(IDLE_WAIT_MS).then(() => drain(ctx, session));
  },
  async onStopped(ctx) {
    const worker = ctx.state.worker;
    ctx.state.worker = null;
    if (worker) await worker.stop();
  },
});
