import type { Span } from '../../model/span';
import type { TraceId } from '../../model/units';
import type { StoreAddResult, StoreStats, TraceStore } from './traceStore';

/**
 * Bounded in-memory store. Traces keep their first-arrival order (Map insertion order); when the
 * span count exceeds the bound, whole traces are evicted oldest first, never the trace being added.
 */
export class MemoryTraceStore implements TraceStore {
  private readonly traces = new Map<TraceId, Span[]>();
  private spanCount = 0;

  constructor(private maxSpans: number) {}

  add(spans: readonly Span[]): StoreAddResult {
    const touched = new Set<TraceId>();
    for (const span of spans) {
      const list = this.traces.get(span.traceId);
      if (list) list.push(span);
      else this.traces.set(span.traceId, [span]);
      touched.add(span.traceId);
    }
    this.spanCount += spans.length;
    return { touched: [...touched], evicted: this.evict(touched) };
  }

  spansOf(traceId: TraceId): readonly Span[] | undefined {
    return this.traces.get(traceId);
  }

  traceIds(): Iterable<TraceId> {
    return this.traces.keys();
  }

  stats(): StoreStats {
    return { spans: this.spanCount, traces: this.traces.size };
  }

  setMaxSpans(maxSpans: number): readonly TraceId[] {
    this.maxSpans = maxSpans;
    return this.evict(new Set());
  }

  clear(): void {
    this.traces.clear();
    this.spanCount = 0;
  }

  private evict(keep: ReadonlySet<TraceId>): TraceId[] {
    const evicted: TraceId[] = [];
    for (const [traceId, spans] of this.traces) {
      if (this.spanCount <= this.maxSpans) break;
      if (keep.has(traceId)) continue;
      this.traces.delete(traceId);
      this.spanCount -= spans.length;
      evicted.push(traceId);
    }
    return evicted;
  }
}
