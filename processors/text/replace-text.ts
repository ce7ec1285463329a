// ReplaceText: prepends, appends, surrounds, regex- or literal-replaces, always-replaces or
// substitutes ${variables} in the content, over the entire text or line by line, following NiFi's
// ReplaceText closely: its choice of strategy for ".*" and the default regex, its handling of `$n`
// back-references (escaping references to missing groups, quoting replacements that contain `$`
// followed by a non-digit), Expression Language in the replacement with the capture groups as
// attributes '$0'..'$n' (whose values are escaped so they are not taken as back-references),
// attribute values in the Search Value taken literally, and its line demarcation ("\n", "\r\n" or a
// lone "\r", kept with the line).
//
// Regexes run through the hostile-regex guard. Inputs too long to run inline for a pattern's worst
// case are matched in the guard's worker (the trigger completes asynchronously), under a time budget;
// a FlowFile whose pattern exceeds it goes to failure with a bulletin.
import { defineProcessor } from '../../server/sdk/definition.ts';
import type { ProcessContext } from '../../server/sdk/context.ts';
import type { ProcessSession } from '../../server/engine/session.ts';
import type { FlowFile } from '../../server/engine/flowfile.ts';
import { Validators } from '../../server/sdk/validators.ts';
import { parseDataSize } from '../../server/engine/units.ts';
import { ExpressionEvaluationError, containsExpression } from '../../server/expression/index.ts';
import {
  compileSafeRegex, quoteJavaReplacement, ReplacementSyntaxError, type SafeRegex, type Match, type MatchAllResult, type CompiledReplacement,
} from '../../server/regex/index.ts';
import { javaCharset, characterSetValidator, streamingDecoder, type JavaCharset } from './charset.ts';
import { describeRegexError, groupCountOf, regexProblem } from './regex-support.ts';
import { ElTemplate } from './el-template.ts';

export const ERROR_ATTRIBUTE = 'ReplaceText.error';

const PREPEND = 'Prepend';
const APPEND = 'Append';
const SURROUND = 'Surround';
const REGEX_REPLACE = 'Regex Replace';
const LITERAL_REPLACE = 'Literal Replace';
const ALWAYS_REPLACE = 'Always Replace';
const SUBSTITUTE_VARIABLES = 'Substitute Variables';
const LINE_BY_LINE = 'Line-by-Line';
const ENTIRE_TEXT = 'Entire text';
const ALL = 'All';
const FIRST_LINE = 'First-Line';
const LAST_LINE = 'Last-Line';
const EXCEPT_FIRST_LINE = 'Except-First-Line';
const EXCEPT_LAST_LINE = 'Except-Last-Line';
const DEFAULT_REGEX = '(?s)(^.*$)';

/** Content above this size is processed line by line from windows, never as one string. */
const WINDOW_BYTES = 16 * 1024 * 1024;
const MAX_PER_TRIGGER = 100;
const TRIGGER_SLICE_MS = 20;

type Executor = 'always' | 'prepend' | 'surround' | 'regex' | 'literal' | 'substitute';

interface State {
  executor: Executor;
  entireText: boolean;
  lineMode: string;
  charset: JavaCharset;
  maxBuffer: number;
  /** Longest line (in chars) NiFi's line demarcator accepts for this Maximum Buffer Size. */
  lineCapacity: number;
  search: ElTemplate | null;
  replacement: ElTemplate;
  prependText: ElTemplate | null;
  appendText: ElTemplate | null;
  /** Capturing groups of the Search Value evaluated without a FlowFile (NiFi uses this count for every FlowFile). */
  numGroups: number;
  /** The compiled Search Value when it has no Expression Language. */
  staticRegex: SafeRegex | null;
}

/** A FlowFile that could not be processed: routed to failure. */
class Failure extends Error {
  constructor(message: string, readonly withAttribute = true) {
    super(message);
  }
}

/** Raised while matching when an input must be matched in the guard's worker first. */
class NeedsWorker extends Error {}

