// EvaluateJsonPath: evaluates JsonPath expressions (one per dynamic property) against JSON content and
// writes the results to attributes named after the properties, or replaces the content with the
// result of the single expression.
import { defineProcessor } from '../../server/sdk/definition.ts';
import { JsonParseError, isScalar } from './json.ts';
import { compileJsonPath, InvalidJsonPathError, PathNotFoundError, type CompiledJsonPath } from './jsonpath.ts';
import {
  MAX_STRING_LENGTH, NULL_VALUE_REPRESENTATION, jsonPathValidator, maxStringLength, nullRepresentation,
  readJsonContent, resultRepresentation,
} from './json-path-common.ts';

const DESTINATION_ATTRIBUTE = 'flowfile-attribute';
const DESTINATION_CONTENT = 'flowfile-content';
const RETURN_AUTO = 'auto-detect';
const RETURN_JSON = 'json';
const RETURN_SCALAR = 'scalar';
const NOT_FOUND_IGNORE = 'ignore';
const NOT_FOUND_WARN = 'warn';
const NOT_FOUND_SKIP = 'skip';

interface State {
  paths: { attribute: string; path: CompiledJsonPath }[];
  toAttribute: boolean;
  scalar: boolean;
  notFound: string;
  nullValue: string;
  maxString: number;
}

