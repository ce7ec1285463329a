// ExtractText: evaluates Java regexes (one per user-named property) against the start of the
// content and puts the capture groups into attributes, with NiFi's exact naming:
//   <name>.0 (group 0, when included, first match only), <name>.1 ... <name>.N, <name> = group 1;
//   with repeating capture groups, later matches continue the numbering (<name>.N+1 ...);
//   with named groups, <name>.<group> (and <name>.<group>.<k> for the k-th later match).
// Empty or non-participating groups produce no attribute; no attribute at all means 'unmatched'.
//
// Patterns are compiled once (onScheduled) through the hostile-regex guard: inputs short enough
// for the pattern's worst case run inline; longer ones run in the guard's worker under a time
// budget (the trigger then completes asynchronously), so no pattern can stall the event loop.
import { defineProcessor } from '../../server/sdk/definition.ts';
import type { ProcessContext, ValidationContext } from '../../server/sdk/context.ts';
import type { ProcessSession } from '../../server/engine/session.ts';
import type { FlowFile } from '../../server/engine/flowfile.ts';
import { ShapeCache } from '../../server/engine/attribute-map.ts';
import { Validators } from '../../server/sdk/validators.ts';
import { parseDataSize } from '../../server/engine/units.ts';
import { compileSafeRegex, type JavaRegexFlags, type SafeRegex, type Match } from '../../server/regex/index.ts';
import { javaCharset, characterSetValidator, type JavaCharset } from './charset.ts';
import { describeRegexError, groupCountOf, javaRegexValidator, regexProblem, scanNamedGroups } from './regex-support.ts';

const BOOL = ['true', 'false'] as const;
/** FlowFiles taken per trigger at most, and the time after which a trigger stops taking more. */
const MAX_PER_TRIGGER = 1000;
const CHUNK = 100;
const TRIGGER_SLICE_MS = 20;

const FLAG_PROPERTIES: readonly { name: string; flag: keyof JavaRegexFlags; description: string }[] = [
  { name: 'Enable Canonical Equivalence', flag: 'canonicalEquivalence', description: 'Indicates that two characters match only when their full canonical decompositions match.' },
  { name: 'Enable Case-insensitive Matching', flag: 'caseInsensitive', description: 'Indicates that two characters match even if they are in a different case.  Can also be specified via the embedded flag (?i).' },
  { name: 'Permit Whitespace and Comments in Pattern', flag: 'comments', description: 'In this mode, whitespace is ignored, and embedded comments starting with # are ignored until the end of a line.  Can also be specified via the embedded flag (?x).' },
  { name: 'Enable DOTALL Mode', flag: 'dotall', description: 'Indicates that the expression \'.\' should match any character, including a line terminator.  Can also be specified via the embedded flag (?s).' },
  { name: 'Enable Literal Parsing of the Pattern', flag: 'literal', description: 'Indicates that Metacharacters and escape characters should be given no special meaning.' },
  { name: 'Enable Multiline Mode', flag: 'multiline', description: 'Indicates that \'^\' and \'$\' should match just after and just before a line terminator or end of sequence, instead of only the beginning or end of the entire input.  Can also be specified via the embeded flag (?m).' },
  { name: 'Enable Unicode-aware Case Folding', flag: 'unicodeCase', description: 'When used with \'Enable Case-insensitive Matching\', matches in a manner consistent with the Unicode Standard.  Can also be specified via the embedded flag (?u).' },
  { name: 'Enable Unicode Predefined Character Classes', flag: 'unicodeCharacterClass', description: 'Specifies conformance with the Unicode Technical Standard #18: Unicode Regular Expression Annex C: Compatibility Properties.  Can also be specified via the embedded flag (?U).' },
  { name: 'Enable Unix Lines Mode', flag: 'unixLines', description: 'Indicates that only the \'\\n\' line terminator is recognized in the behavior of \'.\', \'^\', and \'$\'.  Can also be specified via the embedded flag (?d).' },
];

function flagsOf(value: (name: string) => string | undefined): JavaRegexFlags {
  const flags: JavaRegexFlags = {};
  for (const p of FLAG_PROPERTIES) if (value(p.name) === 'true') flags[p.flag] = true;
  return flags;
}

