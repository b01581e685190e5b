import { spanKey, type SpanKey, type TraceTree } from '../../../src/model/buildTrace';

/** Pure: every span that has children, in tree order; collapsing them all leaves only the roots. */
export function keysWithChildren(tree: TraceTree): SpanKey[] {
  const keys: SpanKey[] = [];
  for (const span of tree.spans) {
    const key = spanKey(span);
    if ((tree.childrenOf.get(key)?.length ?? 0) > 0) keys.push(key);
  }
  return keys;
}

/**
 * Pure: the span itself and every descendant that has children, in tree order, so expanding or
 * collapsing "all below" a span is a set operation on these keys. The tree's spans are depth-first,
 * so the subtree is the run of spans after it that are deeper (O(subtree) after the lookup).
 */
export function subtreeKeysWithChildren(tree: TraceTree, key: SpanKey, index?: number): SpanKey[] {
  const start = index !== undefined && tree.spans[index] && spanKey(tree.spans[index]) === key ? index : tree.spans.findIndex((s) => spanKey(s) === key);
  if (start < 0) return [];
  const depth = tree.depths[start]!;
  const keys: SpanKey[] = [];
  for (let i = start; i < tree.spans.length && (i === start || tree.depths[i]! > depth); i++) {
    const k = spanKey(tree.spans[i]!);
    if ((tree.childrenOf.get(k)?.length ?? 0) > 0) keys.push(k);
  }
  return keys;
}

/** Pure: a new collapsed set with `keys` added (collapse) or removed (expand). */
export function withCollapsed(collapsed: ReadonlySet<SpanKey>, keys: readonly SpanKey[], collapse: boolean): Set<SpanKey> {
  const next = new Set(collapsed);
  for (const k of keys) {
    if (collapse) next.add(k);
    else next.delete(k);
  }
  return next;
}
