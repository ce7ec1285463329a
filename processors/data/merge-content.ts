// MergeContent: bins FlowFiles (by arrival, by a correlation attribute, or by fragment.identifier)
// and merges each bin into one FlowFile, with NiFi's BinFiles/BinManager/Bin semantics:
//
// * Each trigger bins what is queued (while no more than "Maximum number of Bins" bins exist), then
//   looks for ready bins. A bin is ready when it is full (Maximum Number of Entries / Maximum Group
//   Size reached, or the minimums reached and more than five FlowFiles in a row did not fit), when
//   the trigger binned nothing and the bin meets its minimums, when it is older than Max Bin Age, or,
//   if none of those freed a bin, when it is the oldest and there are too many bins.
// * Defragment bins complete when they hold fragment.count fragments and are reassembled in
//   fragment.index order; incomplete or inconsistent ones go to failure.
// * Binned FlowFiles are held by the engine between triggers (session.hold / adoptHeld), so they
//   return to the input queue if the processor stops. When `sluice run --until-idle` drains the
//   flow, every bin is merged (as if Max Bin Age had passed).
import { readFileSync, existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { defineProcessor, type PropertyDescriptor } from '../../server/sdk/definition.ts';
import { Validators, type Validator } from '../../server/sdk/validators.ts';
import { parseDataSize, parseTimePeriod } from '../../server/engine/units.ts';
import { containsExpression } from '../../server/expression/index.ts';
import { AttributeMap, type FlowFile } from '../../server/engine/flowfile.ts';
import { CommonAttributes, type AttributeList } from '../../server/engine/common-attributes.ts';
import type { ProcessSession } from '../../server/engine/session.ts';
import type { ProcessContext } from '../../server/sdk/context.ts';
import type { PropertyValue } from '../../server/sdk/property-value.ts';
import { tarChunks, zipChunks, flowFileV3Chunks } from './merge-formats.ts';
type FlowFileExpression = (ff: FlowFile) => string | undefined;

// ---- property values -----------------------------------------------------------------------------

const BIN_PACK = 'Bin-Packing Algorithm';
const DEFRAGMENT = 'Defragment';

const FORMAT_TAR = 'TAR';
const FORMAT_ZIP = 'ZIP';
const FORMAT_FF_V3 = 'FlowFile Stream, v3';
const FORMAT_CONCAT = 'Binary Concatenation';
const FORMAT_AVRO = 'Avro';

const DELIMITER_NONE = 'Do Not Use Delimiters';
const DELIMITER_FILENAME = 'Filename';
const DELIMITER_TEXT = 'Text';

const KEEP_COMMON = 'Keep Only Common Attributes';
const KEEP_UNIQUE = 'Keep All Unique Attributes';
const KEEP_FIRST = 'Keep First Attributes';

const LAST_IN_BIN = 'Last in Bin';
const FIRST_IN_NEW_BIN = 'First in New Bin';
const ISOLATED = 'Isolated';

const FRAGMENT_ID = 'fragment.identifier';
const FRAGMENT_INDEX = 'fragment.index';
const FRAGMENT_COUNT = 'fragment.count';
const SEGMENT_ORIGINAL_FILENAME = 'segment.original.filename';

type Reason = 'MAX_BYTES_THRESHOLD_REACHED' | 'MAX_ENTRIES_THRESHOLD_REACHED' | 'MIN_THRESHOLDS_REACHED' | 'TIMEOUT' | 'BIN_MANAGER_FULL' | 'BIN_TERMINATION_SIGNAL' | 'UNSET';

/** NiFi's NON_EMPTY_VALIDATOR: any non-empty text (a lone newline is a fine demarcator). */
const nonEmptyText: Validator = {
  description: 'non-empty text',
  schema: { type: 'string', minLength: 1 },
  validate: (v) => (v.length === 0 ? 'must not be empty' : null),
};

const positiveInteger = Validators.integer({ min: 1, max: 2 ** 31 - 1 });

/** Between 1 second and Integer.MAX_VALUE seconds. */
const binAgeValidator: Validator = {
  description: 'time period of at least 1 sec',
  schema: Validators.timePeriod.schema,
  validate(v) {
    const ms = parseTimePeriod(v);
    if (ms === undefined) return Validators.timePeriod.validate(v);
    if (ms < 1000) return `must be at least 1 sec, got ${JSON.stringify(v)}`;
    if (ms / 1000 > 2 ** 31 - 1) return `must be at most ${2 ** 31 - 1} secs, got ${JSON.stringify(v)}`;
    return null;
  },
};

/** NiFi's ATTRIBUTE_KEY_VALIDATOR (with Expression Language left to run time). */
const attributeKey: Validator = {
  description: 'attribute name',
  schema: { type: 'string', minLength: 1 },
  validate: (v) => (v.length === 0 ? 'must not be empty' : null),
};

const binPacking = { property: 'Merge Strategy', values: [BIN_PACK] } as const;

const PROPERTIES: PropertyDescriptor[] = [
  {
    name: 'Merge Strategy',
    description: "Specifies the algorithm used to merge content. The 'Defragment' algorithm combines fragments that are associated by attributes back into a single cohesive FlowFile. The 'Bin-Packing Algorithm' generates a FlowFile populated by arbitrarily chosen FlowFiles",
    required: true,
    defaultValue: BIN_PACK,
    allowableValues: [
      { value: BIN_PACK, description: "Generates 'bins' of FlowFiles and fills each bin as full as possible. FlowFiles are placed into a bin based on their size and optionally their attributes (if the <Correlation Attribute> property is set)" },
      { value: DEFRAGMENT, description: 'Combines fragments that are associated by attributes back into a single cohesive FlowFile. If using this strategy, all FlowFiles must have the attributes <fragment.identifier>, <fragment.count>, and <fragment.index>. All FlowFiles with the same value for "fragment.identifier" will be grouped together. All FlowFiles in this group must have the same value for the "fragment.count" attribute. All FlowFiles in this group must have a unique value for the "fragment.index" attribute between 0 and the value of the "fragment.count" attribute.' },
    ],
  },
  {
    name: 'Merge Format',
    description: 'Determines the format that will be used to merge the content.',
    required: true,
    defaultValue: FORMAT_CONCAT,
    allowableValues: [
      { value: FORMAT_TAR, description: "A bin of FlowFiles will be combined into a single TAR file. The FlowFiles' <path> attribute will be used to create a directory in the TAR file if the <Keep Paths> property is set to true; otherwise, all FlowFiles will be added at the root of the TAR file. If a FlowFile has an attribute named <tar.permissions> that is 3 characters, each between 0-7, that attribute will be used as the TAR entry's 'mode'." },
      { value: FORMAT_ZIP, description: "A bin of FlowFiles will be combined into a single ZIP file. The FlowFiles' <path> attribute will be used to create a directory in the ZIP file if the <Keep Paths> property is set to true; otherwise, all FlowFiles will be added at the root of the ZIP file. The <Compression Level> property indicates the ZIP compression to use." },
      { value: FORMAT_FF_V3, description: 'A bin of FlowFiles will be combined into a single Version 3 FlowFile Stream' },
      { value: FORMAT_CONCAT, description: 'The contents of all FlowFiles will be concatenated together into a single FlowFile' },
    ],
  },
  {
    name: 'Attribute Strategy',
    description: "Determines which FlowFile attributes should be added to the bundle. If 'Keep All Unique Attributes' is selected, any attribute on any FlowFile that gets bundled will be kept unless its value conflicts with the value from another FlowFile. If 'Keep Only Common Attributes' is selected, only the attributes that exist on all FlowFiles in the bundle, with the same value, will be preserved. If 'Keep First Attributes' is selected, for each attribute the first occurrence across all FlowFiles will be kept.",
    required: true,
    defaultValue: KEEP_COMMON,
    allowableValues: [
      { value: KEEP_COMMON, description: 'Any attribute that is not the same on all FlowFiles in a bin will be dropped. Those that are the same across all FlowFiles will be retained.' },
      { value: KEEP_UNIQUE, description: "Any attribute that has the same value for all FlowFiles in a bin, or has no value for a FlowFile, will be kept. For example, if a bin consists of 3 FlowFiles and 2 of them have a value of 'hello' for the 'greeting' attribute and the third FlowFile has no 'greeting' attribute then the outbound FlowFile will get a 'greeting' attribute with the value 'hello'." },
      { value: KEEP_FIRST, description: "For each attribute the first occurrence across all FlowFiles in the bundle will be kept. For example, if the first FlowFile has attribute 'common' = '1' and the second has attributes 'common'='2' and 'unique'='value', the merged FlowFile will have the attributes 'common'='1' and 'unique'='value'." },
    ],
  },
  {
    name: 'Correlation Attribute Name',
    description: "If specified, like FlowFiles will be binned together, where 'like FlowFiles' means FlowFiles that have the same value for this Attribute. If not specified, FlowFiles are bundled by the order in which they are pulled from the queue.",
    expressionLanguage: 'flowfile',
    validator: attributeKey,
    dependsOn: binPacking,
  },
  {
    name: 'Metadata Strategy',
    aliases: ['mergecontent-metadata-strategy'],
    description: "For FlowFiles whose input format supports metadata (Avro, e.g.), this property determines which metadata should be added to the bundle. If 'Use First Metadata' is selected, the metadata keys/values from the first FlowFile to be bundled will be used. If 'Keep Only Common Metadata' is selected, only the metadata that exists on all FlowFiles in the bundle, with the same value, will be preserved. If 'Ignore Metadata' is selected, no metadata is transferred to the outgoing bundled FlowFile. If 'Do Not Merge Uncommon Metadata' is selected, any FlowFile whose metadata values do not match those of the first bundled FlowFile will not be merged.",
    required: true,
    defaultValue: 'Do Not Merge Uncommon Metadata',
    allowableValues: ['Use First Metadata', 'Keep Only Common Metadata', 'Do Not Merge Uncommon Metadata', 'Ignore Metadata'],
    dependsOn: { property: 'Merge Format', values: [FORMAT_AVRO] },
  },
  { name: 'Minimum Number of Entries', description: 'The minimum number of files to include in a bundle', required: true, defaultValue: '1', validator: positiveInteger, dependsOn: binPacking },
  { name: 'Maximum Number of Entries', description: 'The maximum number of files to include in a bundle', required: true, defaultValue: '1000', validator: positiveInteger, dependsOn: binPacking },
  { name: 'Minimum Group Size', description: 'The minimum size for the bundle', required: true, defaultValue: '0 B', validator: Validators.dataSize(), dependsOn: binPacking },
  { name: 'Maximum Group Size', description: 'The maximum size for the bundle. If not specified, there is no maximum.', validator: Validators.dataSize(), dependsOn: binPacking },
  {
    name: 'Bin Termination Check',
    description: "Specifies an Expression Language Expression that is to be evaluated against each FlowFile. If the result of the expression is 'true', the bin that the FlowFile corresponds to will be terminated, even if the bin has not met the minimum number of entries or minimum size. Note that if the FlowFile that triggers the termination of the bin is itself larger than the Maximum Bin Size, it will be placed into its own bin without triggering the termination of any other bin. When using this property, it is recommended to use Prioritizers in the flow's connections to ensure that the ordering is as desired.",
    expressionLanguage: 'flowfile',
    dependsOn: binPacking,
  },
  {
    name: 'FlowFile Insertion Strategy',
    description: 'If a given FlowFile terminates the bin based on the <Bin Termination Check> property, specifies where the FlowFile should be included in the bin.',
    required: true,
    defaultValue: LAST_IN_BIN,
    allowableValues: [
      { value: LAST_IN_BIN, description: 'Insert the FlowFile at the end of the Bin that is terminated' },
      { value: FIRST_IN_NEW_BIN, description: 'Insert the FlowFile at the beginning of a newly created Bin' },
      { value: ISOLATED, description: 'Insert the FlowFile into a new Bin and terminate the Bin immediately with the FlowFile as the only content' },
    ],
    dependsOn: { property: 'Bin Termination Check' },
  },
  {
    name: 'Max Bin Age',
    description: 'The maximum age of a Bin that will trigger a Bin to be complete. Expected format is <duration> <time unit> where <duration> is a positive integer and time unit is one of seconds, minutes, hours',
    validator: binAgeValidator,
  },
  {
    name: 'Maximum number of Bins',
    aliases: ['Maximum Number of Bins'],
    description: 'Specifies the maximum number of bins that can be held in memory at any one time',
    required: true,
    defaultValue: '5',
    validator: positiveInteger,
  },
  {
    name: 'Delimiter Strategy',
    description: 'Determines if Header, Footer, and Demarcator should point to files containing the respective content, or if the values of the properties should be used as the content.',
    required: true,
    defaultValue: DELIMITER_NONE,
    allowableValues: [
      { value: DELIMITER_NONE, description: 'No Header, Footer, or Demarcator will be used' },
      { value: DELIMITER_FILENAME, description: 'The values of Header, Footer, and Demarcator will be retrieved from the contents of a file' },
      { value: DELIMITER_TEXT, description: 'The values of Header, Footer, and Demarcator will be specified as property values' },
    ],
    dependsOn: { property: 'Merge Format', values: [FORMAT_CONCAT] },
  },
  { name: 'Header', aliases: ['Header File'], description: 'Filename or text specifying the header to use. If not specified, no header is supplied.', validator: nonEmptyText, expressionLanguage: 'flowfile', dependsOn: { property: 'Delimiter Strategy', values: [DELIMITER_FILENAME, DELIMITER_TEXT] } },
  { name: 'Footer', aliases: ['Footer File'], description: 'Filename or text specifying the footer to use. If not specified, no footer is supplied.', validator: nonEmptyText, expressionLanguage: 'flowfile', dependsOn: { property: 'Delimiter Strategy', values: [DELIMITER_FILENAME, DELIMITER_TEXT] } },
  { name: 'Demarcator', aliases: ['Demarcator File'], description: 'Filename or text specifying the demarcator to use. If not specified, no demarcator is supplied.', validator: nonEmptyText, expressionLanguage: 'flowfile', dependsOn: { property: 'Delimiter Strategy', values: [DELIMITER_FILENAME, DELIMITER_TEXT] } },
  {
    name: 'Compression Level',
    description: 'Specifies the compression level to use when using the Zip Merge Format; if not using the Zip Merge Format, this value is ignored',
    required: true,
    defaultValue: '1',
    allowableValues: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    dependsOn: { property: 'Merge Format', values: [FORMAT_ZIP] },
  },
  {
    name: 'Keep Path',
    description: "If using the Zip or Tar Merge Format, specifies whether or not the FlowFiles' paths should be included in their entry names.",
    required: true,
    defaultValue: 'false',
    allowableValues: ['true', 'false'],
    dependsOn: { property: 'Merge Format', values: [FORMAT_TAR, FORMAT_ZIP] },
  },
  {
    name: 'Tar Modified Time',
    description: "If using the Tar Merge Format, specifies if the Tar entry should store the modified timestamp either by expression (e.g. ${file.lastModifiedTime} or static value, both of which must match the ISO8601 format 'yyyy-MM-dd'T'HH:mm:ssZ'.",
    expressionLanguage: 'flowfile',
    validator: nonEmptyText,
    defaultValue: '${file.lastModifiedTime}',
    dependsOn: { property: 'Merge Format', values: [FORMAT_TAR] },
  },
];

// ---- bins ----------------------------------------------------------------------------------------

let binSequence = 0;

class Bin {
  entries: FlowFile[] = [];
  /** entries[0, held) are held by the engine since an earlier trigger; the rest belong to the current session. */
  held = 0;
  size = 0;
  failedOffers = 0;
  forced = false;
  reason: Reason = 'UNSET';
  readonly seq = ++binSequence;
  readonly createdMono = performance.now();
  readonly createdEpoch = Date.now();
  readonly indexes: Set<string> | null;
  /**
   * Lean bins (see Config.lean) keep their first FlowFile whole and the others without attributes,
   * tallying the common attributes as FlowFiles arrive.
   */
  common: CommonAttributes | null = null;

  constructor(
    readonly group: string,
    public minSize: number,
    public maxSize: number,
    public minEntries: number,
    public maxEntries: number,
    readonly defragment: boolean,
  ) {
    if (defragment) {
      this.minSize = 0;
      this.maxSize = Infinity;
      this.minEntries = 2 ** 31 - 1;
      this.maxEntries = 2 ** 31 - 1;
    }
    this.indexes = defragment ? new Set() : null;
  }

  offer(ff: FlowFile, journal: Journal | null): boolean {
    if (this.forced || this.size + ff.size > this.maxSize || this.entries.length >= this.maxEntries) {
      this.failedOffers++;
      return false;
    }
    if (this.indexes !== null) {
      const index = ff.attributeMap.get(FRAGMENT_INDEX);
      if (index === undefined || index === '' || this.indexes.has(index)) {
        this.failedOffers++;
        return false;
      }
      this.indexes.add(index);
      journal?.indexes.push([this, index]);
      const count = toInteger(ff.attributeMap.get(FRAGMENT_COUNT));
      if (count !== null) {
        this.maxEntries = count;
        this.minEntries = count;
      }
    }
    this.size += ff.size;
    this.entries.push(ff);
    this.failedOffers = 0;
    return true;
  }

  isFull(): boolean {
    const n = this.entries.length;
    return (this.size >= this.minSize && n >= this.minEntries && this.failedOffers > 5)
      || this.size >= this.maxSize || n >= this.maxEntries || this.forced;
  }

  isFullEnough(): boolean {
    return this.isFull() || (this.size >= this.minSize && this.entries.length >= this.minEntries);
  }

  determineReason(): Reason | null {
    if (this.forced) return 'BIN_TERMINATION_SIGNAL';
    if (this.size >= this.maxSize) return 'MAX_BYTES_THRESHOLD_REACHED';
    if (this.entries.length >= this.maxEntries) return 'MAX_ENTRIES_THRESHOLD_REACHED';
    if (this.size >= this.minSize && this.entries.length >= this.minEntries) return 'MIN_THRESHOLDS_REACHED';
    return null;
  }

  ageMs(): number {
    return performance.now() - this.createdMono;
  }
}

/** Integer.parseInt of a string of digits, or null. */
function toInteger(v: string | undefined): number | null {
  if (v === undefined || !/^\d+$/.test(v)) return null;
  const n = Number(v);
  return n <= 2 ** 31 - 1 ? n : null;
}

/** What a trigger changed in the bins, to undo if its session is rolled back. */
interface Journal {
  groups: Map<string, Bin[]>;
  binCount: number;
  bins: { bin: Bin; length: number; held: number; size: number; failedOffers: number; minEntries: number; maxEntries: number; forced: boolean; reason: Reason; common: ReturnType<CommonAttributes['snapshot']> | null }[];
  indexes: [Bin, string][];
}

interface Config {
  defragment: boolean;
  /**
   * Binned FlowFiles after a bin's first are held without their attributes, which are tallied into
   * the bin's common attributes on arrival. Only where nothing can observe the difference: binary
   * concatenation keeping only common attributes, 'original' and 'failure' not connected, and no
   * provenance (it shows dropped originals' attributes). A stopped lean MergeContent merges its bins
   * (flushOnStop) rather than returning attribute-less FlowFiles to its queue. This keeps the held
   * set small: most of a FlowFile's memory is its per-FlowFile attribute layers.
   */
  lean: boolean;
  format: string;
  attributeStrategy: string;
  correlation: FlowFileExpression | null;
  termination: FlowFileExpression | null;
  insertion: string;
  minEntries: number;
  maxEntries: number;
  minSize: number;
  maxSize: number;
  maxBinAgeMs: number;
  maxBins: number;
  delimiter: string;
  header: PropertyValue;
  footer: PropertyValue;
  demarcator: PropertyValue;
  compressionLevel: number;
  keepPath: boolean;
  tarModifiedTime: PropertyValue;
}

interface State {
  config: Config | null;
  /** Bins by group key, in creation order. */
  groups: Map<string, Bin[]>;
  binCount: number;
}

const NULL_GROUP = '\u0000<null>';
/** FlowFiles binned per trigger at most (NiFi keeps pulling until it has too many bins). */
const MAX_BINNED_PER_TRIGGER = 50_000;

// ---- the processor -------------------------------------------------------------------------------

export const MergeContent = defineProcessor<State>({
  type: 'MergeContent',
  description: 'Merges a Group of FlowFiles together based on a user-defined strategy and packages them into a single FlowFile. It is recommended that the Processor be configured with only a single incoming connection, as Group of FlowFiles will not be created from FlowFiles in different connections. This processor updates the mime.type attribute as appropriate. NOTE: this processor should NOT be configured with Cron Driven for the Scheduling Strategy.',
  tags: ['merge', 'content', 'correlation', 'tar', 'zip', 'stream', 'concatenation', 'archive', 'flowfile-stream', 'flowfile-stream-v3'],
  inputRequirement: 'required',
  triggerWhenEmpty: true,
  properties: PROPERTIES,
  relationships: [
    { name: 'original', description: 'The FlowFiles that were used to create the bundle' },
    { name: 'failure', description: 'If the bundle cannot be created, all FlowFiles that would have been used to created the bundle will be transferred to failure', terminalFailure: true },
    { name: 'merged', description: 'The FlowFile containing the merged content' },
  ],
  readsAttributes: [
    { name: FRAGMENT_ID, description: 'Applicable only if the <Merge Strategy> property is set to Defragment. All FlowFiles with the same value for this attribute will be bundled together.' },
    { name: FRAGMENT_INDEX, description: 'Applicable only if the <Merge Strategy> property is set to Defragment. This attribute indicates the order in which the fragments should be assembled. This attribute must be present on all FlowFiles when using the Defragment Merge Strategy and must be a unique (i.e., unique across all FlowFiles that have the same value for the "fragment.identifier" attribute) integer between 0 and the value of the fragment.count attribute. If two or more FlowFiles have the same value for the "fragment.identifier" attribute and the same value for the "fragment.index" attribute, the first FlowFile processed will be accepted and subsequent FlowFiles will not be accepted into the Bin.' },
    { name: FRAGMENT_COUNT, description: 'Applicable only if the <Merge Strategy> property is set to Defragment. This attribute indicates how many FlowFiles should be expected in the given bundle. At least one FlowFile must have this attribute in the bundle. If multiple FlowFiles contain the "fragment.count" attribute in a given bundle, all must have the same value.' },
    { name: SEGMENT_ORIGINAL_FILENAME, description: 'Applicable only if the <Merge Strategy> property is set to Defragment. This attribute must be present on all FlowFiles with the same value for the fragment.identifier attribute. All FlowFiles in the same bundle must have the same value for this attribute. The value of this attribute will be used for the filename of the completed merged FlowFile.' },
    { name: 'tar.permissions', description: 'Applicable only if the <Merge Format> property is set to TAR. The value of this attribute must be 3 characters; each character must be in the range 0 to 7 (inclusive) and indicates the file permissions that should be used for the FlowFile\'s TAR entry. If this attribute is missing or has an invalid value, the default value of 644 will be used' },
  ],
  writesAttributes: [
    { name: 'filename', description: 'When more than 1 file is merged, the filename comes from the segment.original.filename attribute. If that attribute does not exist in the source FlowFiles, then the filename is set to the number of nanoseconds matching system time. Then a filename extension may be applied:if Merge Format is TAR, then the filename will be appended with .tar, if Merge Format is ZIP, then the filename will be appended with .zip, if Merge Format is FlowFileStream, then the filename will be appended with .pkg' },
    { name: 'merge.count', description: 'The number of FlowFiles that were merged into this bundle' },
    { name: 'merge.bin.age', description: 'The age of the bin, in milliseconds, when it was merged and output. Effectively this is the greatest amount of time that any FlowFile in this bundle remained waiting in this processor before it was output' },
    { name: 'merge.uuid', description: 'UUID of the merged flow file that will be added to the original flow files attributes.' },
    { name: 'merge.reason', description: 'This processor allows for several thresholds to be configured for merging FlowFiles. This attribute indicates which of the Thresholds resulted in the FlowFiles being merged. For an explanation of each of the possible values and their meanings, see the Processor\'s Usage / documentation and see the \'Additional Details\' page.' },
  ],
  customValidate(ctx) {
    const problems: { property?: string; message: string }[] = [];
    const minSize = parseDataSize(ctx.value('Minimum Group Size') ?? '0 B') ?? 0;
    const maxSizeText = ctx.value('Maximum Group Size');
    const maxSize = maxSizeText === undefined ? Infinity : parseDataSize(maxSizeText) ?? Infinity;
    if (maxSize < minSize) problems.push({ property: 'Minimum Group Size', message: 'Min Size must be less than or equal to Max Size' });
    const minEntries = Number(ctx.value('Minimum Number of Entries') ?? '1');
    const maxEntries = Number(ctx.value('Maximum Number of Entries') ?? '1000');
    if (minEntries > maxEntries) problems.push({ property: 'Minimum Number of Entries', message: 'Min Entries must be less than or equal to Max Entries' });
    if ((ctx.value('Delimiter Strategy') ?? DELIMITER_NONE) === DELIMITER_FILENAME && (ctx.value('Merge Format') ?? FORMAT_CONCAT) === FORMAT_CONCAT) {
      for (const name of ['Header', 'Footer', 'Demarcator']) {
        const v = ctx.value(name);
        if (v !== undefined && !containsExpression(v) && !existsSync(v)) problems.push({ property: name, message: `File ${v} does not exist` });
      }
    }
    return problems;
  },
  initialState: () => ({ config: null, groups: new Map(), binCount: 0 }),
  onScheduled(ctx) {
    const p = (name: string) => ctx.property(name);
    const maxSizeText = p('Maximum Group Size').value;
    const ageText = p('Max Bin Age').value;
    const correlation = p('Correlation Attribute Name');
    const termination = p('Bin Termination Check');
    const defragment = p('Merge Strategy').value === DEFRAGMENT;
    const format = p('Merge Format').value ?? FORMAT_CONCAT;
    const attributeStrategy = p('Attribute Strategy').value ?? KEEP_COMMON;
    ctx.state.config = {
      defragment,
      lean: !defragment && format === FORMAT_CONCAT && attributeStrategy === KEEP_COMMON
        && !ctx.isConnected('original') && !ctx.isConnected('failure') && !ctx.recordsProvenance,
      format,
      attributeStrategy,
      correlation: correlation.isSet ? (ff: FlowFile) => correlation.evaluate(ff) : null,
      termination: !defragment && termination.isSet ? (ff: FlowFile) => termination.evaluate(ff) : null,
      insertion: p('FlowFile Insertion Strategy').value ?? LAST_IN_BIN,
      minEntries: Number(p('Minimum Number of Entries').value ?? '1'),
      maxEntries: Number(p('Maximum Number of Entries').value ?? '1000'),
      minSize: parseDataSize(p('Minimum Group Size').value ?? '0 B') ?? 0,
      maxSize: maxSizeText === undefined ? Infinity : parseDataSize(maxSizeText) ?? Infinity,
      // NiFi keeps whole seconds.
      maxBinAgeMs: ageText === undefined ? Infinity : Math.floor((parseTimePeriod(ageText) ?? 0) / 1000) * 1000,
      maxBins: Number(p('Maximum number of Bins').value ?? '5'),
      delimiter: p('Delimiter Strategy').value ?? DELIMITER_NONE,
      header: p('Header'),
      footer: p('Footer'),
      demarcator: p('Demarcator'),
      compressionLevel: Number(p('Compression Level').value ?? '1'),
      keepPath: p('Keep Path').value === 'true',
      tarModifiedTime: p('Tar Modified Time'),
    };
    ctx.state.groups = new Map();
    ctx.state.binCount = 0;
  },
  onStopped(ctx) {
    // The engine returns the held FlowFiles to the input queue (NiFi's purge rolls the bins back).
    ctx.state.groups = new Map();
    ctx.state.binCount = 0;
  },
  onTrigger(ctx, session) {
    trigger(ctx, session);
  },
  flushOnStop(ctx) {
    return ctx.state.config?.lean === true;
  },
});

// ---- one trigger ---------------------------------------------------------------------------------

function trigger(ctx: ProcessContext<State>, session: ProcessSession): void {
  const state = ctx.state;
  const config = state.config!;
  const journal = beginJournal(state);
  session.onRollback(() => restore(state, journal));

  const ready: Bin[] = [];
  let binned = 0;
  let newBinNeeded = false;

  // 1. Bin what is queued.
  if (state.binCount <= config.maxBins) {
    while (state.binCount <= config.maxBins && binned < MAX_BINNED_PER_TRIGGER) {
      const flowFiles = session.get(1000);
      if (flowFiles.length === 0) break;
      if (config.correlation === null && !config.defragment) {
        // one group: no per-FlowFile key
        const unbinned = offer(ctx, session, state, config, journal, NULL_GROUP, flowFiles);
        if (unbinned.length > 0) newBinNeeded = true;
        for (const ff of unbinned) ready.push(soloBin(NULL_GROUP, ff));
        binned += flowFiles.length;
        continue;
      }
      const byGroup = new Map<string, FlowFile[]>();
      for (const ff of flowFiles) {
        let key: string;
        try {
          key = groupOf(config, ff);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          ctx.logger.error({ flowFile: ff.id, err: message }, 'could not determine which bin to add the FlowFile to');
          ctx.bulletin('ERROR', `Could not determine which Bin to add ${ff.id} to; will route to failure: ${message}`);
          session.transfer(ff, 'failure');
          continue;
        }
        let list = byGroup.get(key);
        if (list === undefined) byGroup.set(key, (list = []));
        list.push(ff);
      }
      for (const [key, list] of byGroup) {
        const unbinned = offer(ctx, session, state, config, journal, key, list);
        if (unbinned.length > 0) newBinNeeded = true;
        for (const ff of unbinned) ready.push(soloBin(key, ff));
        binned += list.length;
      }
    }
  }

  // 2. Find the bins that are ready.
  collectReady(state, config, binned === 0, newBinNeeded, ready);
  if (ctx.isDraining) {
    for (const bins of state.groups.values()) {
      for (const bin of bins) {
        bin.reason = bin.determineReason() ?? 'TIMEOUT';
        ready.push(bin);
      }
    }
    state.groups.clear();
    state.binCount = 0;
  }

  // 3. Merge them.
  for (const bin of ready) processBin(ctx, session, config, bin);

  // 4. Keep the FlowFiles of the bins still filling.
  let oldest = Infinity;
  for (const bins of state.groups.values()) {
    for (const bin of bins) {
      for (let i = bin.held; i < bin.entries.length; i++) session.hold(bin.entries[i]);
      bin.held = bin.entries.length;
      if (bin.createdEpoch < oldest) oldest = bin.createdEpoch;
    }
  }
  if (oldest !== Infinity && config.maxBinAgeMs !== Infinity) ctx.wakeAt(oldest + config.maxBinAgeMs + 1);
}

/** A FlowFile that fits no bin is merged on its own (NiFi gives it a bin without limits). */
function soloBin(key: string, ff: FlowFile): Bin {
  const bin = new Bin(key, 0, Infinity, 0, 2 ** 31 - 1, false);
  bin.offer(ff, null);
  return bin;
}

function groupOf(config: Config, ff: FlowFile): string {
  let group: string | undefined;
  if (config.correlation !== null) {
    const name = config.correlation(ff);
    if (name !== undefined) group = ff.getCoreAttribute(name);
  }
  if (group === undefined && config.defragment) group = ff.attributeMap.get(FRAGMENT_ID);
  return group === undefined ? NULL_GROUP : group;
}

/** NiFi's BinManager.offer: returns the FlowFiles that fit no bin. */
function offer(ctx: ProcessContext<State>, session: ProcessSession, state: State, config: Config, journal: Journal, key: string, flowFiles: FlowFile[]): FlowFile[] {
  const unbinned: FlowFile[] = [];
  next: for (const ff of flowFiles) {
    if (ff.size > config.maxSize) { unbinned.push(ff); continue; }
    let terminates = false;
    if (config.termination !== null) {
      try {
        terminates = isTrue(config.termination(ff));
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        ctx.bulletin('ERROR', `Could not evaluate the Bin Termination Check for ${ff.id}; will route to failure: ${message}`);
        session.transfer(ff, 'failure');
        continue;
      }
    }
    let bins = state.groups.get(key);
    if (bins === undefined) state.groups.set(key, (bins = []));
    if (terminates) {
      if (config.insertion === LAST_IN_BIN) {
        for (const bin of bins) {
          if (admit(session, config, bin, ff, journal)) {
            bin.forced = true;
            bin.reason = 'BIN_TERMINATION_SIGNAL';
            continue next;
          }
        }
      } else {
        for (const bin of bins) {
          if (bin.forced) continue;
          bin.forced = true;
          bin.reason = 'BIN_TERMINATION_SIGNAL';
          break;
        }
      }
    } else {
      for (const bin of bins) if (admit(session, config, bin, ff, journal)) continue next;
    }
    const bin = new Bin(key, config.minSize, config.maxSize, config.minEntries, config.maxEntries, config.defragment);
    if (admit(session, config, bin, ff, journal)) {
      bins.push(bin);
      state.binCount++;
      if (terminates && (config.insertion === ISOLATED || config.insertion === LAST_IN_BIN)) {
        bin.forced = true;
        bin.reason = 'BIN_TERMINATION_SIGNAL';
      }
    } else {
      // (NiFi keeps the new, empty bin around until it times out; Sluice drops it.)
      if (bins.length === 0) state.groups.delete(key);
      unbinned.push(ff);
    }
  }
  return unbinned;
}

/** Bin.offer, then for lean bins: tally the FlowFile's attributes and keep it without them. */
function admit(session: ProcessSession, config: Config, bin: Bin, ff: FlowFile, journal: Journal): boolean {
  if (!bin.offer(ff, journal)) return false;
  if (!config.lean) return true;
  const last = bin.entries.length - 1;
  if (last === 0) {
    // the first stays whole; filename and path must be real attributes (their defaults differ per FlowFile)
    const m = ff.attributeMap;
    if (m.get('filename') !== undefined && m.get('path') !== undefined) bin.common = new CommonAttributes(m);
    return true;
  }
  if (bin.common === null) return true;
  bin.common.add(ff.attributeMap);
  bin.entries[last] = session.setAttributeMap(ff, AttributeMap.EMPTY);
  return true;
}

/** Java's Boolean.parseBoolean. */
function isTrue(v: string | undefined): boolean {
  return v !== undefined && v.trim().toLowerCase() === 'true';
}

/** NiFi's migrateBins: full (or, when nothing was binned, full-enough) and old bins; else the oldest if there are too many. */
function collectReady(state: State, config: Config, relax: boolean, newBinNeeded: boolean, ready: Bin[]): void {
  let added = 0;
  for (const [key, bins] of state.groups) {
    const remaining: Bin[] = [];
    for (const bin of bins) {
      if (relax ? bin.isFullEnough() : bin.isFull()) {
        bin.reason = bin.determineReason() ?? 'UNSET';
        ready.push(bin);
        added++;
      } else if (bin.ageMs() > config.maxBinAgeMs) {
        bin.reason = 'TIMEOUT';
        ready.push(bin);
        added++;
      } else {
        remaining.push(bin);
      }
    }
    if (remaining.length === 0) state.groups.delete(key);
    else if (remaining.length !== bins.length) state.groups.set(key, remaining);
  }
  state.binCount -= added;
  if (added === 0 && (state.binCount > config.maxBins || (state.binCount === config.maxBins && newBinNeeded))) {
    let oldest: Bin | null = null;
    for (const bins of state.groups.values()) for (const bin of bins) if (oldest === null || bin.seq < oldest.seq) oldest = bin;
    if (oldest !== null) {
      const bins = state.groups.get(oldest.group)!;
      bins.splice(bins.indexOf(oldest), 1);
      if (bins.length === 0) state.groups.delete(oldest.group);
      state.binCount--;
      oldest.reason = 'BIN_MANAGER_FULL';
      ready.push(oldest);
    }
  }
}

// ---- rollback ------------------------------------------------------------------------------------

function beginJournal(state: State): Journal {
  const journal: Journal = { groups: new Map(), binCount: state.binCount, bins: [], indexes: [] };
  for (const [key, bins] of state.groups) {
    journal.groups.set(key, bins.slice());
    for (const bin of bins) {
      journal.bins.push({
        bin, length: bin.entries.length, held: bin.held, size: bin.size, failedOffers: bin.failedOffers,
        minEntries: bin.minEntries, maxEntries: bin.maxEntries, forced: bin.forced, reason: bin.reason,
        common: bin.common?.snapshot() ?? null,
      });
    }
  }
  return journal;
}

function restore(state: State, journal: Journal): void {
  for (const [bin, index] of journal.indexes) bin.indexes?.delete(index);
  for (const b of journal.bins) {
    const bin = b.bin;
    bin.entries.length = b.length;
    bin.held = b.held;
    bin.size = b.size;
    bin.failedOffers = b.failedOffers;
    bin.minEntries = b.minEntries;
    bin.maxEntries = b.maxEntries;
    bin.forced = b.forced;
    bin.reason = b.reason;
    if (b.common !== null) bin.common!.restore(b.common);
  }
  state.groups = journal.groups;
  state.binCount = journal.binCount;
}

// ---- merging -------------------------------------------------------------------------------------

function describeFlowFile(ff: FlowFile): string {
  return `FlowFile[uuid=${ff.id}, size=${ff.size}]`;
}

function processBin(ctx: ProcessContext<State>, session: ProcessSession, config: Config, bin: Bin): void {
  // Bring back the FlowFiles held since earlier triggers (the same objects, now in this session).
  if (bin.entries.length === 0) return;
  let contents = bin.held > 0 ? [...session.adoptHeld(bin.entries.slice(0, bin.held)), ...bin.entries.slice(bin.held)] : bin.entries.slice();

  if (config.defragment) {
    const error = defragmentError(contents);
    if (error !== null) {
      const what = contents.length <= 10 ? `[${contents.map(describeFlowFile).join(', ')}]` : `${contents.length} FlowFiles`;
      ctx.logger.error({ count: contents.length }, error);
      ctx.bulletin('ERROR', `${error}; routing ${what} to failure`);
      session.transfer(contents, 'failure');
      return;
    }
    contents = contents
      .map((ff, i) => ({ ff, i, index: Number.parseInt(ff.attributeMap.get(FRAGMENT_INDEX)!, 10) }))
      .sort((a, b) => a.index - b.index || a.i - b.i)
      .map((x) => x.ff);
  }

  let merged: FlowFile;
  let unmerged: FlowFile[] = [];
  try {
    const common = bin.common?.result() ?? null;
    const bundle = buildBundle(ctx, config, contents, common);
    unmerged = bundle.unmerged;
    const attributes = common !== null ? toRecord(common) : mergedAttributes(config.attributeStrategy, contents);
    attributes['mime.type'] = bundle.mimeType;
    attributes.filename = bundle.filename;
    attributes['merge.count'] = String(contents.length);
    attributes['merge.bin.age'] = String(Math.floor(bin.ageMs()));
    attributes['merge.reason'] = bin.reason;
    merged = session.merge(contents, ctx.contentStore.createFromChunks(bundle.chunks, bundle.length), attributes);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    ctx.logger.error({ count: contents.length, err: message }, 'failed to process bundle');
    ctx.bulletin('ERROR', `Failed to process bundle of ${contents.length} files: ${message}; routing them to failure`);
    session.transfer(contents, 'failure');
    return;
  }
  session.transfer(merged, 'merged');
  for (const ff of unmerged) session.transfer(session.clone(ff), 'failure');
  if (ctx.isConnected('original')) {
    const uuid = { 'merge.uuid': merged.id };
    for (const ff of contents) session.transfer(session.putAllAttributes(ff, uuid), 'original');
  } else {
    // Dropped anyway: skip stamping merge.uuid on each original.
    session.transfer(contents, 'original');
  }
}

function defragmentError(contents: readonly FlowFile[]): string | null {
  if (contents.length === 0) return null;
  let decidedCount: string | null = null;
  let fragmentId: string | undefined;
  for (const ff of contents) {
    const index = ff.attributeMap.get(FRAGMENT_INDEX);
    if (index === undefined || !/^\d+$/.test(index)) return `Cannot Defragment ${describeFlowFile(ff)} because it does not have an integer value for the ${FRAGMENT_INDEX} attribute`;
    fragmentId = ff.attributeMap.get(FRAGMENT_ID);
    const count = ff.attributeMap.get(FRAGMENT_COUNT);
    if (count !== undefined) {
      if (!/^\d+$/.test(count)) return `Cannot Defragment ${describeFlowFile(ff)} because it does not have an integer value for the ${FRAGMENT_COUNT} attribute`;
      if (decidedCount === null) decidedCount = count;
      else if (decidedCount !== count) return `Cannot Defragment ${describeFlowFile(ff)} because it is grouped with another FlowFile, and the two have differing values for the ${FRAGMENT_COUNT} attribute: ${decidedCount} and ${count}`;
    }
  }
  if (decidedCount === null) return `Cannot Defragment FlowFiles with Fragment Identifier ${fragmentId} because no FlowFile arrived with the ${FRAGMENT_COUNT} attribute and the expected number of fragments is unknown`;
  const expected = toInteger(decidedCount);
  if (expected === null) return `Cannot Defragment FlowFiles with Fragment Identifier ${fragmentId} because the ${FRAGMENT_COUNT} has a non-integer value of ${decidedCount}`;
  if (contents.length < expected) return `Cannot Defragment FlowFiles with Fragment Identifier ${fragmentId} because the expected number of fragments is ${decidedCount} but found only ${contents.length} fragments`;
  if (contents.length > expected) return `Cannot Defragment FlowFiles with Fragment Identifier ${fragmentId} because the expected number of fragments is ${decidedCount} but found ${contents.length} fragments for this identifier`;
  return null;
}

interface Bundle {
  chunks: Iterable<Buffer>;
  length: number;
  mimeType: string;
  filename: string;
  unmerged: FlowFile[];
}

function createFilename(contents: readonly FlowFile[]): string {
  if (contents.length === 1) return contents[0].getCoreAttribute('filename')!;
  return contents[0].attributeMap.get(SEGMENT_ORIGINAL_FILENAME) ?? String(process.hrtime.bigint());
}

function toRecord({ names, values }: AttributeList): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (let i = 0; i < names.length; i++) out[names[i]] = values[i];
  return out;
}

