/**
 * Numbers kept sorted for percentiles as they arrive: values added in bulk are sorted once when a
 * percentile is next asked for; a few added since are inserted in place (a copy within the typed
 * array), so one new run costs O(n) per node, not a sort. Removing a value re-sorts next time.
 */
export class SortedColumn {
  private sorted = new Float64Array(16);
  private size = 0;
  private pending: number[] = [];
  private removed: number[] = [];

  get length(): number {
    return this.size + this.pending.length - this.removed.length;
  }

  add(value: number): void {
    this.pending.push(value);
  }

  remove(value: number): void {
    this.removed.push(value);
  }

  /** Nearest-rank percentile (0 < p ≤ 1); 0 when empty. */
  percentile(p: number): number {
    this.settle();
    if (this.size === 0) return 0;
    return nearestRank(this.sorted, this.size, p);
  }

  max(): number {
    this.settle();
    return this.size === 0 ? 0 : this.sorted[this.size - 1]!;
  }

  private settle(): void {
    if (this.removed.length > 0 || this.pending.length > 64) this.rebuild();
    else for (const value of this.pending.splice(0)) this.insert(value);
  }

  private insert(value: number): void {
    this.reserve(this.size + 1);
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! <= value) lo = mid + 1;
      else hi = mid;
    }
    this.sorted.copyWithin(lo + 1, lo, this.size);
    this.sorted[lo] = value;
    this.size++;
  }

  private rebuild(): void {
    if (this.removed.length === 0) {
      // Only additions: the new values after the sorted ones, one native sort of the whole.
      this.reserve(this.size + this.pending.length);
      this.sorted.set(this.pending, this.size);
      this.size += this.pending.length;
      this.sorted.subarray(0, this.size).sort();
      this.pending = [];
      return;
    }
    const values = Array.from(this.sorted.subarray(0, this.size));
    for (const value of this.pending) values.push(value);
    for (const value of this.removed) {
      const at = values.indexOf(value);
      if (at >= 0) values[at] = Number.NaN;
    }
    const kept = Float64Array.from(values.filter((v) => !Number.isNaN(v))).sort();
    this.reserve(kept.length);
    this.sorted.set(kept);
    this.size = kept.length;
    this.pending = [];
    this.removed = [];
  }

  private reserve(capacity: number): void {
    if (capacity <= this.sorted.length) return;
    const grown = new Float64Array(Math.max(capacity, this.sorted.length * 2));
    grown.set(this.sorted.subarray(0, this.size));
    this.sorted = grown;
  }
}

/** Nearest-rank percentile (0 < p ≤ 1) of the first `size` values of `sorted`; 0 when there are none. */
export function nearestRank(sorted: ArrayLike<number>, size: number, p: number): number {
  if (size === 0) return 0;
  return sorted[Math.min(size - 1, Math.max(0, Math.ceil(p * size) - 1))]!;
}
