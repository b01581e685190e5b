import type { RunEntry } from './runEntry';

/**
 * The listed runs' summary texts (ids, app, error, failing node, root cause) as one string, so a
 * keyword finds every run whose summary contains it with one `indexOf` scan instead of a substring
 * test per run: on 20k runs a scan is ~1 ms, the per-run tests were the bulk of a keyword query.
 * Built on the first keyword query after the listed runs changed.
 */
export class SummaryScan {
  private readonly text: string;
  /** Where each run's summary starts in `text`, in the order of the runs given. */
  private readonly starts: Int32Array;

  constructor(runs: readonly RunEntry[]) {
    this.starts = new Int32Array(runs.length);
    const parts: string[] = [];
    let offset = 1;
    runs.forEach((entry, i) => {
      this.starts[i] = offset;
      parts.push(entry.summaryText);
      offset += entry.summaryText.length + 1;
    });
    // \u0000 never occurs in a normalised term, so no match spans two runs.
    this.text = `\u0000${parts.join('\u0000')}\u0000`;
  }

  /** One byte per run (in the order given): 1 when its summary contains `term`. */
  hits(term: string): Uint8Array {
    const hits = new Uint8Array(this.starts.length);
    if (term === '') return hits;
    const starts = this.starts;
    for (let at = this.text.indexOf(term); at >= 0; ) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (starts[mid]! <= at) lo = mid;
        else hi = mid - 1;
      }
      hits[lo] = 1;
      const next = starts[lo + 1];
      if (next === undefined) break;
      at = this.text.indexOf(term, next);
    }
    return hits;
  }
}
