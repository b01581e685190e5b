/**
 * Spans received per second over a sliding window of whole seconds, for the status bar: one counter
 * per second in a ring, so a burst costs no allocation and old seconds fall out by themselves.
 */
export class IngestRate {
  private readonly counts: Float64Array;
  private readonly seconds: Float64Array;

  constructor(
    private readonly windowSeconds = 10,
    private readonly now: () => number = Date.now,
  ) {
    this.counts = new Float64Array(windowSeconds);
    this.seconds = new Float64Array(windowSeconds).fill(-1);
  }

  add(count: number): void {
    const second = Math.floor(this.now() / 1000);
    const slot = second % this.windowSeconds;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] = this.counts[slot]! + count;
  }

  /** The average over the window (the current, partial second included), to one decimal. */
  perSecond(): number {
    const second = Math.floor(this.now() / 1000);
    let sum = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      const age = second - this.seconds[i]!;
      if (age >= 0 && age < this.windowSeconds) sum += this.counts[i]!;
    }
    return Math.round((sum / this.windowSeconds) * 10) / 10;
  }
}
