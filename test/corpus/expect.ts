/**
 * The corpus rules for `expected`, computed from the spans a case sends so every case applies them the
 * same way (README "Rules for expected"):
 * - rootCause: among ERROR spans of the run's trace and of its linked traces present in the case, the
 *   deepest (longest parent chain inside its own trace), then the earliest start, then the first sent.
 * - failingNode: the same rule restricted to the case's node spans.
 * - Both then follow an error to where it started: an Iteration or Loop re-raises its item's error,
 *   so an error span inside the chosen one's interval with the same status message, ending first,
 *   is the origin (as recorded from a real Dify 1.13.3).
 */
import type { ExpectedNode } from './corpusCase';
import type { Batch, SpanSpec } from './otlpJson';

export function allSpans(requests: readonly (readonly Batch[])[]): SpanSpec[] {
  return requests.flatMap((r) => r.flatMap((b) => b.spans));
}

function depth(span: SpanSpec, byId: Map<string, SpanSpec>): number {
  let d = 0;
  let cur: SpanSpec | undefined = span;
  const seen = new Set<string>();
  while (cur?.parentSpanId && !seen.has(cur.spanId)) {
    seen.add(cur.spanId);
    cur = byId.get(`${cur.traceId}/${cur.parentSpanId}`);
    if (cur === undefined) break;
    d += 1;
  }
  return d;
}

export function deepestEarliestError(spans: readonly SpanSpec[], within: (s: SpanSpec) => boolean): SpanSpec | undefined {
  const byId = new Map(spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
  let best: { span: SpanSpec; depth: number } | undefined;
  for (const s of spans) {
    if (s.status?.code !== 'error' || !within(s)) continue;
    const d = depth(s, byId);
    if (best === undefined || d > best.depth || (d === best.depth && s.startMs < best.span.startMs)) best = { span: s, depth: d };
  }
  return best?.span;
}

/** The error span inside `chosen`'s interval with the same status message that ended first, followed down. */
function originOf(chosen: SpanSpec, spans: readonly SpanSpec[], within: (s: SpanSpec) => boolean): SpanSpec {
  let current = chosen;
  for (;;) {
    const message = current.status?.message;
    const inner = spans
      .filter((s) => s !== current && within(s) && s.status?.code === 'error' && message !== undefined && s.status.message === message)
      .filter((s) => s.startMs >= current.startMs && s.endMs <= current.endMs && !(s.startMs === current.startMs && s.endMs === current.endMs))
      .sort((a, b) => a.endMs - b.endMs)[0];
    if (inner === undefined) return current;
    current = inner;
  }
}

export function rootCauseOf(spans: readonly SpanSpec[], traceIds: readonly string[]): { traceId: string; spanId: string } | undefined {
  const ids = new Set(traceIds);
  const within = (x: SpanSpec): boolean => ids.has(x.traceId);
  const first = deepestEarliestError(spans, within);
  const s = first && originOf(first, spans, within);
  return s && { traceId: s.traceId, spanId: s.spanId };
}

export function failingNodeOf(spans: readonly SpanSpec[], nodes: readonly ExpectedNode[]): { title: string; nodeType?: string } | undefined {
  const keys = new Map(nodes.map((n) => [`${n.traceId}/${n.spanId}`, n]));
  const within = (x: SpanSpec): boolean => keys.has(`${x.traceId}/${x.spanId}`);
  const first = deepestEarliestError(spans, within);
  const s = first && originOf(first, spans, within);
  const n = s && keys.get(`${s.traceId}/${s.spanId}`);
  return n && { title: n.title, nodeType: n.nodeType };
}
