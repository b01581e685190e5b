import type { Span } from '../../model/span';
import type { TraceId } from '../../model/units';
import { approximateSpanBytes } from './spanSize';
import type { StoreAddResult, StoreBounds, StoreStats, TraceStore } from './traceStore';

/**
 * Bounded in-memory store, in spans and in bytes. Traces keep their first-arrival order (Map
 * insertion order); past either bound, whole traces are evicted oldest first, never the trace being
 * added. A trace that alone would pass a bound stops growing there: the spans beyond it are not
 * kept and are counted (`pastBound`), so one endless trace cannot take the trace server's heap.
 */
export class MemoryTraceStore implements TraceStore {
  private readonly traces = new Map<TraceId, Span[]>();
  private readonly traceBytes = new Map<TraceId, number>();
  private spanCount = 0;
  private byteCount = 0;
  private bounds: StoreBounds;
  private evicting: ((traceIds: readonly TraceId[]) => void) | undefined;

  constructor(bounds: StoreBounds | number) {
    this.bounds = typeof bounds === 'number' ? { maxSpans: bounds, maxBytes: Number.POSITIVE_INFINITY } : bounds;
  }

  add(spans: readonly Span[]): StoreAddResult {
    const touched = new Set<TraceId>();
    const pastBound = new Map<TraceId, number>();
    for (const span of spans) {
      const size = approximateSpanBytes(span);
      const list = this.traces.get(span.traceId);
      const bytes = this.traceBytes.get(span.traceId) ?? 0;
      touched.add(span.traceId);
      if ((list?.length ?? 0) + 1 > this.bounds.maxSpans || bytes + size > this.bounds.maxBytes) {
        pastBound.set(span.traceId, (pastBound.get(span.traceId) ?? 0) + 1);
        continue;
      }
      if (list) list.push(span);
      else this.traces.set(span.traceId, [span]);
      this.traceBytes.set(span.traceId, bytes + size);
      this.spanCount += 1;
      this.byteCount += size;
    }
    return { touched: [...touched], evicted: this.evict(touched), pastBound };
  }

  /** Tells `listener` which traces are about to be evicted, while their spans are still here. */
  onEvicting(listener: (traceIds: readonly TraceId[]) => void): void {
    this.evicting = listener;
  }

  spansOf(traceId: TraceId): readonly Span[] | undefined {
    return this.traces.get(traceId);
  }

  traceIds(): Iterable<TraceId> {
    return this.traces.keys();
  }

  stats(): StoreStats {
    return { spans: this.spanCount, traces: this.traces.size, bytes: this.byteCount };
  }

  setBounds(bounds: StoreBounds): readonly TraceId[] {
    this.bounds = bounds;
    return this.evict(new Set());
  }

  clear(): void {
    this.traces.clear();
    this.traceBytes.clear();
    this.spanCount = 0;
    this.byteCount = 0;
  }

  private overBound(): boolean {
    return this.spanCount > this.bounds.maxSpans || this.byteCount > this.bounds.maxBytes;
  }

  private evict(keep: ReadonlySet<TraceId>): TraceId[] {
    const evicted: TraceId[] = [];
    if (!this.overBound()) return evicted;
    // The victims first, so the listener sees them whole; then they go.
    let spans = this.spanCount;
    let bytes = this.byteCount;
    for (const [traceId, list] of this.traces) {
      if (spans <= this.bounds.maxSpans && bytes <= this.bounds.maxBytes) break;
      if (keep.has(traceId)) continue;
      spans -= list.length;
      bytes -= this.traceBytes.get(traceId) ?? 0;
      evicted.push(traceId);
    }
    if (evicted.length > 0) this.evicting?.(evicted);
    for (const traceId of evicted) {
      this.spanCount -= this.traces.get(traceId)?.length ?? 0;
      this.byteCount -= this.traceBytes.get(traceId) ?? 0;
      this.traces.delete(traceId);
      this.traceBytes.delete(traceId);
    }
    return evicted;
  }
}
