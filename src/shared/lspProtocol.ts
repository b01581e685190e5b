/**
 * Every custom request and notification between the extension host (client) and the trace
 * server, declared once. Payloads are JSON-safe. Direction is given on each.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { LogRecord } from '../model/logRecord';
import type { Resource, Span } from '../model/span';
import type { ParsedStack, StackFrame } from './stackFrame';
import type { TraceWarning } from '../model/traceWarning';
import type { RunComparison } from './runComparison';
import type { RunFacets, RunFilter, RunSummary } from './runSummary';
import type { RunBlame, WorkflowPerformanceReport } from './workflowPerformance';
import type { TraceLookupQuery } from './traceLookup';
import type { SpanDetails, SpanQuery, SpanSearchResult, TraceOutlineChunk, TraceOutlineHeader } from './traceView';

/** Settings the client passes as `initializationOptions` and on `difyTrace/configure`. */
/**
 * A remote trace backend (`difyTrace.backends`). `headers` carry what it needs to let the request in
 * (a proxy's Authorization, Jaeger's tenant): filled by the editor from SecretStorage, never from
 * settings. `searchLimit`: traces fetched per listing.
 */
export type BackendKind = 'jaeger' | 'phoenix' | 'langfuse' | 'zipkin' | 'tempo' | 'otlpFile' | 'aliyun' | 'langsmith';

export interface BackendConfig {
  readonly id: string;
  readonly kind: BackendKind;
  /** The backend's base URL; for `otlpFile`, a file or folder (a path or a file:// URL). */
  readonly url: string;
  /** Phoenix and LangSmith: the projects to read (absent: all). */
  readonly projects?: readonly string[];
  /** Alibaba Cloud: the region, when the endpoint's host does not say it. */
  readonly region?: string;
  /** The backend's TLS: a CA file (PEM) for a private CA; `insecure` accepts any certificate. */
  readonly tls?: { readonly caFile?: string; readonly insecure?: boolean };
  readonly searchLimit?: number;
  /** Without a time range in the filter, how far back a listing searches (24 h by default). */
  readonly lookbackHours?: number;
  readonly headers?: Record<string, string>;
}

export interface ServerSettings {
  /**
   * `token`: the secret a receiver open to the network (a host that is not loopback) requires on every
   * request; from the editor's SecretStorage. Without it such a receiver takes nothing. `grpcPort`:
   * where OTLP/gRPC is taken beside OTLP/HTTP on `port`, same host; absent: no gRPC receiver.
   */
  readonly receiver: { readonly enabled: boolean; readonly host: string; readonly port: number; readonly grpcPort?: number; readonly maxBodyMiB: number; readonly token?: string };
  /**
   * `maxLogRecords` absent (older clients): `defaultServerSettings.store.maxLogRecords`. `archivePath`:
   * the SQLite file the spans are kept in across restarts (the extension's global storage); absent:
   * in memory only. Retention by age and size applies to the archive.
   */
  readonly store: {
    readonly maxSpans: number;
    /** Span data held in memory; absent (older clients): `defaultServerSettings.store.maxMemoryMiB`. */
    readonly maxMemoryMiB?: number;
    readonly maxLogRecords?: number;
    readonly archivePath?: string;
    readonly retentionDays?: number;
    readonly maxDiskMiB?: number;
  };
  /** Go to Source, diagnostics, CodeLens and hovers; absent (older clients): the defaults. */
  readonly sourceInsights?: SourceInsightSettings;
  /** Remote backends besides the embedded receiver; absent: none. */
  readonly backends?: readonly BackendConfig[];
  /** VS Code's `http.proxy` and `http.proxyStrictSSL`, for the requests to remote backends. */
  readonly http?: { readonly proxy?: string; readonly proxyStrictSSL: boolean };
}

export interface SourceInsightSettings {
  /** Traceback path prefixes (container or remote paths) to local folders, absolute paths both. */
  readonly pathMappings: readonly PathMapping[];
  /** Runs older than this many minutes no longer put diagnostics, CodeLens or hovers on code. */
  readonly windowMinutes: number;
  readonly diagnostics: boolean;
  readonly codeLens: boolean;
}

export interface PathMapping {
  readonly from: string;
  readonly to: string;
}

