/**
 * Integer set and sorted-array helpers for the keyword index, on typed arrays: indexing a trace
 * hashes thousands of tokens, and a JS Set per trace would cost an allocation and ~40 bytes per token.
 */

/** Open-addressing set of 32-bit values, reused batch after batch without clearing (a stamp marks the live batch). */
export class TokenHashSet {
  private keys = new Uint32Array(4096);
  private stamps = new Uint32Array(4096);
  private stamp = 1;
  private count = 0;

  reset(): void {
    this.count = 0;
    this.stamp++;
    if (this.stamp === 0xffffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
  }

  /** Adds `value`; true when it was not in the set yet. */
  add(value: number): boolean {
    const mask = this.keys.length - 1;
    let i = (Math.imul(value, 0x9e3779b1) >>> 0) & mask;
    while (this.stamps[i] === this.stamp) {
      if (this.keys[i] === value) return false;
      i = (i + 1) & mask;
    }
    this.stamps[i] = this.stamp;
    this.keys[i] = value;
    if (++this.count * 2 > this.keys.length) this.grow();
    return true;
  }

  /** The values of the current batch, sorted. */
  values(): Uint32Array {
    const out = new Uint32Array(this.count);
    let n = 0;
    for (let i = 0; i < this.keys.length; i++) if (this.stamps[i] === this.stamp) out[n++] = this.keys[i]!;
    return out.sort();
  }

  private grow(): void {
    const keys = this.keys;
    const stamps = this.stamps;
    const live = this.stamp;
    this.keys = new Uint32Array(keys.length * 2);
    this.stamps = new Uint32Array(keys.length * 2);
    this.stamp = 1;
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (stamps[i] === live) this.add(keys[i]!);
  }
}

export function sortedHas(sorted: Uint32Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v < value) lo = mid + 1;
    else if (v > value) hi = mid - 1;
    else return true;
  }
  return false;
}

/** The union of two sorted arrays of distinct values, sorted and distinct. */
export function mergeSorted(a: Uint32Array, b: Uint32Array): Uint32Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x <= y) {
      out[n++] = x;
      i++;
      if (x === y) j++;
    } else {
      out[n++] = y;
      j++;
    }
  }
  while (i < a.length) out[n++] = a[i++]!;
  while (j < b.length) out[n++] = b[j++]!;
  return n === out.length ? out : out.slice(0, n);
}
