/** Encode/decode helpers mirroring Apache Commons Text StringEscapeUtils and java.net.URLEncoder/URLDecoder. */
import { ExpressionEvaluationError } from './errors.ts';

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

// ---- JSON -------------------------------------------------------------------------------------

/** StringEscapeUtils.escapeJson: quotes, backslash, slash, control chars and everything outside 0x20..0x7F. */
export function escapeJson(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += '\\\\'; break;
      case 0x2f: out += '\\/'; break;
      case 0x08: out += '\\b'; break;
      case 0x0a: out += '\\n'; break;
      case 0x09: out += '\\t'; break;
      case 0x0c: out += '\\f'; break;
      case 0x0d: out += '\\r'; break;
      default:
        out += c < 0x20 || c > 0x7f ? '\\u' + hex4(c) : s[i];
    }
  }
  return out;
}

/** StringEscapeUtils.unescapeJson (same rules as unescapeJava). */
export function unescapeJson(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const d = s[i + 1];
    if (d === undefined) break; // a lone trailing backslash is dropped
    if (d === 'u') {
      let j = i + 1;
      while (s[j] === 'u') j++;
      if (s[j] === '+') j++;
      const hex = s.slice(j, j + 4);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ExpressionEvaluationError(`Unable to parse unicode value: ${hex}`);
      out += String.fromCharCode(parseInt(hex, 16));
      i = j + 3;
      continue;
    }
    if (d >= '0' && d <= '7') {
      let j = i + 1;
      let digits = '';
      const max = d <= '3' ? 3 : 2;
      while (digits.length < max && s[j] !== undefined && s[j]! >= '0' && s[j]! <= '7') digits += s[j++];
      out += String.fromCharCode(parseInt(digits, 8));
      i = j - 1;
      continue;
    }
    const map: Record<string, string> = { b: '\b', n: '\n', t: '\t', f: '\f', r: '\r' };
    out += map[d] ?? d;
    i++;
  }
  return out;
}

// ---- XML --------------------------------------------------------------------------------------

/** StringEscapeUtils.escapeXml10. */
export function escapeXml(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '&quot;';
    else if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === "'") out += '&apos;';
    else if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff) continue;
    else if ((c >= 0x7f && c <= 0x84) || (c >= 0x86 && c <= 0x9f)) out += `&#${c};`;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        out += ch + s[i + 1];
        i++;
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) continue;
    else out += ch;
  }
  return out;
}

const XML_ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };

function unescapeEntities(s: string, names: Record<string, string>): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]+|#\d+|[a-zA-Z][a-zA-Z0-9]*);/g, (m, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return names[body] ?? m;
  });
}

export function unescapeXml(s: string): string {
  return unescapeEntities(s, XML_ENTITIES);
}

// ---- CSV --------------------------------------------------------------------------------------

