import type { Span } from '../model/span';
import type { TraceId } from '../model/units';
import type { RunGap } from '../shared/runSummary';
import { difyNodesOf } from './difyNodes';
import { isLangfuseIngestionSpan } from './langfuseIngestionRun';
import { isLangfuseSpan } from './langfuseRun';
import type { RunFacts } from './runFacts';
import { isAliyunAppSpan, isPhoenixSpan } from './spanFacts';

/** Spans of another trace in the store, if it has arrived. */
export type LinkedSpans = (traceId: string) => readonly Span[] | undefined;

/** Traces the run index found for a run beyond its exporter's own Trace Link. */
export interface ExtraHalves {
  /** Infrastructure traces that ran the run's node executions (X-Trace-Id runs, see executionKeys.ts). */
  readonly joinedByExecution?: readonly string[];
  /** Error traces with no parent and no Dify identity, from the same service while the run ran (see detachedErrors.ts). */
  readonly detached?: readonly string[];
}

export interface JoinedHalves {
  /** Spans of the other traces of the run. */
  readonly linked: readonly Span[];
  readonly linkedTraceIds: readonly string[];
  readonly gaps: readonly RunGap[];
  /** Spans from detached traces: placed in the run by time, not by parentage. */
  readonly detached: ReadonlySet<Span>;
}

/** A span an app-level exporter wrote (Aliyun, Phoenix, Langfuse), as opposed to Dify's infrastructure telemetry. */
export const isAppLevelSpan = (span: Span): boolean => isAliyunAppSpan(span) || isPhoenixSpan(span) || isLangfuseSpan(span) || isLangfuseIngestionSpan(span);

/**
 * The infrastructure half of a run: the traces its Trace Link names (only their infrastructure
 * spans: a client that sends one X-Trace-Id for several requests makes that id hold other runs'
 * app-level spans), else those joined by node execution, and detached error traces that fall inside
 * one of its knowledge-retrieval nodes (Dify 1.13.3 runs retrieval in a worker thread that loses
 * the trace context, recorded on a failing Chroma: the vector database's error has a trace of its own).
 */
export function joinHalves(traceId: TraceId, traceSpans: readonly Span[], facts: RunFacts, linkedSpans: LinkedSpans | undefined, extra: ExtraHalves = {}): JoinedHalves {
  const gaps: RunGap[] = [];
  const linked: Span[] = [];
  const joined = (extra.joinedByExecution ?? []).filter((id) => id !== traceId && !facts.linkedTraceIds.includes(id));
  const linkedTraceIds = [...facts.linkedTraceIds];
  for (const id of facts.linkedTraceIds) {
    // Both halves may share the trace id (Langfuse with an external trace id): nothing to fetch.
    if (id === traceId) continue;
    const spans = linkedSpans?.(id);
    const infra = spans?.filter((s) => !isAppLevelSpan(s)) ?? [];
    if (infra.length > 0) for (const span of infra) linked.push(span);
    else if (joined.length > 0) {
      // Dify links to the X-Trace-Id a client sent, not to its own request trace (trace_id_helper.py).
      linkedTraceIds.splice(linkedTraceIds.indexOf(id), 1);
      gaps.push({ kind: 'linkRedirected', message: `Dify's Trace Link names ${id}, the X-Trace-Id the client sent, not Dify's own infrastructure trace; ${joined.join(', ')} was joined through the node executions both halves record.` });
    } else if (spans !== undefined) {
      gaps.push({ kind: 'linkedTraceMissing', message: `Dify's Trace Link names ${id}, which holds another run's app-level spans, not an infrastructure trace: the client sent the same X-Trace-Id with several requests, and Dify links to that id rather than to its own trace.` });
    } else {
      gaps.push({ kind: 'linkedTraceMissing', message: `Infrastructure trace ${id} has not arrived: Dify samples its own traces (OTEL_SAMPLING_RATE, 10% by default), the trace may still be on its way, or ${id} is an X-Trace-Id the client sent, which Dify links to but never uses as its own trace id.` });
    }
  }
  for (const id of joined) {
    const spans = linkedSpans?.(id);
    if (spans === undefined) continue;
    linkedTraceIds.push(id);
    for (const span of spans) linked.push(span);
  }
  const detached = new Set<Span>();
  if (extra.detached !== undefined && extra.detached.length > 0) {
    const retrievals = retrievalIntervals([...traceSpans, ...linked]);
    // The service that ran the request (the infrastructure half, or infrastructure spans sharing the trace).
    const services = new Set([...traceSpans, ...linked].filter((s) => !isAppLevelSpan(s)).map((s) => s.resource.serviceName));
    for (const id of extra.detached) {
      const spans = linkedSpans?.(id) ?? [];
      const root = spans.find((s) => s.parentSpanId === undefined);
      const inside = root === undefined || !services.has(root.resource.serviceName) ? undefined : retrievals.find((r) => root.startUs >= r.startUs && root.startUs <= r.endUs);
      if (inside === undefined) continue;
      linkedTraceIds.push(id);
      for (const span of spans) {
        linked.push(span);
        detached.add(span);
      }
      gaps.push({ kind: 'detachedEvidence', message: `Trace ${id} (${root!.name}, ${root!.status.code === 'error' ? 'failed' : 'ran'}) is shown with this run: it started during node "${inside.title}" in the same service but has no parent, because Dify runs knowledge retrieval in a thread that does not carry the trace context.` });
    }
  }
  return { linked, linkedTraceIds, gaps, detached };
}

function retrievalIntervals(spans: readonly Span[]): { startUs: number; endUs: number; title: string }[] {
  const out: { startUs: number; endUs: number; title: string }[] = [];
  for (const [span, node] of difyNodesOf(spans)) if (node.nodeType === 'knowledge-retrieval') out.push({ startUs: span.startUs, endUs: span.endUs, title: node.title });
  return out;
}
