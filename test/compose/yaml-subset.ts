// A parser for the plain YAML subset docker-compose.yml is written in (no YAML library is
// installed): block mappings and sequences by indentation, scalars plain or quoted, flow
// sequences of scalars ["a", "b"], the empty flow mapping {}, and comments. Anything else (anchors,
// aliases, tags, block scalars, multi-line flow collections) is refused, so the file stays in the
// subset this test can check.

export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

export class YamlSubsetError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
  }
}

interface Line {
  no: number;
  indent: number;
  text: string;
}

/** Removes a comment: "#" at the start or after whitespace, outside quotes. */
function stripComment(raw: string): string {
  let quote: string | null = null;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(raw[i - 1]))) return raw.slice(0, i);
  }
  return raw;
}

function unquote(s: string, no: number): string {
  if (s.startsWith('"')) {
    if (!s.endsWith('"') || s.length < 2) throw new YamlSubsetError(`unterminated double-quoted string: ${s}`, no);
    const body = s.slice(1, -1);
    let out = '';
    for (let i = 0; i < body.length; i++) {
      const c = body[i];
      if (c === '"') throw new YamlSubsetError(`stray quote inside ${s}`, no);
      if (c !== '\\') { out += c; continue; }
      const e = body[++i];
      const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/', '0': '\0' };
      if (!(e in map)) throw new YamlSubsetError(`unsupported escape \\${e}`, no);
      out += map[e];
    }
    return out;
  }
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) throw new YamlSubsetError(`unterminated single-quoted string: ${s}`, no);
    return s.slice(1, -1).replace(/''/g, "'");
  }
  return s;
}

/** Splits a flow sequence body at commas outside quotes. */
function splitFlow(body: string, no: number): string[] {
  const items: string[] = [];
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') throw new YamlSubsetError('nested flow collections are not in the subset', no);
    else if (c === ',') { items.push(body.slice(start, i)); start = i + 1; }
  }
  if (quote) throw new YamlSubsetError('unterminated quote in a flow sequence', no);
  const last = body.slice(start);
  if (last.trim() !== '' || items.length > 0) items.push(last);
  return items.map((s) => s.trim()).filter((s, i, all) => s !== '' || i < all.length - 1);
}

function scalar(text: string, no: number): YamlValue {
  const s = text.trim();
  if (s === '{}') return {};
  if (s === '[]') return [];
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) throw new YamlSubsetError('a flow sequence must close on its line', no);
    return splitFlow(s.slice(1, -1), no).map((item) => unquote(item, no));
  }
  if (s.startsWith('{')) throw new YamlSubsetError('only the empty flow mapping {} is in the subset', no);
  if (/^[&*!|>]/.test(s)) throw new YamlSubsetError(`anchors, aliases, tags and block scalars are not in the subset: ${s}`, no);
  return unquote(s, no);
}

/** "key: value" → [key, value text or ''], or null when the line is not a mapping entry. */
function splitKey(text: string, no: number): [string, string] | null {
  let i = 0;
  let key: string;
  if (text[0] === '"' || text[0] === "'") {
    const q = text[0];
    let j = 1;
    while (j < text.length && text[j] !== q) j += text[j] === '\\' && q === '"' ? 2 : 1;
    if (j >= text.length) throw new YamlSubsetError('unterminated quoted key', no);
    key = unquote(text.slice(0, j + 1), no);
    i = j + 1;
    if (text[i] !== ':') return null;
  } else {
    const m = /^([^\s:"'#][^:]*?):(\s|$)/.exec(text);
    if (!m) return null;
    key = m[1];
    i = m[1].length;
  }
  const rest = text.slice(i + 1);
  if (rest !== '' && !/^\s/.test(rest)) return null;
  return [key, rest.trim()];
}

export function parseYamlSubset(source: string): YamlValue {
  const lines: Line[] = [];
  source.split(/\r?\n/).forEach((raw, idx) => {
    if (raw.includes('\t')) throw new YamlSubsetError('tabs are not allowed', idx + 1);
    const text = stripComment(raw).replace(/\s+$/, '');
    if (text.trim() === '' || text.trim() === '---') return;
    const indent = text.length - text.trimStart().length;
    lines.push({ no: idx + 1, indent, text: text.trimStart() });
  });
  let pos = 0;

  function block(indent: number): YamlValue {
    const first = lines[pos];
    if (first.text.startsWith('- ') || first.text === '-') return sequence(indent);
    return mapping(indent);
  }

  function mapping(indent: number): { [key: string]: YamlValue } {
    const out: { [key: string]: YamlValue } = {};
    while (pos < lines.length && lines[pos].indent === indent) {
      const line = lines[pos];
      if (line.text.startsWith('-')) throw new YamlSubsetError('a sequence item where a mapping entry was expected', line.no);
      const kv = splitKey(line.text, line.no);
      if (!kv) throw new YamlSubsetError(`expected "key: value", got ${line.text}`, line.no);
      const [key, rest] = kv;
      if (Object.hasOwn(out, key)) throw new YamlSubsetError(`duplicate key ${key}`, line.no);
      pos++;
      if (rest !== '') out[key] = scalar(rest, line.no);
      else if (pos < lines.length && lines[pos].indent > indent) out[key] = block(lines[pos].indent);
      else if (pos < lines.length && lines[pos].indent === indent && lines[pos].text.startsWith('- ')) out[key] = sequence(indent);
      else out[key] = '';
    }
    if (pos < lines.length && lines[pos].indent > indent) throw new YamlSubsetError('unexpected indentation', lines[pos].no);
    return out;
  }

  function sequence(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    while (pos < lines.length && lines[pos].indent === indent && (lines[pos].text.startsWith('- ') || lines[pos].text === '-')) {
      const line = lines[pos];
      const rest = line.text.slice(1).trim();
      pos++;
      if (rest === '') {
        if (pos < lines.length && lines[pos].indent > indent) out.push(block(lines[pos].indent));
        else out.push('');
      } else if (splitKey(rest, line.no) && !rest.startsWith('"') && !rest.startsWith("'")) {
        // "- key: value" starts a mapping item; its further keys are indented to the key's column
        const itemIndent = indent + (line.text.length - rest.length);
        lines.splice(pos, 0, { no: line.no, indent: itemIndent, text: rest });
        out.push(mapping(itemIndent));
      } else {
        out.push(scalar(rest, line.no));
      }
    }
    return out;
  }

  if (lines.length === 0) return {};
  const root = block(lines[0].indent);
  if (pos < lines.length) throw new YamlSubsetError('content after the document', lines[pos].no);
  return root;
}