export const ReplaceText = defineProcessor<State>({
  type: 'ReplaceText',
  description: 'Updates the content of a FlowFile by searching for some textual value in the FlowFile content (via Regular Expression/regex, or literal '
    + 'value) and replacing the section of the content that matches with some alternate value. It can also be used to append or prepend text to the '
    + 'contents of a FlowFile.',
  tags: ['Text', 'Regular Expression', 'Update', 'Change', 'Replace', 'Modify', 'Regex'],
  inputRequirement: 'required',
  properties: [
    {
      name: 'Replacement Strategy',
      description: 'The strategy for how and what to replace within the FlowFile\'s text content.',
      required: true,
      defaultValue: REGEX_REPLACE,
      allowableValues: [
        { value: PREPEND, description: 'Insert the Replacement Value at the beginning of the FlowFile or the beginning of each line (depending on the Evaluation Mode).' },
        { value: APPEND, description: 'Insert the Replacement Value at the end of the FlowFile or the end of each line (depending on the Evaluation Mode).' },
        { value: SURROUND, description: 'Prepends text before the start of the FlowFile (or each line) and appends text to its end.' },
        { value: REGEX_REPLACE, description: 'Interpret the Search Value as a Regular Expression and replace all matches with the Replacement Value, which may reference capturing groups as $1, $2... If the Search Value is set to .* then everything is replaced without even evaluating the Regular Expression.' },
        { value: LITERAL_REPLACE, description: 'Search for all instances of the Search Value and replace the matches with the Replacement Value.' },
        { value: ALWAYS_REPLACE, description: 'Always replaces the entire line or the entire contents of the FlowFile (depending on the Evaluation Mode) and does not bother searching for any value.' },
        { value: SUBSTITUTE_VARIABLES, description: 'Substitute variable references (specified in ${var} form) using FlowFile attributes for looking up the replacement value by variable name.' },
      ],
    },
    {
      name: 'Regular Expression',
      aliases: ['Search Value'],
      description: 'The Search Value to search for in the FlowFile content. Only used for \'Literal Replace\' and \'Regex Replace\' matching strategies',
      required: true,
      defaultValue: DEFAULT_REGEX,
      expressionLanguage: 'flowfile',
      dependsOn: { property: 'Replacement Strategy', values: [REGEX_REPLACE, LITERAL_REPLACE] },
    },
    {
      name: 'Replacement Value',
      description: 'The value to insert using the \'Replacement Strategy\'. Using "Regex Replace" back-references to Regular Expression capturing groups are '
        + 'supported, but back-references that reference capturing groups that do not exist in the regular expression will be treated as literal value. '
        + 'Back References may also be referenced using the Expression Language, as \'$1\', \'$2\', etc. The single-tick marks MUST be included, as these '
        + 'variables are not "Standard" attribute names (attribute names must be quoted unless they contain only numbers, letters, and _).',
      // NiFi marks it required, but an empty value is legitimate (delete what matched); Sluice stores an empty value as unset.
      defaultValue: '$1',
      expressionLanguage: 'flowfile',
      dependsOn: { property: 'Replacement Strategy', values: [REGEX_REPLACE, LITERAL_REPLACE, ALWAYS_REPLACE, PREPEND, APPEND] },
    },
    {
      name: 'Text to Prepend',
      description: 'The text to prepend to the start of the FlowFile, or each line, depending on the configured value of the Evaluation Mode property',
      expressionLanguage: 'flowfile',
      dependsOn: { property: 'Replacement Strategy', values: [SURROUND] },
    },
    {
      name: 'Text to Append',
      description: 'The text to append to the end of the FlowFile, or each line, depending on the configured value of the Evaluation Mode property',
      expressionLanguage: 'flowfile',
      dependsOn: { property: 'Replacement Strategy', values: [SURROUND] },
    },
    { name: 'Character Set', description: 'The Character Set in which the file is encoded', required: true, defaultValue: 'UTF-8', validator: characterSetValidator },
    {
      name: 'Maximum Buffer Size',
      description: 'Specifies the maximum amount of data to buffer (per file or per line, depending on the Evaluation Mode) in order to apply the replacement. '
        + 'If \'Entire Text\' (in Evaluation Mode) is selected and the FlowFile is larger than this value, the FlowFile will be routed to \'failure\'. In '
        + '\'Line-by-Line\' Mode, if a single line is larger than this value, the FlowFile will be routed to \'failure\'. A default value of 1 MB is provided, '
        + 'primarily for \'Entire Text\' mode. In \'Line-by-Line\' Mode, a value such as 8 KB or 16 KB is suggested. This value is ignored if the '
        + '<Replacement Strategy> property is set to one of: Append, Prepend, Always Replace',
      required: true, defaultValue: '1 MB', validator: Validators.dataSize(),
    },
    {
      name: 'Evaluation Mode',
      description: 'Run the \'Replacement Strategy\' against each line separately (Line-by-Line) or buffer the entire file into memory (Entire Text) and run against that.',
      required: true, defaultValue: LINE_BY_LINE, allowableValues: [LINE_BY_LINE, ENTIRE_TEXT],
    },
    {
      name: 'Line-by-Line Evaluation Mode',
      description: 'Run the \'Replacement Strategy\' against each line separately (Line-by-Line) for all lines in the FlowFile, First Line (Header) alone, '
        + 'Last Line (Footer) alone, Except the First Line (Header) or Except the Last Line (Footer).',
      defaultValue: ALL, allowableValues: [ALL, FIRST_LINE, LAST_LINE, EXCEPT_FIRST_LINE, EXCEPT_LAST_LINE],
    },
  ],
  relationships: [
    { name: 'success', description: 'FlowFiles that have been successfully processed are routed to this relationship. This includes both FlowFiles that had text replaced and those that did not.' },
    { name: 'failure', description: 'FlowFiles that could not be updated are routed to this relationship', terminalFailure: true },
  ],
  writesAttributes: [
    { name: ERROR_ATTRIBUTE, description: 'Sluice only: why a FlowFile was routed to failure (an Expression Language, regex or replacement error)' },
  ],
  customValidate(ctx) {
    const strategy = ctx.value('Replacement Strategy') ?? REGEX_REPLACE;
    const search = ctx.value('Regular Expression');
    if (strategy === LITERAL_REPLACE && (search === undefined || search === '')) {
      return [{ property: 'Regular Expression', message: 'must not be empty' }];
    }
    if (strategy === REGEX_REPLACE && search !== undefined) {
      // as NiFi: Expression Language is evaluated without FlowFile attributes before the regex is checked
      let pattern = search;
      if (containsExpression(search)) {
        try {
          pattern = new ElTemplate(search).evaluate(null);
        } catch (e) {
          return [{ property: 'Regular Expression', message: `Failed to evaluate the Attribute Expression Language due to ${(e as Error).message}` }];
        }
      }
      const problem = regexProblem(pattern);
      if (problem) return [{ property: 'Regular Expression', message: problem }];
    }
    return [];
  },
  initialState: () => ({
    executor: 'regex', entireText: false, lineMode: ALL.toLowerCase(), charset: javaCharset('UTF-8')!, maxBuffer: 1024 * 1024, lineCapacity: 8192,
    search: null, replacement: new ElTemplate(''), prependText: null, appendText: null, numGroups: 0, staticRegex: null,
  }),
  async onScheduled(ctx) {
    const s = ctx.state;
    const strategy = ctx.property('Replacement Strategy').value ?? REGEX_REPLACE;
    const mode = ctx.property('Evaluation Mode').value ?? LINE_BY_LINE;
    s.entireText = mode.toLowerCase() === ENTIRE_TEXT.toLowerCase();
    s.lineMode = (ctx.property('Line-by-Line Evaluation Mode').value ?? ALL).toLowerCase();
    s.charset = javaCharset(ctx.property('Character Set').value ?? 'UTF-8')!;
    s.maxBuffer = parseDataSize(ctx.property('Maximum Buffer Size').value ?? '1 MB') ?? 1024 * 1024;
    s.lineCapacity = demarcatorCapacity(s.maxBuffer);
    const replacementText = ctx.property('Replacement Value').value ?? '';
    s.replacement = new ElTemplate(replacementText);
    s.prependText = new ElTemplate(ctx.property('Text to Prepend').value ?? '');
    s.appendText = new ElTemplate(ctx.property('Text to Append').value ?? '');
    const searchText = ctx.property('Regular Expression').value ?? '';
    s.search = new ElTemplate(searchText);
    switch (strategy) {
      case PREPEND: s.executor = 'prepend'; break;
      case APPEND: s.executor = 'surround'; s.prependText = null; s.appendText = s.replacement; break;
      case SURROUND: s.executor = 'surround'; break;
      case LITERAL_REPLACE: s.executor = 'literal'; break;
      case ALWAYS_REPLACE: s.executor = 'always'; break;
      case SUBSTITUTE_VARIABLES: s.executor = 'substitute'; break;
      default:
        // as NiFi: ".*" (and the default regex with an empty replacement over the entire text) always replace
        if (searchText === '.*' || (searchText === DEFAULT_REGEX && s.entireText && replacementText === '')) {
          s.executor = 'always';
        } else {
          s.executor = 'regex';
          const evaluated = s.search.evaluate(null);
          const groups = groupCountOf(evaluated);
          if (groups === null) throw new Error(`the Search Value ${JSON.stringify(evaluated)} ${regexProblem(evaluated)}`);
          s.numGroups = groups;
          if (s.search.isLiteral) {
            s.staticRegex = compileSafeRegex(evaluated);
            // boot the guard's worker now rather than in the first trigger that needs it
            if (!s.staticRegex.isSync) await s.staticRegex.ready();
          }
        }
    }
  },
  onTrigger(ctx, session) {
    const s = ctx.state;
    const t0 = performance.now();
    let deferred: { ff: FlowFile; regex: SafeRegex; inputs: string[] }[] | null = null;
    for (let n = 0; n < MAX_PER_TRIGGER; n++) {
      const ff = session.getOne();
      if (ff === null) break;
      const need = processOne(ctx, session, ff, null);
      if (need !== null) (deferred ??= []).push({ ff, ...need });
      if (performance.now() - t0 > TRIGGER_SLICE_MS) break;
    }
    if (deferred === null) return;
    const pending = deferred;
    return (async () => {
      for (const d of pending) {
        const results = new Map<string, MatchAllResult>();
        for (const input of d.inputs) if (!results.has(input)) results.set(input, await d.regex.execAllAsync(input));
        if (processOne(ctx, session, d.ff, { regex: d.regex, results }) !== null) {
          // cannot happen (matching is deterministic), but never leave a FlowFile unresolved
          ctx.bulletin('ERROR', `ReplaceText routed ${d.ff.id} to failure: its matches could not be computed`);
          session.transfer(session.putAttribute(d.ff, ERROR_ATTRIBUTE, 'matches could not be computed'), 'failure');
        }
      }
    })();
  },
});

