import { buildTrace, type SpanKey } from '../../model/buildTrace';
import { criticalPath, selfTimeUs, type CriticalPath, type CriticalSection } from '../../model/criticalPath';
import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';
import { mayHaveSource } from '../../model/spanSource';
import type { TraceWarning } from '../../model/traceWarning';
import { difyNodesOf } from '../../dify/difyNodes';
import { phoenix } from '../../dify/difyNames';
import type { SpanCounterpart, TraceSnapshot } from '../../shared/lspProtocol';
import type { RunSummary } from '../../shared/runSummary';
import { OutlineFlag, outlineColumnTypes, outlineNameLimit, statusCodes, type OutlineColumn, type RelatedSpanRef, type TraceOutlineChunk, type TraceOutlineHeader } from '../../shared/traceView';
import { outlinePreview } from './outlinePreview';
import { payloadWarnings } from './payloadWarnings';
import { traceSpansOf, type TraceSpans } from '../backends/traceSpans';
import { runInTurns, runToEnd, type Steps } from '../turns';

/** Node types whose children repeat (iteration items, loop rounds): collapsed when a trace opens. */
const groupNodeTypes = new Set(['iteration', 'loop']);

const asTraceSpans = (input: TraceSnapshot | TraceSpans): TraceSpans => ('resources' in input ? traceSpansOf(input) : input);

/** The outline's columns as typed arrays (`outlineColumnTypes`), one element per span in depth-first order. */
export type LayoutColumns = {
  readonly [C in OutlineColumn]: (typeof outlineColumnTypes)[C] extends 'Float64' ? Float64Array
    : (typeof outlineColumnTypes)[C] extends 'Int32' ? Int32Array
    : (typeof outlineColumnTypes)[C] extends 'Int16' ? Int16Array
    : (typeof outlineColumnTypes)[C] extends 'Uint16' ? Uint16Array
    : Uint8Array;
};

/** A trace laid out once for the trace view; chunks, searches and details are all answered from it. */
export interface TraceLayout {
  readonly header: TraceOutlineHeader;
  /** Spans in depth-first display order (the outline's index is the position here). */
  readonly spans: readonly Span[];
  readonly columns: LayoutColumns;
  /** Critical-path sections by index: `[startUs, endUs]` pairs relative to the view's start. */
  readonly criticalSections: ReadonlyMap<number, readonly number[]>;
  readonly indexOfKey: ReadonlyMap<SpanKey, number>;
  readonly nodeTypeOf: (index: number) => string | undefined;
  readonly logsOf: (index: number) => readonly LogRecord[];
  readonly relatedOf: (index: number) => readonly RelatedSpanRef[];
  readonly selfTimeOf: (index: number) => number;
}

/** Interns strings into a table, so repeated names (100k spans, a few hundred names) cost one copy each. */
function interner(): { readonly table: string[]; intern(value: string): number } {
  const table: string[] = [];
  const index = new Map<string, number>();
  return {
    table,
    intern(value) {
      let i = index.get(value);
      if (i === undefined) {
        i = table.push(value) - 1;
        index.set(value, i);
      }
      return i;
    },
  };
}

/**
 * Lays out a trace with its linked traces (or a snapshot of them) for the trace view: the tree in depth-first
 * order, each span's flags (critical path, root cause, group, ...), self time, and the warnings a
 * user must see. Pure; O(n log n).
 */
export function layoutTrace(input: TraceSnapshot | TraceSpans, outlineId: string, chunkSize: number): TraceLayout {
  return runToEnd(layoutSteps(asTraceSpans(input), outlineId, chunkSize));
}

/** `layoutTrace` a part per turn of the event loop (100k spans take about a second in all), so the trace server answers other requests meanwhile. */
export function layoutTraceInTurns(input: TraceSnapshot | TraceSpans, outlineId: string, chunkSize: number): Promise<TraceLayout> {
  return runInTurns(layoutSteps(asTraceSpans(input), outlineId, chunkSize));
}

/** Spans laid out between two pauses of the main loop. */
const spansPerStep = 25_000;

