/**
 * The trace view's data in the webview: the trace server's outline (header + chunks) assembled into
 * typed arrays, and pure functions over it. No span objects: a 100k-span trace is a few MB here.
 */
import { OutlineFlag, outlineColumnTypes, type OutlineColumn, type TraceOutlineChunk, type TraceOutlineHeader } from '../../../src/shared/traceView';

export interface Outline {
  readonly header: TraceOutlineHeader;
  readonly count: number;
  readonly spanId: string[];
  readonly trace: Uint16Array;
  readonly depth: Uint16Array;
  readonly subtreeEnd: Int32Array;
  /** Depth-first index of the parent, -1 for roots (computed here from depths). */
  readonly parent: Int32Array;
  readonly name: Int32Array;
  readonly service: Uint16Array;
  readonly nodeType: Int16Array;
  readonly startUs: Float64Array;
  readonly durationUs: Float64Array;
  readonly status: Uint8Array;
  readonly flags: Uint8Array;
  /** `[startUs, endUs]` pairs per critical span, relative to the trace start. */
  readonly criticalSections: Map<number, number[]>;
  /** Chunks received so far. */
  received: number;
  /**
   * A preview (`TraceOutlineHeader.preview`): a few rows of the trace, each one's depth-first index
   * in the whole trace; what the trace server is asked about (details) and answers (search matches)
   * is in whole-trace indices.
   */
  readonly fullIndex?: Int32Array;
  /** A preview's count of the spans under each row in the whole trace. */
  readonly descendants?: Int32Array;
}

export function emptyOutline(header: TraceOutlineHeader): Outline {
  return blankOutline(header, header.spanCount);
}

function blankOutline(header: TraceOutlineHeader, n: number): Outline {
  return {
    header,
    count: n,
    spanId: new Array<string>(n).fill(''),
    trace: new Uint16Array(n),
    depth: new Uint16Array(n),
    subtreeEnd: new Int32Array(n),
    parent: new Int32Array(n).fill(-1),
    name: new Int32Array(n),
    service: new Uint16Array(n),
    nodeType: new Int16Array(n).fill(-1),
    startUs: new Float64Array(n),
    durationUs: new Float64Array(n),
    status: new Uint8Array(n),
    flags: new Uint8Array(n),
    criticalSections: new Map(),
    received: 0,
  };
}

/** The bytes of a base64 string (atob: in browsers and Node alike). */
function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const hexByte = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

const arrayOf = {
  Uint8: (b: ArrayBuffer, n: number) => new Uint8Array(b, 0, n),
  Uint16: (b: ArrayBuffer, n: number) => new Uint16Array(b, 0, n),
  Int16: (b: ArrayBuffer, n: number) => new Int16Array(b, 0, n),
  Int32: (b: ArrayBuffer, n: number) => new Int32Array(b, 0, n),
  Float64: (b: ArrayBuffer, n: number) => new Float64Array(b, 0, n),
} as const;

/** Copies a chunk into the outline; true once every chunk has arrived (then parents are computed). */
export function addChunk(outline: Outline, chunk: TraceOutlineChunk): boolean {
  if (chunk.outlineId !== outline.header.outlineId) return false;
  fillRows(outline, chunk);
  outline.received++;
  const complete = outline.received >= outline.header.chunkCount;
  if (complete) computeStructure(outline);
  return complete;
}

/**
 * The rows a large trace opens on, as an outline of their own (undefined when the header has no
 * preview): shown while the chunks arrive, then replaced by the whole outline.
 */
export function previewOutline(header: TraceOutlineHeader): Outline | undefined {
  const preview = header.preview;
  if (preview === undefined) return undefined;
  const fullIndex = new Int32Array(base64Bytes(preview.indices).buffer);
  const descendants = new Int32Array(base64Bytes(preview.descendants).buffer);
  const rootCause = header.rootCauseIndex < 0 ? -1 : indexIn(fullIndex, header.rootCauseIndex);
  const outline: Outline = { ...blankOutline({ ...header, rootCauseIndex: rootCause }, fullIndex.length), fullIndex, descendants };
  fillRows(outline, preview.rows);
  computeStructure(outline);
  return outline;
}

/** The whole trace's index of a row (what the trace server knows it by). */
export const fullIndexOf = (o: Outline, i: number): number => o.fullIndex?.[i] ?? i;

/** The row of a whole-trace index, -1 when a preview does not hold it. */
export const localIndexOf = (o: Outline, full: number): number => (o.fullIndex === undefined ? full : indexIn(o.fullIndex, full));

/** Spans under a row (in the whole trace, for a preview): what a collapsed row hides. */
export const spansBelow = (o: Outline, i: number): number => o.descendants?.[i] ?? o.subtreeEnd[i]! - i - 1;