/** NiFi's LineDemarcator grows its char buffer from 8192 (doubling, at most +1 MB) while it stays within Maximum Buffer Size. */
function demarcatorCapacity(maxBuffer: number): number {
  let cap = 8192;
  for (;;) {
    const next = Math.min(cap * 2, cap + 1_048_576);
    if (next > maxBuffer) return cap;
    cap = next;
  }
}

interface Precomputed {
  regex: SafeRegex;
  results: Map<string, MatchAllResult>;
}

/** Processes one FlowFile; returns the inputs to match in the worker first when it cannot finish inline. */
function processOne(ctx: ProcessContext<State>, session: ProcessSession, ff: FlowFile, pre: Precomputed | null): { regex: SafeRegex; inputs: string[] } | null {
  const s = ctx.state;
  try {
    if (s.entireText && ff.size > s.maxBuffer && (s.executor === 'regex' || s.executor === 'literal' || s.executor === 'substitute')) {
      ctx.bulletin('WARNING', `Transferred ${ff.getAttribute('filename')} (${ff.id}) to 'failure' because it was larger than the buffer size`);
      session.transfer(ff, 'failure');
      return null;
    }
    const job = new Job(s, ff, pre);
    let out: Buffer | Buffer[] | null;
    try {
      out = job.run();
    } catch (e) {
      if (!(e instanceof NeedsWorker)) throw e;
      out = null;
    }
    if (job.missing.length) return { regex: job.regex!, inputs: job.missing };
    const result = out === null ? ff : Array.isArray(out) ? setChunks(ctx, session, ff, out) : session.write(ff, out);
    session.transfer(result, 'success');
    return null;
  } catch (e) {
    let message: string;
    let withAttribute = true;
    if (e instanceof Failure) { message = e.message; withAttribute = e.withAttribute; }
    else if (e instanceof ExpressionEvaluationError) message = `Expression Language evaluation failed: ${e.message}`;
    else if (e instanceof ReplacementSyntaxError) message = `the replacement is not a valid Java replacement string: ${e.message}`;
    else if (e instanceof SyntaxError || (e as Error)?.name === 'UnsupportedRegexError') message = `the Search Value ${describeRegexError(e)}`;
    else throw e;
    ctx.bulletin('ERROR', `ReplaceText routed ${ff.getAttribute('filename')} (${ff.id}) to failure: ${message}`);
    session.transfer(withAttribute ? session.putAttribute(ff, ERROR_ATTRIBUTE, message) : ff, 'failure');
    return null;
  }
}