export const EvaluateJsonPath = defineProcessor<State>({
  type: 'EvaluateJsonPath',
  description: "Evaluates one or more JsonPath expressions against the content of a FlowFile. The results of those expressions are assigned to FlowFile Attributes or are written to the content of the FlowFile itself, depending on configuration of the Processor. JsonPaths are entered by adding user-defined properties; the name of the property maps to the Attribute Name into which the result will be placed (if the Destination is flowfile-attribute; otherwise, the property name is ignored). The value of the property must be a valid JsonPath expression. A Return Type of 'auto-detect' will make a determination based off the configured destination. When 'Destination' is set to 'flowfile-attribute,' a return type of 'scalar' will be used. When 'Destination' is set to 'flowfile-content,' a return type of 'JSON' will be used.If the JsonPath evaluates to a JSON array or JSON object and the Return Type is set to 'scalar' the FlowFile will be unmodified and will be routed to failure. A Return Type of JSON can return scalar values if the provided JsonPath evaluates to the specified value and will be routed as a match.If Destination is 'flowfile-content' and the JsonPath does not evaluate to a defined path, the FlowFile will be routed to 'unmatched' without having its contents modified. If Destination is 'flowfile-attribute' and the expression matches nothing, attributes will be created with empty strings as the value unless 'Path Not Found Behaviour' is set to 'skip', and the FlowFile will always be routed to 'matched.'",
  tags: ['JSON', 'evaluate', 'JsonPath'],
  inputRequirement: 'required',
  properties: [
    {
      name: 'Destination',
      description: 'Indicates whether the results of the JsonPath evaluation are written to the FlowFile content or a FlowFile attribute; if using attribute, must specify the Attribute Name property. If set to flowfile-content, only one JsonPath may be specified, and the property name is ignored.',
      required: true,
      defaultValue: DESTINATION_CONTENT,
      allowableValues: [DESTINATION_CONTENT, DESTINATION_ATTRIBUTE],
    },
    {
      name: 'Return Type',
      description: "Indicates the desired return type of the JSON Path expressions.  Selecting 'auto-detect' will set the return type to 'json' for a Destination of 'flowfile-content', and 'scalar' for a Destination of 'flowfile-attribute'.",
      required: true,
      defaultValue: RETURN_AUTO,
      allowableValues: [RETURN_AUTO, RETURN_JSON, RETURN_SCALAR],
    },
    {
      name: 'Path Not Found Behavior',
      description: "Indicates how to handle missing JSON path expressions when destination is set to 'flowfile-attribute'. Selecting 'warn' will generate a warning when a JSON path expression is not found. Selecting 'skip' will omit attributes for any unmatched JSON path expressions.",
      required: true,
      defaultValue: NOT_FOUND_IGNORE,
      allowableValues: [NOT_FOUND_WARN, NOT_FOUND_IGNORE, NOT_FOUND_SKIP],
      dependsOn: { property: 'Destination', values: [DESTINATION_ATTRIBUTE] },
    },
    NULL_VALUE_REPRESENTATION,
    MAX_STRING_LENGTH,
  ],
  relationships: [
    { name: 'matched', description: 'FlowFiles are routed to this relationship when the JsonPath is successfully evaluated and the FlowFile is modified as a result' },
    { name: 'unmatched', description: 'FlowFiles are routed to this relationship when the JsonPath does not match the content of the FlowFile and the Destination is set to flowfile-content' },
    { name: 'failure', description: 'FlowFiles are routed to this relationship when the JsonPath cannot be evaluated against the content of the FlowFile; for instance, if the FlowFile is not valid JSON' },
  ],
  dynamicProperties: {
    name: "A FlowFile attribute(if <Destination> is set to 'flowfile-attribute')",
    value: 'A JsonPath expression',
    description: "If <Destination>='flowfile-attribute' then that FlowFile attribute will be set to any JSON objects that match the JsonPath.  If <Destination>='flowfile-content' then the FlowFile content will be updated to any JSON objects that match the JsonPath.",
    expressionLanguage: 'none',
    validator: jsonPathValidator,
  },
  customValidate(ctx) {
    const destination = ctx.value('Destination') ?? DESTINATION_CONTENT;
    if (destination === DESTINATION_CONTENT && ctx.dynamicProperties.size !== 1) {
      return [{ message: `Exactly one JsonPath must be set if using destination of ${DESTINATION_CONTENT}` }];
    }
    return [];
  },
  initialState: () => ({ paths: [], toAttribute: false, scalar: false, notFound: NOT_FOUND_IGNORE, nullValue: '', maxString: 20 * 1024 * 1024 }),
  onScheduled(ctx) {
    const s = ctx.state;
    s.toAttribute = ctx.property('Destination').value === DESTINATION_ATTRIBUTE;
    let returnType = ctx.property('Return Type').value ?? RETURN_AUTO;
    if (returnType === RETURN_AUTO) returnType = s.toAttribute ? RETURN_SCALAR : RETURN_JSON;
    s.scalar = returnType === RETURN_SCALAR;
    s.notFound = ctx.property('Path Not Found Behavior').value ?? NOT_FOUND_IGNORE;
    s.nullValue = nullRepresentation(ctx.property('Null Value Representation').value);
    s.maxString = maxStringLength(ctx.property('Max String Length').value);
    s.paths = [...ctx.dynamicProperties].map(([attribute, value]) => ({ attribute, path: compileJsonPath(value.value ?? '') }));
  },
  onTrigger(ctx, session) {
    const s = ctx.state;
    const flowFiles = session.get(100);
    next: for (const original of flowFiles) {
      let ff = original;
      let doc;
      try {
        doc = readJsonContent(ff, s.maxString);
      } catch (e) {
        if (!(e instanceof JsonParseError)) throw e;
        ctx.logger.error({ flowFile: ff.id, err: e.message }, 'FlowFile did not have valid JSON content');
        ctx.bulletin('ERROR', `FlowFile ${ff.id} did not have valid JSON content: ${e.message}`);
        session.transfer(ff, 'failure');
        continue;
      }
      const results: Record<string, string> | null = s.toAttribute ? {} : null;
      let any = false;
      for (const { attribute, path } of s.paths) {
        let result;
        try {
          result = path.read(doc);
        } catch (e) {
          if (e instanceof PathNotFoundError) {
            if (s.notFound === NOT_FOUND_WARN) {
              ctx.logger.warn({ flowFile: ff.id, path: path.source, attribute }, 'could not find path');
              ctx.bulletin('WARNING', `FlowFile ${ff.id} could not find path ${path.source} for attribute key ${attribute}.`);
            }
            if (results !== null) {
              if (s.notFound !== NOT_FOUND_SKIP) { results[attribute] = ''; any = true; }
              continue;
            }
            session.transfer(ff, 'unmatched');
            continue next;
          }
          if (e instanceof InvalidJsonPathError) {
            // NiFi lets this exception escape (rolling the FlowFile back forever); Sluice routes it to failure.
            ctx.logger.error({ flowFile: ff.id, path: path.source, err: e.message }, 'JsonPath could not be evaluated');
            ctx.bulletin('ERROR', `JsonPath ${path.source} could not be evaluated against FlowFile ${ff.id}: ${e.message}; routing to failure`);
            session.transfer(ff, 'failure');
            continue next;
          }
          throw e;
        }
        if (s.scalar && !isScalar(result)) {
          ctx.logger.error({ flowFile: ff.id, path: path.source }, 'unable to return a scalar value');
          ctx.bulletin('ERROR', `Unable to return a scalar value for the expression ${path.source} for FlowFile ${ff.id}. Evaluated value was ${resultRepresentation(result, s.nullValue)}. Transferring to failure.`);
          session.transfer(ff, 'failure');
          continue next;
        }
        const text = resultRepresentation(result, s.nullValue);
        if (results !== null) { results[attribute] = text; any = true; }
        else ff = session.write(ff, text);
      }
      if (results !== null && any) ff = session.putAllAttributes(ff, results);
      session.transfer(ff, 'matched');
    }
  },
});
