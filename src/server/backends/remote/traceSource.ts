import type { Span } from '../../../model/span';
import type { TraceId } from '../../../model/units';

/** A window of trace start times to search, and how many traces at most. */
export interface SearchWindow {
  readonly sinceMs: number;
  readonly untilMs: number;
  readonly limit: number;
}

/**
 * Where a remote backend's traces come from: the few calls every trace store answers (search by
 * time, one trace by id). What the Runs view shows is made from these spans by the same run index
 * as the embedded receiver's, so a run reads the same wherever it is stored.
 */
export interface TraceSource {
  /** `jaeger`, `zipkin`, ... */
  readonly kind: string;
  /** Where, for messages: "Jaeger at http://127.0.0.1:16686". */
  readonly label: string;
  /** Whole traces that started in the window, newest first, up to `window.limit` traces. */
  search(window: SearchWindow, signal?: AbortSignal): Promise<readonly Span[]>;
  /** One trace, or undefined when the backend does not have it. */
  trace(traceId: TraceId, signal?: AbortSignal): Promise<readonly Span[] | undefined>;
  /** The trace in the backend's own UI. */
  uiUrl(traceId: string): string;
}

/** A backend that could not answer: said with where, and what to check. */
export class SourceError extends Error {}