export type ReceiverState =
  | { readonly state: 'starting' }
  | { readonly state: 'listening'; readonly url: string }
  /** Another window's trace server holds the port and the shared trace database; this one shows what it receives. */
  | { readonly state: 'following'; readonly url: string }
  | { readonly state: 'disabled' }
  | { readonly state: 'portInUse'; readonly host: string; readonly port: number }
  | { readonly state: 'failed'; readonly message: string };

export interface ReceiverStatus {
  /** The OTLP/HTTP receiver, the one Dify's defaults send to. */
  readonly receiver: ReceiverState;
  /** The OTLP/gRPC receiver beside it; absent when it is turned off (or the server is older). */
  readonly grpc?: ReceiverState;
  /** Spans received per second, averaged over the last 10 s (absent from older servers). */
  readonly spansPerSecond?: number;
  /** Runs in the store (absent from older servers). */
  readonly runs?: number;
  readonly spans: number;
  /** About how many bytes those spans hold in memory (absent from older servers). */
  readonly spanBytes?: number;
  readonly traces: number;
  readonly logRecords: number;
  readonly rejectedRequests: number;
  /** Requests that brought spans or log records, per transport (absent from older servers). */
  readonly acceptedRequests?: { readonly http: number; readonly grpc: number };
  readonly lastError?: string;
  /** Where the spans are kept: on disk (the archive's path), or in memory only and why. */
  readonly storage?: { readonly persisted: true; readonly path: string } | { readonly persisted: false; readonly reason: string };
}

/** client → server: one page of runs, newest first. */
export namespace ListRunsRequest {
  export interface Params {
    readonly filter: RunFilter;
    readonly limit: number;
    /** Opaque; from the previous page's `nextPageToken`. */
    readonly pageToken?: string;
    /** Which backend lists (`difyTrace.backends` id); absent: the embedded receiver's store. */
    readonly backend?: string;
  }
  export interface Result {
    readonly runs: readonly RunSummary[];
    readonly nextPageToken?: string;
    readonly totalMatching: number;
    /**
     * With a keyword: how many runs in the time range were searched by their ids, app, error and
     * failing node only, because their spans are in the trace database, not in memory.
     */
    readonly summaryOnly?: number;
    /**
     * From a remote backend: what its search fetched (the most recent `limit` traces that started in
     * the range); the other filters were applied to those here.
     */
    readonly fetched?: { readonly source: string; readonly traces: number; readonly limit: number; readonly sinceMs: number; readonly untilMs: number };
  }
  export const type = new RequestType<Params, Result, void>('difyTrace/listRuns');
}

/** client → server: where a trace fetched from a remote backend is in that backend's own UI; null for the embedded receiver's. */
export namespace BackendLinkRequest {
  export type Params = { readonly traceId: string };
  export type Result = { readonly url: string; readonly backend: string; readonly source: string } | null;
  export const type = new RequestType<Params, Result, void>('difyTrace/backendLink');
}

/**
 * client → server: can this backend be reached, and does it answer as its kind should? A search of
 * the last hour (one trace at most); `traces` is how many came back.
 */
export namespace TestBackendRequest {
  export type Params = BackendConfig;
  export type Result = { readonly ok: true; readonly traces: number; readonly source: string } | { readonly ok: false; readonly message: string };
  export const type = new RequestType<Params, Result, void>('difyTrace/testBackend');
}

/** client → server: the values present for each filter field (apps, error kinds, node types, plugins, ...), over the runs matching `filter`. */
export namespace RunFacetsRequest {
  export interface Params {
    readonly filter: RunFilter;
    /** As in ListRunsRequest. */
    readonly backend?: string;
  }
  export type Result = RunFacets;
  export const type = new RequestType<Params, Result, void>('difyTrace/runFacets');
}

/**
 * client → server: one run as a file a colleague can import: OTLP/JSON in the OpenTelemetry
 * Collector file exporter's JSON Lines layout — one `ExportTraceServiceRequest` line with the
 * run's trace and its linked traces, then one `ExportLogsServiceRequest` line when they have log
 * records. `null` when the trace is not in the store.
 */
export namespace ExportTraceRequest {
  export interface Params {
    readonly traceId: string;
  }
  export type Result = { readonly fileName: string; readonly content: string; readonly spans: number; readonly logRecords: number } | null;
  export const type = new RequestType<Params, Result, void>('difyTrace/exportTrace');
}

/**
 * client → server: ingest an exported file (OTLP/JSON, one request object or JSON Lines of them,
 * traces and logs) as if it had been received; nothing valid is lost for an invalid line.
 */
