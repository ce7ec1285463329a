// Elasticsearch-style errors. A request-level failure is answered as
//   {"error": {"root_cause": [...], "type": "...", "reason": "...", ...}, "status": N}
// and a bulk item failure carries the bare cause object ({type, reason, ...}) in its "error" field.

export interface EsCause {
  type: string;
  reason: string;
  caused_by?: EsCause;
  [extra: string]: unknown;
}

export class EsError extends Error {
  readonly status: number;
  readonly detail: EsCause;
  /** Some ES errors (405, 406, no handler) are answered with a plain string in "error". */
  readonly plain: boolean;

  constructor(status: number, detail: EsCause, plain = false) {
    super(detail.reason);
    this.status = status;
    this.detail = detail;
    this.plain = plain;
  }

  toBody(): Record<string, unknown> {
    if (this.plain) return { error: this.detail.reason, status: this.status };
    const { caused_by: _ignored, ...root } = this.detail;
    return { error: { root_cause: [root], ...this.detail }, status: this.status };
  }
}

const shardInfo = (index: string, uuid: string) => ({ index_uuid: uuid, shard: '0', index });

export const errors = {
  indexNotFound: (index: string) =>
    new EsError(404, {
      type: 'index_not_found_exception',
      reason: `no such index [${index}]`,
      'resource.type': 'index_or_alias',
      'resource.id': index,
      index_uuid: '_na_',
      index,
    }),
  indexAlreadyExists: (index: string, uuid: string) =>
    new EsError(400, {
      type: 'resource_already_exists_exception',
      reason: `index [${index}/${uuid}] already exists`,
      index_uuid: uuid,
      index,
    }),
  invalidIndexName: (index: string, why: string) =>
    new EsError(400, {
      type: 'invalid_index_name_exception',
      reason: `Invalid index name [${index}], ${why}`,
      index_uuid: '_na_',
      index,
    }),
  documentAlreadyExists: (index: string, uuid: string, id: string, currentVersion: number) =>
    new EsError(409, {
      type: 'version_conflict_engine_exception',
      reason: `[${id}]: version conflict, document already exists (current version [${currentVersion}])`,
      ...shardInfo(index, uuid),
    }),
  seqNoConflict: (
    index: string,
    uuid: string,
    id: string,
    required: { seqNo: number; term: number },
    current: { seqNo: number; term: number } | null,
  ) =>
    new EsError(409, {
      type: 'version_conflict_engine_exception',
      reason: current
        ? `[${id}]: version conflict, required seqNo [${required.seqNo}], primary term [${required.term}]. current document has seqNo [${current.seqNo}] and primary term [${current.term}]`
        : `[${id}]: version conflict, required seqNo [${required.seqNo}], primary term [${required.term}] but no document was found`,
      ...shardInfo(index, uuid),
    }),
  documentMissing: (index: string, uuid: string, id: string) =>
    new EsError(404, { type: 'document_missing_exception', reason: `[${id}]: document missing`, ...shardInfo(index, uuid) }),
  illegalArgument: (reason: string, causedBy?: EsCause) =>
    new EsError(400, { type: 'illegal_argument_exception', reason, ...(causedBy ? { caused_by: causedBy } : {}) }),
  parse: (reason: string) => new EsError(400, { type: 'parse_exception', reason }),
  parsing: (reason: string) => new EsError(400, { type: 'parsing_exception', reason }),
  xContentParse: (reason: string) => new EsError(400, { type: 'x_content_parse_exception', reason }),
  validation: (problems: string[]) =>
    new EsError(400, {
      type: 'action_request_validation_exception',
      reason: `Validation Failed: ${problems.map((p, i) => `${i + 1}: ${p};`).join('')}`,
    }),
  rejected: (what: string) =>
    new EsError(429, {
      type: 'es_rejected_execution_exception',
      reason: `rejected execution of ${what} on EsThreadPoolExecutor[name = sluice-es-test/write, queue capacity = 10000, task execution rejected by the test server fault injector]`,
    }),
  unavailable: () =>
    new EsError(503, {
      type: 'cluster_block_exception',
      reason: 'blocked by: [SERVICE_UNAVAILABLE/2/no master];',
    }),
  noHandler: (uri: string, method: string) =>
    new EsError(400, { type: 'illegal_argument_exception', reason: `no handler found for uri [${uri}] and method [${method}]` }),
  methodNotAllowed: (uri: string, method: string, allowed: string[]) =>
    new EsError(
      405,
      { type: 'method_not_allowed', reason: `Incorrect HTTP method for uri [${uri}] and method [${method}], allowed: [${allowed.join(', ')}]` },
      true,
    ),
  contentTypeNotSupported: (contentType: string) =>
    new EsError(406, { type: 'content_type', reason: `Content-Type header [${contentType}] is not supported` }, true),
  mediaType: (reason: string) => new EsError(400, { type: 'media_type_header_exception', reason }),
  tooLarge: (length: number, max: number) =>
    new EsError(413, { type: 'content_too_long', reason: `Request content length [${length}] exceeds the limit [${max}]` }, true),
};
