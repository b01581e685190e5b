import type { Span } from './span';
import type { TraceWarning } from './traceWarning';
import type { Microseconds } from './units';

/** A span's identity across merged traces (span ids are unique only within one trace). */
export type SpanKey = string;

export function spanKey(span: Pick<Span, 'traceId' | 'spanId'>): SpanKey {
  return `${span.traceId}/${span.spanId}`;
}

export interface TraceTree {
  /** Unique spans in depth-first display order. */
  readonly spans: readonly Span[];
  /** `spanKey` of each span in `spans` (same index). */
  readonly keys: readonly SpanKey[];
  /** Depth of each span in `spans` (same index). */
  readonly depths: readonly number[];
  readonly childrenOf: ReadonlyMap<SpanKey, readonly Span[]>;
  /** Real roots, then spans whose parent never arrived, then spans that closed a parent cycle. */
  readonly roots: readonly Span[];
  readonly orphanKeys: ReadonlySet<SpanKey>;
  readonly warnings: readonly TraceWarning[];
  readonly startUs: Microseconds;
  readonly endUs: Microseconds;
}

const byStart = (a: Span, b: Span): number => a.startUs - b.startUs || a.endUs - b.endUs;

/**
 * One normalising pass over spans of one or more (linked) traces: drops duplicate span ids (first
 * wins), keeps orphans as roots, breaks parent cycles, and records each quirk as a warning.
 * O(n log n); never throws on bad data. Roots of `primaryTraceId` are listed first.
 */
export function buildTrace(input: Iterable<Span>, primaryTraceId?: string): TraceTree {
  const warnings: TraceWarning[] = [];
  const byKey = new Map<SpanKey, Span>();
  let duplicates = 0;
  let negative = 0;
  // Each span's key is made once: at 100k spans, building these strings again in every pass was
  // a good part of laying a run out.
  const keyOf = new Map<Span, SpanKey>();
  for (const span of input) {
    const key = spanKey(span);
    if (byKey.has(key)) duplicates++;
    else {
      byKey.set(key, span);
      keyOf.set(span, key);
    }
    if (span.endUs < span.startUs) negative++;
  }
  if (duplicates > 0) {
    warnings.push({ kind: 'duplicateSpanIds', count: duplicates, message: `${duplicates} span(s) arrived twice with the same id; the first copy is shown.` });
  }
  if (negative > 0) {
    warnings.push({ kind: 'negativeDuration', count: negative, message: `${negative} span(s) end before they start (clock skew or a broken exporter).` });
  }

  const childrenOf = new Map<SpanKey, Span[]>();
  const roots: Span[] = [];
  const orphanKeys = new Set<SpanKey>();
  for (const span of byKey.values()) {
    const parentKey = span.parentSpanId === undefined ? undefined : `${span.traceId}/${span.parentSpanId}`;
    if (parentKey === undefined) {
      roots.push(span);
    } else if (!byKey.has(parentKey)) {
      roots.push(span);
      orphanKeys.add(keyOf.get(span)!);
    } else {
      const siblings = childrenOf.get(parentKey);
      if (siblings) siblings.push(span);
      else childrenOf.set(parentKey, [span]);
    }
  }
  for (const siblings of childrenOf.values()) siblings.sort(byStart);
  // The requested trace's roots come first, then those of traces merged in by Trace Link.
  const primaryFirst = (a: Span, b: Span): number => Number(b.traceId === primaryTraceId) - Number(a.traceId === primaryTraceId) || byStart(a, b);
  roots.sort(primaryFirst);
  if (orphanKeys.size > 0) {
    warnings.push({ kind: 'orphanSpans', count: orphanKeys.size, message: `${orphanKeys.size} span(s) name a parent that has not arrived; they are shown at the top level.` });
  }

  const order: Span[] = [];
  const depths: number[] = [];
  const keys: SpanKey[] = [];
  const visited = new Set<SpanKey>();
  const walk = (root: Span): void => {
    const stack: Array<[Span, number]> = [[root, 0]];
    while (stack.length > 0) {
      const [span, depth] = stack.pop()!;
      const key = keyOf.get(span)!;
      if (visited.has(key)) continue;
      visited.add(key);
      order.push(span);
      depths.push(depth);
      keys.push(key);
      const children = childrenOf.get(key) ?? [];
      for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, depth + 1]);
    }
  };
  for (const root of roots) walk(root);

  // Spans not reached from any root sit on a parent cycle (or below one): cut each cycle at its
  // earliest span so everything is still shown.
  if (visited.size < byKey.size) {
    const stranded = [...byKey.values()].filter((s) => !visited.has(keyOf.get(s)!)).sort(byStart);
    let cycles = 0;
    for (const span of stranded) {
      if (visited.has(keyOf.get(span)!)) continue;
      cycles++;
      roots.push(span);
      walk(span);
    }
    warnings.push({ kind: 'parentCycle', count: cycles, message: `${cycles} parent cycle(s) were cut; the earliest span of each is shown at the top level.` });
  }

  let startUs = Number.POSITIVE_INFINITY;
  let endUs = Number.NEGATIVE_INFINITY;
  for (const span of order) {
    if (span.startUs < startUs) startUs = span.startUs;
    if (span.endUs > endUs) endUs = span.endUs;
  }
  if (order.length === 0) startUs = endUs = 0;
  return {
    spans: order,
    keys,
    depths,
    childrenOf,
    roots,
    orphanKeys,
    warnings,
    startUs: startUs as Microseconds,
    endUs: Math.max(startUs, endUs) as Microseconds,
  };
}
