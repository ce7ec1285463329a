// Loads Kafka's JSON message definitions from /work/shared/kafka-protocol (the repo's sibling
// folder `../shared/kafka-protocol`) at runtime, plus a few definitions written here for APIs whose
// JSON is not in that folder (transactions, ListGroups). Nothing is copied into the project.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extraDefinitions } from './extra-definitions.ts';

export interface FieldDef {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  flexibleVersions?: string;
  default?: string | number | boolean;
  fields?: FieldDef[];
}

export interface MessageDef {
  apiKey?: number;
  type: 'request' | 'response' | 'header' | 'data';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: FieldDef[];
}

export const PROTOCOL_DIR = fileURLToPath(new URL('../../../../../shared/kafka-protocol/', import.meta.url));

/** Strips `//` and `/* *\/` comments outside string literals. */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === '"') inString = false;
      i++;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export interface VersionRange {
  min: number;
  max: number;
}

/** Parses "0+", "3-7", "5", "none". */
export function parseVersions(spec: string | undefined): VersionRange | null {
  if (spec === undefined || spec === 'none' || spec === '') return null;
  const s = spec.trim();
  if (s.endsWith('+')) return { min: Number(s.slice(0, -1)), max: Number.MAX_SAFE_INTEGER };
  const dash = s.indexOf('-');
  if (dash > 0) return { min: Number(s.slice(0, dash)), max: Number(s.slice(dash + 1)) };
  const v = Number(s);
  return { min: v, max: v };
}

export function inRange(r: VersionRange | null, v: number): boolean {
  return r !== null && v >= r.min && v <= r.max;
}

export interface Definitions {
  requests: Map<number, MessageDef>;
  responses: Map<number, MessageDef>;
  byName: Map<string, MessageDef>;
}

let cached: Definitions | null = null;

export function loadDefinitions(dir: string = PROTOCOL_DIR): Definitions {
  if (cached && dir === PROTOCOL_DIR) return cached;
  const defs: Definitions = { requests: new Map(), responses: new Map(), byName: new Map() };
  const add = (def: MessageDef) => {
    defs.byName.set(def.name, def);
    if (def.type === 'request' && def.apiKey !== undefined) defs.requests.set(def.apiKey, def);
    if (def.type === 'response' && def.apiKey !== undefined) defs.responses.set(def.apiKey, def);
  };
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch (err) {
    throw new Error(`kafka test broker: cannot read protocol definitions in ${dir}: ${(err as Error).message}`);
  }
  for (const f of files) {
    const text = readFileSync(dir + (dir.endsWith('/') ? '' : '/') + f, 'utf8');
    add(JSON.parse(stripJsonComments(text)) as MessageDef);
  }
  for (const def of extraDefinitions) if (!defs.byName.has(def.name)) add(def);
  if (dir === PROTOCOL_DIR) cached = defs;
  return defs;
}