function* layoutSteps(trace: TraceSpans, outlineId: string, chunkSize: number): Steps<TraceLayout> {
  const primary = trace.traceIds[0];
  const tree = buildTrace(trace.spans, primary);
  yield;
  const spans = tree.spans;
  const n = spans.length;
  const origin = tree.startUs;
  // One critical path per trace shown: the app-level trace's (often flat: Aliyun puts every node
  // under `workflow`) and each linked infrastructure trace's, where the nesting is.
  const critical = mergePaths(trace.traceIds.filter((id) => tree.roots.some((r) => r.traceId === id)).map((id) => criticalPath(tree, id)));
  yield;
  const keys = tree.keys;
  const indexOfKey = new Map<SpanKey, number>();
  for (let i = 0; i < n; i++) indexOfKey.set(keys[i]!, i);
  const nodes = difyNodesOf(spans);
  yield;

  const traceIndex = new Map(trace.traceIds.map((id, i) => [id, i]));
  const names = interner();
  const services = interner();
  const nodeTypes = interner();
  const rootCause = trace.run?.rootCause;
  const rootCauseIndex = rootCause ? indexOfKey.get(`${rootCause.traceId}/${rootCause.spanId}`) ?? -1 : -1;
  const columns: LayoutColumns = {
    trace: new Uint16Array(n),
    depth: Uint16Array.from(tree.depths),
    name: new Int32Array(n),
    service: new Uint16Array(n),
    nodeType: new Int16Array(n),
    startUs: new Float64Array(n),
    durationUs: new Float64Array(n),
    status: new Uint8Array(n),
    flags: new Uint8Array(n),
  };
  // Self time is shown in the details only, so it stays here rather than in the outline.
  const selfUs = new Float64Array(n);
  const criticalSections = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % spansPerStep === 0) yield;
    const span = spans[i]!;
    const key = keys[i]!;
    const children = tree.childrenOf.get(key) ?? [];
    const node = nodes.get(span);
    const wrapper = span.attributes[phoenix.wrapperSyntheticKey] === true || span.attributes[phoenix.wrapperSyntheticKey] === 'true';
    const name = span.name.length > outlineNameLimit ? span.name.slice(0, outlineNameLimit) : span.name;
    let flags = 0;
    if (critical.keys.has(key)) flags |= OutlineFlag.critical;
    if (tree.depths[i] === 0 && span.traceId !== primary) flags |= OutlineFlag.linkedRoot;
    if (tree.orphanKeys.has(key)) flags |= OutlineFlag.orphan;
    // The wrappers of newer Phoenix exports hold one item each: the node above them is the group.
    if (children.length > 1 && !wrapper && node?.nodeType !== undefined && groupNodeTypes.has(node.nodeType)) flags |= OutlineFlag.group;
    if (name !== span.name) flags |= OutlineFlag.nameTruncated;
    if (mayHaveSource(span)) flags |= OutlineFlag.mayHaveSource;
    if (span.endUs < span.startUs) flags |= OutlineFlag.negativeDuration;
    if (i === rootCauseIndex) flags |= OutlineFlag.rootCause;
    columns.trace[i] = traceIndex.get(span.traceId) ?? 0;
    columns.name[i] = names.intern(name);
    // Uint16: a trace with more than 65,535 services would show the last one's name for the rest.
    columns.service[i] = Math.min(services.intern(span.resource.serviceName), 0xffff);
    columns.nodeType[i] = node?.nodeType === undefined ? -1 : nodeTypes.intern(node.nodeType);
    columns.startUs[i] = span.startUs - origin;
    columns.durationUs[i] = Math.max(0, span.endUs - span.startUs);
    selfUs[i] = selfTimeUs(span, children);
    columns.status[i] = Math.max(0, statusCodes.indexOf(span.status.code));
    columns.flags[i] = flags;
    const sections = critical.sectionsByKey.get(key);
    if (sections) criticalSections.set(i, sections.flatMap((s) => [s.startUs - origin, s.endUs - origin]));
  }

  const logsByIndex = new Map<number, LogRecord[]>();
  for (const record of trace.logs) {
    if (record.traceId === undefined || record.spanId === undefined) continue;
    const index = indexOfKey.get(`${record.traceId}/${record.spanId}`);
    if (index === undefined) continue;
    const list = logsByIndex.get(index);
    if (list) list.push(record);
    else logsByIndex.set(index, [record]);
  }
  // Only a span's details show its related spans: indexed when details are first asked for, not
  // on the way to the first rows (tens of thousands of pairs in a 100k-span run).
  let related: Map<number, RelatedSpanRef[]> | undefined;

  const warnings: TraceWarning[] = [...trace.warnings, ...tree.warnings, ...payloadWarnings(tree)];
  const header: TraceOutlineHeader = {
    outlineId,
    traceIds: trace.traceIds,
    spanCount: n,
    startUs: origin,
    endUs: tree.endUs,
    services: services.table,
    names: names.table,
    nodeTypes: nodeTypes.table,
    warnings,
    // The run without its tool calls (thousands in an agentic run; the CodeLens needs them, the panel does not).
    ...(trace.run ? { run: withoutToolCalls(trace.run) } : {}),
    rootCauseIndex,
    criticalCount: critical.keys.size,
    chunkSize,
    chunkCount: Math.ceil(n / chunkSize),
    // One chunk arrives about as soon as the rows it would show first.
    ...(n > chunkSize ? { preview: outlinePreview({ spans, columns, criticalSections, rootCauseIndex }, outlineId) } : {}),
  };
  return {
    header,
    spans,
    columns,
    criticalSections,
    indexOfKey,
    nodeTypeOf: (index) => nodes.get(spans[index]!)?.nodeType,
    logsOf: (index) => logsByIndex.get(index) ?? [],
    relatedOf: (index) => (related ??= relatedSpans(trace.counterparts ?? [], spans, indexOfKey)).get(index) ?? [],
    selfTimeOf: (index) => selfUs[index] ?? 0,
  };
}

