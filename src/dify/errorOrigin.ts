import type { Span } from '../model/span';
import { errorText } from './errorTaxonomy';

/**
 * Where an error started, when Dify reported it twice. A failing item of an Iteration or Loop makes
 * Dify re-raise the item's error on the container node (graphon's iteration/loop nodes fail with the
 * inner node's error text), and both exporters lay the two spans side by side under the run
 * (Aliyun flat under `workflow`, Phoenix 1.x flat too). Depth cannot tell them apart; time can: the
 * inner node failed first, inside the container's interval, with the same text. Followed down, so
 * nested iterations end at the innermost node, which is where the fix goes.
 */
export function errorOrigin(failing: Span, candidates: readonly Span[]): Span {
  let current = failing;
  for (let hops = 0; hops < 64; hops++) {
    const text = errorText(current).trim();
    if (text === '') return current;
    let inner: Span | undefined;
    for (const span of candidates) {
      if (span === current || span.status.code !== 'error') continue;
      if (span.startUs < current.startUs || span.endUs > current.endUs) continue;
      if (span.endUs === current.endUs && span.startUs === current.startUs) continue;
      if (errorText(span).trim() !== text) continue;
      if (inner === undefined || span.endUs < inner.endUs) inner = span;
    }
    if (inner === undefined) return current;
    current = inner;
  }
  return current;
}

/**
 * The container a node ran in and its item index, when the origin is not the failing span Dify
 * reported first: the index the exporter recorded, else the item's place among the same node's
 * runs inside the container when those ran one after another (then start order is item order).
 */
export function itemIndexWithin(container: Span, item: Span, sameNode: readonly Span[], recorded: number | undefined): number | undefined {
  if (recorded !== undefined) return recorded;
  const runs = sameNode.filter((s) => s.startUs >= container.startUs && s.endUs <= container.endUs).sort((a, b) => a.startUs - b.startUs);
  for (let i = 1; i < runs.length; i++) if (runs[i]!.startUs < runs[i - 1]!.endUs) return undefined;
  const index = runs.indexOf(item);
  return index < 0 ? undefined : index;
}
