import type { Span } from '../model/span';

/** Parent lookup across one or more traces (span ids are unique only within a trace). */
export function parentIndex(spans: readonly Span[]): (span: Span) => Span | undefined {
  const byTrace = new Map<string, Map<string, Span>>();
  for (const s of spans) {
    let ids = byTrace.get(s.traceId);
    if (ids === undefined) byTrace.set(s.traceId, (ids = new Map<string, Span>()));
    ids.set(s.spanId, s);
  }
  return (span) => (span.parentSpanId === undefined ? undefined : byTrace.get(span.traceId)?.get(span.parentSpanId));
}

/** Children lookup across one or more traces, as `parentIndex` looks parents up. */
export function childrenIndex(spans: readonly Span[]): (span: Span) => readonly Span[] {
  const byTrace = new Map<string, Map<string, Span[]>>();
  for (const s of spans) {
    if (s.parentSpanId === undefined) continue;
    let parents = byTrace.get(s.traceId);
    if (parents === undefined) byTrace.set(s.traceId, (parents = new Map<string, Span[]>()));
    const list = parents.get(s.parentSpanId);
    if (list) list.push(s);
    else parents.set(s.parentSpanId, [s]);
  }
  return (span) => byTrace.get(span.traceId)?.get(span.spanId) ?? [];
}

/** Depth of each span within its own trace (0 for roots and orphans); O(n), a cycle counts as a root. */
export function spanDepths(spans: readonly Span[], parentOf: (span: Span) => Span | undefined = parentIndex(spans)): Map<Span, number> {
  const depths = new Map<Span, number>();
  const chain: Span[] = [];
  for (const span of spans) {
    if (depths.has(span)) continue;
    // Walk up to a span of known depth (or a root), then number the chain on the way back down.
    chain.length = 0;
    let current: Span | undefined = span;
    let base = -1;
    while (current !== undefined) {
      const known = depths.get(current);
      if (known !== undefined) {
        base = known;
        break;
      }
      depths.set(current, -2); // on the current chain: meeting it again means a cycle
      chain.push(current);
      const parent = parentOf(current);
      if (parent !== undefined && depths.get(parent) === -2) break;
      current = parent;
    }
    for (let i = chain.length - 1; i >= 0; i--) depths.set(chain[i]!, ++base);
  }
  return depths;
}

/**
 * The deepest error span, earliest among equals: where a failed run most likely broke. Depth is
 * measured in the whole trace (pass `depths` when already known); `within` limits the candidates.
 */
export function deepestEarliestError(spans: readonly Span[], within: (span: Span) => boolean = () => true, depths?: ReadonlyMap<Span, number>): Span | undefined {
  let best: Span | undefined;
  let bestDepth = -1;
  let measured = depths;
  for (const span of spans) {
    if (span.status.code !== 'error' || !within(span)) continue;
    measured ??= spanDepths(spans);
    const depth = measured.get(span) ?? 0;
    if (best === undefined || depth > bestDepth || (depth === bestDepth && span.startUs < best.startUs)) {
      best = span;
      bestDepth = depth;
    }
  }
  return best;
}