interface Extraction {
  name: string;
  regex: SafeRegex;
  groupCount: number;
  /** Keys "<name>.<i>" for i = 0..groupCount (the first match's keys). */
  keys: string[];
  /** NiFi's textual scan of (?<name>...) groups, and their group numbers. */
  named: string[];
  namedNumbers: number[];
  /** Keys "<name>.<group name>" (the first match's keys). */
  namedKeys: string[];
  useNamed: boolean;
}

interface State {
  extractions: Extraction[];
  charset: JavaCharset;
  maxBuffer: number;
  maxGroupLength: number;
  includeZero: boolean;
  repeating: boolean;
  shapes: ShapeCache;
  /** Collects the attributes of the FlowFile being matched inline. */
  scratch: Extracted;
}

/** Attribute names and values in the order written (a name written twice keeps its first place). */
class Extracted {
  readonly names: string[] = [];
  readonly values: string[] = [];
  count = 0;

  put(name: string, value: string): void {
    const names = this.names;
    for (let i = 0; i < this.count; i++) {
      if (names[i] === name) { this.values[i] = value; return; }
    }
    names[this.count] = name;
    this.values[this.count++] = value;
  }
}
type Outcome = { attrs: Extracted | null } | { exceeded: string };

export const ExtractText = defineProcessor<State>({
  type: 'ExtractText',
  description: 'Evaluates one or more Regular Expressions against the content of a FlowFile. The results of those Regular Expressions are assigned to '
    + 'FlowFile Attributes. Regular Expressions are entered by adding user-defined properties; the name of the property maps to the Attribute Name into '
    + 'which the result will be placed. The first capture group, if any found, will be placed into that attribute name. All capture groups, including '
    + 'the matching string sequence itself, are also provided at that attribute name with an index value (<name>.0, <name>.1, ...), except for an '
    + 'optional group that does not match. With named groups enabled, each named group goes to <name>.<group name>. If the Regular Expression matches '
    + 'more than once, only the first match is used unless repeating capture groups are enabled. If any Regular Expression matches, the FlowFile is '
    + 'routed to \'matched\'; otherwise to \'unmatched\' with no attributes added.',
  tags: ['evaluate', 'extract', 'Text', 'Regular Expression', 'regex'],
  inputRequirement: 'required',
  properties: [
    { name: 'Character Set', description: 'The Character Set in which the file is encoded', required: true, defaultValue: 'UTF-8', validator: characterSetValidator },
    {
      name: 'Maximum Buffer Size',
      description: 'Specifies the maximum amount of data to buffer (per FlowFile) in order to apply the regular expressions. FlowFiles larger than the '
        + 'specified maximum will not be fully evaluated.',
      required: true, defaultValue: '1 MB', validator: Validators.dataSize({ min: 0 }),
    },
    {
      name: 'Maximum Capture Group Length',
      description: 'Specifies the maximum number of characters a given capture group value can have. Any characters beyond the max will be truncated.',
      defaultValue: '1024', validator: Validators.integer({ min: 1, max: 2_147_483_647 }),
    },
    ...FLAG_PROPERTIES.map((p) => ({ name: p.name, description: p.description, required: true, defaultValue: 'false', allowableValues: BOOL })),
    {
      name: 'Include Capture Group 0',
      description: 'Indicates that Capture Group 0 should be included as an attribute. Capture Group 0 represents the entirety of the regular expression '
        + 'match, is typically not used, and could have considerable length.',
      required: true, defaultValue: 'true', allowableValues: BOOL,
    },
    {
      name: 'Enable repeating capture group',
      description: 'If set to true, every string matching the capture groups will be extracted. Otherwise, if the Regular Expression matches more than '
        + 'once, only the first match will be extracted.',
      required: true, defaultValue: 'false', allowableValues: BOOL, aliases: ['extract-text-enable-repeating-capture-group', 'Enable Repeating Capture Group'],
    },
    {
      name: 'Enable named group support',
      description: 'If set to true, when named groups are present in the regular expression, the name of the group will be used in the attribute name as '
        + 'opposed to the group index. All capturing groups must be named, if the number of groups (not including capture group 0) does not equal the '
        + 'number of named groups validation will fail.',
      defaultValue: 'false', allowableValues: BOOL, aliases: ['extract-text-enable-named-groups', 'Enable Named Groups'],
    },
  ],
  relationships: [
    { name: 'matched', description: 'FlowFiles are routed to this relationship when the Regular Expression is successfully evaluated and the FlowFile is modified as a result' },
    { name: 'unmatched', description: 'FlowFiles are routed to this relationship when no provided Regular Expression matches the content of the FlowFile' },
  ],
  dynamicProperties: {
    name: 'A FlowFile attribute',
    value: 'A Regular Expression with one or more capturing group',
    description: 'The first capture group, if any found, will be placed into that attribute name. But all capture groups, including the matching string '
      + 'sequence itself will also be provided at that attribute name with an index value provided.',
    expressionLanguage: 'none',
    validator: javaRegexValidator(0, 40),
  },
  customValidate(ctx: ValidationContext) {
    const problems: { property?: string; message: string }[] = [];
    const flags = flagsOf((n) => ctx.value(n));
    const includeZero = ctx.value('Include Capture Group 0') !== 'false';
    const named = ctx.value('Enable named group support') === 'true';
    for (const [name, pattern] of ctx.dynamicProperties) {
      // NiFi validates the pattern without the flag properties; Sluice must also be able to run it with them
      const problem = regexProblem(pattern, flags);
      if (problem) { problems.push({ property: name, message: problem }); continue; }
      const groups = groupCountOf(pattern);
      if (!includeZero && groups !== null && groups < 1) {
        problems.push({ property: name, message: `RegEx is required to have between 1 and 40 Capturing Groups but has ${groups} (Include Capture Group 0 is false)` });
      }
      if (named && groups !== null && groups !== scanNamedGroups(pattern).length) {
        problems.push({ property: name, message: 'Named group count does not match total group count' });
      }
    }
    return problems;
  },
  initialState: () => ({ extractions: [], charset: javaCharset('UTF-8')!, maxBuffer: 1024 * 1024, maxGroupLength: 1024, includeZero: true, repeating: false, shapes: new ShapeCache(), scratch: new Extracted() }),
  async onScheduled(ctx) {
    const flags = flagsOf((n) => ctx.property(n).value);
    const useNamedGroups = ctx.property('Enable named group support').value === 'true';
    const s = ctx.state;
    s.charset = javaCharset(ctx.property('Character Set').value ?? 'UTF-8')!;
    s.maxBuffer = parseDataSize(ctx.property('Maximum Buffer Size').value ?? '1 MB') ?? 1024 * 1024;
    s.maxGroupLength = ctx.property('Maximum Capture Group Length').asInteger() ?? 1024;
    s.includeZero = ctx.property('Include Capture Group 0').value !== 'false';
    s.repeating = ctx.property('Enable repeating capture group').value === 'true';
    s.extractions = [];
    for (const [name, prop] of ctx.dynamicProperties) {
      const pattern = prop.value ?? '';
      let regex: SafeRegex;
      try {
        regex = compileSafeRegex(pattern, flags);
      } catch (e) {
        throw new Error(`the regular expression for "${name}" ${describeRegexError(e)}`);
      }
      const named = scanNamedGroups(pattern);
      const namedNumbers = named.map((n) => regex.groupNames.indexOf(n));
      s.extractions.push({
        name, regex, groupCount: regex.groupCount,
        keys: Array.from({ length: regex.groupCount + 1 }, (_, i) => `${name}.${i}`),
        named, namedNumbers, namedKeys: named.map((n) => `${name}.${n}`),
        // as NiFi: named-group naming applies only when the group count equals the number of names found
        useNamed: useNamedGroups && regex.groupCount === named.length,
      });
    }
    // boot the guard's worker now rather than in the first trigger that needs it
    for (const ex of s.extractions) if (!ex.regex.isSync) await ex.regex.ready();
  },
  onTrigger(ctx, session) {
    const s = ctx.state;
    const t0 = performance.now();
    let taken = 0;
    let deferred: { ff: FlowFile; text: string }[] | null = null;
    while (taken < MAX_PER_TRIGGER) {
      const batch = session.get(Math.min(CHUNK, MAX_PER_TRIGGER - taken));
      if (batch.length === 0) break;
      taken += batch.length;
      for (let i = 0; i < batch.length; i++) {
        const ff = batch[i];
        const text = contentText(ff, s);
        if (!fitsInline(s.extractions, text)) { (deferred ??= []).push({ ff, text }); continue; }
        finish(ctx, session, ff, evaluateSync(s, text));
      }
      if (performance.now() - t0 > TRIGGER_SLICE_MS) break;
    }
    if (deferred === null) return;
    // long inputs: matched in the guard's worker, never blocking the event loop
    const pending = deferred;
    return (async () => {
      for (const { ff, text } of pending) finish(ctx, session, ff, await evaluateAsync(s, text));
    })();
  },
});

