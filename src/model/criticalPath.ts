import { spanKey, type SpanKey, type TraceTree } from './buildTrace';
import type { Span } from './span';
import type { Microseconds } from './units';

/** A stretch of time during which one span (not any of its children) held up the end of the trace. */
export interface CriticalSection {
  readonly key: SpanKey;
  readonly startUs: Microseconds;
  readonly endUs: Microseconds;
}

export interface CriticalPath {
  /** The root the path starts from, if the trace has any span. */
  readonly rootKey: SpanKey | undefined;
  /** Every span on the chain from the root, including those whose own sections are empty. */
  readonly keys: ReadonlySet<SpanKey>;
  /** Non-empty sections in time order. */
  readonly sections: readonly CriticalSection[];
  /** The same sections, per span. */
  readonly sectionsByKey: ReadonlyMap<SpanKey, readonly CriticalSection[]>;
}

/** What the walk reads of a tree: a `TraceTree`, or another parenting of the same spans (Trace Link's joined halves). */
export type PathTree = Pick<TraceTree, 'roots' | 'childrenOf'>;

/** A child's interval clipped to its parent; the parent's time is all that counts for the path. */
interface Clipped {
  readonly span: Span;
  readonly startUs: number;
  readonly endUs: number;
}

function clippedChildren(children: readonly Span[], parentStart: number, parentEnd: number): Clipped[] {
  const out: Clipped[] = [];
  for (const child of children) {
    // A negative duration (clock skew, broken exporter) is taken as zero.
    const start = Math.max(child.startUs, parentStart);
    const end = Math.min(Math.max(child.endUs, child.startUs), parentEnd);
    // Children starting after their parent ended cannot have held it up.
    if (child.startUs > parentEnd || end < start) continue;
    out.push({ span: child, startUs: start, endUs: end });
  }
  return out.sort((a, b) => b.endUs - a.endUs || b.startUs - a.startUs);
}

/** The root the path starts from: the primary trace's first real root, else its first root, else the first root. */
function pathRoot(tree: PathTree, primaryTraceId: string | undefined): Span | undefined {
  const primary = primaryTraceId ?? tree.roots[0]?.traceId;
  return (
    tree.roots.find((r) => r.traceId === primary && r.parentSpanId === undefined) ??
    tree.roots.find((r) => r.traceId === primary) ??
    tree.roots[0]
  );
}

interface Frame {
  readonly key: SpanKey;
  readonly startUs: number;
  readonly children: readonly Clipped[];
  next: number;
  /** The point in time this span is being walked back from. */
  t: number;
}

/**
 * The critical path as Jaeger UI defines it: from the root's end, walk back; at each level the
 * child that finished last before the current point is on the path (recursively), then the walk
 * continues from that child's start. Children are clipped to their parent (clock skew), negative
 * durations count as zero, overlapping children lose to the one that finished later, and parent
 * cycles (already cut by `buildTrace`) are not followed twice. Iterative, O(n log n).
 */
export function criticalPath(tree: PathTree, primaryTraceId?: string): CriticalPath {
  const keys = new Set<SpanKey>();
  const sections: CriticalSection[] = [];
  const root = pathRoot(tree, primaryTraceId);
  if (!root) return { rootKey: undefined, keys, sections, sectionsByKey: new Map() };

  const push = (key: SpanKey, startUs: number, endUs: number): void => {
    if (endUs > startUs) sections.push({ key, startUs: startUs as Microseconds, endUs: endUs as Microseconds });
  };
  const open = (span: Span, startUs: number, endUs: number): Frame => {
    const key = spanKey(span);
    keys.add(key);
    const children = (tree.childrenOf.get(key) ?? []).filter((c) => !keys.has(spanKey(c)));
    return { key, startUs, children: clippedChildren(children, startUs, endUs), next: 0, t: endUs };
  };

  const rootEnd = Math.max(root.endUs, root.startUs);
  const stack: Frame[] = [open(root, root.startUs, rootEnd)];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    let child: Clipped | undefined;
    while (frame.next < frame.children.length) {
      const candidate = frame.children[frame.next++]!;
      if (candidate.endUs <= frame.t && !keys.has(spanKey(candidate.span))) {
        child = candidate;
        break;
      }
    }
    if (child) {
      push(frame.key, child.endUs, frame.t);
      frame.t = child.startUs;
      stack.push(open(child.span, child.startUs, child.endUs));
    } else {
      push(frame.key, frame.startUs, frame.t);
      stack.pop();
    }
  }
  sections.sort((a, b) => a.startUs - b.startUs || a.endUs - b.endUs);
  const sectionsByKey = new Map<SpanKey, CriticalSection[]>();
  for (const s of sections) {
    const list = sectionsByKey.get(s.key);
    if (list) list.push(s);
    else sectionsByKey.set(s.key, [s]);
  }
  return { rootKey: spanKey(root), keys, sections, sectionsByKey };
}

/**
 * A span's own time: its duration minus the union of its children's intervals clipped to it.
 * Negative durations count as zero.
 */
export function selfTimeUs(span: Span, children: readonly Span[]): Microseconds {
  const start = span.startUs;
  const end = Math.max(span.endUs, span.startUs);
  const intervals = children
    .map((c) => [Math.max(c.startUs, start), Math.min(Math.max(c.endUs, c.startUs), end)] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let curStart = Number.NEGATIVE_INFINITY;
  let curEnd = Number.NEGATIVE_INFINITY;
  for (const [s, e] of intervals) {
    if (s > curEnd) {
      if (curEnd > curStart) covered += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else if (e > curEnd) {
      curEnd = e;
    }
  }
  if (curEnd > curStart) covered += curEnd - curStart;
  return (end - start - covered) as Microseconds;
}
