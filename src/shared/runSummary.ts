/** A Dify run as the Runs view lists it. JSON-safe: it crosses the LSP and webview boundaries. */
import type { ErrorKind } from './errorKind';

export type RunStatus = 'succeeded' | 'failed' | 'partial-succeeded' | 'running' | 'stopped' | 'unknown';
export type RunKind = 'workflow' | 'chatflow' | 'chat' | 'agent' | 'completion' | 'unknown';
/** Which half of Dify's telemetry the run was recognised from. */
export type RunSource = 'aliyun' | 'phoenix' | 'langfuse' | 'langsmith' | 'infrastructure' | 'unknown';

export interface RunSummary {
  /** The trace that holds the run's app-level spans (or its infrastructure spans for `infrastructure`). */
  readonly traceId: string;
  /** Workflow run id or message id, as a UUID, when the exporter records it. */
  readonly runId?: string;
  readonly workflowRunId?: string;
  readonly messageId?: string;
  readonly conversationId?: string;
  readonly userId?: string;
  readonly appName: string;
  readonly appId?: string;
  readonly kind: RunKind;
  readonly status: RunStatus;
  readonly source: RunSource;
  /** Epoch milliseconds. */
  readonly startMs: number;
  readonly durationUs: number;
  readonly tokens?: { readonly prompt?: number; readonly completion?: number; readonly total?: number };
  readonly price?: { readonly amount: number; readonly currency: string };
  readonly errorMessage?: string;
  readonly errorKind?: ErrorKind;
  /**
   * The workflow node that failed (from the app-level half): where the error started. `within` names
   * the Iteration or Loop that re-raised it, and the item (0-based, as Dify's iteration_index).
   */
  readonly failingNode?: {
    readonly title: string;
    readonly nodeType?: string;
    readonly nodeId?: string;
    readonly within?: { readonly title: string; readonly itemIndex?: number };
  };
  /**
   * A succeeded run that still failed somewhere: spans of either half that ended in error or recorded
   * an exception (Dify marks a retrieval over a failing vector database succeeded with an empty
   * result; an agent hands a tool's exception back to the model as text). `node` is where the first
   * one happened; it is also the run's `rootCause` and `errorKind`.
   */
  readonly hiddenErrors?: { readonly count: number; readonly message: string; readonly node?: { readonly title: string; readonly nodeType?: string } };
  /** The deepest, earliest error span across both halves: the first place to look. */
  readonly rootCause?: { readonly traceId: string; readonly spanId: string; readonly name: string; readonly serviceName: string };
  readonly spanCount: number;
  /** Infrastructure traces this run links to (Dify's Trace Link). */
  readonly linkedTraceIds: readonly string[];
  /** What was expected but missing or contradictory (missing keys, a link to nowhere, ...). */
  readonly gaps?: readonly RunGap[];
  /** The run's plugin tool node executions, for per-tool figures on plugin code (CodeLens). */
  readonly toolCalls?: readonly ToolCall[];
}

/**
 * One execution of a tool node backed by a plugin. Dify records which plugin and provider
 * (`tool_info`) but not which of the provider's tools: the tool name comes from the app's DSL
 * (the node's `tool_name`) or from a provider that has only one tool.
 */
export interface ToolCall {
  readonly spanId: string;
  /** Node title, as the DSL's `data.title`. */
  readonly title: string;
  /** Graph node id, when the exporter records it. */
  readonly nodeId?: string;
  /** `author/name` of the plugin. */
  readonly pluginId: string;
  readonly provider?: string;
  readonly version?: string;
  readonly durationUs: number;
  readonly failed: boolean;
}

/** Kinds of gap a run can show; the run is still listed with what is known. */
export type RunGapKind =
  | 'unknownExporter'
  | 'rootMissing'
  | 'linkedTraceMissing'
  | 'linkInvalid'
  /** Dify's Trace Link named another trace (an X-Trace-Id); the infrastructure trace was joined by node execution instead. */
  | 'linkRedirected'
  /** The app-level half of this infrastructure run was not exported; the message says why when Dify's worker recorded it. */
  | 'appHalfMissing'
  /** A trace with no parent, placed in the run by time (Dify's retrieval thread loses the trace context). */
  | 'detachedEvidence'
  | 'missingKeys'
  | 'unknownNodeType'
  | 'duplicateRunId'
  | 'metadataMissing';

export interface RunGap {
  readonly kind: RunGapKind;
  readonly message: string;
}

export interface RunFilter {
  readonly status?: readonly RunStatus[];
  /** Exact app name (one app); `appNames` for several. */
  readonly appName?: string;
  readonly appNames?: readonly string[];
  readonly kinds?: readonly RunKind[];
  /** Only runs that started at or after this epoch millisecond. */
  readonly sinceMs?: number;
  /** Only runs that started before this epoch millisecond. */
  readonly untilMs?: number;
  /**
   * Keyword, case-insensitive: the run's ids, app name and error, and full text over its traces'
   * span names and attribute values (node inputs and outputs, LLM prompts and completions) and
   * their log records.
   */
  readonly text?: string;
  readonly errorKinds?: readonly ErrorKind[];
  /** Runs that executed a node of one of these types (graphon's type strings, `task` for Aliyun's untyped nodes). */
  readonly nodeTypes?: readonly string[];
  /** Runs that called a tool of one of these plugins (`author/name`). */
  readonly plugins?: readonly string[];
  readonly minDurationUs?: number;
  readonly minTokens?: number;
  /** The runs of one Dify conversation. */
  readonly conversationId?: string;
  /** Only succeeded runs with hidden errors (see RunSummary.hiddenErrors). */
  readonly hiddenErrors?: boolean;
  /**
   * Only runs slower than their app's p95 over the time range (the last 24 hours without one),
   * among the runs matching the rest of the filter.
   */
  readonly slow?: boolean;
}

/** The values present in the store for each filter field, with run counts, for the filter pickers. */
export interface RunFacets {
  readonly total: number;
  readonly apps: readonly FacetCount[];
  readonly statuses: readonly FacetCount<RunStatus>[];
  readonly kinds: readonly FacetCount<RunKind>[];
  readonly errorKinds: readonly FacetCount<ErrorKind>[];
  /** Succeeded runs with hidden errors. */
  readonly hiddenErrors: number;
  readonly nodeTypes: readonly FacetCount[];
  readonly plugins: readonly FacetCount[];
}

export interface FacetCount<T extends string = string> {
  readonly value: T;
  readonly count: number;
}
