import type { RunEntry } from './runEntry';
import { compareRuns } from './runFilter';

/**
 * The runs the Runs view lists, newest first, kept sorted as runs change: a new or re-classified run
 * is moved by binary search instead of re-sorting every run, so a listing while runs stream in costs
 * microseconds per changed run rather than a sort of all of them.
 */
export class ListedRuns {
  private runs: RunEntry[] = [];

  get all(): readonly RunEntry[] {
    return this.runs;
  }

  /**
   * Sorts by start times read once into a typed array: the first listing after a restart sorts
   * 20k runs whose summaries came from the database in many shapes, and a comparator reading
   * `entry.run.startMs` on each of ~300k comparisons took 130 ms there; this takes a few.
   */
  reset(entries: RunEntry[]): void {
    const starts = new Float64Array(entries.length);
    for (let i = 0; i < entries.length; i++) starts[i] = entries[i]!.run.startMs;
    const order = new Uint32Array(entries.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((a, b) => starts[b]! - starts[a]! || compareRuns(entries[a]!.run, entries[b]!.run));
    this.runs = Array.from(order, (i) => entries[i]!);
  }

  /** Removes the listed version of this run (the same trace, found by its start and trace id); false when none is listed. */
  remove(entry: RunEntry): boolean {
    const at = this.position(entry);
    if (this.runs[at]?.run.traceId !== entry.run.traceId) return false;
    this.runs.splice(at, 1);
    return true;
  }

  insert(entry: RunEntry): void {
    this.runs.splice(this.position(entry), 0, entry);
  }

  /** The first index whose run is not newer than `entry`'s run. */
  private position(entry: RunEntry): number {
    let lo = 0;
    let hi = this.runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareRuns(this.runs[mid]!.run, entry.run) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
