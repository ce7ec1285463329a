// PutElasticsearchJson (NiFi 2.x names): each FlowFile is one JSON document; many FlowFiles go in
// one _bulk request, bounded by count and bytes; several triggers (Concurrent Tasks) keep several
// requests in flight. Each bulk item is mapped back to its FlowFile:
//   successful  the document was written (a 409 on create with our own id counts: re-delivery)
//   errors      the cluster rejected the document (elasticsearch.bulk.error holds its answer)
//   retry       still rejected as busy (429/503) after bounded back-off, or the request kept failing
//   failure     the FlowFile cannot be sent at all (invalid JSON, no id for update, ...)
//   original    every FlowFile that was sent without a request failure
import type { FlowFile } from '../../server/engine/flowfile.ts';
import type { ProcessContext } from '../../server/sdk/context.ts';
import { defineProcessor, type ValidationProblem } from '../../server/sdk/definition.ts';
import type { PropertyValue } from '../../server/sdk/property-value.ts';
import { Validators } from '../../server/sdk/validators.ts';
import { containsExpression } from '../../server/expression/index.ts';
import { parseTimePeriod } from '../../server/engine/units.ts';
import type { ProcessSession } from '../../server/engine/session.ts';
import type { BulkItemResult, ElasticsearchClientHandle } from './client.ts';
import { ELASTICSEARCH_CLIENT_SERVICE } from './client-service.ts';
import { buildOperation, chunkOperations, DocumentError, INDEX_OPERATIONS, type BulkOperation } from './request.ts';
import { bulkErrorAttribute, describeItemError } from './response.ts';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './retry.ts';
import { sendOperations, type Outcome } from './sender.ts';

export const NEVER_SUPPRESS = 'never-suppress';
export const ALWAYS_SUPPRESS = 'always-suppress';
const BULK_HEADER_PREFIX = 'BULK:';

export const ATTR_PUT_ERROR = 'elasticsearch.put.error';
export const ATTR_BULK_ERROR = 'elasticsearch.bulk.error';

interface State {
  maxFlowFiles: number;
  maxBytes: number;
  suppress: boolean;
  notFoundIsSuccess: boolean;
  logErrors: boolean;
  outputErrors: boolean;
  backoff: BackoffPolicy;
  urlParams: [string, PropertyValue][];
  headerParams: [string, PropertyValue][];
  operation: PropertyValue;
  index: PropertyValue;
  charset: PropertyValue;
  idExpression: PropertyValue | null;
  idAttribute: string | null;
}

function stateFrom(ctx: ProcessContext<State>): State {
  const urlParams: [string, PropertyValue][] = [];
  const headerParams: [string, PropertyValue][] = [];
  for (const [name, value] of ctx.dynamicProperties) {
    if (name.startsWith(BULK_HEADER_PREFIX)) headerParams.push([name.slice(BULK_HEADER_PREFIX.length).trim(), value]);
    else urlParams.push([name, value]);
  }
  return {
    maxFlowFiles: ctx.property('Max FlowFiles Per Batch').asInteger() ?? 100,
    maxBytes: ctx.property('Max Batch Size').asDataSize() ?? Number.MAX_SAFE_INTEGER,
    suppress: ctx.property('Suppress Nulls').value === ALWAYS_SUPPRESS,
    notFoundIsSuccess: ctx.property('Treat Not Found as Success').asBoolean(),
    logErrors: ctx.property('Log Error Responses').asBoolean(),
    outputErrors: ctx.property('Output Error Responses').asBoolean(),
    backoff: {
      maxRetries: ctx.property('Max Bulk Retries').asInteger() ?? DEFAULT_BACKOFF.maxRetries,
      initialMs: ctx.property('Initial Retry Backoff').asTimePeriod() ?? DEFAULT_BACKOFF.initialMs,
      maxMs: ctx.property('Max Retry Backoff').asTimePeriod() ?? DEFAULT_BACKOFF.maxMs,
    },
    urlParams,
    headerParams,
    operation: ctx.property('Index Operation'),
    index: ctx.property('Index'),
    charset: ctx.property('Character Set'),
    idExpression: ctx.property('Identifier Expression').isSet ? ctx.property('Identifier Expression') : null,
    idAttribute: ctx.property('Identifier Attribute').value || null,
  };
}

/** A property's value for a FlowFile; literal values are evaluated once per trigger. */
function perFlowFile(p: PropertyValue): (ff: FlowFile) => string | undefined {
  if (p.isExpression) return (ff) => p.evaluate(ff);
  const v = p.evaluate();
  return () => v;
}