function setChunks(ctx: ProcessContext<State>, session: ProcessSession, ff: FlowFile, chunks: Buffer[]): FlowFile {
  let total = 0;
  for (const c of chunks) total += c.length;
  if (chunks.length === 1) return session.write(ff, chunks[0]);
  return session.setContent(ff, ctx.contentStore.createFromChunks(chunks, total));
}

/** Raw content bytes, in windows (a single view for content in memory). */
function* contentWindows(ff: FlowFile): Generator<Buffer> {
  if (ff.size <= WINDOW_BYTES) { if (ff.size > 0) yield ff.content(); return; }
  for (let pos = 0; pos < ff.size; pos += WINDOW_BYTES) yield ff.claim.read(ff.offset + pos, Math.min(WINDOW_BYTES, ff.size - pos));
}

const ESCAPED_BACKREF_IN_VALUE = /(\$\d)/g;
const escapeBackRefs = (v: string): string => v.replace(ESCAPED_BACKREF_IN_VALUE, '\\$1');
const UNESCAPED_BACKREF = /[^\\]\$(\d+)/g;
const NEEDS_QUOTING = /\$\D/;

/** Java's Pattern.quote. */
function quotePattern(s: string): string {
  if (!s.includes('\\E')) return `\\Q${s}\\E`;
  return `\\Q${s.split('\\E').join('\\E\\\\E\\Q')}\\E`;
}

