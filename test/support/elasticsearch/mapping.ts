// Per-index field mappings, built dynamically the way Elasticsearch does by default:
//   string -> text (+ .keyword subfield, ignore_above 256), or date when it looks like a date (date_detection)
//   integer number -> long, fractional number -> float, boolean -> boolean, object -> object
// A later value the mapped type cannot take fails the document with a 400 document_parsing_exception
// (what ES 8.8+/9 reports; older releases called it mapper_parsing_exception — see `parsingErrorType`).
import type { EsCause } from './errors.ts';

export type FieldType =
  | 'text'
  | 'keyword'
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'float'
  | 'double'
  | 'half_float'
  | 'scaled_float'
  | 'boolean'
  | 'date'
  | 'object'
  | 'nested'
  | (string & {});

export interface FieldDef {
  type: FieldType;
  /** text fields created dynamically carry a keyword subfield */
  keywordSubfield?: boolean;
}

export type DynamicMode = 'true' | 'false' | 'strict' | 'runtime';

interface ApplyState {
  id: string;
  /** fields this document introduces; committed only when the whole document fits */
  added: Map<string, FieldDef>;
}

const INTEGER_TYPES = new Set(['long', 'integer', 'short', 'byte', 'unsigned_long']);
const FLOAT_TYPES = new Set(['float', 'double', 'half_float', 'scaled_float']);
const STRING_TYPES = new Set(['text', 'keyword', 'match_only_text', 'wildcard', 'constant_keyword']);
const OBJECT_TYPES = new Set(['object', 'nested']);
// date_detection's default dynamic_date_formats: strict_date_optional_time || yyyy/MM/dd HH:mm:ss Z || yyyy/MM/dd Z
const DATE_DETECT =
  /^(\d{4}-\d{2}-\d{2}([T ]\d{2}(:\d{2}(:\d{2}([.,]\d{1,9})?)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?|\d{4}\/\d{2}\/\d{2}( \d{2}:\d{2}:\d{2})?( ?[+-]\d{2}:?\d{2}|Z)?)$/;
const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
export const TOTAL_FIELDS_LIMIT = 1000;
export const KEYWORD_IGNORE_ABOVE = 256;

export function isIntegerType(t: string): boolean {
  return INTEGER_TYPES.has(t);
}
export function isNumericType(t: string): boolean {
  return INTEGER_TYPES.has(t) || FLOAT_TYPES.has(t);
}
export function isObjectType(t: string): boolean {
  return OBJECT_TYPES.has(t);
}
export function looksLikeDate(s: string): boolean {
  return DATE_DETECT.test(s) && !Number.isNaN(Date.parse(s.replace(/\//g, '-').replace(' ', 'T')));
}

function preview(v: unknown): string {
  if (v !== null && typeof v === 'object') {
    if (Array.isArray(v)) return `[${v.map(preview).join(', ')}]`;
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${preview(x)}`).join(', ')}}`;
  }
  return String(v);
}

/** Why `value` cannot go into a field of type `type`, or null when it can (ES coercion rules). */
function rejectReason(type: string, value: unknown, field: string): EsCause | null {
  if (value === null) return null;
  if (INTEGER_TYPES.has(type) || FLOAT_TYPES.has(type)) {
    if (typeof value === 'number') {
      if (INTEGER_TYPES.has(type) && Math.abs(value) > 9223372036854775807)
        return { type: 'illegal_argument_exception', reason: `Value [${value}] is out of range for a long` };
      return null;
    }
    if (typeof value === 'string' && NUMERIC.test(value)) return null;
    if (typeof value === 'string') return { type: 'illegal_argument_exception', reason: `For input string: "${value}"` };
    if (typeof value === 'boolean')
      return {
        type: 'x_content_parse_exception',
        reason: `Current token (VALUE_${String(value).toUpperCase()}) not numeric, can not use numeric value accessors`,
      };
    return { type: 'illegal_state_exception', reason: `Can't get text on a START_OBJECT` };
  }
  if (type === 'boolean') {
    if (typeof value === 'boolean' || value === 'true' || value === 'false' || value === '') return null;
    return {
      type: 'illegal_argument_exception',
      reason: `Failed to parse value [${preview(value)}] as only [true] or [false] are allowed.`,
    };
  }
  if (type === 'date' || type === 'date_nanos') {
    if (typeof value === 'number') return null;
    if (typeof value === 'string' && (looksLikeDate(value) || /^\d+$/.test(value))) return null;
    return {
      type: 'illegal_argument_exception',
      reason: `failed to parse date field [${preview(value)}] with format [strict_date_optional_time||epoch_millis]`,
    };
  }
  if (STRING_TYPES.has(type)) {
    if (typeof value === 'object') return { type: 'illegal_state_exception', reason: `Can't get text on a START_OBJECT` };
    return null;
  }
  return null; // other field types (ip, geo_point, flattened, ...) are accepted as-is
}

export class Mapping {
  readonly fields = new Map<string, FieldDef>();
  dynamic: DynamicMode = 'true';
  dateDetection = true;
  /** error type reported for a value that does not fit its field */
  parsingErrorType: string;

  constructor(parsingErrorType = 'document_parsing_exception') {
    this.parsingErrorType = parsingErrorType;
  }

  /** Load `mappings` from a create-index body: {dynamic?, date_detection?, properties: {...}}. */
  loadExplicit(mappings: unknown): void {
    if (!mappings || typeof mappings !== 'object') return;
    const m = mappings as Record<string, unknown>;
    if (m.dynamic !== undefined) this.dynamic = String(m.dynamic) as DynamicMode;
    if (m.date_detection !== undefined) this.dateDetection = m.date_detection === true || m.date_detection === 'true';
    const walk = (props: unknown, prefix: string) => {
      if (!props || typeof props !== 'object') return;
      for (const [name, def] of Object.entries(props as Record<string, Record<string, unknown>>)) {
        const path = prefix + name;
        const type = String(def.type ?? (def.properties ? 'object' : 'object'));
        const fields = def.fields as Record<string, { type?: string }> | undefined;
        this.fields.set(path, { type, keywordSubfield: fields?.keyword?.type === 'keyword' });
        if (def.properties) walk(def.properties, path + '.');
      }
    };
    walk(m.properties, '');
  }

  lookup(path: string): FieldDef | undefined {
    return this.fields.get(path);
  }

  /**
   * Check a document against the mapping, adding dynamic fields when it fits.
   * Returns null when accepted, or the item error cause (status 400) when rejected; a rejected document
   * adds no fields.
   */
  apply(doc: unknown, id: string): EsCause | null {
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
      return {
        type: this.parsingErrorType,
        reason: 'failed to parse',
        caused_by: { type: 'not_x_content_exception', reason: 'Compressor detection can only be called on some xcontent bytes or compressed xcontent bytes' },
      };
    const state: ApplyState = { id, added: new Map() };
    const err = this.visitObject('', doc as Record<string, unknown>, this.dynamic, state);
    if (err) return err;
    for (const [k, v] of state.added) this.fields.set(k, v);
    return null;
  }

  private typeOf(path: string, state: ApplyState): FieldDef | undefined {
    return this.fields.get(path) ?? (state.added.size ? state.added.get(path) : undefined);
  }

  private fail(field: string, type: string, value: unknown, cause: EsCause, state: ApplyState): EsCause {
    return {
      type: this.parsingErrorType,
      reason: `[1:${field.length + 2}] failed to parse field [${field}] of type [${type}] in document with id '${state.id}'. Preview of field's value: '${preview(value)}'`,
      caused_by: cause,
    };
  }

  private visitValue(path: string, value: unknown, dynamic: DynamicMode, state: ApplyState): EsCause | null {
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) {
      for (const v of value) {
        const err = this.visitValue(path, v, dynamic, state);
        if (err) return err;
      }
      return null;
    }
    let def = this.typeOf(path, state);
    if (!def) {
      if (dynamic === 'false') return null;
      if (dynamic === 'strict') {
        const dot = path.lastIndexOf('.');
        return {
          type: 'strict_dynamic_mapping_exception',
          reason: `[1:${path.length + 2}] mapping set to strict, dynamic introduction of [${path.slice(dot + 1)}] within [${dot < 0 ? '_doc' : path.slice(0, dot)}] is not allowed`,
        };
      }
      def = this.dynamicDef(value);
      if (this.fields.size + state.added.size >= TOTAL_FIELDS_LIMIT) {
        const reason = `Limit of total fields [${TOTAL_FIELDS_LIMIT}] has been exceeded while adding new fields [1]`;
        return { type: this.parsingErrorType, reason, caused_by: { type: 'illegal_argument_exception', reason } };
      }
      state.added.set(path, def);
    }
    if (typeof value === 'object') {
      if (!OBJECT_TYPES.has(def.type)) {
        const why = rejectReason(def.type, value, path);
        return why ? this.fail(path, def.type, value, why, state) : null;
      }
      return this.visitObject(path + '.', value as Record<string, unknown>, dynamic, state);
    }
    if (OBJECT_TYPES.has(def.type))
      return {
        type: this.parsingErrorType,
        reason: `[1:${path.length + 2}] object mapping for [${path}] tried to parse field [${path.slice(path.lastIndexOf('.') + 1)}] as object, but found a concrete value`,
      };
    const why = rejectReason(def.type, value, path);
    return why ? this.fail(path, def.type, value, why, state) : null;
  }

  private visitObject(prefix: string, obj: Record<string, unknown>, dynamic: DynamicMode, state: ApplyState): EsCause | null {
    for (const key in obj) {
      if (key === '') return { type: this.parsingErrorType, reason: `[1:2] field name cannot be an empty string` };
      let p = prefix;
      if (key.includes('.')) {
        // a dotted key "a.b" means object "a" with field "b"
        const parts = key.split('.');
        for (let i = 0; i < parts.length - 1; i++) {
          const objPath = p + parts[i];
          const existing = this.typeOf(objPath, state);
          if (existing && !OBJECT_TYPES.has(existing.type))
            return {
              type: this.parsingErrorType,
              reason: `Could not dynamically add mapping for field [${prefix}${key}]. Existing mapping for [${objPath}] must be of type object but found [${existing.type}].`,
            };
          if (!existing && dynamic === 'true') state.added.set(objPath, { type: 'object' });
          p = objPath + '.';
        }
        const err = this.visitValue(p + parts[parts.length - 1], obj[key], dynamic, state);
        if (err) return err;
      } else {
        const err = this.visitValue(p + key, obj[key], dynamic, state);
        if (err) return err;
      }
    }
    return null;
  }

  private dynamicDef(value: unknown): FieldDef {
    switch (typeof value) {
      case 'string':
        return this.dateDetection && looksLikeDate(value) ? { type: 'date' } : { type: 'text', keywordSubfield: true };
      case 'number':
        return { type: Number.isInteger(value) ? 'long' : 'float' };
      case 'boolean':
        return { type: 'boolean' };
      default:
        return { type: 'object' };
    }
  }

  /** The mapping in ES's GET _mapping shape. */
  toJSON(): Record<string, unknown> {
    const root: Record<string, unknown> = {};
    const paths = [...this.fields.keys()].sort();
    for (const path of paths) {
      const def = this.fields.get(path)!;
      const parts = path.split('.');
      let node = root;
      for (let i = 0; i < parts.length - 1; i++) {
        const parent = node[parts[i]] as Record<string, unknown> | undefined;
        if (!parent) break;
        parent.properties ??= {};
        node = parent.properties as Record<string, unknown>;
      }
      const out: Record<string, unknown> = OBJECT_TYPES.has(def.type) && def.type === 'object' ? {} : { type: def.type };
      if (def.keywordSubfield) out.fields = { keyword: { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE } };
      node[parts[parts.length - 1]] = out;
    }
    const result: Record<string, unknown> = {};
    if (this.dynamic !== 'true') result.dynamic = this.dynamic;
    if (Object.keys(root).length) result.properties = root;
    return result;
  }
}
