// A validating JSON scanner over UTF-8 bytes that builds nothing: it answers "is this one JSON
// object (RFC 8259)?" and "does it contain a line break?" without the objects and strings
// JSON.parse would allocate. PutElasticsearchJson checks every document this way before sending it
// as it is; only documents that fail (or span several lines) go through JSON.parse.
// One flat loop with a shared container stack: no closures or allocation per call.

export type ScanResult = { ok: true; multiline: boolean } | { ok: false };

const MAX_DEPTH = 512;
const OK_SINGLE: ScanResult = Object.freeze({ ok: true, multiline: false });
const OK_MULTI: ScanResult = Object.freeze({ ok: true, multiline: true });
const BAD: ScanResult = Object.freeze({ ok: false });

// byte classes: 1 whitespace, 2 line break (also whitespace)
const WS = new Uint8Array(256);
WS[0x20] = WS[0x09] = 1;
WS[0x0a] = WS[0x0d] = 2;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
const ESC = new Uint8Array(256);
for (const c of '"\\/bfnrt') ESC[c.charCodeAt(0)] = 1;
ESC[0x75] = 2; // u

const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a;
const LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;
const MINUS = 0x2d, PLUS = 0x2b, DOT = 0x2e, ZERO = 0x30, NINE = 0x39, LOWER_E = 0x65, UPPER_E = 0x45;

/** Open containers: 1 object, 2 array (shared: the scan is synchronous). */
const stack = new Uint8Array(MAX_DEPTH);

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function literalAt(buf: Uint8Array, i: number, a: number, b: number, c: number, d: number, e: number): number {
  // returns the index after the literal, or -1 (e < 0 for the 4-letter ones)
  if (buf[i + 1] !== a || buf[i + 2] !== b || buf[i + 3] !== c) return -1;
  if (e < 0) return i + 4;
  return buf[i + 4] === d ? i + 5 : -1;
}

/** Scans `buf` (UTF-8); ok only when it holds exactly one JSON object, with optional surrounding whitespace. */
export function scanJsonObject(buf: Uint8Array): ScanResult {
  const n = buf.length;
  let i = 0;
  let multiline = false;
  let depth = 0;
  let w: number;

  while (i < n && (w = WS[buf[i]]) !== 0) { if (w === 2) multiline = true; i++; }
  if (i >= n || buf[i] !== LBRACE) return BAD;
  stack[depth++] = 1;
  i++;
  // expecting: 0 = a member/element or a close (just opened), 1 = a comma or a close
  let afterValue = false;
  while (depth > 0) {
    while (i < n && (w = WS[buf[i]]) !== 0) { if (w === 2) multiline = true; i++; }
    if (i >= n) return BAD;
    const inObject = stack[depth - 1] === 1;
    let c = buf[i];
    if (c === (inObject ? RBRACE : RBRACKET)) {
      depth--;
      i++;
      afterValue = true;
      continue;
    }
    if (afterValue) {
      if (c !== COMMA) return BAD;
      i++;
      while (i < n && (w = WS[buf[i]]) !== 0) { if (w === 2) multiline = true; i++; }
      if (i >= n) return BAD;
      c = buf[i];
    }
    if (inObject) {
      // the member's name, then a colon
      if (c !== QUOTE) return BAD;
      i = skipString(buf, i + 1, n);
      if (i < 0) return BAD;
      while (i < n && (w = WS[buf[i]]) !== 0) { if (w === 2) multiline = true; i++; }
      if (i >= n || buf[i] !== COLON) return BAD;
      i++;
      while (i < n && (w = WS[buf[i]]) !== 0) { if (w === 2) multiline = true; i++; }
      if (i >= n) return BAD;
      c = buf[i];
    }
    // the value
    afterValue = true;
    if (c === QUOTE) {
      i = skipString(buf, i + 1, n);
      if (i < 0) return BAD;
    } else if (c === LBRACE || c === LBRACKET) {
      if (depth >= MAX_DEPTH) return BAD;
      stack[depth++] = c === LBRACE ? 1 : 2;
      i++;
      afterValue = false;
    } else if (c === MINUS || isDigit(c)) {
      if (c === MINUS) { i++; if (i >= n) return BAD; c = buf[i]; }
      if (c === ZERO) i++;
      else if (isDigit(c)) { i++; while (i < n && isDigit(buf[i])) i++; }
      else return BAD;
      if (i < n && buf[i] === DOT) {
        i++;
        if (i >= n || !isDigit(buf[i])) return BAD;
        while (i < n && isDigit(buf[i])) i++;
      }
      if (i < n && (buf[i] === LOWER_E || buf[i] === UPPER_E)) {
        i++;
        if (i < n && (buf[i] === PLUS || buf[i] === MINUS)) i++;
        if (i >= n || !isDigit(buf[i])) return BAD;
        while (i < n && isDigit(buf[i])) i++;
      }
    } else if (c === 0x74) { // true
      i = literalAt(buf, i, 0x72, 0x75, 0x65, 0, -1);
      if (i < 0) return BAD;
    } else if (c === 0x66) { // false
      i = literalAt(buf, i, 0x61, 0x6c, 0x73, 0x65, 0);
      if (i < 0) return BAD;
    } else if (c === 0x6e) { // null
      i = literalAt(buf, i, 0x75, 0x6c, 0x6c, 0, -1);
      if (i < 0) return BAD;
    } else {
      return BAD;
    }
  }
  while (i < n && (w = WS[buf[i]]) !== 0) { if (w === 2) multiline = true; i++; }
  if (i !== n) return BAD;
  return multiline ? OK_MULTI : OK_SINGLE;
}

/** The index just past the closing quote of a string whose body starts at `i`, or -1 when it is not valid JSON. */
function skipString(buf: Uint8Array, i: number, n: number): number {
  for (;;) {
    if (i >= n) return -1;
    const s = buf[i];
    if (s === QUOTE) return i + 1;
    if (s < 0x20) return -1;
    if (s === BACKSLASH) {
      const kind = ESC[buf[i + 1]];
      if (kind === 1) i += 2;
      else if (kind === 2 && HEX[buf[i + 2]] && HEX[buf[i + 3]] && HEX[buf[i + 4]] && HEX[buf[i + 5]]) i += 6;
      else return -1;
    } else i++;
  }
}
