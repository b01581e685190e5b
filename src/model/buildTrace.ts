import type { Span } from './span';
import type { TraceWarning } from './traceWarning';
import type { Microseconds } from './units';

/** A span's identity across merged traces (span ids are unique only within one trace). */
export type SpanKey = string;

export function spanKey(span: { readonly traceId: string; readonly spanId: string }): SpanKey {
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
 *
 * Works on integer indices (parents found by span id within each trace, children in one flat array,
 * an explicit stack): keyed by "trace/span" strings, as it was, each span cost a concatenated key to
 * hash several times over, and a 100k-span trace took about 0.9 s here instead of ~0.2 s.
 */
export function buildTrace(input: Iterable<Span>, primaryTraceId?: string): TraceTree {
  const warnings: TraceWarning[] = [];
  const unique: Span[] = [];
  const idsByTrace = new Map<string, Map<string, number>>();
  let duplicates = 0;
  let negative = 0;
  for (const span of input) {
    let ids = idsByTrace.get(span.traceId);
    if (ids === undefined) idsByTrace.set(span.traceId, (ids = new Map<string, number>()));
    if (ids.has(span.spanId)) duplicates++;
    else ids.set(span.spanId, unique.push(span) - 1);
    if (span.endUs < span.startUs) negative++;
  }
  if (duplicates > 0) {
    warnings.push({ kind: 'duplicateSpanIds', count: duplicates, message: `${duplicates} span(s) arrived twice with the same id; the first copy is shown.` });
  }
  if (negative > 0) {
    warnings.push({ kind: 'negativeDuration', count: negative, message: `${negative} span(s) end before they start (clock skew or a broken exporter).` });
  }

  const n = unique.length;
  // parent[i]: index of the parent, -1 for a root, -2 for an orphan (its parent never arrived).
  const parent = new Int32Array(n);
  const childCount = new Int32Array(n);
  const roots: number[] = [];
  let orphans = 0;
  for (let i = 0; i < n; i++) {
    const span = unique[i]!;
    const p = span.parentSpanId === undefined ? -1 : idsByTrace.get(span.traceId)!.get(span.parentSpanId) ?? -2;
    parent[i] = p;
    if (p < 0) {
      roots.push(i);
      if (p === -2) orphans++;
    } else childCount[p]!++;
  }
  // Children of span i: children[childStart[i] .. childStart[i + 1]), sorted by start.
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) childStart[i + 1] = childStart[i]! + childCount[i]!;
  const children = new Int32Array(childStart[n]!);
  const filled = childStart.slice(0, n);
  for (let i = 0; i < n; i++) if (parent[i]! >= 0) children[filled[parent[i]!]!++] = i;
  const byStartIndex = (a: number, b: number): number => byStart(unique[a]!, unique[b]!);
  for (let i = 0; i < n; i++) if (childCount[i]! > 1) children.subarray(childStart[i], childStart[i + 1]).sort(byStartIndex);
  const primaryFirst = (a: number, b: number): number => Number(unique[b]!.traceId === primaryTraceId) - Number(unique[a]!.traceId === primaryTraceId) || byStartIndex(a, b);
  roots.sort(primaryFirst);
  if (orphans > 0) {
    warnings.push({ kind: 'orphanSpans', count: orphans, message: `${orphans} span(s) name a parent that has not arrived; they are shown at the top level.` });
  }

  const order: Span[] = [];
  const depths: number[] = [];
  const keys: SpanKey[] = [];
  const visited = new Uint8Array(n);
  /** Each span's key, made once as the walk reaches it (every span is reached). */
  const keyAt = new Array<SpanKey>(n);
  const stack = new Int32Array(n);
  const stackDepth = new Int32Array(n);
  const walk = (root: number): void => {
    let top = 0;
    stack[0] = root;
    stackDepth[0] = 0;
    top = 1;
    while (top > 0) {
      top--;
      const i = stack[top]!;
      const depth = stackDepth[top]!;
      if (visited[i]) continue;
      visited[i] = 1;
      const span = unique[i]!;
      order.push(span);
      depths.push(depth);
      keyAt[i] = spanKey(span);
      keys.push(keyAt[i]);
      // Each span is pushed once (by its only parent), so the stack never holds more than n.
      for (let c = childStart[i + 1]! - 1; c >= childStart[i]!; c--) {
        stack[top] = children[c]!;
        stackDepth[top++] = depth + 1;
      }
    }
  };
  for (const root of roots) walk(root);

  // Spans in a parent cycle are reachable from no root: each cycle is cut at its earliest span.
  if (order.length < n) {
    const stranded: number[] = [];
    for (let i = 0; i < n; i++) if (!visited[i]) stranded.push(i);
    stranded.sort(byStartIndex);
    let cycles = 0;
    for (const i of stranded) {
      if (visited[i]) continue;
      cycles++;
      roots.push(i);
      walk(i);
    }
    warnings.push({ kind: 'parentCycle', count: cycles, message: `${cycles} parent cycle(s) were cut; the earliest span of each is shown at the top level.` });
  }

  const childrenOf = new Map<SpanKey, Span[]>();
  const orphanKeys = new Set<SpanKey>();
  for (let i = 0; i < n; i++) {
    if (childCount[i]! > 0) childrenOf.set(keyAt[i]!, Array.from(children.subarray(childStart[i], childStart[i + 1]), (c) => unique[c]!));
    if (parent[i] === -2) orphanKeys.add(keyAt[i]!);
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
    roots: roots.map((i) => unique[i]!),
    orphanKeys,
    warnings,
    startUs: startUs as Microseconds,
    endUs: Math.max(startUs, endUs) as Microseconds,
  };
}
