/** Messages between the trace panel's host and its webview, with guards for the host side. */
import type { TraceSnapshot } from './lspProtocol';

export const webviewProtocolVersion = 1;

export type HostToWebview =
  | { readonly type: 'loading'; readonly traceId: string }
  | { readonly type: 'trace'; readonly version: number; readonly snapshot: TraceSnapshot }
  | { readonly type: 'notFound'; readonly traceId: string }
  | { readonly type: 'error'; readonly traceId: string; readonly message: string };

export type WebviewToHost =
  /** Sent on every (re)load; the host answers with a full snapshot. */
  | { readonly type: 'ready' }
  /** Follow a Trace Link or an id shown in the panel. */
  | { readonly type: 'openTrace'; readonly traceId: string }
  | { readonly type: 'copyText'; readonly text: string }
  /** Open the source of the innermost plugin frame in the span's stack traces ("Go to Source"). */
  | { readonly type: 'goToSource'; readonly traceId: string; readonly spanId: string };

/** UI intent the webview persists with setState; never trace data. */
export interface PanelState {
  readonly traceId: string;
  readonly selectedSpanKey?: string;
  readonly collapsedSpanKeys?: readonly string[];
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
    default:
      return false;
  }
}

export function isPanelState(value: unknown): value is PanelState {
  return isRecord(value) && typeof value['traceId'] === 'string' && /^[0-9a-f]{32}$/.test(value['traceId']);
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
