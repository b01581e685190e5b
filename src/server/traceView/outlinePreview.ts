import { OutlineFlag, outlineColumnTypes, type OutlineColumn, type TraceOutlinePreview } from '../../shared/traceView';
import type { Span } from '../../model/span';
import type { LayoutColumns } from './traceLayout';

/** Rows the preview holds before and after the one the trace opens on: more than a 4K screen shows (about 90 rows of 24 px). */
const rowsAround = 120;

/** What the preview reads of a layout being built. */
export interface PreviewSource {
  readonly spans: readonly Span[];
  readonly columns: LayoutColumns;
  readonly criticalSections: ReadonlyMap<number, readonly number[]>;
  readonly rootCauseIndex: number;
}

/**
 * The rows a trace opens on, for the panel to draw before the chunks of a large trace arrive: the
 * webview opens on the root cause (else the first span) with its ancestors expanded and iteration
 * and loop groups collapsed (its default expansion), centred; the preview holds the rows that view
 * shows around it, their ancestors, and the first child of each collapsed group so it keeps its
 * toggle. The webview then swaps in the whole outline, on the same span.
 */
export function outlinePreview(layout: PreviewSource, outlineId: string): TraceOutlinePreview {
  const { depth, flags } = layout.columns;
  const n = depth.length;
  const { parent, subtreeEnd } = structureOf(depth);
  const initial = layout.rootCauseIndex >= 0 ? layout.rootCauseIndex : 0;
  const opened = new Set<number>();
  for (let i = initial; i >= 0; i = parent[i]!) opened.add(i);
  const collapsed = (i: number): boolean => subtreeEnd[i]! > i + 1 && (flags[i]! & OutlineFlag.group) !== 0 && !opened.has(i);

  // The rows the default expansion shows, up to `rowsAround` past the initial one.
  const visible: number[] = [];
  let at = -1;
  for (let i = 0; i < n && (at < 0 || visible.length <= at + rowsAround); i = collapsed(i) ? subtreeEnd[i]! : i + 1) {
    if (i === initial) at = visible.length;
    visible.push(i);
  }
  const kept = new Set<number>(visible.slice(Math.max(0, at - rowsAround)));
  for (const i of [...kept]) {
    for (let p = parent[i]!; p >= 0 && !kept.has(p); p = parent[p]!) kept.add(p);
    if (collapsed(i)) kept.add(i + 1);
  }
  const indices = Int32Array.from([...kept].sort((a, b) => a - b));
  return {
    indices: base64(indices),
    descendants: base64(indices.map((i) => subtreeEnd[i]! - i - 1)),
    rows: {
      outlineId,
      offset: 0,
      count: indices.length,
      spanIds: Buffer.from([...indices].map((i) => layout.spans[i]!.spanId).join(''), 'hex').toString('base64'),
      columns: Object.fromEntries((Object.keys(outlineColumnTypes) as OutlineColumn[]).map((column) => {
        const source = layout.columns[column];
        const picked = new (source.constructor as new (length: number) => typeof source)(indices.length);
        for (let k = 0; k < indices.length; k++) picked[k] = source[indices[k]!]!;
        return [column, base64(picked)];
      })) as Record<OutlineColumn, string>,
      criticalSections: [...indices].flatMap((i, k) => {
        const own = layout.criticalSections.get(i) ?? [];
        const triples: number[] = [];
        for (let s = 0; s + 1 < own.length; s += 2) triples.push(k, own[s]!, own[s + 1]!);
        return triples;
      }),
    },
  };
}

/** Parents and subtree ends from depth-first depths (the webview derives them the same way). */
function structureOf(depth: Uint16Array): { parent: Int32Array; subtreeEnd: Int32Array } {
  const n = depth.length;
  const parent = new Int32Array(n).fill(-1);
  const subtreeEnd = new Int32Array(n).fill(n);
  const open: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = depth[i]!;
    while (open.length > 0 && depth[open[open.length - 1]!]! >= d) subtreeEnd[open.pop()!] = i;
    parent[i] = d === 0 ? -1 : open[open.length - 1] ?? -1;
    open.push(i);
  }
  return { parent, subtreeEnd };
}

function base64(array: ArrayBufferView): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}
