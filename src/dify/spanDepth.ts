import type { Span } from '../model/span';

/** Depth of each span within its trace (0 for roots and orphans); O(n), cycles count as roots. */
export function spanDepths(spans: readonly Span[]): Map<Span, number> {
  // Keyed by trace and span id: spans of linked traces are measured within their own trace.
  const byId = new Map(spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
  const depths = new Map<Span, number>();
  const depthOf = (span: Span): number => {
    const known = depths.get(span);
    if (known !== undefined) return known;
    const chain: Span[] = [];
    const onChain = new Set<Span>();
    let current: Span | undefined = span;
    let base = -1;
    while (current !== undefined) {
      const cached = depths.get(current);
      if (cached !== undefined) {
        base = cached;
        break;
      }
      if (onChain.has(current)) break;
      onChain.add(current);
      chain.push(current);
      current = current.parentSpanId === undefined ? undefined : byId.get(`${current.traceId}/${current.parentSpanId}`);
    }
    for (let i = chain.length - 1; i >= 0; i--) depths.set(chain[i]!, ++base);
    return depths.get(span)!;
  };
  for (const span of spans) depthOf(span);
  return depths;
}

/** The deepest error span, earliest among equals: where a failed run most likely broke. */
export function deepestEarliestError(spans: readonly Span[]): Span | undefined {
  const errors = spans.filter((s) => s.status.code === 'error');
  if (errors.length === 0) return undefined;
  const depths = spanDepths(spans);
  let best: Span | undefined;
  for (const span of errors) {
    if (best === undefined) {
      best = span;
      continue;
    }
    const d = depths.get(span)! - depths.get(best)!;
    if (d > 0 || (d === 0 && span.startUs < best.startUs)) best = span;
  }
  return best;
}