export namespace ImportTracesRequest {
  export interface Params {
    readonly content: string;
    /** For messages only. */
    readonly fileName: string;
  }
  export interface Result {
    readonly spans: number;
    readonly logRecords: number;
    /** Trace ids imported, the run's own first when the file holds one run. */
    readonly traceIds: readonly string[];
    /** Spans or records refused (bad ids), and why. */
    readonly rejected: number;
    /** Per line that could not be read: `line N: what was wrong`. */
    readonly errors: readonly string[];
  }
  export const type = new RequestType<Params, Result, void>('difyTrace/importTraces');
}

/** A span as sent over the wire: its resource is an index into `TraceSnapshot.resources`. */
export type WireSpan = Omit<Span, 'resource'> & { readonly resource: number };
/** A log record as sent over the wire, resource indexed like spans. */
export type WireLogRecord = Omit<LogRecord, 'resource'> & { readonly resource: number };

/** One span-level Trace Link: an app-level span and the infrastructure span that served it. */
export interface SpanCounterpart {
  readonly app: { readonly traceId: string; readonly spanId: string };
  readonly infra: { readonly traceId: string; readonly spanId: string };
  /** How they were matched: the node execution id (exact), the node title (best effort), the trace roots, or the plugin daemon span below the node. */
  readonly via: 'nodeExecutionId' | 'nodeTitle' | 'traceRoot' | 'pluginDaemon';
}

export interface TraceSnapshot {
  /** The requested trace first, then the linked traces found in the store. */
  readonly traceIds: readonly string[];
  readonly spans: readonly WireSpan[];
  readonly resources: readonly Resource[];
  /** Log records of the snapshot's traces, oldest first (absent from servers that keep none). */
  readonly logs?: readonly WireLogRecord[];
  readonly warnings: readonly TraceWarning[];
  readonly run?: RunSummary;
  /** Span-level Trace Links between the run's app-level spans and its infrastructure spans. */
  readonly counterparts?: readonly SpanCounterpart[];
}

/** client → server: a trace with the traces its run links to. `null` when not in the store. */
export namespace GetTraceRequest {
  export interface Params {
    readonly traceId: string;
  }
  export type Result = TraceSnapshot | null;
  export const type = new RequestType<Params, Result, void>('difyTrace/getTrace');
}

/** client → server: lay a trace (with its linked traces) out for the trace view; `null` when not in the store. */
export namespace TraceOutlineRequest {
  export interface Params {
    readonly traceId: string;
  }
  export type Result = TraceOutlineHeader | null;
  export const type = new RequestType<Params, Result, void>('difyTrace/traceOutline');
}

/** client → server: one chunk of a layout; `null` when the layout is no longer cached (ask for a new outline). */
export namespace TraceOutlineChunkRequest {
  export interface Params {
    readonly outlineId: string;
    readonly chunk: number;
  }
  export type Result = TraceOutlineChunk | null;
  export const type = new RequestType<Params, Result, void>('difyTrace/traceOutlineChunk');
}

/** client → server: spans of a layout matching a query; `null` when the layout is no longer cached. */
export namespace SearchTraceRequest {
  export interface Params {
    readonly outlineId: string;
    readonly query: SpanQuery;
  }
  export type Result = SpanSearchResult | null;
  export const type = new RequestType<Params, Result, void>('difyTrace/searchTrace');
}

/** client → server: the details of one span of a layout; `null` when the layout is no longer cached. */
export namespace SpanDetailsRequest {
  export interface Params {
    readonly outlineId: string;
    readonly index: number;
  }
  export type Result = SpanDetails | null;
  export const type = new RequestType<Params, Result, void>('difyTrace/spanDetails');
}

/** client → server: the traces a pasted id or URL stands for (the palette's "Open Trace…"). */
export namespace FindTracesRequest {
  export type Params = TraceLookupQuery;
  export interface Match {
    readonly traceId: string;
    /** Absent for a trace in the store that holds no recognised run. */
    readonly run?: RunSummary;
    readonly matchedBy: 'traceId' | 'workflowRunId' | 'messageId' | 'conversationId';
  }
  export interface Result {
    /** Newest run first; one entry per trace. */
    readonly matches: readonly Match[];
    /** Ids of the backends searched, to say where a missing id was looked for. */
    readonly searched: readonly string[];
    /** Backends that could not be asked, each with why. */
    readonly failed?: readonly string[];
  }
  export const type = new RequestType<Params, Result, void>('difyTrace/findTraces');
}

