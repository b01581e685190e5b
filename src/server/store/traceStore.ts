import type { Span } from '../../model/span';
import type { TraceId } from '../../model/units';

export interface StoreAddResult {
  /** Traces that received spans, in arrival order. */
  readonly touched: readonly TraceId[];
  /** Traces dropped to stay within the bounds, oldest first. */
  readonly evicted: readonly TraceId[];
  /** Per trace, spans not kept because that trace alone would pass a bound. */
  readonly pastBound: ReadonlyMap<TraceId, number>;
}

export interface StoreBounds {
  readonly maxSpans: number;
  /** Approximate bytes of span data (see spanSize.ts). */
  readonly maxBytes: number;
}

export interface StoreStats {
  readonly spans: number;
  readonly traces: number;
  /** Approximate bytes of span data held. */
  readonly bytes?: number;
}

/**
 * Where received spans live, grouped by trace. The in-memory store implements it today; a
 * persisted store on an embedded database will implement the same contract (synchronous, like
 * node:sqlite), so the receiver and the run index do not change.
 */
export interface TraceStore {
  add(spans: readonly Span[]): StoreAddResult;
  spansOf(traceId: TraceId): readonly Span[] | undefined;
  /** Trace ids, oldest arrival first. */
  traceIds(): Iterable<TraceId>;
  stats(): StoreStats;
  /** Changes the bounds; evicts at once if the store is over them. */
  setBounds(bounds: StoreBounds): readonly TraceId[];
  clear(): void;
}
