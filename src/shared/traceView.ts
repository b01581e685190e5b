/**
 * What the trace server sends the trace view: a trace laid out once, in the server, as columns in
 * depth-first display order (the outline), sent in chunks; a span's full content only when it is
 * selected (details); searches run where the attributes are. A 100k-span trace thus costs the
 * webview a few typed arrays instead of 100k span objects, and no message is large.
 */
import type { LogRecord } from '../model/logRecord';
import type { Span } from '../model/span';
import type { TraceWarning } from '../model/traceWarning';
import type { SourceLocationsRequest } from './lspProtocol';
import type { RunSummary } from './runSummary';

/** Bits of `TraceOutlineChunk.flags`. */
export const OutlineFlag = {
  /** On the critical path (the chain the trace's end waited on). */
  critical: 1,
  /** Root of an infrastructure trace joined by Trace Link (not the run's own trace). */
  linkedRoot: 2,
  /** Its parent never arrived; shown at the top level. */
  orphan: 4,
  /** An iteration, loop or parallel group: collapsed when the trace opens, its size shown. */
  group: 8,
  /** The name was cut to `outlineNameLimit` characters; the details show it whole. */
  nameTruncated: 16,
  /** May carry a stack trace (error status or exception event): Go to Source is offered. */
  mayHaveSource: 32,
  /** Ends before it starts (clock skew or a broken exporter); drawn as zero length. */
  negativeDuration: 64,
  /** The run's root cause. */
  rootCause: 128,
} as const;

/** Names longer than this are cut in the outline (a 1 MB span name must not cost 1 MB per row). */
export const outlineNameLimit = 500;

/** 0 unset, 1 ok, 2 error: `Span.status.code` as a number for a typed array. */
export const statusCodes = ['unset', 'ok', 'error'] as const;

export interface TraceOutlineHeader {
  /** Identifies this layout (trace id and store version), so chunks of two layouts are never mixed. */
  readonly outlineId: string;
  /** The requested trace first, then the traces merged in by Trace Link. */
  readonly traceIds: readonly string[];
  readonly spanCount: number;
  /** Absolute start and end of the whole view, microseconds since the epoch. */
  readonly startUs: number;
  readonly endUs: number;
  /** Service names; `TraceOutlineChunk.service` indexes them. */
  readonly services: readonly string[];
  /** Span names, each once; `TraceOutlineChunk.name` indexes them. */
  readonly names: readonly string[];
  /** Node types (`llm`, `tool`, `iteration`...) each once; `TraceOutlineChunk.nodeType` indexes them, -1 for none. */
  readonly nodeTypes: readonly string[];
  /** Trace assembly problems and payload problems (oversized text, clock skew), shown on the trace. */
  readonly warnings: readonly TraceWarning[];
  readonly run?: RunSummary;
  /** Depth-first index of the root cause, -1 for none. */
  readonly rootCauseIndex: number;
  readonly criticalCount: number;
  /** Spans per chunk; chunk `i` starts at `i * chunkSize`. */
  readonly chunkSize: number;
  readonly chunkCount: number;
  /** The rows the trace opens on, drawn before the chunks arrive; only when there is more than one chunk. */
  readonly preview?: TraceOutlinePreview;
}

/**
 * The rows shown when a trace opens (those around the root cause, or the top of the tree, as the
 * default expansion lays them out) with every ancestor of theirs, and the first child of each
 * collapsed group among them: a small outline of its own, in the same depth-first order.
 */
export interface TraceOutlinePreview {
  /** Base64 of an Int32Array: each row's depth-first index in the whole trace, ascending. */
  readonly indices: string;
  /** Base64 of an Int32Array: the spans under each row in the whole trace (what a collapsed group hides). */
  readonly descendants: string;
  /** The rows' columns, as a chunk at offset 0 (its critical sections by position in `indices`). */
  readonly rows: TraceOutlineChunk;
}

/**
 * The typed array each outline column is sent as. A chunk carries each column as base64 of the
 * array's little-endian bytes: one string per column parses and copies at memory speed on every hop
 * (server → host JSON-RPC, host → webview), where 20k-element number arrays cost a parse per value.
 */
export const outlineColumnTypes = {
  trace: 'Uint16',
  depth: 'Uint16',
  name: 'Int32',
  service: 'Uint16',
  /** -1 for none. */
  nodeType: 'Int16',
  /** Microseconds relative to `TraceOutlineHeader.startUs`. */
  startUs: 'Float64',
  durationUs: 'Float64',
  /** Index into `statusCodes`. */
  status: 'Uint8',
  /** `OutlineFlag` bits. */
  flags: 'Uint8',
} as const;

export type OutlineColumn = keyof typeof outlineColumnTypes;

/**
 * Spans `[offset, offset + count)` of the depth-first order. Parents and subtree ends are not sent:
 * the webview derives them from the depths in one pass.
 */
export interface TraceOutlineChunk {
  readonly outlineId: string;
  readonly offset: number;
  readonly count: number;
  /** The span ids: base64 of their 8 bytes each, concatenated. */
  readonly spanIds: string;
  /** Base64 of each column's typed array (`outlineColumnTypes`), `count` elements. */
  readonly columns: { readonly [C in OutlineColumn]: string };
  /** Critical-path sections of this chunk's spans: `[index, startUs, endUs]` triples, flattened, times relative like `startUs`. */
  readonly criticalSections: readonly number[];
}

/** A search inside one trace. */
export interface SpanQuery {
  /** Case-insensitive substring of the span name, an attribute key or an attribute value. */
  readonly text: string;
  readonly errorsOnly: boolean;
  /** Spans shorter than this do not match; undefined or 0 for no limit. */
  readonly minDurationUs?: number | undefined;
  /** Only spans of this Dify node type (`llm`, `tool`...). */
  readonly nodeType?: string | undefined;
}

/** True when the query asks for nothing, so no span is highlighted as a match. */
export function isEmptyQuery(query: SpanQuery): boolean {
  return query.text.trim() === '' && !query.errorsOnly && !(query.minDurationUs !== undefined && query.minDurationUs > 0) && !query.nodeType;
}

export interface SpanSearchResult {
  readonly outlineId: string;
  /** Depth-first indices of the matching spans, ascending. */
  readonly indices: readonly number[];
}

/** A span at the other end of a span-level Trace Link. */
export interface RelatedSpanRef {
  readonly index: number;
  /** What the other span is to this one, e.g. "Infrastructure span". */
  readonly relation: string;
  readonly name: string;
  readonly serviceName: string;
}

/** Everything the details pane shows for one span, fetched when it is selected. */
export interface SpanDetails {
  readonly outlineId: string;
  readonly index: number;
  /** The whole span, resource inline. */
  readonly span: Span;
  /** Log records logged in this span, oldest first. */
  readonly logs: readonly LogRecord[];
  readonly related: readonly RelatedSpanRef[];
  readonly selfTimeUs: number;
  readonly onCriticalPath: boolean;
  /** Stack traces and where their frames are in the workspace; only for spans that may have source. */
  readonly source?: SourceLocationsRequest.Result;
  /** The Dify node type, when the span stands for a workflow node. */
  readonly nodeType?: string;
}
