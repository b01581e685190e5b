/**
 * Refused requests, logged without flooding: the first one of a quiet spell at once, the rest as
 * one summary per interval with a few samples (20k refused requests made 12.8k log lines before).
 * Every refusal is still counted in the status.
 */
export class RefusalLog {
  private pending: string[] = [];
  private count = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: (message: string) => void,
    private readonly intervalMs = 5_000,
    private readonly samples = 3,
  ) {}

  add(reason: string): void {
    if (this.timer === undefined) {
      this.log(`Receiver refused a request: ${reason}`);
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref();
      return;
    }
    this.count++;
    if (this.pending.length < this.samples && !this.pending.includes(reason)) this.pending.push(reason);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.count === 0) return;
    const seconds = Math.round(this.intervalMs / 1000);
    this.log(`Receiver refused ${this.count} more request(s) in ${seconds} s, e.g.: ${this.pending.join(' | ')}`);
    this.count = 0;
    this.pending = [];
    this.timer = setTimeout(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