/** `common`: a lean bin's common attributes (its FlowFiles after the first have none of their own). */
function buildBundle(ctx: ProcessContext<State>, config: Config, contents: FlowFile[], common: AttributeList | null): Bundle {
  switch (config.format) {
    case FORMAT_TAR: return tarBundle(config, contents);
    case FORMAT_ZIP: return zipBundle(config, contents);
    case FORMAT_FF_V3: return flowFileStreamBundle(contents);
    default: return concatBundle(ctx, config, contents, common);
  }
}

/** Header, footer or demarcator bytes, evaluated against the first FlowFile of the bundle. */
function delimiter(config: Config, value: PropertyValue, first: FlowFile): Buffer | null {
  if (config.delimiter === DELIMITER_NONE || !value.isSet) return null;
  const text = value.evaluate(first);
  if (text === undefined) return null;
  return config.delimiter === DELIMITER_FILENAME ? readFileSync(text) : Buffer.from(text, 'utf8');
}

function concatBundle(_ctx: ProcessContext<State>, config: Config, contents: FlowFile[], common: AttributeList | null): Bundle {
  const first = contents[0];
  const header = delimiter(config, config.header, first);
  const footer = delimiter(config, config.footer, first);
  const demarcator = delimiter(config, config.demarcator, first);
  let length = (header?.length ?? 0) + (footer?.length ?? 0);
  // the mime type they all share: a lean bin has it among its common attributes
  const commonMime = common === null ? -1 : common.names.indexOf('mime.type');
  let mime: string | undefined = common === null ? first.attributeMap.get('mime.type') : commonMime >= 0 ? common.values[commonMime] : undefined;
  for (let i = 0; i < contents.length; i++) {
    const ff = contents[i];
    length += ff.size;
    if (common === null && i > 0 && mime !== undefined && mime !== ff.attributeMap.get('mime.type')) mime = undefined;
  }
  if (demarcator !== null && contents.length > 1) length += demarcator.length * (contents.length - 1);
  return { chunks: concatChunks(header, contents, demarcator, footer), length, mimeType: mime ?? 'application/octet-stream', filename: createFilename(contents), unmerged: [] };
}