function evaluateAll(list: [string, PropertyValue][], ff: FlowFile): Record<string, string> | undefined {
  if (list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of list) {
    const v = value.evaluate(ff);
    if (v !== undefined && v !== '') out[name] = v;
  }
  return out;
}

function documentIdOf(s: State): (ff: FlowFile) => string | undefined {
  if (s.idExpression) {
    const expr = perFlowFile(s.idExpression);
    return (ff) => expr(ff) || undefined;
  }
  const attr = s.idAttribute;
  return attr ? (ff) => ff.getAttribute(attr) || undefined : () => undefined;
}

function validate(v: (name: string) => string | undefined): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const op = v('Index Operation');
  if (op !== undefined && !containsExpression(op)) {
    const lower = op.trim().toLowerCase();
    if (!(INDEX_OPERATIONS as readonly string[]).includes(lower)) {
      problems.push({ property: 'Index Operation', message: `must be Expression Language or one of ${INDEX_OPERATIONS.join(', ')}, got ${JSON.stringify(op)}` });
    } else if (lower !== 'index' && lower !== 'create' && !v('Identifier Attribute') && !v('Identifier Expression')) {
      problems.push({ property: 'Identifier Attribute', message: `(or Identifier Expression) is required for the "${lower}" operation` });
    }
  }
  const initial = parseTimePeriod(v('Initial Retry Backoff') ?? '');
  const max = parseTimePeriod(v('Max Retry Backoff') ?? '');
  if (initial !== undefined && max !== undefined && initial > max) {
    problems.push({ property: 'Initial Retry Backoff', message: 'must not exceed Max Retry Backoff' });
  }
  return problems;
}

