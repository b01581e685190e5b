import type { RunEntry } from './runEntry';
import { forEachTextContaining } from './concatenatedText';

/** Summary text per segment: small enough that closing one (a join) costs a fraction of a millisecond. */
const segmentChars = 256 * 1024;

/** Summaries laid end to end, flat once closed. */
interface Segment {
  /** The joined text once closed; until then the parts being added. */
  text: string;
  parts: string[];
  /** Where each summary starts in `text`; summary `i` of the segment is serial `firstSerial + i`. */
  readonly starts: number[];
  readonly firstSerial: number;
  length: number;
}

/**
 * Every run's summary text (ids, app, error, failing node, root cause) laid end to end, so a keyword
 * finds the runs whose summary contains it with `indexOf` scans instead of a substring test per run
 * (on 20k runs a scan is about a millisecond). In segments of about 256k characters, each joined
 * once when full: one string for all of them had to be joined and flattened by the first keyword
 * query after a restart, ~45 ms for 20k runs, where this leaves the last segment's few parts. A
 * replaced or removed run's text stays as garbage until there is more garbage than text, then the
 * segments are rebuilt. Each run's position is its entry's `cache.serial`.
 */
export class SummaryScan {
  private segments: Segment[] = [];
  private entries: (RunEntry | undefined)[] = [];
  private length = 0;
  private garbage = 0;

  add(entry: RunEntry): void {
    let open = this.segments.at(-1);
    if (open === undefined || open.length >= segmentChars) {
      if (open !== undefined) close(open);
      open = { text: '', parts: [], starts: [], firstSerial: this.entries.length, length: 0 };
      this.segments.push(open);
    }
    entry.cache.serial = this.entries.length;
    this.entries.push(entry);
    open.starts.push(open.length);
    // \u0000 never occurs in a normalised term, so no match spans two runs.
    open.parts.push(`${entry.summaryText}\u0000`);
    open.length += entry.summaryText.length + 1;
    this.length += entry.summaryText.length + 1;
  }

  remove(entry: RunEntry): void {
    const serial = entry.cache.serial;
    if (this.entries[serial] !== entry) return;
    this.entries[serial] = undefined;
    this.garbage += entry.summaryText.length + 1;
    if (this.garbage > 1_000_000 && this.garbage * 2 > this.length) this.rebuild();
  }

  /** One byte per serial: 1 when that run's summary contains `term`. */
  hits(term: string): Uint8Array {
    const hits = new Uint8Array(this.entries.length);
    if (term === '') return hits;
    for (const segment of this.segments) {
      close(segment);
      forEachTextContaining(segment.text, segment.starts, term, (index) => {
        hits[segment.firstSerial + index] = 1;
      });
    }
    return hits;
  }

  private rebuild(): void {
    const live = this.entries.filter((e): e is RunEntry => e !== undefined);
    this.segments = [];
    this.entries = [];
    this.length = 0;
    this.garbage = 0;
    for (const entry of live) this.add(entry);
  }
}

/** Joins the parts added since the segment was last read. */
function close(segment: Segment): void {
  if (segment.parts.length === 0) return;
  segment.text += segment.parts.join('');
  segment.parts = [];
}
