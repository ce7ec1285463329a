// SplitText: splits text into FlowFiles of at most N lines and/or M bytes, optionally repeating
// header lines in every split. The split computation follows NiFi's SplitText line for line
// (including its handling of blank lines, trailing newlines, carried-over lines and header markers),
// so the same input yields the same splits, sizes and attributes.
//
// Splits without a header are children sharing the parent's bytes (no copy). Inputs are scanned as
// bytes (no per-line decoding). An input that yields more than BATCH_SPLITS splits is emitted over
// several triggers: the parent is held between them, every split still carries the final
// fragment.count (counted in a first pass), and the original goes out with the last batch.
import { randomUUID } from 'node:crypto';
import { defineProcessor } from '../../server/sdk/definition.ts';
import type { ProcessContext } from '../../server/sdk/context.ts';
import type { ProcessSession } from '../../server/engine/session.ts';
import type { FlowFile } from '../../server/engine/flowfile.ts';
import { AttributeShape } from '../../server/engine/attribute-map.ts';
import { Validators, type Validator } from '../../server/sdk/validators.ts';
import { parseDataSize } from '../../server/engine/units.ts';
import { LineScanner } from './line-scanner.ts';

/**
 * Splits emitted per trigger at most; inputs with fewer splits are emitted in one commit, as NiFi does.
 * Small batches keep few splits waiting in the queue at a time: they die young instead of being promoted.
 */
export const BATCH_SPLITS = 250;
/** The attributes every split gets, in NiFi's order. */
const SPLIT_SHAPE = new AttributeShape(['text.line.count', 'fragment.size', 'fragment.identifier', 'fragment.index', 'segment.original.filename', 'fragment.count']);

const INT_MAX = 2_147_483_647;

export interface SplitConfig {
  lineCount: number;
  /** Bytes, Infinity when unset. */
  maxSize: number;
  headerLineCount: number;
  marker: Buffer | null;
  removeTrailing: boolean;
}

type HeaderOutcome = 'ok' | 'incomplete' | 'too-large' | 'marker-short-line';

/** The split computation of one FlowFile, resumable line by line. */
export class Splitter {
  readonly scanner: LineScanner;
  hasHeader = false;
  headerLength = 0;
  /** NiFi's "header CRLF length": the terminator of the last line read while computing the header. */
  headerCrlf = 0;
  headerLines = 0;
  headerOutcome: HeaderOutcome = 'ok';
  /** Lines consumed while computing the header that are lost (NiFi: a marker that matches no line). */
  private remainder = -1;
  private startOffset = 0;
  private preAccumulated = 0;
  /** Splits computed so far. */
  computed = 0;

  // the split found by the last nextSplit()
  splitStart = 0;
  splitLength = 0;
  splitTrimmed = 0;
  splitLines = 0;

  constructor(ff: FlowFile, private readonly cfg: SplitConfig) {
    this.scanner = LineScanner.forFlowFile(ff);
    this.computeHeader();
  }

  private computeHeader(): void {
    const cfg = this.cfg;
    const byCount = cfg.headerLineCount > 0;
    const marker = byCount ? null : cfg.marker;
    if (!byCount && marker === null) return;
    const maxLines = byCount ? cfg.headerLineCount : Infinity;
    const sc = this.scanner;
    let length = 0;
    let lines = 0;
    let lastCrlf = 0;
    let carried = -1;
    while (sc.next()) {
      lastCrlf = sc.crlf;
      if (marker !== null) {
        const m = matchesMarker(sc, marker);
        if (m === 'short') { this.headerOutcome = 'marker-short-line'; return; }
        if (m === 'no') { carried = sc.lineLength; break; }
      }
      if (length + sc.lineLength > cfg.maxSize) { this.headerOutcome = 'too-large'; return; }
      length += sc.lineLength;
      lines++;
      if (lines === maxLines) break;
    }
    if (lines > 0) {
      this.hasHeader = true;
      this.headerLength = length;
      this.headerCrlf = lastCrlf;
      this.headerLines = lines;
      this.remainder = carried;
      this.startOffset = length;
      this.preAccumulated = length;
      if (byCount && lines < cfg.headerLineCount) this.headerOutcome = 'incomplete';
    }
    // With no header line found, NiFi drops the line that failed the marker test (it is consumed
    // but never carried over), and later splits' offsets do not account for it.
  }