const BLOCK_SIZE = 64 * 1024;

/**
 * The bundle's bytes in 64 KB blocks (fresh buffers, so a store may keep them): small contents are
 * copied straight from their claims, so a file-backed store writes blocks rather than one small write
 * per FlowFile and demarcator. Large contents pass through as they are.
 */
function* concatChunks(header: Buffer | null, contents: readonly FlowFile[], demarcator: Buffer | null, footer: Buffer | null): Generator<Buffer> {
  let block = Buffer.allocUnsafe(BLOCK_SIZE);
  let used = 0;
  function* add(piece: Buffer): Generator<Buffer> {
    if (piece.length >= BLOCK_SIZE / 4) {
      if (used > 0) { yield block.subarray(0, used); block = Buffer.allocUnsafe(BLOCK_SIZE); used = 0; }
      yield piece;
      return;
    }
    if (used + piece.length > BLOCK_SIZE) { yield block.subarray(0, used); block = Buffer.allocUnsafe(BLOCK_SIZE); used = 0; }
    used += piece.copy(block, used);
  }
  if (header !== null) yield* add(header);
  const n = contents.length;
  for (let i = 0; i < n; i++) {
    const ff = contents[i];
    const size = ff.size;
    if (size >= BLOCK_SIZE / 4) yield* add(ff.content());
    else if (size > 0) {
      if (used + size > BLOCK_SIZE) { yield block.subarray(0, used); block = Buffer.allocUnsafe(BLOCK_SIZE); used = 0; }
      used += ff.claim.readInto(ff.offset, block, used, size);
    }
    if (demarcator !== null && i < n - 1) {
      if (demarcator.length < BLOCK_SIZE / 4 && used + demarcator.length <= BLOCK_SIZE) used += demarcator.copy(block, used);
      else yield* add(demarcator);
    }
  }
  if (footer !== null) yield* add(footer);
  if (used > 0) yield block.subarray(0, used);
}

