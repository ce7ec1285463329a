/**
 * Java SimpleDateFormat-compatible formatting and parsing, plus java.util.TimeZone-style zone lookup.
 * Locale is always US English, as NiFi uses Locale.US.
 */
import { ExpressionEvaluationError } from './errors.ts';

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];
const MONTHS_SHORT = MONTHS.map((m) => m.slice(0, 3));
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAYS_SHORT = DAYS.map((d) => d.slice(0, 3));

// ---------------------------------------------------------------------------------------------
// Time zones
// ---------------------------------------------------------------------------------------------

export interface Zone {
  readonly id: string;
  /** Offset from UTC in minutes at the given instant. */
  offset(ms: number): number;
  shortName(ms: number): string;
  longName(ms: number): string;
}

function fmtOffsetId(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `GMT${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

class FixedZone implements Zone {
  constructor(
    readonly id: string,
    private readonly minutes: number,
    private readonly short: string,
    private readonly long: string,
  ) {}
  offset(): number {
    return this.minutes;
  }
  shortName(): string {
    return this.short;
  }
  longName(): string {
    return this.long;
  }
}

const GMT_OFFSET_RE = /^GMT([+-])(\d{1,2})(?::(\d{2}))?$/;

class IntlZone implements Zone {
  private readonly offsetFmt: Intl.DateTimeFormat;
  private shortFmt: Intl.DateTimeFormat | null = null;
  private longFmt: Intl.DateTimeFormat | null = null;
  constructor(
    readonly id: string,
    private readonly ianaId: string,
  ) {
    this.offsetFmt = new Intl.DateTimeFormat('en-US', { timeZone: ianaId, timeZoneName: 'longOffset', year: 'numeric' });
  }
  private zonePart(fmt: Intl.DateTimeFormat, ms: number): string {
    const part = fmt.formatToParts(clampMs(ms)).find((p) => p.type === 'timeZoneName');
    return part ? part.value : 'GMT';
  }
  offset(ms: number): number {
    const v = this.zonePart(this.offsetFmt, ms); // "GMT", "GMT+05:30", "GMT-08:00"
    const m = /^GMT([+-])(\d{2}):(\d{2})/.exec(v);
    if (!m) return 0;
    const minutes = Number(m[2]) * 60 + Number(m[3]);
    return m[1] === '-' ? -minutes : minutes;
  }
  shortName(ms: number): string {
    this.shortFmt ??= new Intl.DateTimeFormat('en-US', { timeZone: this.ianaId, timeZoneName: 'short', year: 'numeric' });
    const v = this.zonePart(this.shortFmt, ms);
    // Intl gives "GMT+9" where Java prints "GMT+09:00" for zones without an abbreviation.
    if (v === 'GMT' || GMT_OFFSET_RE.test(v)) {
      const off = this.offset(ms);
      return off === 0 ? 'GMT' : fmtOffsetId(off);
    }
    return v;
  }
  longName(ms: number): string {
    this.longFmt ??= new Intl.DateTimeFormat('en-US', { timeZone: this.ianaId, timeZoneName: 'long', year: 'numeric' });
    const v = this.zonePart(this.longFmt, ms);
    if (GMT_OFFSET_RE.test(v)) return fmtOffsetId(this.offset(ms));
    return v;
  }
}

function clampMs(ms: number): number {
  return Math.max(-8.64e15, Math.min(8.64e15, ms));
}

/** Java's legacy three-letter zone ids (JDK defaults: EST/MST/HST are fixed offsets). */
const JAVA_LEGACY_IDS: Record<string, string> = {
  ACT: 'Australia/Darwin', AET: 'Australia/Sydney', AGT: 'America/Argentina/Buenos_Aires', ART: 'Africa/Cairo',
  AST: 'America/Anchorage', BET: 'America/Sao_Paulo', BST: 'Asia/Dhaka', CAT: 'Africa/Harare',
  CNT: 'America/St_Johns', CST: 'America/Chicago', CTT: 'Asia/Shanghai', EAT: 'Africa/Addis_Ababa',
  ECT: 'Europe/Paris', IET: 'America/Indiana/Indianapolis', IST: 'Asia/Kolkata', JST: 'Asia/Tokyo',
  MIT: 'Pacific/Apia', NET: 'Asia/Yerevan', NST: 'Pacific/Auckland', PLT: 'Asia/Karachi',
  PNT: 'America/Phoenix', PRT: 'America/Puerto_Rico', PST: 'America/Los_Angeles', SST: 'Pacific/Guadalcanal',
  VST: 'Asia/Ho_Chi_Minh',
};

const GMT_ZONE = new FixedZone('GMT', 0, 'GMT', 'Greenwich Mean Time');
const UTC_ZONE = new FixedZone('UTC', 0, 'UTC', 'Coordinated Universal Time');
const zoneCache = new Map<string, Zone>();

function resolveZone(id: string): Zone {
  if (id === 'GMT') return GMT_ZONE;
  if (id === 'UTC') return UTC_ZONE;
  const custom = /^GMT([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(id);
  if (custom) {
    const h = Number(custom[2]);
    const m = custom[3] === undefined ? 0 : Number(custom[3]);
    if (h > 23 || m > 59) return GMT_ZONE;
    const minutes = (custom[1] === '-' ? -1 : 1) * (h * 60 + m);
    const norm = fmtOffsetId(minutes);
    return new FixedZone(norm, minutes, norm, norm);
  }
  if (id === 'EST') return new FixedZone('EST', -300, 'EST', 'Eastern Standard Time');
  if (id === 'MST') return new FixedZone('MST', -420, 'MST', 'Mountain Standard Time');
  if (id === 'HST') return new FixedZone('HST', -600, 'HST', 'Hawaii Standard Time');
  const iana = JAVA_LEGACY_IDS[id] ?? id;
  // Java zone ids are case-sensitive and never numeric offsets like "+05:00".
  if (!/^[A-Za-z]/.test(iana)) return GMT_ZONE;
  try {
    return new IntlZone(id, iana);
  } catch {
    return GMT_ZONE; // java.util.TimeZone.getTimeZone() falls back to GMT for unknown ids
  }
}

/** Looks a zone up the way java.util.TimeZone.getTimeZone(id) does; null/undefined means the default zone. */
export function getZone(id?: string | null): Zone {
  if (id === null || id === undefined) return defaultZone();
  let z = zoneCache.get(id);
  if (!z) {
    z = resolveZone(id);
    if (zoneCache.size > 500) zoneCache.clear();
    zoneCache.set(id, z);
  }
  return z;
}

let defaultZoneKey: string | undefined = '\u0000unset';
let defaultZoneValue: Zone = UTC_ZONE;

/** The process's local time zone (what the JVM would use as its default zone). */
export function defaultZone(): Zone {
  const key = process.env.TZ;
  if (key !== defaultZoneKey) {
    defaultZoneKey = key;
    const id = new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    defaultZoneValue = id === 'UTC' || id === 'Etc/UTC' ? UTC_ZONE : getZone(id);
  }
  return defaultZoneValue;
}

// ---------------------------------------------------------------------------------------------
// Pattern compilation
// ---------------------------------------------------------------------------------------------

export type DateToken = { lit: string } | { ch: string; n: number };

const PATTERN_LETTERS = 'GyYMLwWDdFEuaHkKhmsSzZX';
const patternCache = new Map<string, DateToken[]>();

/** Compiles a SimpleDateFormat pattern. Throws ExpressionEvaluationError for illegal patterns. */
export function compileDatePattern(pattern: string): DateToken[] {
  const cached = patternCache.get(pattern);
  if (cached) return cached;
  const toks: DateToken[] = [];
  let lit = '';
  const flushLit = () => {
    if (lit) toks.push({ lit });
    lit = '';
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        lit += "'";
        i += 2;
        continue;
      }
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) throw new ExpressionEvaluationError(`Unterminated quote in date pattern '${pattern}'`);
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            lit += "'";
            j += 2;
            continue;
          }
          break;
        }
        lit += pattern[j];
        j++;
      }
      i = j + 1;
      continue;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      if (!PATTERN_LETTERS.includes(c)) {
        throw new ExpressionEvaluationError(`Illegal pattern character '${c}' in date pattern '${pattern}'`);
      }
      let j = i;
      while (pattern[j] === c) j++;
      const n = j - i;
      if (c === 'X' && n > 3) throw new ExpressionEvaluationError(`invalid ISO 8601 format: length=${n} in date pattern '${pattern}'`);
      flushLit();
      toks.push({ ch: c, n });
      i = j;
      continue;
    }
    lit += c;
    i++;
  }
  flushLit();
  if (patternCache.size > 500) patternCache.clear();
  patternCache.set(pattern, toks);
  return toks;
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

function pad(v: number, n: number): string {
  const neg = v < 0;
  let s = String(Math.abs(v));
  while (s.length < n) s = '0' + s;
  return neg ? '-' + s : s;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function dayOfWeek(y: number, m: number, d: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, m, d);
  return t.getUTCDay();
}

function dayOfYear(y: number, m: number, d: number): number {
  const start = new Date(0);
  start.setUTCFullYear(y, 0, 1);
  const cur = new Date(0);
  cur.setUTCFullYear(y, m, d);
  return Math.round((cur.getTime() - start.getTime()) / 86400000) + 1;
}

/** Week of year with US rules (weeks start Sunday, week 1 contains January 1st). Returns [week, weekYear]. */
function weekOfYear(y: number, m: number, d: number): [number, number] {
  const doy = dayOfYear(y, m, d);
  const dow = dayOfWeek(y, m, d);
  const daysInYear = isLeap(y) ? 366 : 365;
  if (doy + (6 - dow) > daysInYear) return [1, y + 1];
  const jan1 = dayOfWeek(y, 0, 1);
  return [Math.floor((doy - 1 + jan1) / 7) + 1, y];
}

function rfc822(off: number): string {
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return sign + pad(Math.floor(a / 60), 2) + pad(a % 60, 2);
}

export function formatDate(ms: number, toks: DateToken[], zone: Zone): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new ExpressionEvaluationError(`date value ${ms} is out of range`);
  const off = zone.offset(ms);
  const t = new Date(ms + off * 60000);
  const Y = t.getUTCFullYear();
  const M = t.getUTCMonth();
  const D = t.getUTCDate();
  const h = t.getUTCHours();
  const dow = t.getUTCDay();
  let out = '';
  for (const tok of toks) {
    if ('lit' in tok) {
      out += tok.lit;
      continue;
    }
    const n = tok.n;
    switch (tok.ch) {
      case 'G':
        out += Y > 0 ? 'AD' : 'BC';
        break;
      case 'y':
      case 'Y': {
        let year = tok.ch === 'Y' ? weekOfYear(Y, M, D)[1] : Y;
        if (year <= 0) year = 1 - year;
        out += n === 2 ? pad(year % 100, 2) : pad(year, n);
        break;
      }
      case 'M':
      case 'L':
        out += n >= 4 ? MONTHS[M] : n === 3 ? MONTHS_SHORT[M] : pad(M + 1, n);
        break;
      case 'w':
        out += pad(weekOfYear(Y, M, D)[0], n);
        break;
      case 'W': {
        const first = dayOfWeek(Y, M, 1);
        out += pad(Math.floor((D - 1 + first) / 7) + 1, n);
        break;
      }
      case 'D':
        out += pad(dayOfYear(Y, M, D), n);
        break;
      case 'd':
        out += pad(D, n);
        break;
      case 'F':
        out += pad(Math.floor((D - 1) / 7) + 1, n);
        break;
      case 'E':
        out += n >= 4 ? DAYS[dow] : DAYS_SHORT[dow];
        break;
      case 'u':
        out += pad(dow === 0 ? 7 : dow, n);
        break;
      case 'a':
        out += h < 12 ? 'AM' : 'PM';
        break;
      case 'H':
        out += pad(h, n);
        break;
      case 'k':
        out += pad(h === 0 ? 24 : h, n);
        break;
      case 'K':
        out += pad(h % 12, n);
        break;
      case 'h':
        out += pad(h % 12 === 0 ? 12 : h % 12, n);
        break;
      case 'm':
        out += pad(t.getUTCMinutes(), n);
        break;
      case 's':
        out += pad(t.getUTCSeconds(), n);
        break;
      case 'S':
        out += pad(t.getUTCMilliseconds(), n);
        break;
      case 'z':
        out += n >= 4 ? zone.longName(ms) : zone.shortName(ms);
        break;
      case 'Z':
        out += rfc822(off);
        break;
      case 'X': {
        if (off === 0) {
          out += 'Z';
          break;
        }
        const sign = off < 0 ? '-' : '+';
        const a = Math.abs(off);
        const hh = pad(Math.floor(a / 60), 2);
        const mm = pad(a % 60, 2);
        out += sign + hh + (n === 1 ? '' : n === 2 ? mm : ':' + mm);
        break;
      }
    }
  }
  return out;
}

const TO_STRING_TOKENS = compileDatePattern('EEE MMM dd HH:mm:ss zzz yyyy');

/** java.util.Date#toString(): "EEE MMM dd HH:mm:ss zzz yyyy" in the default zone. */
export function dateToString(d: Date): string {
  return formatDate(d.getTime(), TO_STRING_TOKENS, defaultZone());
}

// ---------------------------------------------------------------------------------------------
// Parsing (lenient, like SimpleDateFormat's default)
// ---------------------------------------------------------------------------------------------

const ZONE_ABBREVIATIONS: Record<string, number> = {
  UTC: 0, GMT: 0, UT: 0, Z: 0, WET: 0, BST: 60, CET: 60, MET: 60, CEST: 120, EET: 120, EEST: 180, MSK: 180,
  IST: 330, JST: 540, KST: 540, HKT: 480, AWST: 480, ACST: 570, AEST: 600, AEDT: 660, NZST: 720, NZDT: 780,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
  AKST: -540, AKDT: -480, HST: -600, AST: -240, NST: -210,
};

function isNumericField(tok: DateToken | undefined): boolean {
  if (!tok || 'lit' in tok) return false;
  if (tok.ch === 'M' || tok.ch === 'L') return tok.n <= 2;
  return 'yYdHkKhmsSDFwWu'.includes(tok.ch);
}

function matchWord(text: string, pos: number, words: string[][]): [number, number] | null {
  // words: list of alternatives per index; returns [index, length] of the longest case-insensitive match
  let best: [number, number] | null = null;
  const lower = text.slice(pos, pos + 12).toLowerCase();
  for (let idx = 0; idx < words.length; idx++) {
    for (const w of words[idx]!) {
      if (lower.startsWith(w.toLowerCase()) && (!best || w.length > best[1])) best = [idx, w.length];
    }
  }
  return best;
}

function parseZoneAt(text: string, pos: number): [number, number] | null {
  const rest = text.slice(pos);
  let m = /^(?:GMT|UTC|UT)(?:([+-])(\d{1,2})(?::?(\d{2}))?)?/.exec(rest);
  if (m) {
    if (!m[1]) return [0, m[0].length];
    const minutes = Number(m[2]) * 60 + (m[3] ? Number(m[3]) : 0);
    return [m[1] === '-' ? -minutes : minutes, m[0].length];
  }
  m = /^([+-])(\d{2})(?::?(\d{2}))?/.exec(rest);
  if (m) {
    const minutes = Number(m[2]) * 60 + (m[3] ? Number(m[3]) : 0);
    return [m[1] === '-' ? -minutes : minutes, m[0].length];
  }
  if (rest[0] === 'Z') return [0, 1];
  m = /^[A-Za-z]+/.exec(rest);
  if (m) {
    const word = m[0].toUpperCase();
    for (let len = word.length; len >= 2; len--) {
      const off = ZONE_ABBREVIATIONS[word.slice(0, len)];
      if (off !== undefined) return [off, len];
    }
  }
  return null;
}

/** Parses text the way SimpleDateFormat.parse(String) does (lenient; trailing text is ignored). Returns epoch millis or null. */
export function parseDate(text: string, toks: DateToken[], zone: Zone): number | null {
  let pos = 0;
  let year = 1970;
  let yearTwoDigit = false;
  let month = 0;
  let day = 1;
  let hour24: number | null = null;
  let hour12: number | null = null;
  let pm: boolean | null = null;
  let minute = 0;
  let second = 0;
  let milli = 0;
  let offset: number | null = null;
  let doy: number | null = null;
  let bc = false;
  let monthOrDaySet = false;

  for (let k = 0; k < toks.length; k++) {
    const tok = toks[k]!;
    if ('lit' in tok) {
      for (const ch of tok.lit) {
        if (text[pos] !== ch) return null;
        pos++;
      }
      continue;
    }
    while (text[pos] === ' ' || text[pos] === '\t') pos++;
    if (pos >= text.length) return null;
    const c = tok.ch;
    if (isNumericField(tok)) {
      const abut = isNumericField(toks[k + 1]);
      let j = pos;
      let neg = false;
      if ((c === 'y' || c === 'Y') && (text[j] === '-' || text[j] === '+') && !abut) {
        neg = text[j] === '-';
        j++;
      }
      const digitsStart = j;
      const limit = abut ? digitsStart + tok.n : text.length;
      while (j < limit && j < text.length && text[j]! >= '0' && text[j]! <= '9') j++;
      if (j === digitsStart) return null;
      const digits = text.slice(digitsStart, j);
      let v = Number(digits);
      if (neg) v = -v;
      pos = j;
      switch (c) {
        case 'y':
        case 'Y':
          year = v;
          yearTwoDigit = tok.n <= 2 && digits.length === 2 && !neg;
          break;
        case 'M':
        case 'L':
          month = v - 1;
          monthOrDaySet = true;
          break;
        case 'd':
          day = v;
          monthOrDaySet = true;
          break;
        case 'H':
          hour24 = v;
          break;
        case 'k':
          hour24 = v === 24 ? 0 : v;
          break;
        case 'K':
          hour12 = v;
          break;
        case 'h':
          hour12 = v === 12 ? 0 : v;
          break;
        case 'm':
          minute = v;
          break;
        case 's':
          second = v;
          break;
        case 'S':
          milli = v;
          break;
        case 'D':
          doy = v;
          break;
        default:
          break; // w, W, F, u: parsed but not used
      }
      continue;
    }
    switch (c) {
      case 'M':
      case 'L': {
        const m = matchWord(text, pos, MONTHS.map((name, i) => [name, MONTHS_SHORT[i]!]));
        if (!m) return null;
        month = m[0];
        monthOrDaySet = true;
        pos += m[1];
        break;
      }
      case 'E': {
        const m = matchWord(text, pos, DAYS.map((name, i) => [name, DAYS_SHORT[i]!]));
        if (!m) return null;
        pos += m[1];
        break;
      }
      case 'a': {
        const m = matchWord(text, pos, [['AM'], ['PM']]);
        if (!m) return null;
        pm = m[0] === 1;
        pos += m[1];
        break;
      }
      case 'G': {
        const m = matchWord(text, pos, [['AD'], ['BC']]);
        if (!m) return null;
        bc = m[0] === 1;
        pos += m[1];
        break;
      }
      case 'z':
      case 'Z':
      case 'X': {
        const z = parseZoneAt(text, pos);
        if (!z) return null;
        offset = z[0];
        pos += z[1];
        break;
      }
      default:
        return null;
    }
  }
  if (pos === 0) return null;

  if (yearTwoDigit) {
    const start = new Date().getUTCFullYear() - 80;
    let y = Math.floor(start / 100) * 100 + year;
    if (y < start) y += 100;
    year = y;
  }
  if (bc) year = 1 - year;
  let hour = 0;
  if (hour24 !== null) hour = hour24;
  else if (hour12 !== null) hour = hour12 + (pm ? 12 : 0);
  if (doy !== null && !monthOrDaySet) {
    month = 0;
    day = doy;
  }
  const t = new Date(0);
  t.setUTCFullYear(year, month, day);
  t.setUTCHours(hour, minute, second, milli);
  const local = t.getTime();
  if (Number.isNaN(local)) return null;
  if (offset !== null) return local - offset * 60000;
  const off1 = zone.offset(local);
  let utc = local - off1 * 60000;
  const off2 = zone.offset(utc);
  if (off2 !== off1) utc = local - off2 * 60000;
  return utc;
}

// ---------------------------------------------------------------------------------------------
// Implicit String -> Date conversion (NiFi's DateCastEvaluator)
// ---------------------------------------------------------------------------------------------

const DATE_TO_STRING_RE = /^(?:[a-zA-Z]{3} ){2}\d{2} \d{2}:\d{2}:\d{2} (?:.*?) \d{4}$/;
const ALT_RE = /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}(\.\d{3})?$/;
const ALT_NO_MILLIS = compileDatePattern('yyyy/MM/dd HH:mm:ss');
const ALT_MILLIS = compileDatePattern('yyyy/MM/dd HH:mm:ss.SSS');

export function stringToDate(raw: string): Date {
  const value = raw.trim();
  if (DATE_TO_STRING_RE.test(value)) {
    const ms = parseDate(value, TO_STRING_TOKENS, defaultZone());
    if (ms === null) throw new ExpressionEvaluationError(`Could not parse date using Format: 'EEE MMM dd HH:mm:ss zzz yyyy' Value: '${value}'`);
    return new Date(ms);
  }
  if (/^\d+$/.test(value)) return new Date(Number(value));
  const alt = ALT_RE.exec(value);
  if (alt) {
    const ms = parseDate(value, alt[1] ? ALT_MILLIS : ALT_NO_MILLIS, defaultZone());
    if (ms === null) throw new ExpressionEvaluationError(`Could not parse input as date: ${value}`);
    return new Date(ms);
  }
  throw new ExpressionEvaluationError(`Could not implicitly convert input to DATE: ${value}`);
}