/**
 * NiFi's escapeLiteralBackReferences: `$n` (after any character but a backslash) naming a group the
 * regex does not have is made literal. Like NiFi, positions come from the unmodified text, so after a
 * first insertion later backslashes land one character early per earlier insertion.
 */
function escapeLiteralBackReferences(unescaped: string, groups: number): string {
  if (groups === 0) return unescaped;
  let value = unescaped;
  UNESCAPED_BACKREF.lastIndex = 0;
  for (let m = UNESCAPED_BACKREF.exec(unescaped); m !== null; m = UNESCAPED_BACKREF.exec(unescaped)) {
    const digits = m[1];
    if (digits.startsWith('0')) continue;
    let index = Number(digits);
    if (!Number.isSafeInteger(index) || index > 2_147_483_647) throw new Failure(`the back-reference $${digits} is not a valid number`);
    while (index > groups && index >= 10) index = Math.floor(index / 10);
    if (index > groups) {
      const groupStart = m.index + m[0].length - digits.length;
      value = `${value.slice(0, groupStart - 1)}\\${value.slice(groupStart - 1)}`;
    }
  }
  return value;
}

/** Java's Matcher.appendReplacement expansion of a compiled replacement. */
function expand(r: CompiledReplacement, groups: readonly (string | undefined)[]): string {
  let out = '';
  for (const p of r.parts) {
    if (typeof p === 'string') out += p;
    else { const v = groups[p]; if (v !== undefined) out += v; }
  }
  return out;
}