/** NiFi's getPath: the path attribute as a relative directory prefix ("" for "./"). */
function entryPath(ff: FlowFile): string {
  const raw = ff.getCoreAttribute('path')!;
  const absolute = raw.startsWith('/');
  const parts = raw.split('/').filter((p) => p !== '');
  if (!absolute && parts.length > 0 && parts[0] === '.') parts.shift();
  if (parts.length === 0) return '';
  return (absolute ? '/' : '') + parts.join('/') + '/';
}

function tarBundle(config: Config, contents: FlowFile[]): Bundle {
  const now = Date.now();
  const entries = contents.map((ff) => {
    let mode: number | undefined;
    const permissions = ff.attributeMap.get('tar.permissions');
    // NiFi hands Integer.parseInt(tar.permissions) to TarArchiveEntry.setMode (a decimal reading of the text).
    if (permissions !== undefined && /^[+-]?\d+$/.test(permissions)) mode = Number.parseInt(permissions, 10);
    let mtimeMs = now;
    const modTime = config.tarModifiedTime.isSet ? config.tarModifiedTime.evaluate(ff) : undefined;
    if (modTime !== undefined && modTime.trim() !== '') {
      const t = Date.parse(modTime);
      if (!Number.isNaN(t) && /^\d{4}-\d{2}-\d{2}T/.test(modTime)) mtimeMs = t;
    }
    return { name: (config.keepPath ? entryPath(ff) : '') + ff.getCoreAttribute('filename')!, mode, mtimeMs, data: ff.content() };
  });
  const chunks = tarChunks(entries);
  return { chunks, length: sum(chunks), mimeType: 'application/tar', filename: createFilename(contents) + '.tar', unmerged: [] };
}