  /** Computes the next split; false when the content is exhausted. */
  nextSplit(): boolean {
    const cfg = this.cfg;
    const sc = this.scanner;
    const maxSize = cfg.maxSize;
    const limit = cfg.lineCount;
    const pre = this.preAccumulated;
    let length = 0;
    let trailingCrlf = 0;
    let trailingLines = 0;
    let lines = 0;
    let lastCrlf = 0;
    if (this.remainder >= 0) {
      length += this.remainder;
      lines++;
      this.remainder = -1;
    }
    let carried = -1;
    while (sc.next()) {
      const len = sc.lineLength;
      const crlf = sc.crlf;
      lastCrlf = crlf;
      if (length + len + pre > maxSize) {
        if (length === 0) {
          length += len;
          lines++;
        } else {
          carried = len;
        }
        break;
      }
      if (len === crlf) {
        trailingCrlf += crlf;
        trailingLines++;
      } else {
        trailingCrlf = 0;
      }
      length += len;
      lines++;
      if (limit > 0 && lines >= limit) break;
    }
    if (lines === 0) return false;
    if (length - trailingCrlf >= lastCrlf) trailingCrlf += lastCrlf;
    this.splitStart = this.startOffset;
    this.splitLength = length;
    this.splitTrimmed = length - trailingCrlf;
    this.splitLines = lines - trailingLines;
    this.remainder = carried;
    this.startOffset += length;
    this.computed++;
    return true;
  }

  /** True when a line read past the last split is still to be carried into the next one. */
  get hasCarriedLine(): boolean {
    return this.remainder >= 0;
  }

  /** Bytes of the last split that go out (before any header). */
  get emitLength(): number {
    return this.cfg.removeTrailing ? this.splitTrimmed : this.splitLength;
  }

  /** Whether the last split produces a FlowFile (NiFi drops splits that trim to nothing without a header). */
  get emits(): boolean {
    return this.hasHeader || this.emitLength > 0;
  }
}

/** 'yes' / 'no', or 'short' where NiFi fails: a line shorter than the marker that is a prefix of it. */
function matchesMarker(sc: LineScanner, marker: Buffer): 'yes' | 'no' | 'short' {
  const bytes = sc.lineBytes(marker.length);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== marker[i]) return 'no';
  return bytes.length < marker.length ? 'short' : 'yes';
}

/** Counts the FlowFiles a split would produce (first pass), or reports the header failure. */
export function countSplits(ff: FlowFile, cfg: SplitConfig): { outcome: HeaderOutcome; count: number; headerOnly: boolean } {
  const sp = new Splitter(ff, cfg);
  if (sp.headerOutcome !== 'ok') return { outcome: sp.headerOutcome, count: 0, headerOnly: false };
  let count = 0;
  let any = false;
  while (sp.nextSplit()) {
    any = true;
    if (sp.emits) count++;
  }
  if (!any && sp.hasHeader) return { outcome: 'ok', count: 1, headerOnly: true };
  return { outcome: 'ok', count, headerOnly: false };
}

interface SplitJob {
  key: string;
  cfg: SplitConfig;
  fragmentId: string;
  count: number;
  headerOnly: boolean;
  filename: string;
  /** Splits (computed, not only emitted) whose outcome is committed. */
  committedComputed: number;
  committedIndex: number;
  /** Live progress; null after a rollback (rebuilt by skipping committedComputed splits). */
  splitter: Splitter | null;
  index: number;
  header: Buffer | null;
}

/** Jobs in progress, by flow/processor/FlowFile id; they outlive a stop so a requeued parent resumes. */
const jobs = new Map<string, SplitJob>();

interface State {
  cfg: SplitConfig;
  /** The parent parked between batches (held by the engine). */
  heldParent: FlowFile | null;
}

const nonEmptyExact: Validator = {
  description: 'non-empty string',
  schema: { type: 'string', minLength: 1 },
  validate: (v) => (v.length === 0 ? 'must not be empty' : null),
};