function contentText(ff: FlowFile, s: State): string {
  const len = Math.min(ff.size, s.maxBuffer);
  const encoding = s.charset.nodeEncoding;
  if (encoding !== undefined) return ff.claim.readText(ff.offset, len, encoding);
  const bytes = len === ff.size ? ff.content() : ff.claim.read(ff.offset, len);
  return s.charset.decode(bytes);
}

function fitsInline(extractions: readonly Extraction[], text: string): boolean {
  for (let i = 0; i < extractions.length; i++) if (!extractions[i].regex.canRunInline(text)) return false;
  return true;
}

function evaluateSync(s: State, text: string): Outcome {
  const into = s.scratch;
  into.count = 0;
  for (const ex of s.extractions) {
    let matches: readonly Match[];
    if (s.repeating) {
      const r = ex.regex.execAll(text);
      if (r.kind === 'budget-exceeded') return { exceeded: `the pattern for "${ex.name}" exceeded its time budget (${r.message})` };
      matches = r.matches;
    } else {
      const r = ex.regex.exec(text);
      if (r.kind === 'budget-exceeded') return { exceeded: `the pattern for "${ex.name}" exceeded its time budget (${r.message})` };
      if (r.kind === 'nomatch') continue;
      matches = [r];
    }
    if (matches.length) collect(s, ex, matches, into);
  }
  return { attrs: into.count > 0 ? into : null };
}