function zipBundle(config: Config, contents: FlowFile[]): Bundle {
  const now = Date.now();
  const { chunks, skipped } = zipChunks(contents.map((ff) => ({
    name: (config.keepPath ? entryPath(ff) : '') + ff.getCoreAttribute('filename')!, data: ff.content(), mtimeMs: now,
  })), config.compressionLevel);
  return { chunks, length: sum(chunks), mimeType: 'application/zip', filename: createFilename(contents) + '.zip', unmerged: skipped.map((i) => contents[i]) };
}

function flowFileStreamBundle(contents: FlowFile[]): Bundle {
  const chunks: Buffer[] = [];
  for (const ff of contents) chunks.push(...flowFileV3Chunks(ff.attributes(), ff.content()));
  return { chunks, length: sum(chunks), mimeType: 'application/flowfile-v3', filename: createFilename(contents) + '.pkg', unmerged: [] };
}

function sum(chunks: readonly Buffer[]): number {
  let n = 0;
  for (const c of chunks) n += c.length;
  return n;
}

// ---- attribute strategies ------------------------------------------------------------------------

/** Calls `visit` for each attribute NiFi's FlowFile.getAttributes() would list, except uuid. */
function forEachAttribute(ff: FlowFile, visit: (name: string, value: string) => void): void {
  const attrs = ff.attrs;
  if (attrs.filename === undefined) visit('filename', ff.id);
  if (attrs.path === undefined) visit('path', './');
  for (const k in attrs) visit(k, attrs[k]);
}

