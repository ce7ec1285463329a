// Byte-level line scanning over a FlowFile's content, with NiFi's TextLineDemarcator semantics:
// a line ends with "\n", "\r\n" or a bare "\r"; the last line may have no terminator.
// Memory content is scanned in place (no copy); other claims are read through a bounded window,
// so a 1 GB file-backed FlowFile never has to be loaded whole.
import type { ContentClaim } from '../../server/engine/content/claim.ts';
import { MemoryClaim } from '../../server/engine/content/claim.ts';
import type { FlowFile } from '../../server/engine/flowfile.ts';

const LF = 10;
const CR = 13;

/** Bytes read per window for content that is not already in memory. */
export const DEFAULT_WINDOW = 4 * 1024 * 1024;

export class LineScanner {
  /** Start (relative to the content) of the next line. */
  pos = 0;
  /** The line found by the last successful next(). */
  lineStart = 0;
  lineLength = 0;
  /** Terminator length: 0 (end of content), 1 ("\n" or "\r") or 2 ("\r\n"). */
  crlf = 0;

  private buf: Buffer;
  /** Content positions covered by `buf`: [winStart, winEnd). */
  private winStart = 0;
  private winEnd = 0;
  /** Cached positions of the next LF / CR at or after the scan point (winEnd = none in the window). */
  private nextLF = -1;
  private nextCR = -1;
  private readonly inMemory: boolean;

  constructor(
    private readonly claim: ContentClaim,
    /** Offset of the content inside the claim. */
    private readonly base: number,
    readonly size: number,
    windowSize = DEFAULT_WINDOW,
  ) {
    this.inMemory = claim instanceof MemoryClaim || size <= windowSize;
    if (this.inMemory) {
      this.buf = claim.read(base, size);
      this.winEnd = size;
    } else {
      this.buf = Buffer.allocUnsafe(Math.max(1, windowSize));
    }
  }

  static forFlowFile(ff: FlowFile, windowSize = DEFAULT_WINDOW): LineScanner {
    return new LineScanner(ff.claim, ff.offset, ff.size, windowSize);
  }

  private load(p: number): void {
    const n = Math.min(this.buf.length, this.size - p);
    const got = this.claim.readInto(this.base + p, this.buf, 0, n);
    if (got < n) throw new Error(`content ended early: expected ${n} bytes at ${p}, read ${got}`);
    this.winStart = p;
    this.winEnd = p + n;
    this.nextLF = -1;
    this.nextCR = -1;
  }

  /** Advances to the next line; false at the end of the content. */
  next(): boolean {
    const start = this.pos;
    const size = this.size;
    if (start >= size) return false;
    let p = start;
    for (;;) {
      if (p >= this.winEnd || p < this.winStart) {
        if (p >= size) return this.found(start, size, 0);
        this.load(p);
      }
      const buf = this.buf;
      const ws = this.winStart;
      const we = this.winEnd;
      let lf = this.nextLF;
      if (lf < p) {
        const i = buf.indexOf(LF, p - ws);
        lf = i < 0 || i >= we - ws ? we : i + ws;
        this.nextLF = lf;
      }
      let cr = this.nextCR;
      if (cr < p) {
        const i = buf.indexOf(CR, p - ws);
        cr = i < 0 || i >= we - ws ? we : i + ws;
        this.nextCR = cr;
      }
      if (lf < cr) return this.found(start, lf + 1, 1);
      if (cr === we) {
        // no terminator in this window: the line goes on in the next one
        p = we;
        continue;
      }
      // a CR: "\r\n" or a bare "\r"
      const after = cr + 1;
      if (after >= size) return this.found(start, after, 1);
      if (after < we) return buf[after - ws] === LF ? this.found(start, after + 1, 2) : this.found(start, after, 1);
      this.load(after);
      return this.buf[0] === LF ? this.found(start, after + 1, 2) : this.found(start, after, 1);
    }
  }

  private found(start: number, end: number, crlf: number): true {
    this.lineStart = start;
    this.lineLength = end - start;
    this.crlf = crlf;
    this.pos = end;
    return true;
  }

  /** Up to `max` bytes of the current line, from its start (a view when possible). */
  lineBytes(max: number): Buffer {
    const n = Math.min(max, this.lineLength);
    const s = this.lineStart;
    if (s >= this.winStart && s + n <= this.winEnd) return this.buf.subarray(s - this.winStart, s - this.winStart + n);
    return this.claim.read(this.base + s, n);
  }
}
