/**
 * Substring search over many short texts laid end to end in one string (one `indexOf` pass is
 * much faster than a call per text). `starts[i]` is where text `i` begins, ascending. Shared by the
 * keyword index's word vocabulary and the run-summary scan.
 */

/** Calls `found(i)` once for each text `i` that holds `term`, in order; after a hit the search resumes at the next text. */
export function forEachTextContaining(joined: string, starts: readonly number[], term: string, found: (index: number) => void): void {
  if (starts.length === 0) return;
  for (let at = joined.indexOf(term); at >= 0; ) {
    const index = textAt(starts, at);
    found(index);
    const next = starts[index + 1];
    if (next === undefined) return;
    at = joined.indexOf(term, next);
  }
}

/** The text holding offset `at`: the last start at or before it (binary search). */
function textAt(starts: readonly number[], at: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