/**
 * client → server: two runs aligned node by node (Compare Runs). Without `beforeTraceId`, the run
 * compared with is the last success of the same app before the run now.
 */
export namespace CompareRunsRequest {
  export interface Params {
    readonly nowTraceId: string;
    readonly beforeTraceId?: string;
    /** Where to look for the last success (`difyTrace.backends` id); absent: the embedded receiver's store. */
    readonly backend?: string;
  }
  export type Result =
    | { readonly ok: true; readonly before: RunSummary; readonly now: RunSummary; readonly comparison: RunComparison }
    /** What is missing, said for the user (no such run, no earlier success). */
    | { readonly ok: false; readonly reason: string };
  export const type = new RequestType<Params, Result, void>('difyTrace/compareRuns');
}

/** client → server: what a node span received and produced, as pretty-printed JSON for the diff editor; null when the span is gone. */
export namespace NodeValuesRequest {
  export interface Params {
    readonly traceId: string;
    readonly spanId: string;
  }
  export type Result = { readonly inputs?: string; readonly outputs?: string } | null;
  export const type = new RequestType<Params, Result, void>('difyTrace/nodeValues');
}

/** client → server: where a workflow spends its time over the runs of a window (the performance view). */
export namespace WorkflowPerformanceRequest {
  export interface Params {
    readonly appName: string;
    /** Runs that started at or after this epoch millisecond, up to now. */
    readonly sinceMs: number;
    /** Which backend (`difyTrace.backends` id); absent: the embedded receiver's store. */
    readonly backend?: string;
  }
  export type Result = WorkflowPerformanceReport;
  export const type = new RequestType<Params, Result, void>('difyTrace/workflowPerformance');
}

/** client → server: per app, the runs slower than its p95 over the window, with the node and span to blame (the Runs view's marker). */
export namespace SlowRunsRequest {
  export interface Params {
    readonly appNames: readonly string[];
    readonly sinceMs: number;
    readonly backend?: string;
  }
  export interface Result {
    readonly sinceMs: number;
    /** Apps with fewer runs than this in the window have no slow runs. */
    readonly minRunsForSlow: number;
    readonly apps: readonly {
      readonly appName: string;
      readonly runs: number;
      readonly p95Us: number;
      readonly slow: readonly { readonly traceId: string; readonly durationUs: number; readonly blame?: RunBlame }[];
    }[];
  }
  export const type = new RequestType<Params, Result, void>('difyTrace/slowRuns');
}

/** One frame of a stack trace found in a span, with the installed plugin its path belongs to. */
export type SourceFrame = StackFrame & {
  /** Present when the path lies in the plugin daemon's layout of installed plugins. */
  readonly plugin?: { readonly author: string; readonly name: string; readonly version: string; readonly relativePath: string };
};

/** One stack trace of a span: frames in printed order (Python innermost last, Node.js and Go innermost first). */
export type SourceStack = Omit<ParsedStack, 'frames'> & { readonly frames: readonly SourceFrame[] };

/** A 0-based position and range, as LSP counts them (UTF-16 code units). */
export interface SourcePosition {
  readonly line: number;
  readonly character: number;
}
export interface SourceRange {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}

/** A place in the workspace a failing span points at. */
export interface SourceLocation {
  readonly uri: string;
  readonly range: SourceRange;
  /**
   * How it was found: a plugin file by the daemon's install layout, a path mapping, a path inside a
   * workspace folder, a Code node's line in the app's DSL, or the `_invoke` of the plugin tool the
   * node ran when no traceback reached the traces (the exact line is then unknown).
   */
  readonly via: 'pluginLayout' | 'pathMapping' | 'workspacePath' | 'dslCode' | 'toolCode';
  /** The frame it stands for, e.g. `tools/get_weather.py:28 in _invoke`, or `Code node "Build Itinerary", line 4`. */
  readonly label: string;
  /** Which frame of the stack, 0 = the innermost user frame; larger numbers are callers. */
  readonly frameDepth: number;
}

/** The Code node a failing span belongs to, for mapping sandbox lines to the node's own code. */
export interface CodeNodeFailure {
  readonly appName: string;
  readonly title: string;
  readonly nodeId?: string;
  readonly language: 'python3' | 'javascript';
  /** 1-based line in the node's code, when the traceback names one inside the user's code. */
  readonly userLine?: number;
  /** The error text that holds the sandbox traceback. */
  readonly errorText: string;
}

