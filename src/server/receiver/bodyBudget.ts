/**
 * Bytes held by requests being read or processed, over both receivers (HTTP and gRPC); a request
 * that would go past the bound is refused with "retry later" rather than held.
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  reserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}
