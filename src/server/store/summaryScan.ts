import type { RunEntry } from './runEntry';
import { forEachTextContaining } from './concatenatedText';

/**
 * Every run's summary text (ids, app, error, failing node, root cause) in one string, so a keyword
 * finds the runs whose summary contains it with one `indexOf` scan instead of a substring test per
 * run (on 20k runs a scan is about a millisecond). Appended to as runs are classified; a replaced or
 * removed run's text stays as garbage until there is more garbage than text, then the string is
 * rebuilt. Each run's position is its entry's `cache.serial`.
 */
export class SummaryScan {
  private parts: string[] = [];
  private text = '\u0000';
  private starts: number[] = [];
  private entries: (RunEntry | undefined)[] = [];
  private length = 1;
  private garbage = 0;

  add(entry: RunEntry): void {
    entry.cache.serial = this.entries.length;
    this.entries.push(entry);
    this.starts.push(this.length);
    // \u0000 never occurs in a normalised term, so no match spans two runs.
    this.parts.push(`${entry.summaryText}\u0000`);
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
    if (this.parts.length > 0) {
      this.text += this.parts.join('');
      this.parts = [];
    }
    const hits = new Uint8Array(this.entries.length);
    if (term === '') return hits;
    forEachTextContaining(this.text, this.starts, term, (index) => {
      hits[index] = 1;
    });
    return hits;
  }

  private rebuild(): void {
    const live = this.entries.filter((e): e is RunEntry => e !== undefined);
    this.parts = [];
    this.text = '\u0000';
    this.starts = [];
    this.entries = [];
    this.length = 1;
    this.garbage = 0;
    for (const entry of live) this.add(entry);
  }
}