/**
 * client → server: where in the workspace a span failed ("Go to Source"). Locations are ordered
 * best first; several for the same frame mean several workspace copies (let the user pick).
 * `problem` says, when there is no location or only an outer frame, what was missing.
 * `null` when the span is not in the store.
 */
export namespace SourceLocationsRequest {
  export interface Params {
    readonly traceId: string;
    readonly spanId: string;
    /** A DSL file the user chose outside the workspace, to map a Code node's line into. */
    readonly dslUri?: string;
  }
  export type Result = {
    readonly stacks: readonly SourceStack[];
    /** `KeyError: 'max_temp_c'`, for the message shown beside the line. */
    readonly exception?: string;
    readonly locations: readonly SourceLocation[];
    readonly codeNode?: CodeNodeFailure;
    readonly problem?: string;
  } | null;
  export const type = new RequestType<Params, Result, void>('difyTrace/sourceLocations');
}

/** client → server: what Replay Code Node needs to run a Code node span again: its code from the app's DSL and the inputs the trace recorded. */
export namespace CodeNodeReplayRequest {
  export interface Params {
    readonly traceId: string;
    readonly spanId: string;
    /** A DSL file the user chose outside the workspace. */
    readonly dslUri?: string;
  }
  export type Result =
    | {
        readonly ok: true;
        readonly appName: string;
        readonly title: string;
        readonly nodeId?: string;
        readonly language: 'python3' | 'javascript';
        readonly code: string;
        readonly dslUri: string;
        /** How many DSL files hold a node of that id or title (the first was taken). */
        readonly candidates: number;
        readonly inputs: Readonly<Record<string, unknown>>;
        /** Input keys whose recorded value looks cut or redacted by the exporter. */
        readonly cutInputs: readonly string[];
        /** Input keys (dotted paths) whose values look like secrets by their names: written only when the user confirms. */
        readonly secretInputs: readonly string[];
        /** The workflow run id, else the trace id: names the replay's folder. */
        readonly runId: string;
        /** How it failed in the trace, to compare the replay with. */
        readonly expected: { readonly exception?: string; readonly userLine?: number };
      }
    /** Why not, said for the user with the next step. */
    | { readonly ok: false; readonly reason: string };
  export const type = new RequestType<Params, Result, void>('difyTrace/codeNodeReplay');
}

/** client → server: what Replay Tool Call needs to call a plugin tool again: the tool's class in the workspace's plugin project and the parameters the trace recorded. */
export namespace ToolCallReplayRequest {
  export interface Params {
    readonly traceId: string;
    readonly spanId: string;
  }
  export type Result =
    | {
        readonly ok: true;
        readonly appName: string;
        readonly title: string;
        readonly pluginId: string;
        readonly tool: string;
        /** The plugin project's folder, the tool's Python file relative to it, and its `Tool` subclass. */
        readonly pluginRoot: string;
        readonly pythonSource: string;
        readonly className: string;
        /** What the provider asks for (`credentials_for_provider`). */
        readonly credentials: readonly { readonly name: string; readonly secret: boolean; readonly required: boolean }[];
        readonly parameters: Readonly<Record<string, unknown>>;
        readonly cutParameters: readonly string[];
        /** Parameter keys (dotted paths) whose values look like secrets by their names: written only when the user confirms. */
        readonly secretParameters: readonly string[];
        readonly runId: string;
        /** How it failed in the trace: the exception, and where in the workspace when the traceback reached the traces. */
        readonly expected: { readonly exception?: string; readonly uri?: string; readonly line?: number };
      }
    | { readonly ok: false; readonly reason: string };
  export const type = new RequestType<Params, Result, void>('difyTrace/toolCallReplay');
}

/** client → server: new settings (the receiver restarts if its address changed). */
export namespace ConfigureNotification {
  export type Params = ServerSettings;
  export const type = new NotificationType<Params>('difyTrace/configure');
}

/** server → client: runs were added or changed; debounced by the server. */
export namespace RunsChangedNotification {
  export interface Params {
    readonly changedTraceIds: readonly string[];
  }
  export const type = new NotificationType<Params>('difyTrace/runsChanged');
}

/** server → client: receiver state and store counts changed. */
export namespace ReceiverStatusNotification {
  export type Params = ReceiverStatus;
  export const type = new NotificationType<Params>('difyTrace/receiverStatus');
}
