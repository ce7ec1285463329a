// AttributesToJSON: writes a JSON object of (some of) a FlowFile's attributes to the 'JSONAttributes'
// attribute or to the content.
//
// Which attributes: the "Attributes List" (missing ones become "" or null), then those whose names
// match "Attributes Regular Expression" (a Java regex matched against the whole name, core attributes
// included); with neither, every attribute, minus the core attributes when "Include Core Attributes"
// is false. Keys appear in that order (NiFi's order comes from Java hash maps; see the report).
//
// Built for volume: the attribute list, the compiled regex and per-name regex results are computed
// once, and the JSON text is assembled directly.
import { defineProcessor } from '../../server/sdk/definition.ts';
import { Validators } from '../../server/sdk/validators.ts';
import { containsExpression } from '../../server/expression/index.ts';
import { javaTrim } from '../../server/expression/values.ts';
import type { FlowFile } from '../../server/engine/flowfile.ts';
import { AttributeShape, type AttributeMap } from '../../server/engine/attribute-map.ts';
import { compileJavaRegex } from '../../server/regex/java-regex.ts';
import { JsonBytes, pairKeyBytes } from './json-bytes.ts';
import { parseJson, toJson, toPrettyJson, JsonParseError, type JsonObject, type JsonValue } from './json.ts';

export const JSON_ATTRIBUTE_NAME = 'JSONAttributes';
const DESTINATION_ATTRIBUTE = 'flowfile-attribute';
const DESTINATION_CONTENT = 'flowfile-content';
const APPLICATION_JSON = 'application/json';
const MIME_TYPE = 'mime.type';
const MIME_SHAPE = new AttributeShape([MIME_TYPE]);
const MIME_VALUES = [APPLICATION_JSON];

/** NiFi's CoreAttributes. */
const CORE_ATTRIBUTES = new Set(['filename', 'path', 'absolute.path', 'mime.type', 'priority', 'discard.reason', 'alternate.identifier', 'uuid']);

interface State {
  list: string[] | null;
  listSet: Set<string>;
  pattern: RegExp | null;
  /** Regex results by attribute name (names repeat across FlowFiles). */
  matchCache: Map<string, boolean>;
  includeCore: boolean;
  nullValue: boolean;
  toContent: boolean;
  nested: boolean;
  pretty: boolean;
  quoted: Map<string, Buffer>;
  /** Per attribute shape: which of its names go into the JSON, with their quoted keys. */
  selections: WeakMap<AttributeShape, Selection>;
  recentShapes: AttributeShape[];
  recentSelections: Selection[];
  /** Scratch for walking a FlowFile's attribute layers. */
  layers: (AttributeMap | null)[];
  out: JsonBytes;
}

const RECENT_SHAPES = 4;

interface Selection {
  indexes: number[];
  /** '"name":' (UTF-8) for each selected index. */
  keys: Buffer[];
}

/** Compiles the regex as java.util.regex would, for Matcher.matches() (the whole name must match). */
function compileWholeMatch(pattern: string): RegExp {
  const re = compileJavaRegex(pattern);
  return new RegExp(`^(?:${re.source})$`, re.flags);
}

/** The list as NiFi reads it: split on commas (empty pieces dropped), each piece trimmed, duplicates dropped. */
function parseList(value: string | undefined): string[] | null {
  if (value === undefined || javaTrim(value) === '') return null;
  const out: string[] = [];
  const seen = new Set<string>();
  for (const piece of value.split(',')) {
    if (piece === '') continue;
    const name = javaTrim(piece);
    if (seen.has(name)) continue;
    seen.add(name);
    out.push(name);
  }
  return out;
}

