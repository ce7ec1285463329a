// SplitJson: splits a JSON array (found with a JsonPath expression) into one FlowFile per element.
import { randomUUID } from 'node:crypto';
import { defineProcessor } from '../../server/sdk/definition.ts';
import { Validators } from '../../server/sdk/validators.ts';
import { JsonParseError } from './json.ts';
import { compileJsonPath, InvalidJsonPathError, PathNotFoundError, jsonPathProblem, type CompiledJsonPath } from './jsonpath.ts';
import {
  MAX_STRING_LENGTH, NULL_VALUE_REPRESENTATION, maxStringLength, nullRepresentation, readJsonContent, resultRepresentation,
} from './json-path-common.ts';

const PATH_PROPERTY = 'JsonPath Expression';

interface State {
  path: CompiledJsonPath | null;
  nullValue: string;
  maxString: number;
}

export const SplitJson = defineProcessor<State>({
  type: 'SplitJson',
  description: "Splits a JSON File into multiple, separate FlowFiles for an array element specified by a JsonPath expression. Each generated FlowFile is comprised of an element of the specified array and transferred to relationship 'split,' with the original file transferred to the 'original' relationship. If the specified JsonPath is not found or does not evaluate to an array element, the original file is routed to 'failure' and no files are generated.",
  tags: ['json', 'split', 'jsonpath'],
  inputRequirement: 'required',
  properties: [
    {
      name: PATH_PROPERTY,
      description: 'A JsonPath expression that indicates the array element to split into JSON/scalar fragments.',
      required: true,
      validator: Validators.nonEmpty,
    },
    NULL_VALUE_REPRESENTATION,
    MAX_STRING_LENGTH,
  ],
  relationships: [
    { name: 'original', description: 'The original FlowFile that was split into segments. If the FlowFile fails processing, nothing will be sent to this relationship' },
    { name: 'split', description: 'All segments of the original FlowFile will be routed to this relationship' },
    { name: 'failure', description: 'If a FlowFile fails processing for any reason (for example, the FlowFile is not valid JSON or the specified path does not exist), it will be routed to this relationship' },
  ],
  writesAttributes: [
    { name: 'fragment.identifier', description: 'All split FlowFiles produced from the same parent FlowFile will have the same randomly generated UUID added for this attribute' },
    { name: 'fragment.index', description: 'A one-up number that indicates the ordering of the split FlowFiles that were created from a single parent FlowFile' },
    { name: 'fragment.count', description: 'The number of split FlowFiles generated from the parent FlowFile' },
    { name: 'segment.original.filename', description: 'The filename of the parent FlowFile' },
  ],
  customValidate(ctx) {
    const v = ctx.value(PATH_PROPERTY);
    if (v === undefined) return [];
    if (v.trim() === '') return [{ property: PATH_PROPERTY, message: 'the expression cannot be empty.' }];
    const problem = jsonPathProblem(v);
    return problem === null ? [] : [{ property: PATH_PROPERTY, message: `specified expression was not valid: ${v} (${problem})` }];
  },
  initialState: () => ({ path: null, nullValue: '', maxString: 20 * 1024 * 1024 }),
  onScheduled(ctx) {
    ctx.state.path = compileJsonPath(ctx.property(PATH_PROPERTY).value ?? '');
    ctx.state.nullValue = nullRepresentation(ctx.property('Null Value Representation').value);
    ctx.state.maxString = maxStringLength(ctx.property('Max String Length').value);
  },
  onTrigger(ctx, session) {
    const s = ctx.state;
    const path = s.path!;
    const flowFiles = session.get(100);
    for (const original of flowFiles) {
      let doc;
      try {
        doc = readJsonContent(original, s.maxString);
      } catch (e) {
        if (!(e instanceof JsonParseError)) throw e;
        ctx.logger.error({ flowFile: original.id, err: e.message }, 'FlowFile did not have valid JSON content');
        ctx.bulletin('ERROR', `FlowFile ${original.id} did not have valid JSON content: ${e.message}`);
        session.transfer(original, 'failure');
        continue;
      }
      let result;
      try {
        result = path.read(doc);
      } catch (e) {
        if (e instanceof PathNotFoundError) {
          ctx.logger.warn({ flowFile: original.id, path: path.source }, 'JsonPath could not be found');
          ctx.bulletin('WARNING', `JsonPath ${path.source} could not be found for FlowFile ${original.id}`);
          session.transfer(original, 'failure');
          continue;
        }
        if (e instanceof InvalidJsonPathError) {
          ctx.bulletin('ERROR', `JsonPath ${path.source} could not be evaluated against FlowFile ${original.id}: ${e.message}; routing to failure`);
          session.transfer(original, 'failure');
          continue;
        }
        throw e;
      }
      if (!Array.isArray(result)) {
        ctx.logger.error({ flowFile: original.id, path: path.source }, 'the evaluated value was not a JSON array');
        ctx.bulletin('ERROR', `The evaluated value ${resultRepresentation(result, s.nullValue)} of ${path.source} was not a JSON Array compatible type and cannot be split.`);
        session.transfer(original, 'failure');
        continue;
      }
      const fragmentId = randomUUID();
      const count = String(result.length);
      const filename = original.getAttribute('filename')!;
      for (let i = 0; i < result.length; i++) {
        const split = session.createChildWithContent(original, resultRepresentation(result[i], s.nullValue));
        session.transfer(session.putAllAttributes(split, {
          'fragment.identifier': fragmentId,
          'fragment.count': count,
          'segment.original.filename': filename,
          'fragment.index': String(i),
        }), 'split');
      }
      session.transfer(session.putAllAttributes(original, { 'fragment.identifier': fragmentId, 'fragment.count': count }), 'original');
    }
  },
});
