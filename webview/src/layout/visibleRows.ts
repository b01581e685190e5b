import { spanKey, type SpanKey, type TraceTree } from '../../../src/model/buildTrace';
import type { Span } from '../../../src/model/span';

export interface Row {
  readonly key: SpanKey;
  readonly span: Span;
  readonly depth: number;
  readonly hasChildren: boolean;
  readonly collapsed: boolean;
  /** Starts an infrastructure trace joined by Trace Link rather than the run's own trace. */
  readonly linkedTraceRoot: boolean;
}

/**
 * Pure: the rows to show for a tree and a set of collapsed spans, in display order. The tree's
 * `spans` are already depth-first, so one pass that skips collapsed subtrees is enough (O(n)).
 */
export function visibleRows(tree: TraceTree, collapsed: ReadonlySet<SpanKey>, primaryTraceId: string): Row[] {
  const rows: Row[] = [];
  let skipBelowDepth = Number.POSITIVE_INFINITY;
  for (let i = 0; i < tree.spans.length; i++) {
    const span = tree.spans[i]!;
    const depth = tree.depths[i]!;
    if (depth > skipBelowDepth) continue;
    skipBelowDepth = Number.POSITIVE_INFINITY;
    const key = spanKey(span);
    const hasChildren = (tree.childrenOf.get(key)?.length ?? 0) > 0;
    const isCollapsed = hasChildren && collapsed.has(key);
    if (isCollapsed) skipBelowDepth = depth;
    rows.push({ key, span, depth, hasChildren, collapsed: isCollapsed, linkedTraceRoot: depth === 0 && span.traceId !== primaryTraceId });
  }
  return rows;
}

/** Keys of the ancestors of a span, so revealing it can expand them. */
export function ancestorKeys(tree: TraceTree, key: SpanKey): SpanKey[] {
  const index = tree.spans.findIndex((s) => spanKey(s) === key);
  if (index < 0) return [];
  const keys: SpanKey[] = [];
  let depth = tree.depths[index]!;
  for (let i = index - 1; i >= 0 && depth > 0; i--) {
    if (tree.depths[i]! < depth) {
      keys.push(spanKey(tree.spans[i]!));
      depth = tree.depths[i]!;
    }
  }
  return keys;
}
