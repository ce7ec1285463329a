// Schema-driven encoder/decoder: compiles a MessageDef for one version into a flat plan, then
// reads/writes plain objects keyed by the JSON field names (e.g. req.TopicData[0].PartitionData).
// Fields absent from a version decode to their default, so handlers see one shape for all versions.
import { DecodeError, Reader, Writer } from './codec.ts';
import { inRange, loadDefinitions, parseVersions, type FieldDef, type MessageDef } from './definitions.ts';

type Prim = 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64' | 'string' | 'bytes' | 'uuid' | 'records';
const PRIMS = new Set<string>(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'uuid', 'records']);

interface FieldPlan {
  name: string;
  /** primitive of the value, or of the elements when array; 'struct' for nested structs */
  kind: Prim | 'struct';
  array: boolean;
  nullable: boolean;
  compact: boolean;
  tag: number; // -1 when not tagged
  struct: StructPlan | null;
  def: unknown;
}

export interface StructPlan {
  fields: FieldPlan[];
  tagged: FieldPlan[];
  flexible: boolean;
  /** every field name of the definition (any version) with its default, used to fill absent ones */
  absent: { name: string; def: () => unknown }[];
}

export type Msg = Record<string, any>;

const ZERO_UUID = Buffer.alloc(16);

function defaultFor(f: FieldDef, nullable: boolean): unknown {
  if (f.type.startsWith('[]')) return nullable && f.default === 'null' ? null : [];
  const d = f.default;
  switch (f.type) {
    case 'bool':
      return d === true || d === 'true';
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'int64':
    case 'float64':
      return d === undefined || d === '' ? 0 : Number(d);
    case 'string':
      if (d === 'null') return null;
      return d === undefined ? '' : String(d);
    case 'bytes':
    case 'records':
      return nullable ? null : Buffer.alloc(0);
    case 'uuid':
      return ZERO_UUID;
    default:
      return null; // nested struct: absent
  }
}

function compileStruct(fields: FieldDef[], version: number, flexible: boolean): StructPlan {
  const plan: StructPlan = { fields: [], tagged: [], flexible, absent: [] };
  for (const f of fields) {
    const present = inRange(parseVersions(f.versions ?? '0+'), version);
    const nullable = inRange(parseVersions(f.nullableVersions), version);
    if (!present) {
      const nested = f.fields && !f.type.startsWith('[]') ? f : null;
      plan.absent.push({ name: f.name, def: () => (nested ? null : cloneDefault(defaultFor(f, nullable))) });
      continue;
    }
    const array = f.type.startsWith('[]');
    const base = array ? f.type.slice(2) : f.type;
    const isPrim = PRIMS.has(base);
    if (!isPrim && !f.fields) throw new Error(`field ${f.name}: unknown type ${f.type}`);
    const fieldFlexible = flexible && f.flexibleVersions !== 'none';
    const tagged = f.tag !== undefined && inRange(parseVersions(f.taggedVersions), version);
    const p: FieldPlan = {
      name: f.name,
      kind: isPrim ? (base as Prim) : 'struct',
      array,
      nullable,
      compact: fieldFlexible,
      tag: tagged ? (f.tag as number) : -1,
      struct: isPrim ? null : compileStruct(f.fields!, version, flexible),
      def: defaultFor(f, nullable),
    };
    if (tagged) {
      if (!flexible) continue;
      plan.tagged.push(p);
    } else plan.fields.push(p);
  }
  plan.tagged.sort((a, b) => a.tag - b.tag);
  return plan;
}

function cloneDefault(v: unknown): unknown {
  return Array.isArray(v) ? [] : v;
}

const planCache = new Map<string, StructPlan>();

export function planFor(def: MessageDef, version: number): StructPlan {
  const key = `${def.name}@${version}`;
  let p = planCache.get(key);
  if (!p) {
    if (!inRange(parseVersions(def.validVersions), version)) throw new DecodeError(`${def.name} has no version ${version}`);
    p = compileStruct(def.fields, version, inRange(parseVersions(def.flexibleVersions), version));
    planCache.set(key, p);
  }
  return p;
}

// ------------------------------------------------------------------ decoding

function readPrim(r: Reader, kind: Prim, compact: boolean, nullable: boolean): unknown {
  switch (kind) {
    case 'bool':
      return r.bool();
    case 'int8':
      return r.int8();
    case 'int16':
      return r.int16();
    case 'uint16':
      return r.uint16();
    case 'int32':
      return r.int32();
    case 'uint32':
      return r.uint32();
    case 'int64':
      return r.int64();
    case 'float64':
      return r.float64();
    case 'uuid':
      return r.uuid();
    case 'string':
      if (compact) return nullable ? r.compactNullableString() : r.compactString();
      return nullable ? r.nullableString() : r.string();
    case 'bytes':
    case 'records':
      if (compact) return nullable ? r.compactNullableBytes() : r.compactBytes();
      return nullable ? r.nullableBytes() : r.bytes();
  }
}