export const AttributesToJSON = defineProcessor<State>({
  type: 'AttributesToJSON',
  description: "Generates a JSON representation of the input FlowFile Attributes. The resulting JSON can be written to either a new Attribute 'JSONAttributes' or written to the FlowFile as content. Attributes  which contain nested JSON objects can either be handled as JSON or as escaped JSON depending on the strategy chosen.",
  tags: ['json', 'attributes', 'flowfile'],
  inputRequirement: 'required',
  properties: [
    {
      name: 'Attributes List',
      description: 'Comma separated list of attributes to be included in the resulting JSON. If this value is left empty then all existing Attributes will be included. This list of attributes is case sensitive. If an attribute specified in the list is not found it will be be emitted to the resulting JSON with an empty string or NULL value.',
      validator: Validators.nonEmpty,
    },
    {
      name: 'Attributes Regular Expression',
      aliases: ['attributes-to-json-regex'],
      description: 'Regular expression that will be evaluated against the flow file attributes to select the matching attributes. This property can be used in combination with the attributes list property.',
      expressionLanguage: 'environment',
      validator: Validators.nonEmpty,
    },
    {
      name: 'Destination',
      description: `Control if JSON value is written as a new flowfile attribute '${JSON_ATTRIBUTE_NAME}' or written in the flowfile content. Writing to flowfile content will overwrite any existing flowfile content.`,
      required: true,
      defaultValue: DESTINATION_ATTRIBUTE,
      allowableValues: [DESTINATION_ATTRIBUTE, DESTINATION_CONTENT],
    },
    {
      name: 'Include Core Attributes',
      description: 'Determines if the FlowFile org.apache.nifi.flowfile.attributes.CoreAttributes which are contained in every FlowFile should be included in the final JSON value generated.',
      required: true,
      defaultValue: 'true',
      allowableValues: ['true', 'false'],
    },
    {
      name: 'Null Value',
      description: 'If true a non existing selected attribute will be NULL in the resulting JSON. If false an empty string will be placed in the JSON',
      required: true,
      defaultValue: 'false',
      allowableValues: ['true', 'false'],
    },
    {
      name: 'JSON Handling Strategy',
      description: 'Strategy to use for handling attributes which contain nested JSON.',
      required: true,
      defaultValue: 'ESCAPED',
      allowableValues: [
        { value: 'ESCAPED', displayName: 'Escaped', description: 'Escapes JSON attribute values to strings' },
        { value: 'NESTED', displayName: 'Nested', description: 'Handles JSON attribute values as nested structured objects or arrays' },
      ],
    },
    {
      name: 'Pretty Print',
      description: 'Apply pretty print formatting to the output.',
      required: true,
      defaultValue: 'false',
      allowableValues: ['true', 'false'],
      dependsOn: { property: 'Destination', values: [DESTINATION_CONTENT] },
    },
  ],
  relationships: [
    { name: 'success', description: 'Successfully converted attributes to JSON' },
    { name: 'failure', description: 'Failed to convert attributes to JSON' },
  ],
  writesAttributes: [{ name: JSON_ATTRIBUTE_NAME, description: 'JSON representation of Attributes' }],
  customValidate(ctx) {
    const v = ctx.value('Attributes Regular Expression');
    if (v === undefined || containsExpression(v)) return [];
    try {
      compileWholeMatch(v);
      return [];
    } catch (e) {
      return [{ property: 'Attributes Regular Expression', message: `is not a valid regular expression: ${(e as Error).message}` }];
    }
  },
  initialState: () => ({
    list: null, listSet: new Set(), pattern: null, matchCache: new Map(), includeCore: true, nullValue: false,
    toContent: false, nested: false, pretty: false, quoted: new Map(), selections: new WeakMap(), recentShapes: [], recentSelections: [], layers: [], out: new JsonBytes(),
  }),
  onScheduled(ctx) {
    const s = ctx.state;
    s.list = parseList(ctx.property('Attributes List').value);
    s.listSet = new Set(s.list ?? []);
    const regex = ctx.property('Attributes Regular Expression').evaluate();
    s.pattern = regex !== undefined ? compileWholeMatch(regex) : null;
    s.matchCache = new Map();
    s.quoted = new Map();
    s.selections = new WeakMap();
    s.recentShapes = [];
    s.recentSelections = [];
    s.includeCore = ctx.property('Include Core Attributes').value !== 'false';
    s.nullValue = ctx.property('Null Value').value === 'true';
    s.toContent = ctx.property('Destination').value === DESTINATION_CONTENT;
    s.nested = ctx.property('JSON Handling Strategy').value === 'NESTED';
    s.pretty = s.toContent && ctx.property('Pretty Print').value === 'true';
  },
  onTrigger(ctx, session) {
    const s = ctx.state;
    const flowFiles = session.get(1000);
    const structured = s.nested || s.pretty;
    const out = s.out;
    out.reset();
    const written: FlowFile[] = [];
    const ends: number[] = [];
    for (let i = 0; i < flowFiles.length; i++) {
      const ff = flowFiles[i];
      let json: string | null = null;
      const start = out.length;
      try {
        if (structured) json = structuredJson(s, ff);
        else {
          appendPlainJson(s, ff, out);
          if (!s.toContent) json = out.text(start, out.length);
        }
      } catch (e) {
        if (!(e instanceof JsonParseError)) throw e;
        out.length = start;
        ctx.logger.error({ flowFile: ff.id, err: e.message }, 'an attribute holds invalid JSON');
        ctx.bulletin('ERROR', `${ff.id}: an attribute value that looks like JSON could not be parsed: ${e.message}; routing to failure`);
        session.transfer(ff, 'failure');
        continue;
      }
      if (!s.toContent) {
        out.length = start;
        session.transfer(session.putAttribute(ff, JSON_ATTRIBUTE_NAME, json!), 'success');
        continue;
      }
      if (json !== null) out.raw(json);
      written.push(ff);
      ends.push(out.length);
    }
    if (written.length === 0) return;
    // to content: the batch's JSON goes into one claim, each FlowFile pointing at its range
    const claim = ctx.contentStore.create(out.take());
    let offset = 0;
    for (let i = 0; i < written.length; i++) {
      const ff = written[i];
      const size = ends[i] - offset;
      const attrs = ff.attributeMap.get(MIME_TYPE) === APPLICATION_JSON ? ff.attributeMap : ff.attributeMap.withShape(MIME_SHAPE, MIME_VALUES);
      session.transfer(session.setContent(ff, claim, offset, size, attrs), 'success');
      offset += size;
    }
  },
});

