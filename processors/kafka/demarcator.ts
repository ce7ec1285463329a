// Splitting FlowFile content into records at a demarcator (PublishKafka), and joining record values
// with one (ConsumeKafka's DEMARCATOR strategy).

/** The demarcator bytes for a configured value (UTF-8), or null when unset or empty. */
export function demarcatorBytes(value: string | undefined): Buffer | null {
  if (value === undefined || value === '') return null;
  return Buffer.from(value, 'utf8');
}

/**
 * The records in `content` separated by `demarcator`. Empty tokens (two demarcators in a row, or
 * one at the start or end) produce no record. The tokens are views of `content`, not copies.
 */
export function splitByDemarcator(content: Buffer, demarcator: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (;;) {
    const at = content.indexOf(demarcator, start);
    const end = at < 0 ? content.length : at;
    if (end > start) out.push(content.subarray(start, end));
    if (at < 0) break;
    start = at + demarcator.length;
  }
  return out;
}

/** Values joined with the demarcator between each two (null values count as empty). */
export function joinWithDemarcator(values: readonly (Buffer | null)[], demarcator: Buffer): Buffer {
  let total = demarcator.length * Math.max(0, values.length - 1);
  for (const v of values) if (v) total += v.length;
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < values.length; i++) {
    if (i > 0) pos += demarcator.copy(out, pos);
    const v = values[i];
    if (v) pos += v.copy(out, pos);
  }
  return out;
}