async function evaluateAsync(s: State, text: string): Promise<Outcome> {
  const into = new Extracted();
  for (const ex of s.extractions) {
    let matches: readonly Match[];
    if (s.repeating) {
      const r = await ex.regex.execAllAsync(text);
      if (r.kind === 'budget-exceeded') return { exceeded: `the pattern for "${ex.name}" exceeded its time budget (${r.message})` };
      matches = r.matches;
    } else {
      const r = await ex.regex.execAsync(text);
      if (r.kind === 'budget-exceeded') return { exceeded: `the pattern for "${ex.name}" exceeded its time budget (${r.message})` };
      if (r.kind === 'nomatch') continue;
      matches = [r];
    }
    if (matches.length) collect(s, ex, matches, into);
  }
  return { attrs: into.count > 0 ? into : null };
}

/** NiFi's attribute naming over the matches of one pattern. */
function collect(s: State, ex: Extraction, matches: readonly Match[], out: Extracted): void {
  const max = s.maxGroupLength;
  const name = ex.name;
  const gc = ex.groupCount;
  let j = 0;
  for (let k = 0; k < matches.length; k++) {
    const groups = matches[k].groups;
    if (ex.useNamed) {
      for (let n = 0; n < ex.named.length; n++) {
        const num = ex.namedNumbers[n];
        const v = num > 0 ? groups[num] : undefined;
        if (v !== undefined && v !== '') {
          out.put(j > 0 ? `${name}.${ex.named[n]}.${j}` : ex.namedKeys[n], v.length > max ? v.slice(0, max) : v);
        }
      }
      if (s.includeZero && j === 0) out.put(name, groups[0] ?? '');
      j++;
    } else {
      const start = j === 0 ? (s.includeZero ? 0 : 1) : 1;
      for (let i = start; i <= gc; i++) {
        const v = groups[i];
        if (v === undefined || v === '') continue;
        const value = v.length > max ? v.slice(0, max) : v;
        out.put(j === 0 ? ex.keys[i] : `${name}.${i + j}`, value);
        if (i === 1 && j === 0) out.put(name, value);
      }
      j += gc;
    }
  }
}

function finish(ctx: ProcessContext<State>, session: ProcessSession, ff: FlowFile, outcome: Outcome): void {
  if ('exceeded' in outcome) {
    ctx.bulletin('WARNING', `ExtractText routed ${ff.getAttribute('filename')} (${ff.id}) to unmatched because ${outcome.exceeded}`);
    session.transfer(ff, 'unmatched');
    return;
  }
  if (outcome.attrs === null) {
    session.transfer(ff, 'unmatched');
    return;
  }
  const { names, values, count } = outcome.attrs;
  const shape = ctx.state.shapes.of(names, count);
  session.transfer(session.setAttributeMap(ff, ff.attributeMap.withShape(shape, values.slice(0, count))), 'matched');
}