/** '"name":' (UTF-8) for a pair of the output object. */
function pairKey(s: State, name: string): Buffer {
  let q = s.quoted.get(name);
  if (q === undefined) {
    q = pairKeyBytes(name);
    if (s.quoted.size < 10_000) s.quoted.set(name, q);
  }
  return q;
}

const FILENAME_KEY = pairKeyBytes('filename');
const PATH_KEY = pairKeyBytes('path');
const UUID_KEY = pairKeyBytes('uuid');

function matches(s: State, name: string): boolean {
  let m = s.matchCache.get(name);
  if (m === undefined) {
    m = s.pattern!.test(name);
    if (s.matchCache.size < 10_000) s.matchCache.set(name, m);
  }
  return m;
}

/**
 * Visits the selected attributes in output order. `visit` gets undefined for a listed attribute the
 * FlowFile does not have.
 */
function selectAttributes(s: State, ff: FlowFile, visit: (name: string, value: string | undefined) => void): void {
  const list = s.list;
  const attrs = ff.attrs;
  if (list === null && s.pattern === null) {
    // Every attribute, in FlowFile.attributes() order: filename, path, the rest, uuid.
    const core = s.includeCore;
    if (core) {
      visit('filename', attrs.filename ?? ff.id);
      visit('path', attrs.path ?? './');
    }
    for (const k in attrs) {
      if (k === 'filename' || k === 'path') continue;
      if (!core && CORE_ATTRIBUTES.has(k)) continue;
      visit(k, attrs[k]);
    }
    if (core) visit('uuid', ff.id);
    return;
  }
  let seen: Set<string> | null = null;
  if (list !== null) {
    for (let i = 0; i < list.length; i++) visit(list[i], ff.getCoreAttribute(list[i]));
    if (s.pattern !== null) seen = new Set(list);
  }
  if (s.pattern !== null) {
    const consider = (k: string, v: string) => {
      if (matches(s, k) && (seen === null || !seen.has(k))) visit(k, v);
    };
    consider('filename', attrs.filename ?? ff.id);
    consider('path', attrs.path ?? './');
    for (const k in attrs) {
      if (k === 'filename' || k === 'path') continue;
      consider(k, attrs[k]);
    }
    consider('uuid', ff.id);
  }
}