export const SplitText = defineProcessor<State>({
  type: 'SplitText',
  description: 'Splits a text file into multiple smaller text files on line boundaries limited by maximum number of lines or total size of fragment. '
    + 'Each output split file will contain no more than the configured number of lines or bytes. If both Line Split Count and Maximum Fragment Size '
    + 'are specified, the split occurs at whichever limit is reached first. If the first line of a fragment exceeds the Maximum Fragment Size, that '
    + 'line will be output in a single split file which exceeds the configured maximum size limit. Each split may include header lines, given either '
    + 'as a number of lines or by a marker at the start of the header lines; the first line not starting with the marker ends the header.',
  tags: ['split', 'text'],
  inputRequirement: 'required',
  // A parent split over several triggers is held between them; this lets the scheduler come back to it.
  triggerWhenEmpty: true,
  properties: [
    {
      name: 'Line Split Count',
      description: 'The number of lines that will be added to each split file, excluding header lines. A value of zero requires Maximum Fragment Size '
        + 'to be set, and line count will not be considered in determining splits.',
      required: true,
      validator: Validators.integer({ min: 0, max: INT_MAX }),
    },
    {
      name: 'Maximum Fragment Size',
      description: 'The maximum size of each split file, including header lines. NOTE: in the case where a single line exceeds this property '
        + '(including headers, if applicable), that line will be output in a split of its own which exceeds this Maximum Fragment Size setting.',
      validator: Validators.dataSize(),
    },
    {
      name: 'Header Line Count',
      description: 'The number of lines that should be considered part of the header; the header lines will be duplicated to all split files',
      required: true,
      defaultValue: '0',
      validator: Validators.integer({ min: 0, max: INT_MAX }),
    },
    {
      name: 'Header Line Marker Characters',
      description: 'The first character(s) on the line of the datafile which signifies a header line. This value is ignored when Header Line Count '
        + 'is non-zero. The first line not containing the Header Line Marker Characters and all subsequent lines are considered non-header',
      validator: nonEmptyExact,
    },
    {
      name: 'Remove Trailing Newlines',
      description: 'Whether to remove newlines at the end of each split file. This should be false if you intend to merge the split files later. '
        + 'If this is set to \'true\' and a FlowFile is generated that contains only \'empty lines\' (i.e., consists only of \\r and \\n characters), '
        + 'the FlowFile will not be emitted. Note, however, that if header lines are specified, the resultant FlowFile will never be empty as it will '
        + 'consist of the header lines, so a FlowFile may be emitted that contains only the header lines.',
      required: true,
      defaultValue: 'true',
      allowableValues: ['true', 'false'],
    },
  ],
  relationships: [
    { name: 'original', description: 'The original input file will be routed to this destination when it has been successfully split into 1 or more files' },
    { name: 'splits', description: 'The split files will be routed to this destination when an input file is successfully split into 1 or more split files' },
    { name: 'failure', description: 'If a file cannot be split for some reason, the original file will be routed to this destination and nothing will be routed elsewhere', terminalFailure: true },
  ],
  writesAttributes: [
    { name: 'text.line.count', description: 'The number of lines of text from the original FlowFile that were copied to this FlowFile' },
    { name: 'fragment.size', description: 'The number of bytes from the original FlowFile that were copied to this FlowFile, including header, if applicable, which is duplicated in each split FlowFile' },
    { name: 'fragment.identifier', description: 'All split FlowFiles produced from the same parent FlowFile will have the same randomly generated UUID added for this attribute' },
    { name: 'fragment.index', description: 'A one-up number that indicates the ordering of the split FlowFiles that were created from a single parent FlowFile' },
    { name: 'fragment.count', description: 'The number of split FlowFiles generated from the parent FlowFile' },
    { name: 'segment.original.filename', description: 'The filename of the parent FlowFile' },
  ],
  customValidate(ctx) {
    const lines = Number.parseInt(ctx.value('Line Split Count') ?? '', 10);
    if (lines === 0 && ctx.value('Maximum Fragment Size') === undefined) {
      return [{ property: 'Maximum Fragment Size', message: 'Property must be specified when Line Split Count is 0' }];
    }
    return [];
  },
  initialState: () => ({ cfg: undefined as unknown as SplitConfig, heldParent: null }),
  onScheduled(ctx) {
    const maxSizeText = ctx.property('Maximum Fragment Size').value;
    const marker = ctx.property('Header Line Marker Characters').value;
    ctx.state.cfg = {
      lineCount: ctx.property('Line Split Count').asInteger() ?? 0,
      maxSize: maxSizeText === undefined ? Infinity : parseDataSize(maxSizeText) ?? Infinity,
      headerLineCount: ctx.property('Header Line Count').asInteger() ?? 0,
      marker: marker === undefined ? null : Buffer.from(marker, 'utf8'),
      removeTrailing: ctx.property('Remove Trailing Newlines').value !== 'false',
    };
  },
  onStopped(ctx) {
    // a parent held mid-split goes back to the input queue and resumes later: keep its job (progress,
    // fragment.identifier) but release the scanner's window; it is rebuilt by skipping committed splits
    const prefix = `${ctx.flowId}\u0000${ctx.processorId}\u0000`;
    for (const [key, job] of jobs) if (key.startsWith(prefix)) { job.splitter = null; job.header = null; }
  },
  onTrigger(ctx, session) {
    const state = ctx.state;
    let budget = BATCH_SPLITS;
    let parents = 0;
    let ff: FlowFile | null = null;
    if (state.heldParent !== null) {
      const held = state.heldParent;
      state.heldParent = null;
      session.onRollback(() => { state.heldParent = held; });
      try { ff = session.adoptHeld([held])[0]; } catch { ff = null; }
    }
    for (;;) {
      if (ff === null) {
        if (parents >= 1000) break;
        ff = session.getOne();
        if (ff === null) break;
      }
      parents++;
      const key = `${ctx.flowId}\u0000${ctx.processorId}\u0000${ff.id}`;
      let job = jobs.get(key);
      if (job === undefined) {
        const created = startJob(ctx, session, ff, key, state.cfg);
        if (created === null) { ff = null; continue; }
        job = created;
      }
      const result = emit(session, ff, job, budget);
      budget -= result.emitted;
      if (result.done) {
        ff = null;
        if (budget <= 0) break;
        continue;
      }
      session.hold(result.parent);
      state.heldParent = result.parent;
      ctx.continueLater();
      break;
    }
  },
});