export const PutElasticsearchJson = defineProcessor<State>({
  type: 'PutElasticsearchJson',
  description:
    'An Elasticsearch put processor that uses the official Elastic client (@elastic/elasticsearch 9.x). Each FlowFile is treated as one JSON document ' +
    'and sent to the Elasticsearch _bulk API; many FlowFiles are batched into each request, bounded by Max FlowFiles Per Batch and Max Batch Size. ' +
    'Documents the cluster rejects as busy (429/503) are re-sent with bounded exponential back-off before going to "retry". ' +
    'For exactly-once results with at-least-once delivery, give each document a deterministic id, e.g. Identifier Expression ' +
    '${kafka.topic}-${kafka.partition}-${kafka.offset}: a re-delivered record then overwrites (index) or finds (create) itself.',
  tags: ['elasticsearch', 'elasticsearch9', 'put', 'index', 'json', 'bulk'],
  inputRequirement: 'required',
  defaultSchedule: { concurrentTasks: 1 },
  properties: [
    { name: 'Client Service', description: 'An Elasticsearch client service to use for running queries.', required: true, controllerServiceType: ELASTICSEARCH_CLIENT_SERVICE, aliases: ['el-rest-client-service'] },
    {
      name: 'Index Operation', description: `The type of the operation used to index (${INDEX_OPERATIONS.join(', ')}).`, required: true, defaultValue: 'index',
      expressionLanguage: 'flowfile', validator: Validators.nonEmpty, aliases: ['put-es-record-index-op'],
    },
    { name: 'Index', description: 'The name of the index to use.', required: true, expressionLanguage: 'flowfile', validator: Validators.nonEmpty, aliases: ['el-rest-fetch-index'] },
    {
      name: 'Identifier Attribute', aliases: ['put-es-json-id-attr'],
      description: 'The name of the FlowFile attribute containing the identifier for the document. If the Index Operation is "index" or "create", this may be left empty or the attribute missing, in which case Elasticsearch generates the id. For all other operations the attribute must be non-empty.',
    },
    {
      name: 'Identifier Expression', expressionLanguage: 'flowfile',
      description: 'Sluice addition: the document identifier as Expression Language, evaluated per FlowFile; takes precedence over Identifier Attribute. ' +
        'Use ${kafka.topic}-${kafka.partition}-${kafka.offset} for records from ConsumeKafka: ids are then deterministic, so re-delivered records do not create duplicates.',
    },
    {
      name: 'Max FlowFiles Per Batch', description: 'The maximum number of FlowFiles to include in a single Elasticsearch _bulk API request. If the accumulated FlowFiles exceed Max Batch Size before this count is reached, the request is split.',
      required: true, defaultValue: '100', validator: Validators.integer({ min: 1 }), aliases: ['Batch Size', 'put-es-record-batch-size'],
    },
    {
      name: 'Max Batch Size', description: 'The maximum amount of data to send in a single Elasticsearch _bulk API request. Elasticsearch recommends 5-15 MB per bulk request.',
      defaultValue: '10 MB', validator: Validators.dataSize({ min: 1 }),
    },
    {
      name: 'Suppress Nulls', description: 'When set to Always Suppress, null and empty values are removed from documents before they are sent (the document is then re-serialized).',
      required: true, defaultValue: NEVER_SUPPRESS, aliases: ['el-cs-suppress-nulls'],
      allowableValues: [
        { value: NEVER_SUPPRESS, displayName: 'Never Suppress', description: 'Fields that are null or empty are sent as they are.' },
        { value: ALWAYS_SUPPRESS, displayName: 'Always Suppress', description: 'Fields that are null or empty (strings, arrays, objects) are not sent.' },
      ],
    },
    { name: 'Character Set', description: 'Specifies the character set of the document data.', required: true, defaultValue: 'UTF-8', expressionLanguage: 'flowfile', validator: Validators.characterSet, aliases: ['put-es-json-charset'] },
    {
      name: 'Log Error Responses', description: 'If this is enabled, errors will be logged at the error level. Otherwise, they will only be logged if debug logging is enabled.',
      required: true, defaultValue: 'false', allowableValues: ['true', 'false'], aliases: ['put-es-record-log-error-responses'],
    },
    {
      name: 'Output Error Responses', description: 'If this is enabled, response messages from Elasticsearch marked as "error" are output to the "error_responses" relationship. This does not impact the output of FlowFiles to the "successful" or "errors" relationships.',
      required: true, defaultValue: 'false', allowableValues: ['true', 'false'], aliases: ['put-es-output-error-responses'],
    },
    {
      name: 'Treat Not Found as Success', description: 'If true, "not_found" Elasticsearch document responses (delete of a missing document) are routed to "successful", otherwise to "errors".',
      required: true, defaultValue: 'true', allowableValues: ['true', 'false'], aliases: ['put-es-not_found-is-error'],
    },
    {
      name: 'Max Bulk Retries', description: 'Sluice addition: how many times documents rejected as busy (429) or unavailable (502/503/504), or a request that failed transiently, are re-sent before the FlowFiles go to "retry".',
      required: true, defaultValue: String(DEFAULT_BACKOFF.maxRetries), validator: Validators.integer({ min: 0, max: 100 }),
    },
    { name: 'Initial Retry Backoff', description: 'Sluice addition: the wait before the first re-send; it doubles on each further one (with jitter).', required: true, defaultValue: '100 ms', validator: Validators.timePeriod },
    { name: 'Max Retry Backoff', description: 'Sluice addition: the longest wait between two re-sends.', required: true, defaultValue: '5 sec', validator: Validators.timePeriod },
  ],
  dynamicProperties: {
    name: 'The name of a URL query parameter to add (or BULK:<field> for a bulk action/metadata field)',
    value: 'The value of the parameter',
    description: 'Adds the property as a query parameter of the _bulk URL, e.g. pipeline, refresh or routing (evaluated against the first FlowFile of each batch). ' +
      'With the prefix "BULK:" it is added to each document\'s action/metadata line instead (evaluated per FlowFile), e.g. BULK:routing.',
    expressionLanguage: 'flowfile',
  },
  relationships: [
    { name: 'original', description: 'All FlowFiles that are sent to Elasticsearch without request failures go to this relationship.' },
    { name: 'successful', description: 'FlowFiles whose document Elasticsearch wrote (or already held, for a create with the same id) are routed here.' },
    { name: 'errors', description: 'FlowFiles whose document resulted in an "error" within Elasticsearch (e.g. a mapping conflict) are routed here, with elasticsearch.bulk.error.', terminalFailure: true },
    { name: 'retry', description: 'FlowFiles whose document Elasticsearch kept rejecting as busy or unavailable, or whose request kept failing transiently, after the bounded retries; send them again later.', terminalFailure: true },
    { name: 'failure', description: 'FlowFiles that cannot be sent at all (invalid JSON, an empty identifier or index, a request Elasticsearch refused as a whole).', terminalFailure: true },
  ],
  dynamicRelationships: (props) => (props.get('Output Error Responses') === 'true'
    ? [{ name: 'error_responses', description: 'Elasticsearch _bulk API responses marked as "error" go here.' }]
    : []),
  readsAttributes: [{ name: '<Identifier Attribute>', description: 'The document id, when Identifier Attribute is set.' }],
  writesAttributes: [
    { name: ATTR_PUT_ERROR, description: 'The error message if there is an issue parsing the FlowFile, sending the document to Elasticsearch or parsing the response.' },
    { name: ATTR_BULK_ERROR, description: 'The _bulk response item (status, error type and reason) if the document resulted in an error within Elasticsearch.' },
  ],
  customValidate: (ctx) => validate((n) => ctx.value(n)),
  onScheduled(ctx) {
    ctx.state = stateFrom(ctx);
  },
  async onTrigger(ctx, session) {
    const s = ctx.state;
    const flowFiles = session.get(s.maxFlowFiles);
    if (flowFiles.length === 0) return;
    const client = ctx.controllerService<ElasticsearchClientHandle>('Client Service');

    const opOf = perFlowFile(s.operation);
    const indexOf = perFlowFile(s.index);
    const charsetOf = perFlowFile(s.charset);
    const idOf = documentIdOf(s);
    const ops: (BulkOperation & { ff: FlowFile })[] = [];
    for (const ff of flowFiles) {
      try {
        const op = buildOperation({
          op: opOf(ff) ?? 'index',
          index: indexOf(ff),
          id: idOf(ff),
          content: session.read(ff),
          charset: charsetOf(ff) ?? 'UTF-8',
          suppressNulls: s.suppress,
          headerFields: evaluateAll(s.headerParams, ff),
        });
        ops.push(Object.assign(op, { ff }));
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if (!(e instanceof DocumentError)) ctx.logger.warn({ err: e }, 'could not build a bulk operation');
        ctx.bulletin('WARNING', `${ff.getAttribute('filename') ?? ff.id} cannot be sent to Elasticsearch and goes to failure: ${msg}`);
        session.transfer(session.penalize(session.putAttribute(ff, ATTR_PUT_ERROR, msg)), 'failure');
      }
    }
    if (ops.length === 0) return;

    let params: Record<string, string>;
    try {
      params = evaluateAll(s.urlParams, ops[0].ff) ?? {};
    } catch (e) {
      const reason = `cannot evaluate the URL parameters: ${(e as Error).message}`;
      route(ctx, session, ops.map((o) => o.ff), ops.map(() => ({ kind: 'failure', reason })));
      return;
    }
    const outcomes: Outcome[] = [];
    for (const chunk of chunkOperations(ops, s.maxBytes)) {
      const result = await sendOperations(client, chunk, params, s.backoff);
      outcomes.push(...result.outcomes);
    }
    route(ctx, session, ops.map((o) => o.ff), outcomes);
  },
});