/** Whether an attribute of the map (other than filename and path, which are placed first) goes into the JSON. */
function selected(s: State, name: string): boolean {
  if (name === 'filename' || name === 'path') return false;
  if (s.list === null && s.pattern === null) return s.includeCore || !CORE_ATTRIBUTES.has(name);
  return s.pattern !== null && matches(s, name) && !(s.list !== null && s.listSet.has(name));
}

function selectionOf(s: State, shape: AttributeShape): Selection {
  // the few shapes a run of similar FlowFiles has (file, split, extraction) hit here without a WeakMap lookup
  const recent = s.recentShapes;
  for (let i = 0; i < recent.length; i++) if (recent[i] === shape) return s.recentSelections[i];
  let sel = s.selections.get(shape);
  if (sel === undefined) {
    sel = { indexes: [], keys: [] };
    const names = shape.names;
    for (let i = 0; i < names.length; i++) {
      if (!selected(s, names[i])) continue;
      sel.indexes.push(i);
      sel.keys.push(pairKey(s, names[i]));
    }
    s.selections.set(shape, sel);
  }
  if (recent.length === RECENT_SHAPES) { recent.shift(); s.recentSelections.shift(); }
  recent.push(shape);
  s.recentSelections.push(sel);
  return sel;
}

/** The selected attributes of the map, oldest layer first. */
function appendSelected(s: State, ff: FlowFile, out: JsonBytes): void {
  const map = ff.attributeMap;
  if (!map.shadowFree) {
    const attrs = map.toObject();
    for (const k in attrs) if (selected(s, k)) out.pair(pairKey(s, k), attrs[k]);
    return;
  }
  const layers = s.layers;
  let n = 0;
  for (let m: AttributeMap | null = map; m !== null; m = m.parent) layers[n++] = m;
  while (n > 0) {
    const layer = layers[--n]!;
    layers[n] = null;
    const { indexes, keys } = selectionOf(s, layer.shape);
    const values = layer.values;
    for (let i = 0; i < indexes.length; i++) out.pair(keys[i], values[indexes[i]] as string);
  }
}

/** ESCAPED strategy, compact output: appends the JSON object (same selection as selectAttributes). */
function appendPlainJson(s: State, ff: FlowFile, out: JsonBytes): void {
  const list = s.list;
  const map = ff.attributeMap;
  out.beginObject();
  if (list === null && s.pattern === null) {
    const core = s.includeCore;
    if (core) {
      out.pair(FILENAME_KEY, map.get('filename') ?? ff.id);
      out.pair(PATH_KEY, map.get('path') ?? './');
    }
    appendSelected(s, ff, out);
    if (core) out.pair(UUID_KEY, ff.id);
  } else {
    if (list !== null) {
      const missing = s.nullValue ? null : '';
      for (let i = 0; i < list.length; i++) out.pair(pairKey(s, list[i]), ff.getCoreAttribute(list[i]) ?? missing);
    }
    if (s.pattern !== null) {
      const seen = list !== null ? s.listSet : null;
      if (matches(s, 'filename') && (seen === null || !seen.has('filename'))) out.pair(FILENAME_KEY, map.get('filename') ?? ff.id);
      if (matches(s, 'path') && (seen === null || !seen.has('path'))) out.pair(PATH_KEY, map.get('path') ?? './');
      appendSelected(s, ff, out);
      if (matches(s, 'uuid') && (seen === null || !seen.has('uuid'))) out.pair(UUID_KEY, ff.id);
    }
  }
  out.endObject();
}

/** NESTED strategy and/or pretty printing: builds the value tree, parsing values that look like JSON. */
function structuredJson(s: State, ff: FlowFile): string {
  const obj: JsonObject = new Map();
  const nullValue = s.nullValue;
  selectAttributes(s, ff, (name, value) => {
    let v: JsonValue = value === undefined ? (nullValue ? null : '') : value;
    if (s.nested && typeof v === 'string') {
      const t = javaTrim(v);
      if ((t.startsWith('[') && t.endsWith(']')) || (t.startsWith('{') && t.endsWith('}'))) v = parseJson(t);
    }
    obj.set(name, v);
  });
  return s.pretty ? toPrettyJson(obj) : toJson(obj);
}