function mergePaths(paths: readonly CriticalPath[]): Pick<CriticalPath, 'keys' | 'sectionsByKey'> {
  if (paths.length === 1) return paths[0]!;
  const keys = new Set<SpanKey>();
  const sectionsByKey = new Map<SpanKey, CriticalSection[]>();
  for (const path of paths) {
    for (const key of path.keys) keys.add(key);
    for (const [key, sections] of path.sectionsByKey) sectionsByKey.set(key, [...(sectionsByKey.get(key) ?? []), ...sections]);
  }
  return { keys, sectionsByKey };
}

function withoutToolCalls(run: RunSummary): RunSummary {
  const rest = { ...run };
  delete rest.toolCalls;
  return rest;
}

/** One chunk of a layout's columns, each column as base64 of its typed array's bytes. */
export function outlineChunk(layout: TraceLayout, chunk: number): TraceOutlineChunk | null {
  const { chunkSize, chunkCount, outlineId } = layout.header;
  if (!Number.isInteger(chunk) || chunk < 0 || chunk >= chunkCount) return null;
  const from = chunk * chunkSize;
  const to = Math.min(layout.spans.length, from + chunkSize);
  const sections: number[] = [];
  for (let i = from; i < to; i++) {
    const own = layout.criticalSections.get(i);
    if (own) for (let s = 0; s < own.length; s += 2) sections.push(i, own[s]!, own[s + 1]!);
  }
  const encoded = {} as Record<OutlineColumn, string>;
  for (const column of Object.keys(outlineColumnTypes) as OutlineColumn[]) {
    const array = layout.columns[column];
    const bytes = array.BYTES_PER_ELEMENT;
    encoded[column] = Buffer.from(array.buffer, array.byteOffset + from * bytes, (to - from) * bytes).toString('base64');
  }
  const spanIds = Buffer.from(layout.spans.slice(from, to).map((s) => s.spanId).join(''), 'hex').toString('base64');
  return { outlineId, offset: from, count: to - from, spanIds, columns: encoded, criticalSections: sections };
}

/** Both directions of every span-level Trace Link, labelled from the side of the span shown. */
function relatedSpans(counterparts: readonly SpanCounterpart[], spans: readonly Span[], indexOfKey: ReadonlyMap<SpanKey, number>): Map<number, RelatedSpanRef[]> {
  const related = new Map<number, RelatedSpanRef[]>();
  const add = (from: SpanKey, to: SpanKey, relation: string): void => {
    const fromIndex = indexOfKey.get(from);
    const toIndex = indexOfKey.get(to);
    if (fromIndex === undefined || toIndex === undefined) return;
    const span = spans[toIndex]!;
    const list = related.get(fromIndex) ?? [];
    list.push({ index: toIndex, relation, name: span.name.slice(0, outlineNameLimit), serviceName: span.resource.serviceName });
    related.set(fromIndex, list);
  };
  for (const c of counterparts) {
    const app = `${c.app.traceId}/${c.app.spanId}`;
    const infra = `${c.infra.traceId}/${c.infra.spanId}`;
    add(app, infra, c.via === 'pluginDaemon' ? 'Plugin daemon span' : c.via === 'traceRoot' ? 'Infrastructure request' : 'Infrastructure span');
    add(infra, app, c.via === 'traceRoot' ? 'App-level run' : 'App-level span');
  }
  return related;
}
