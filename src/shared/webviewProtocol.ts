/** Messages between the trace panel's host and its webview, with guards for the host side. */
import type { SpanDetails, SpanQuery, SpanSearchResult, TraceOutlineChunk, TraceOutlineHeader } from './traceView';

export const webviewProtocolVersion = 2;

export type HostToWebview =
  | { readonly type: 'loading'; readonly traceId: string }
  /** A new layout of the trace; its chunks follow in order, one message each. */
  | { readonly type: 'outline'; readonly version: number; readonly header: TraceOutlineHeader }
  | { readonly type: 'outlineChunk'; readonly chunk: TraceOutlineChunk }
  /** Answers `spanDetails`; `details` is null when the span or its layout is gone. */
  | { readonly type: 'spanDetails'; readonly requestId: number; readonly details: SpanDetails | null }
  /** Answers `search`; `result` is null when the layout is gone. */
  | { readonly type: 'searchResult'; readonly requestId: number; readonly result: SpanSearchResult | null }
  | { readonly type: 'notFound'; readonly traceId: string }
  | { readonly type: 'error'; readonly traceId: string; readonly message: string };

export type WebviewToHost =
  /** Sent on every (re)load; the host answers with a full snapshot. */
  | { readonly type: 'ready' }
  /** Follow a Trace Link or an id shown in the panel. */
  | { readonly type: 'openTrace'; readonly traceId: string }
  | { readonly type: 'copyText'; readonly text: string }
  /** Open the source of the innermost plugin frame in the span's stack traces ("Go to Source"). */
  | { readonly type: 'goToSource'; readonly traceId: string; readonly spanId: string }
  /** Open the source of one stack frame the details pane showed as mapped (its location from `SpanDetails.source`). */
  | { readonly type: 'openLocation'; readonly uri: string; readonly line: number; readonly character: number }
  | { readonly type: 'spanDetails'; readonly requestId: number; readonly outlineId: string; readonly index: number }
  | { readonly type: 'search'; readonly requestId: number; readonly outlineId: string; readonly query: SpanQuery };

/** UI intent the webview persists with setState; never trace data. */
export interface PanelState {
  readonly traceId: string;
  readonly selectedSpanKey?: string;
  /** What Expand all / Collapse all last set; `default` opens with iteration, loop and parallel groups collapsed. */
  readonly expandBase?: 'default' | 'all' | 'none';
  /** Spans toggled since, by `traceId/spanId` (capped; beyond the cap only the base is kept). */
  readonly toggledSpanKeys?: readonly string[];
  readonly search?: SpanQuery;
  readonly showCriticalPath?: boolean;
  /** The time window shown, as fractions of the trace's duration (0..1). */
  readonly timeWindow?: readonly [number, number];
  /** Where the span names end and the timeline starts, percent of the tree's width. */
  readonly nameColumnPercent?: number;
  /** The tree's share of the panel's width beside the details, percent. */
  readonly treePercent?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isWebviewToHost(value: unknown): value is WebviewToHost {
  if (!isRecord(value)) return false;
  switch (value['type']) {
    case 'ready':
      return true;
    case 'openTrace':
      return typeof value['traceId'] === 'string' && /^[0-9a-fA-F]{32}$/.test(value['traceId']);
    case 'copyText':
      return typeof value['text'] === 'string' && value['text'].length <= 100_000;
    case 'goToSource':
      return typeof value['traceId'] === 'string' && /^[0-9a-fA-F]{32}$/.test(value['traceId']) && typeof value['spanId'] === 'string' && /^[0-9a-fA-F]{16}$/.test(value['spanId']);
    case 'openLocation':
      return typeof value['uri'] === 'string' && /^(file|vscode-remote|vscode-vfs):/.test(value['uri']) && isIndex(value['line']) && isIndex(value['character']);
    case 'spanDetails':
      return isIndex(value['requestId']) && typeof value['outlineId'] === 'string' && isIndex(value['index']);
    case 'search':
      return isIndex(value['requestId']) && typeof value['outlineId'] === 'string' && isSpanQuery(value['query']);
    default:
      return false;
  }
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isSpanQuery(value: unknown): value is SpanQuery {
  if (!isRecord(value)) return false;
  const { text, errorsOnly, minDurationUs, nodeType } = value;
  return typeof text === 'string' && text.length <= 10_000 && typeof errorsOnly === 'boolean'
    && (minDurationUs === undefined || (typeof minDurationUs === 'number' && Number.isFinite(minDurationUs)))
    && (nodeType === undefined || typeof nodeType === 'string');
}

export function isPanelState(value: unknown): value is PanelState {
  return isRecord(value) && typeof value['traceId'] === 'string' && /^[0-9a-f]{32}$/.test(value['traceId']);
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