/** The work on one FlowFile. */
class Job {
  regex: SafeRegex | null = null;
  /** Inputs that need the guard's worker (collected on the first, inline pass). */
  readonly missing: string[] = [];
  private replacementCache: { text: string; compiled: CompiledReplacement } | null = null;
  private literalSearch = '';
  private literalReplacement = '';
  private fixedValue = '';
  private prependValue = '';
  private appendValue = '';
  private attrsForSubstitution: Record<string, string> | null = null;
  private readonly groupAttrs: Record<string, string> = {};

  constructor(private readonly s: State, private readonly ff: FlowFile, private readonly pre: Precomputed | null) {}

  /** The new content (bytes or byte chunks), or null to leave the content as it is. */
  run(): Buffer | Buffer[] | null {
    const s = this.s;
    const ff = this.ff;
    switch (s.executor) {
      case 'always':
        this.fixedValue = s.replacement.evaluate(ff);
        if (s.entireText) return this.encode(this.fixedValue);
        return this.lines((line) => this.fixedValue + trailingLineEnding(line));
      case 'prepend':
        this.prependValue = s.replacement.evaluate(ff);
        if (s.entireText) return [this.encode(this.prependValue), ...contentWindows(ff)];
        return this.lines((line) => this.prependValue + line);
      case 'surround': {
        this.prependValue = s.prependText === null ? '' : s.prependText.evaluate(ff);
        this.appendValue = s.appendText!.evaluate(ff);
        if (s.entireText) {
          const chunks: Buffer[] = [];
          if (this.prependValue !== '') chunks.push(this.encode(this.prependValue));
          chunks.push(...contentWindows(ff), this.encode(this.appendValue));
          return chunks;
        }
        return this.lines((line) => this.surround(line));
      }
      case 'literal': {
        this.literalReplacement = s.replacement.evaluate(ff);
        this.literalSearch = s.search!.evaluate(ff);
        if (s.entireText) return this.encode(this.text().replaceAll(this.literalSearch, () => this.literalReplacement));
        if (this.literalSearch === '') throw new Failure('the Search Value is empty: NiFi never finishes replacing an empty string line by line');
        return this.lines((line) => line.replaceAll(this.literalSearch, () => this.literalReplacement));
      }
      case 'substitute': {
        this.attrsForSubstitution = ff.attributes();
        if (s.entireText) return this.encode(substituteVariables(this.text(), this.attrsForSubstitution));
        return this.lines((line) => substituteVariables(line, this.attrsForSubstitution!));
      }
      case 'regex': {
        this.regex = this.pre?.regex ?? s.staticRegex ?? compileSafeRegex(s.search!.evaluate(ff, undefined, quotePattern));
        if (s.entireText) {
          const text = this.text();
          const replaced = this.regexReplace(text);
          return replaced === null ? null : this.encode(replaced);
        }
        return this.lines((line) => this.regexReplace(line) ?? line);
      }
    }
  }

