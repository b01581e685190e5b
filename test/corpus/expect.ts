/**
 * The corpus rules for `expected`, computed from the spans a case sends so every case applies them the
 * same way (README "Rules for expected"):
 * - rootCause: among ERROR spans of the run's trace and of its linked traces present in the case, the
 *   deepest (longest parent chain inside its own trace), then the earliest start, then the first sent.
 * - failingNode: the same rule restricted to the case's node spans.
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

export function rootCauseOf(spans: readonly SpanSpec[], traceIds: readonly string[]): { traceId: string; spanId: string } | undefined {
  const ids = new Set(traceIds);
  const s = deepestEarliestError(spans, (x) => ids.has(x.traceId));
  return s && { traceId: s.traceId, spanId: s.spanId };
}

export function failingNodeOf(spans: readonly SpanSpec[], nodes: readonly ExpectedNode[]): { title: string; nodeType?: string } | undefined {
  const keys = new Map(nodes.map((n) => [`${n.traceId}/${n.spanId}`, n]));
  const s = deepestEarliestError(spans, (x) => keys.has(`${x.traceId}/${x.spanId}`));
  const n = s && keys.get(`${s.traceId}/${s.spanId}`);
  return n && { title: n.title, nodeType: n.nodeType };
}
