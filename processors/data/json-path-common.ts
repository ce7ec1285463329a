// What EvaluateJsonPath and SplitJson share (NiFi's AbstractJsonPathProcessor): the null value
// representation, the maximum string length, reading the content as JSON, and how a result is
// written as text.
import type { PropertyDescriptor } from '../../server/sdk/definition.ts';
import { Validators, type Validator } from '../../server/sdk/validators.ts';
import { parseDataSize } from '../../server/engine/units.ts';
import type { FlowFile } from '../../server/engine/flowfile.ts';
import { parseJson, isScalar, scalarToString, toJson, JsonParseError, type JsonValue } from './json.ts';
import { jsonPathProblem } from './jsonpath.ts';

export const EMPTY_STRING_OPTION = 'empty string';
export const NULL_STRING_OPTION = "the string 'null'";

export const NULL_VALUE_REPRESENTATION: PropertyDescriptor = {
  name: 'Null Value Representation',
  description: 'Indicates the desired representation of JSON Path expressions resulting in a null value.',
  required: true,
  defaultValue: EMPTY_STRING_OPTION,
  allowableValues: [EMPTY_STRING_OPTION, NULL_STRING_OPTION],
};

export const MAX_STRING_LENGTH: PropertyDescriptor = {
  name: 'Max String Length',
  description: 'The maximum allowed length of a string value when parsing the JSON document',
  required: true,
  defaultValue: '20 MB',
  validator: Validators.dataSize(),
};

export function nullRepresentation(value: string | undefined): string {
  return value === NULL_STRING_OPTION ? 'null' : '';
}

export function maxStringLength(value: string | undefined): number {
  const n = parseDataSize(value ?? '20 MB') ?? 20 * 1024 * 1024;
  return Math.min(n, 2 ** 31 - 1);
}

/** A JsonPath validator with NiFi's messages. */
export const jsonPathValidator: Validator = {
  description: 'JsonPath expression',
  schema: { type: 'string', minLength: 1 },
  validate(v) {
    if (v.trim() === '') return 'the expression cannot be empty.';
    const problem = jsonPathProblem(v);
    return problem === null ? null : `specified expression was not valid: ${v} (${problem})`;
  },
};

/** The FlowFile's content as JSON (UTF-8); throws JsonParseError when it is not valid JSON or is null. */
export function readJsonContent(ff: FlowFile, maxString: number): JsonValue {
  const doc = parseJson(ff.content().toString('utf8'), { maxStringLength: maxString });
  if (doc === null) throw new NullDocumentError('json can not be null');
  return doc;
}

/** The content was the JSON literal null, which Jayway refuses as a document. */
export class NullDocumentError extends JsonParseError {}

/** NiFi's getResultRepresentation: scalars with toString() (null as the configured text), the rest as JSON. */
export function resultRepresentation(v: JsonValue, nullValue: string): string {
  return isScalar(v) ? scalarToString(v, nullValue) : toJson(v);
}