  /** Encodes output; `continuation` for later pieces of one stream (no second byte-order mark). */
  private encode(text: string, continuation = false): Buffer {
    const cs = this.s.charset;
    if (cs.encode === null) throw new Failure(`the character set ${cs.name} can be read but not written by Sluice`);
    const bytes = cs.encode(text);
    return continuation && cs.name === 'UTF-16' ? bytes.subarray(2) : bytes;
  }

  private text(): string {
    return this.s.charset.decode(this.ff.content());
  }

  private surround(line: string): string {
    let i = 0;
    const n = line.length;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c === 13 || c === 10) break;
      i++;
    }
    return i === n ? this.prependValue + line + this.appendValue : this.prependValue + line.slice(0, i) + this.appendValue + line.slice(i);
  }

  /** All matches of the regex in `input`, inline or from the worker's precomputed results. */
  private matches(input: string): readonly Match[] | null {
    const regex = this.regex!;
    let r: MatchAllResult | undefined;
    if (regex.canRunInline(input)) r = regex.execAll(input);
    else {
      r = this.pre?.results.get(input);
      if (r === undefined) {
        this.missing.push(input);
        throw new NeedsWorker();
      }
    }
    if (r.kind === 'budget-exceeded') throw new Failure(`the Search Value exceeded its time budget: ${r.message}`);
    return r.matches.length ? r.matches : null;
  }

  /** Regex Replace of one input; null when nothing matched. */
  private regexReplace(input: string): string | null {
    const matches = this.matches(input);
    if (matches === null) return null;
    const s = this.s;
    const regex = this.regex!;
    const attrs = this.groupAttrs;
    let out = '';
    let last = 0;
    for (const m of matches) {
      let replacement: string;
      if (s.replacement.isLiteral) replacement = s.replacement.evaluate(null);
      else {
        for (let i = 0; i <= regex.groupCount; i++) {
          const g = m.groups[i];
          if (g === undefined) delete attrs[`$${i}`];
          else attrs[`$${i}`] = g;
        }
        replacement = s.replacement.evaluate(this.ff, attrs, escapeBackRefs);
      }
      const compiled = this.compileReplacement(replacement);
      out += input.slice(last, m.index) + expand(compiled, m.groups);
      last = m.end;
    }
    return out + input.slice(last);
  }

  private compileReplacement(replacement: string): CompiledReplacement {
    const cached = this.replacementCache;
    if (cached !== null && cached.text === replacement) return cached.compiled;
    let final = escapeLiteralBackReferences(replacement, this.s.numGroups);
    if (NEEDS_QUOTING.test(final)) final = quoteJavaReplacement(final);
    const compiled = this.regex!.compileReplacement(final);
    this.replacementCache = { text: replacement, compiled };
    return compiled;
  }

  /** Line-by-Line: applies `replace` to the lines NiFi's Line-by-Line Evaluation Mode selects. */
  private lines(replace: (line: string) => string): Buffer | Buffer[] {
    const s = this.s;
    const mode = s.lineMode;
    const cap = s.lineCapacity;
    const out: string[] = [];
    const chunks: Buffer[] = [];
    let outLength = 0;
    let preceding: string | null = null;
    let first = true;
    let pendingError: unknown = null;
    const emit = (text: string) => {
      out.push(text);
      outLength += text.length;
      if (outLength > 4 * 1024 * 1024) { chunks.push(this.encode(out.join(''), chunks.length > 0)); out.length = 0; outLength = 0; }
    };
    const apply = (line: string) => {
      try {
        emit(replace(line));
      } catch (e) {
        if (e instanceof NeedsWorker) { pendingError = e; emit(line); } else throw e;
      }
    };
    const onLine = (line: string, terminatedByLF: boolean) => {
      if (terminatedByLF ? line.length > cap : line.length >= cap) {
        throw new Failure(`a line is longer than the Maximum Buffer Size allows (${line.length} characters)`, false);
      }
      if (preceding !== null) {
        if (first && mode === 'first-line') { apply(preceding); first = false; }
        else if (first && mode === 'except-first-line') { first = false; emit(preceding); }
        else if (mode === 'line-by-line' || mode === 'except-last-line' || mode === 'all' || (!first && mode === 'except-first-line')) apply(preceding);
        else emit(preceding);
      }
      preceding = line;
    };
    splitLines(this.ff, s.charset, onLine);
    if (preceding !== null) {
      const last: string = preceding;
      if (mode === 'except-last-line' || (!first && mode === 'first-line') || (first && mode === 'except-first-line')) emit(last);
      else apply(last);
    }
    if (pendingError !== null) return [];
    if (chunks.length === 0) return this.encode(out.join(''));
    if (out.length) chunks.push(this.encode(out.join(''), true));
    return chunks;
  }
}