/** Binary search of an ascending array, -1 when absent. */
function indexIn(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Copies a chunk's rows into the outline at its offset. */
function fillRows(outline: Outline, chunk: TraceOutlineChunk): void {
  const at = chunk.offset;
  const len = Math.min(chunk.count, outline.count - at);
  for (const column of Object.keys(outlineColumnTypes) as OutlineColumn[]) {
    // A fresh Uint8Array starts at byte 0 of its own buffer, so every element type is aligned.
    const values = arrayOf[outlineColumnTypes[column]](base64Bytes(chunk.columns[column]).buffer as ArrayBuffer, len);
    (outline[column] as { set(values: ArrayLike<number>, offset: number): void }).set(values, at);
  }
  const ids = base64Bytes(chunk.spanIds);
  for (let k = 0; k < len; k++) {
    let hex = '';
    for (let b = k * 8; b < k * 8 + 8; b++) hex += hexByte[ids[b]!];
    outline.spanId[at + k] = hex;
  }
  const s = chunk.criticalSections;
  for (let k = 0; k + 2 < s.length; k += 3) {
    const list = outline.criticalSections.get(s[k]!);
    if (list) list.push(s[k + 1]!, s[k + 2]!);
    else outline.criticalSections.set(s[k]!, [s[k + 1]!, s[k + 2]!]);
  }
}

/** Parents and subtree ends from the depths, in one pass with a stack of open ancestors. */
function computeStructure(outline: Outline): void {
  const open: number[] = [];
  for (let i = 0; i < outline.count; i++) {
    const depth = outline.depth[i]!;
    while (open.length > 0 && outline.depth[open[open.length - 1]!]! >= depth) outline.subtreeEnd[open.pop()!] = i;
    outline.parent[i] = depth === 0 ? -1 : open[open.length - 1] ?? -1;
    open.push(i);
  }
  for (const i of open) outline.subtreeEnd[i] = outline.count;
}

export const hasChildren = (o: Outline, i: number): boolean => o.subtreeEnd[i]! > i + 1;
export const spanKeyAt = (o: Outline, i: number): string => `${o.header.traceIds[o.trace[i]!] ?? ''}/${o.spanId[i]}`;
export const traceIdAt = (o: Outline, i: number): string => o.header.traceIds[o.trace[i]!] ?? '';
export const nameAt = (o: Outline, i: number): string => o.header.names[o.name[i]!] ?? '';
export const serviceAt = (o: Outline, i: number): string => o.header.services[o.service[i]!] ?? '';
export const nodeTypeAt = (o: Outline, i: number): string | undefined => (o.nodeType[i]! >= 0 ? o.header.nodeTypes[o.nodeType[i]!] : undefined);
export const flagAt = (o: Outline, i: number, flag: number): boolean => (o.flags[i]! & flag) !== 0;

/** Index of every span by `traceId/spanId`, for restoring saved selection and toggles. */
export function indexByKey(o: Outline): Map<string, number> {
  const map = new Map<string, number>();
  for (let i = 0; i < o.count; i++) map.set(spanKeyAt(o, i), i);
  return map;
}

/**
 * Which spans are collapsed. `base` is what Expand all / Collapse all last set (`default`: only
 * iteration, loop and parallel groups collapsed); `collapsed` holds the actual state per span.
 * What differs from the base (to persist) is found by `toggledIndices` when needed, so expanding a
 * 70k-span subtree is a fill, not 70k set operations.
 */
export interface ExpandState {
  base: 'default' | 'all' | 'none';
  readonly collapsed: Uint8Array;
}

function baseCollapsed(o: Outline, base: ExpandState['base'], i: number): boolean {
  if (!hasChildren(o, i)) return false;
  return base === 'none' ? true : base === 'all' ? false : flagAt(o, i, OutlineFlag.group);
}

export function initialExpandState(o: Outline, base: ExpandState['base'] = 'default'): ExpandState {
  const state: ExpandState = { base, collapsed: new Uint8Array(o.count) };
  resetExpandState(o, state, base);
  return state;
}

/** Sets one span's state (a span without children is never collapsed). */
export function setCollapsed(o: Outline, state: ExpandState, i: number, collapse: boolean): void {
  if (hasChildren(o, i)) state.collapsed[i] = collapse ? 1 : 0;
}

/** Expand all / Collapse all (or the default): a new base, every span set to it. */
export function resetExpandState(o: Outline, state: ExpandState, base: ExpandState['base']): void {
  state.base = base;
  for (let i = 0; i < o.count; i++) state.collapsed[i] = baseCollapsed(o, base, i) ? 1 : 0;
}

/** Spans whose state differs from the base, in depth-first order; O(spans). */
export function toggledIndices(o: Outline, state: ExpandState): number[] {
  const toggled: number[] = [];
  for (let i = 0; i < o.count; i++) if ((state.collapsed[i] === 1) !== baseCollapsed(o, state.base, i)) toggled.push(i);
  return toggled;
}

/** Expands or collapses a span and every span below it. O(subtree), no allocation. */
export function setSubtree(o: Outline, state: ExpandState, i: number, collapse: boolean): void {
  const end = o.subtreeEnd[i]!;
  for (let k = i; k < end; k++) state.collapsed[k] = collapse && o.subtreeEnd[k]! > k + 1 ? 1 : 0;
}

/** Expands every ancestor of a span, so it is visible; true when anything changed. */
export function expandAncestors(o: Outline, state: ExpandState, i: number): boolean {
  let changed = false;
  for (let p = o.parent[i]!; p >= 0; p = o.parent[p]!) {
    if (state.collapsed[p]) {
      state.collapsed[p] = 0;
      changed = true;
    }
  }
  return changed;
}

/**
 * Pure: the depth-first indices of the visible spans, in display order. A collapsed span's subtree
 * is skipped in one step (`subtreeEnd`), so this costs O(visible rows), not O(spans).
 */
export function visibleRows(o: Outline, collapsed: Uint8Array): Int32Array {
  const rows = new Int32Array(o.count);
  let n = 0;
  let i = 0;
  while (i < o.count) {
    rows[n++] = i;
    i = collapsed[i] ? Math.max(i + 1, o.subtreeEnd[i]!) : i + 1;
  }
  return rows.subarray(0, n);
}

/** Row position of a span among visible rows (binary search; rows are ascending), -1 when hidden. */
export function rowOf(rows: Int32Array, index: number): number {
  return indexIn(rows, index);
}
