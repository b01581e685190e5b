/** A Dify run as the Runs view lists it. JSON-safe: it crosses the LSP and webview boundaries. */

export type RunStatus = 'succeeded' | 'failed' | 'partial-succeeded' | 'running' | 'stopped' | 'unknown';
export type RunKind = 'workflow' | 'chatflow' | 'chat' | 'agent' | 'completion' | 'unknown';
/** Which half of Dify's telemetry the run was recognised from. */
export type RunSource = 'aliyun' | 'phoenix' | 'langfuse' | 'langsmith' | 'infrastructure';

export interface RunSummary {
  /** The trace that holds the run's app-level spans (or its infrastructure spans for `infrastructure`). */
  readonly traceId: string;
  /** Workflow run id or message id, as a UUID, when the exporter records it. */
  readonly runId?: string;
  readonly appName: string;
  readonly appId?: string;
  readonly kind: RunKind;
  readonly status: RunStatus;
  readonly source: RunSource;
  /** Epoch milliseconds. */
  readonly startMs: number;
  readonly durationUs: number;
  readonly errorMessage?: string;
  /** Name of the deepest, earliest error span: the first place to look. */
  readonly failingSpanName?: string;
  /** Span id of that span, so views can reveal and select it. */
  readonly failingSpanId?: string;
  readonly spanCount: number;
  /** Infrastructure traces this run links to (Dify's Trace Link). */
  readonly linkedTraceIds: readonly string[];
}

export interface RunFilter {
  readonly status?: readonly RunStatus[];
  readonly appName?: string;
  /** Only runs that started at or after this epoch millisecond. */
  readonly sinceMs?: number;
  /** Case-insensitive substring of app name, run id, trace id or error message. */
  readonly text?: string;
}