/** The "\r" / "\n" characters that end a line, in their order. */
function trailingLineEnding(line: string): string {
  let i = line.length;
  while (i > 0) {
    const c = line.charCodeAt(i - 1);
    if (c !== 13 && c !== 10) break;
    i--;
  }
  return line.slice(i);
}

/**
 * Lines with their terminators, as NiFi's LineDemarcator yields them: "\n", "\r\n", or a "\r" not
 * followed by "\n". Content is decoded window by window so that it never has to be one string.
 */
function splitLines(ff: FlowFile, cs: JavaCharset, onLine: (line: string, terminatedByLF: boolean) => void): void {
  let carry = '';
  const feed = (text: string, final: boolean) => {
    const t = carry.length ? carry + text : text;
    let start = 0;
    const n = t.length;
    let i = 0;
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === 10) {
        onLine(t.slice(start, i + 1), true);
        start = i + 1;
      } else if (c === 13) {
        if (i + 1 < n) {
          if (t.charCodeAt(i + 1) === 10) { onLine(t.slice(start, i + 2), true); start = i + 2; i++; }
          else { onLine(t.slice(start, i + 1), false); start = i + 1; }
        } else if (final) {
          onLine(t.slice(start, i + 1), false);
          start = i + 1;
        } else break;
      }
      i++;
    }
    carry = t.slice(start);
    if (final && carry.length) { onLine(carry, false); carry = ''; }
  };
  if (ff.size <= WINDOW_BYTES) {
    feed(ff.size === 0 ? '' : cs.decode(ff.content()), true);
    return;
  }
  const dec = streamingDecoder(cs);
  for (const w of contentWindows(ff)) feed(dec.write(w), false);
  feed(dec.end(), true);
}

/**
 * Apache Commons Text StringSubstitutor.replace(text, attributes) with its defaults: `${name}` and
 * `${name:-default}`, `$${...}` escapes, values substituted recursively, unknown variables left as they are.
 */
export function substituteVariables(text: string, vars: Readonly<Record<string, string>>, prior: string[] = []): string {
  if (!text.includes('${')) return text;
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const p = text.indexOf('${', i);
    if (p < 0) break;
    if (p > 0 && text.charCodeAt(p - 1) === 36 && p - 1 >= i) {
      // escaped: drop the escape character, keep "${" as text
      out += text.slice(i, p - 1) + '${';
      i = p + 2;
      continue;
    }
    // the matching "}", counting nested "${"
    let depth = 1;
    let j = p + 2;
    while (j < n) {
      if (text.startsWith('${', j)) { depth++; j += 2; continue; }
      if (text.charCodeAt(j) === 125) { if (--depth === 0) break; }
      j++;
    }
    if (j >= n) break;
    const expr = text.slice(p + 2, j);
    const delim = expr.indexOf(':-');
    const name = delim >= 0 ? expr.slice(0, delim) : expr;
    let value: string | undefined = Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined;
    if (value === undefined && delim >= 0) value = expr.slice(delim + 2);
    if (value === undefined) {
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (prior.includes(name)) throw new Failure(`Infinite loop in property interpolation of ${[...prior, name].join('->')}`);
    out += text.slice(i, p) + substituteVariables(value, vars, [...prior, name]);
    i = j + 1;
  }
  return out + text.slice(i);
}