function mergedAttributes(strategy: string, contents: readonly FlowFile[]): Record<string, string> {
  const result: Record<string, string> = Object.create(null);
  if (contents.length === 0) return result;
  if (strategy === KEEP_UNIQUE) {
    const conflicting = new Set<string>();
    for (const ff of contents) {
      forEachAttribute(ff, (k, v) => {
        const existing = result[k];
        if (existing !== undefined && existing !== v) conflicting.add(k);
        else result[k] = v;
      });
    }
    for (const k of conflicting) delete result[k];
    return result;
  }
  if (strategy === KEEP_FIRST) {
    for (const ff of contents) forEachAttribute(ff, (k, v) => { if (result[k] === undefined) result[k] = v; });
    return result;
  }
  // Keep Only Common Attributes. filename and path have per-FlowFile defaults: compared as read when
  // the first FlowFile lacks them (rare), else they are ordinary attributes.
  const first = contents[0];
  for (const core of ['filename', 'path']) {
    if (first.attributeMap.get(core) !== undefined) continue;
    const v = first.getCoreAttribute(core)!;
    let common = true;
    for (let i = 1; i < contents.length && common; i++) if (contents[i].getCoreAttribute(core) !== v) common = false;
    if (common) result[core] = v;
  }
  const { names, values } = CommonAttributes.of(contents.map((ff) => ff.attributeMap));
  for (let i = 0; i < names.length; i++) result[names[i]] = values[i];
  return result;
}