function route(ctx: ProcessContext<State>, session: ProcessSession, flowFiles: FlowFile[], outcomes: Outcome[]): void {
  const s = ctx.state;
  const originalConnected = ctx.isConnected('original');
  const errorItems: BulkItemResult[] = [];
  let firstErrored: FlowFile | null = null;
  let retried = 0;
  let failed = 0;
  let lastReason = '';
  for (let i = 0; i < flowFiles.length; i++) {
    let ff = flowFiles[i];
    const o = outcomes[i];
    if (o.kind === 'retry' || o.kind === 'failure') {
      ff = session.putAttribute(ff, ATTR_PUT_ERROR, o.reason);
      session.transfer(session.penalize(ff), o.kind);
      if (o.kind === 'retry') retried++; else failed++;
      lastReason = o.reason;
      continue;
    }
    if (originalConnected) session.transfer(session.clone(ff), 'original');
    if (o.kind === 'success' || (o.kind === 'not_found' && s.notFoundIsSuccess)) {
      session.transfer(ff, 'successful');
      continue;
    }
    ff = session.putAttribute(ff, ATTR_BULK_ERROR, bulkErrorAttribute(o.item));
    errorItems.push(o.item);
    firstErrored ??= ff;
    session.transfer(ff, 'errors');
  }
  if (errorItems.length) {
    const summary = `${errorItems.length} document(s) resulted in an error within Elasticsearch; first: ${describeItemError(errorItems[0])}`;
    ctx.bulletin('WARNING', summary);
    if (s.logErrors) ctx.logger.error({ errors: errorItems }, summary);
    else ctx.logger.debug({ errors: errorItems }, summary);
    if (s.outputErrors && firstErrored) {
      let report = session.createChildWithContent(firstErrored, JSON.stringify(errorItems, null, 2));
      report = session.putAllAttributes(report, { 'elasticsearch.put.error.count': String(errorItems.length), 'mime.type': 'application/json', [ATTR_BULK_ERROR]: undefined });
      session.transfer(report, 'error_responses');
    }
  }
  if (retried) ctx.bulletin('WARNING', `${retried} FlowFile(s) routed to retry: ${lastReason}`);
  if (failed) ctx.bulletin('ERROR', `${failed} FlowFile(s) routed to failure: ${lastReason}`);
}