const CSV_SPECIAL = /[,"\r\n]/;

export function escapeCsv(s: string): string {
  return CSV_SPECIAL.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function unescapeCsv(s: string): string {
  if (s.length < 2 || s[0] !== '"' || s[s.length - 1] !== '"') return s;
  const inner = s.slice(1, -1);
  return CSV_SPECIAL.test(inner) ? inner.replace(/""/g, '"') : s;
}

// ---- HTML -------------------------------------------------------------------------------------

const LATIN1_NAMES = (
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute ' +
  'micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig ' +
  'Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash ' +
  'Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc ' +
  'euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml ' +
  'yacute thorn yuml'
).split(' ');

const GREEK_UPPER = 'Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho'.split(' ');
const GREEK_UPPER2 = 'Sigma Tau Upsilon Phi Chi Psi Omega'.split(' ');

const HTML4_EXTRA: Array<[number, string]> = [
  [338, 'OElig'], [339, 'oelig'], [352, 'Scaron'], [353, 'scaron'], [376, 'Yuml'], [402, 'fnof'], [710, 'circ'],
  [732, 'tilde'], [977, 'thetasym'], [978, 'upsih'], [982, 'piv'], [962, 'sigmaf'],
  [8194, 'ensp'], [8195, 'emsp'], [8201, 'thinsp'], [8204, 'zwnj'], [8205, 'zwj'], [8206, 'lrm'], [8207, 'rlm'],
  [8211, 'ndash'], [8212, 'mdash'], [8216, 'lsquo'], [8217, 'rsquo'], [8218, 'sbquo'], [8220, 'ldquo'],
  [8221, 'rdquo'], [8222, 'bdquo'], [8224, 'dagger'], [8225, 'Dagger'], [8226, 'bull'], [8230, 'hellip'],
  [8240, 'permil'], [8242, 'prime'], [8243, 'Prime'], [8249, 'lsaquo'], [8250, 'rsaquo'], [8254, 'oline'],
  [8260, 'frasl'], [8364, 'euro'], [8465, 'image'], [8472, 'weierp'], [8476, 'real'], [8482, 'trade'],
  [8501, 'alefsym'], [8592, 'larr'], [8593, 'uarr'], [8594, 'rarr'], [8595, 'darr'], [8596, 'harr'],
  [8629, 'crarr'], [8656, 'lArr'], [8657, 'uArr'], [8658, 'rArr'], [8659, 'dArr'], [8660, 'hArr'],
  [8704, 'forall'], [8706, 'part'], [8707, 'exist'], [8709, 'empty'], [8711, 'nabla'], [8712, 'isin'],
  [8713, 'notin'], [8715, 'ni'], [8719, 'prod'], [8721, 'sum'], [8722, 'minus'], [8727, 'lowast'],
  [8730, 'radic'], [8733, 'prop'], [8734, 'infin'], [8736, 'ang'], [8743, 'and'], [8744, 'or'], [8745, 'cap'],
  [8746, 'cup'], [8747, 'int'], [8756, 'there4'], [8764, 'sim'], [8773, 'cong'], [8776, 'asymp'], [8800, 'ne'],
  [8801, 'equiv'], [8804, 'le'], [8805, 'ge'], [8834, 'sub'], [8835, 'sup'], [8836, 'nsub'], [8838, 'sube'],
  [8839, 'supe'], [8853, 'oplus'], [8855, 'otimes'], [8869, 'perp'], [8901, 'sdot'], [8968, 'lceil'],
  [8969, 'rceil'], [8970, 'lfloor'], [8971, 'rfloor'], [9001, 'lang'], [9002, 'rang'], [9674, 'loz'],
  [9824, 'spades'], [9827, 'clubs'], [9829, 'hearts'], [9830, 'diams'],
];

function buildHtmlTables(html4: boolean): { escape: Map<number, string>; unescape: Record<string, string> } {
  const escape = new Map<number, string>([
    [0x22, 'quot'], [0x26, 'amp'], [0x3c, 'lt'], [0x3e, 'gt'],
  ]);
  LATIN1_NAMES.forEach((name, i) => escape.set(160 + i, name));
  if (html4) {
    GREEK_UPPER.forEach((name, i) => escape.set(913 + i, name));
    GREEK_UPPER2.forEach((name, i) => escape.set(931 + i, name));
    GREEK_UPPER.forEach((name, i) => escape.set(945 + i, name.toLowerCase()));
    GREEK_UPPER2.forEach((name, i) => escape.set(963 + i, name.toLowerCase()));
    for (const [code, name] of HTML4_EXTRA) escape.set(code, name);
  }
  const unescape: Record<string, string> = {};
  for (const [code, name] of escape) unescape[name] = String.fromCharCode(code);
  return { escape, unescape };
}

const HTML3 = buildHtmlTables(false);
const HTML4 = buildHtmlTables(true);

function escapeHtml(s: string, table: Map<number, string>): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const name = table.get(s.charCodeAt(i));
    out += name ? `&${name};` : s[i];
  }
  return out;
}

export const escapeHtml3 = (s: string): string => escapeHtml(s, HTML3.escape);
export const escapeHtml4 = (s: string): string => escapeHtml(s, HTML4.escape);
export const unescapeHtml3 = (s: string): string => unescapeEntities(s, HTML3.unescape);
export const unescapeHtml4 = (s: string): string => unescapeEntities(s, HTML4.unescape);

/** Exposed for tests: the Latin-1 entity table must cover U+00A0..U+00FF exactly. */
export const LATIN1_ENTITY_COUNT = LATIN1_NAMES.length;

// ---- URL --------------------------------------------------------------------------------------

/** java.net.URLEncoder.encode(s, "UTF-8"). */
export function urlEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (/[a-zA-Z0-9.\-*_]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else {
      let ch = c;
      const code = s.charCodeAt(i);
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length) {
        ch += s[i + 1];
        i++;
      }
      for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

/** java.net.URLDecoder.decode(s, "UTF-8"). */
export function urlDecode(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  let out = '';
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '+') {
      out += ' ';
      i++;
    } else if (c === '%') {
      const bytes: number[] = [];
      while (i < s.length && s[i] === '%') {
        if (i + 2 >= s.length) throw new ExpressionEvaluationError('URLDecoder: Incomplete trailing escape (%) pattern');
        const hex = s.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new ExpressionEvaluationError('URLDecoder: Illegal hex characters in escape (%) pattern');
        bytes.push(parseInt(hex, 16));
        i += 3;
      }
      out += Buffer.from(bytes).toString('utf8');
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

// ---- Base64 -----------------------------------------------------------------------------------

export function base64Encode(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

/** java.util.Base64.getDecoder(): strict alphabet, optional padding. */
export function base64Decode(s: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.replace(/=+$/, '').length % 4 === 1 || (s.includes('=') && s.length % 4 !== 0)) {
    throw new ExpressionEvaluationError(`Illegal base64 input: '${s.length > 40 ? s.slice(0, 40) + '...' : s}'`);
  }
  return Buffer.from(s, 'base64').toString('utf8');
}