function readField(r: Reader, f: FieldPlan): unknown {
  if (f.array) {
    const n = r.arrayLength(f.compact);
    if (n < 0) {
      if (!f.nullable) throw new DecodeError(`null array in non-nullable field ${f.name}`);
      return null;
    }
    const out = new Array(n);
    if (f.kind === 'struct') for (let i = 0; i < n; i++) out[i] = readStruct(r, f.struct!);
    else for (let i = 0; i < n; i++) out[i] = readPrim(r, f.kind, f.compact, false);
    return out;
  }
  if (f.kind === 'struct') {
    // a nullable nested struct is preceded by an int8 presence marker (-1 = null)
    if (f.nullable && r.int8() < 0) return null;
    return readStruct(r, f.struct!);
  }
  return readPrim(r, f.kind, f.compact, f.nullable);
}

export function readTaggedFields(r: Reader, tagged: FieldPlan[], into: Msg | null): void {
  const count = r.uvarint();
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const end = r.pos + size;
    const f = tagged.find((t) => t.tag === tag);
    if (f && into) {
      const sub = new Reader(r.buf, r.pos, end);
      into[f.name] = readField(sub, f);
    }
    r.skip(size);
  }
}

export function readStruct(r: Reader, plan: StructPlan): Msg {
  const o: Msg = {};
  for (const a of plan.absent) o[a.name] = a.def();
  for (const f of plan.fields) o[f.name] = readField(r, f);
  for (const f of plan.tagged) o[f.name] = f.array ? [] : f.def;
  if (plan.flexible) readTaggedFields(r, plan.tagged, o);
  return o;
}

// ------------------------------------------------------------------ encoding

function writePrim(w: Writer, kind: Prim, compact: boolean, nullable: boolean, v: any): void {
  switch (kind) {
    case 'bool':
      w.bool(!!v);
      return;
    case 'int8':
      w.int8(v ?? 0);
      return;
    case 'int16':
      w.int16(v ?? 0);
      return;
    case 'uint16':
      w.uint16(v ?? 0);
      return;
    case 'int32':
      w.int32(v ?? 0);
      return;
    case 'uint32':
      w.uint32(v ?? 0);
      return;
    case 'int64':
      w.int64(v ?? 0);
      return;
    case 'float64':
      w.float64(v ?? 0);
      return;
    case 'uuid':
      w.raw(v && v.length === 16 ? v : ZERO_UUID);
      return;
    case 'string':
      w.string(v ?? null, compact, nullable);
      return;
    case 'bytes':
    case 'records':
      if (Array.isArray(v)) w.bytesList(v, compact);
      else w.bytes(v ?? null, compact, nullable);
      return;
  }
}

function writeField(w: Writer, f: FieldPlan, v: any): void {
  if (f.array) {
    if (v === null || v === undefined) {
      w.arrayLength(f.nullable && v === null ? null : 0, f.compact);
      return;
    }
    w.arrayLength(v.length, f.compact);
    if (f.kind === 'struct') for (const e of v) writeStruct(w, f.struct!, e);
    else for (const e of v) writePrim(w, f.kind, f.compact, false, e);
    return;
  }
  if (f.kind === 'struct') {
    if (f.nullable) {
      if (v === null || v === undefined) {
        w.int8(-1);
        return;
      }
      w.int8(1);
    }
    writeStruct(w, f.struct!, v ?? {});
    return;
  }
  writePrim(w, f.kind, f.compact, f.nullable, v === undefined ? f.def : v);
}

export function writeStruct(w: Writer, plan: StructPlan, o: Msg): void {
  for (const f of plan.fields) writeField(w, f, o[f.name]);
  if (!plan.flexible) return;
  const present = plan.tagged.filter((f) => o[f.name] !== undefined && o[f.name] !== null);
  w.uvarint(present.length);
  for (const f of present) {
    const sub = new Writer(64);
    writeField(sub, f, o[f.name]);
    const bytes = sub.toBuffer();
    w.uvarint(f.tag).uvarint(bytes.length).raw(bytes);
  }
}

// ------------------------------------------------------------------ registry helpers

export function isFlexible(def: MessageDef, version: number): boolean {
  return inRange(parseVersions(def.flexibleVersions), version);
}

export function hasVersion(def: MessageDef | undefined, version: number): def is MessageDef {
  return !!def && inRange(parseVersions(def.validVersions), version);
}

export function requestDef(apiKey: number): MessageDef | undefined {
  return loadDefinitions().requests.get(apiKey);
}

export function responseDef(apiKey: number): MessageDef | undefined {
  return loadDefinitions().responses.get(apiKey);
}

export function dataDef(name: string): MessageDef {
  const d = loadDefinitions().byName.get(name);
  if (!d) throw new Error(`no definition named ${name}`);
  return d;
}

export function decodeMessage(def: MessageDef, version: number, buf: Buffer, pos = 0): { msg: Msg; end: number } {
  const r = new Reader(buf, pos);
  const msg = readStruct(r, planFor(def, version));
  return { msg, end: r.pos };
}

export function encodeMessage(def: MessageDef, version: number, msg: Msg, w: Writer = new Writer()): Writer {
  writeStruct(w, planFor(def, version), msg);
  return w;
}
