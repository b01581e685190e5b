import type { Span } from '../model/span';
import type { RunGap, RunKind, RunSource, RunStatus } from '../shared/runSummary';

/** What one exporter's shape says about a run, before the common summary is computed. */
export interface RunFacts {
  readonly source: RunSource;
  /** The span that spans the run (workflow / message); undefined while it has not arrived. */
  readonly root: Span | undefined;
  /** The app-level spans of the trace (the rest are infrastructure spans sharing the trace id). */
  readonly appSpans: readonly Span[];
  readonly appName: string;
  readonly appId?: string | undefined;
  readonly workflowRunId?: string | undefined;
  readonly messageId?: string | undefined;
  readonly conversationId?: string | undefined;
  readonly userId?: string | undefined;
  readonly kind: RunKind;
  /** Status as the exporter recorded it; undefined when it must be read from span statuses. */
  readonly status?: RunStatus | undefined;
  readonly tokens?: { readonly prompt?: number; readonly completion?: number; readonly total?: number } | undefined;
  readonly price?: { readonly amount: number; readonly currency: string } | undefined;
  readonly linkedTraceIds: readonly string[];
  readonly gaps: readonly RunGap[];
  /** Node spans whose failure an error strategy handled: no ERROR status, but the node failed. */
  readonly handledFailures?: readonly Span[];
  /**
   * A failure no span status shows: the span whose exception events record it, and the node span
   * it happened in when known (Dify's infrastructure runner and node spans stay OK).
   */
  readonly failure?: { readonly evidence: Span; readonly node?: Span };
  /** When the run ran, where the root span's own times are an estimate (a Langfuse trace has none). */
  readonly bounds?: { readonly startUs: number; readonly endUs: number };
  /** The run's error as the exporter recorded it outside any span status (Phoenix 1.9.x: the workflow metadata's status_message). */
  readonly errorText?: string;
}

/** The first span matching `names` whose parent is not in the set (a root or an orphan). */
export function topLevel(spans: readonly Span[], names: (name: string) => boolean): Span | undefined {
  const ids = new Set(spans.map((s) => s.spanId as string));
  return spans.find((s) => names(s.name) && (s.parentSpanId === undefined || !ids.has(s.parentSpanId)));
}

/** A UUID-shaped id, or undefined for empty strings (Dify writes "" for a missing conversation). */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