function startJob(ctx: ProcessContext<State>, session: ProcessSession, ff: FlowFile, key: string, cfg: SplitConfig): SplitJob | null {
  const counted = countSplits(ff, cfg);
  if (counted.outcome !== 'ok') {
    const why = counted.outcome === 'incomplete'
      ? `it has fewer than the ${cfg.headerLineCount} header line(s) required`
      : counted.outcome === 'too-large'
        ? `its header is larger than the Maximum Fragment Size of ${cfg.maxSize} bytes`
        : 'a line shorter than the Header Line Marker Characters is a prefix of them (NiFi fails on such a line)';
    ctx.bulletin('ERROR', `Unable to split ${ff.getAttribute('filename')} (${ff.id}) because ${why}; routing to failure`);
    session.transfer(ff, 'failure');
    return null;
  }
  const job: SplitJob = {
    key, cfg, fragmentId: randomUUID(), count: counted.count, headerOnly: counted.headerOnly,
    filename: ff.getAttribute('filename') ?? ff.id,
    committedComputed: 0, committedIndex: 0, splitter: null, index: 0, header: null,
  };
  jobs.set(key, job);
  return job;
}

function emit(session: ProcessSession, parent: FlowFile, job: SplitJob, budget: number): { emitted: number; done: boolean; parent: FlowFile } {
  let sp = job.splitter;
  if (sp === null) {
    // fresh start, or resuming after a rollback: skip what was already committed
    sp = new Splitter(parent, job.cfg);
    while (sp.computed < job.committedComputed && sp.nextSplit()) { /* skip */ }
    job.splitter = sp;
    job.index = job.committedIndex;
  }
  if (sp.hasHeader && job.header === null) job.header = Buffer.from(parent.claim.read(parent.offset, sp.headerLength));
  session.onCommit(() => { job.committedComputed = sp.computed; job.committedIndex = job.index; });
  session.onRollback(() => { job.splitter = null; });

  const out: FlowFile[] = [];
  const countText = String(job.count);
  let done = false;
  if (job.headerOnly) {
    // only header lines: one split of the header without its last line terminator, and (as in NiFi) no fragment.count
    const child = session.createChild(parent, 0, sp.headerLength - sp.headerCrlf);
    out.push(session.putAllAttributes(child, {
      'text.line.count': '0', 'fragment.size': String(child.size), 'fragment.identifier': job.fragmentId,
      'fragment.index': String(++job.index), 'segment.original.filename': job.filename,
    }));
    done = true;
  } else {
    const header = job.header;
    const base = parent.attributeMap;
    while (out.length < budget) {
      if (!sp.nextSplit()) { done = true; break; }
      const len = sp.emitLength;
      if (header === null && len <= 0) continue;
      const size = header === null ? len : len > 0 ? header.length + len : sp.headerLength - sp.headerCrlf;
      const attrs = base.withShape(SPLIT_SHAPE, [String(sp.splitLines), String(size), job.fragmentId, String(++job.index), job.filename, countText]);
      if (header === null) {
        out.push(session.createChild(parent, sp.splitStart, len, attrs));
      } else if (len > 0) {
        const body = parent.claim.read(parent.offset + sp.splitStart, len);
        out.push(session.setAttributeMap(session.createChildWithContent(parent, Buffer.concat([header, body], header.length + len)), attrs));
      } else {
        out.push(session.createChild(parent, 0, size, attrs));
      }
    }
    if (!done) {
      // finished exactly at the budget? the scanner is at the end when nothing is left
      done = sp.scanner.pos >= sp.scanner.size && !sp.hasCarriedLine;
    }
  }
  if (out.length) session.transfer(out, 'splits');
  if (done) {
    jobs.delete(job.key);
    const original = session.putAllAttributes(parent, { 'fragment.identifier': job.fragmentId, 'fragment.count': countText });
    session.transfer(original, 'original');
    return { emitted: out.length, done: true, parent: original };
  }
  return { emitted: out.length, done: false, parent };
}
