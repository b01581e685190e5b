import { CancellationToken, CodeLensRefreshRequest, createConnection, DidChangeWatchedFilesNotification, ErrorCodes, ProposedFeatures, ResponseError, TextDocumentSyncKind } from 'vscode-languageserver/node';
import {
  ConfigureNotification,
  ExportTraceRequest,
  CompareRunsRequest,
  CodeNodeReplayRequest,
  ToolCallReplayRequest,
  SlowRunsRequest,
  WorkflowPerformanceRequest,
  FindTracesRequest,
  GetTraceRequest,
  ImportTracesRequest,
  ListRunsRequest,
  NodeValuesRequest,
  ReceiverStatusNotification,
  RunFacetsRequest,
  RunsChangedNotification,
  SearchTraceRequest,
  SourceLocationsRequest,
  SpanDetailsRequest,
  BackendLinkRequest,
  TestBackendRequest,
  TraceOutlineChunkRequest,
  TraceOutlineRequest,
  type ReceiverStatus,
  type ServerSettings,
  type SourceInsightSettings,
} from '../shared/lspProtocol';
import { defaultServerSettings } from '../shared/defaultSettings';
import { collectAndFlush, dutyCycled } from './throttle';
import { TraceService } from './traceService';
import { BackendRegistry, UnknownBackendError } from './backends/backendRegistry';
import { RunComparer } from './compare/runComparer';
import { WorkflowPerformance } from './performance/workflowPerformance';
import { listSlowRuns } from './performance/slowRunFilter';
import { codeNodeReplay, type ReplaySources } from './replay/codeNodeReplay';
import { toolCallReplay } from './replay/toolCallReplay';
import { SourceError } from './backends/remote/traceSource';
import { WorkerDecoder } from './receiver/workerDecoder';
import { SourceInsights } from './languageFeatures/sourceInsights';
import { DslCache } from './sourceLinks/codeNodeLocations';
import { SourceResolver } from './sourceLinks/sourceResolver';
import { TraceViews } from './traceView/traceViews';
import type { TraceId } from '../model/units';
import { emptyWorkspace, nodeFileAccess, scanWorkspace, type WorkspaceSnapshot } from './workspace/workspaceIndex';

/** Trace server entry: LSP wiring only. Started by the extension over IPC; never imports vscode. */
const connection = createConnection(ProposedFeatures.all);
// Kept across requests: each app's runs are profiled once, and only new or changed runs after that.
let performanceAggregates: WorkflowPerformance | undefined;
const workflowPerformance = (): WorkflowPerformance => {
  if (performanceAggregates === undefined) {
    const registry = requireBackends();
    const embedded = requireService().backend;
    performanceAggregates = new WorkflowPerformance({
      listRuns: (p) => registry.listRuns(p),
      traceSpans: (p) => registry.traceSpans(p),
      embeddedRunOf: async (traceId) => (await embedded.findTraces({ kind: 'traceId', traceId })).matches.find((m) => m.run !== undefined)?.run,
    });
  }
  return performanceAggregates;
};
let service: TraceService | undefined;

let workspaceFolderUris: string[] = [];
let workspace: WorkspaceSnapshot = emptyWorkspace();
let insightSettings: SourceInsightSettings = defaultServerSettings.sourceInsights;
const dsls = new DslCache(nodeFileAccess);
let resolver: SourceResolver | undefined;
let insights: SourceInsights | undefined;
let traceViews: TraceViews | undefined;
let backends: BackendRegistry | undefined;
// Request bodies are decoded on a worker thread, so no request can stall the features on this one.
const decoder = new WorkerDecoder();

const runsChanged = collectAndFlush<string>(250, (ids) => {
  void connection.sendNotification(RunsChangedNotification.type, { changedTraceIds: ids });
  refreshInsights(ids);
  performanceAggregates?.noteChanged(ids);
  performanceRefresh.add([true]);
});

// The performance aggregates follow the runs as they arrive (at most a tenth of the time), so a view
// or the Runs view asking next finds them ready.
const performanceRefresh = dutyCycled<true>(10, async () => {
  try {
    await performanceAggregates?.catchUpAll();
  } catch (e) {
    connection.console.error(`Updating workflow performance failed: ${String(e)}`);
  }
});

// Workspace files that change what the features show: plugin manifests and declarations, DSLs, Python.
const workspaceChanged = collectAndFlush<true>(500, () => {
  indexWorkspace();
  insights?.forgetResolutions();
  refreshInsights();
});

function indexWorkspace(): void {
  workspace = scanWorkspace(workspaceFolderUris);
  dsls.retain(workspace.yamlFiles);
  connection.console.log(
    `Workspace: plugin projects ${workspace.pluginRoots.map((r) => `${r.author}/${r.name} ${r.version ?? ''} (${r.path})`).join(', ') || 'none'}; ${workspace.yamlFiles.length} YAML file(s) that may be app DSLs`,
  );
}

/**
 * Recomputes diagnostics and CodeLens from the runs in the store and publishes them: one pass at a
 * time, with the changes that came meanwhile, and at most a tenth of the time while traces pour in.
 */
const insightsRefresh = dutyCycled<string>(10, async (changedTraceIds) => {
  try {
    if (!insights) return;
    const update = await insights.refresh(changedTraceIds);
    if (update.lensesChanged || update.diagnostics.length > 0) connection.console.log(`Code insights: ${update.summary}`);
    for (const params of update.diagnostics) await connection.sendDiagnostics(params);
    // Clients without refresh support ask again when the file is next shown.
    if (update.lensesChanged) await connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  } catch (e) {
    connection.console.error(`Updating trace diagnostics and CodeLens failed: ${String(e)}`);
  }
});

function refreshInsights(changedTraceIds: readonly string[] = []): void {
  insightsRefresh.add(changedTraceIds);
}

// Runs age out of the window without any event; look again every minute.
const windowTimer = setInterval(() => refreshInsights(), 60_000);
windowTimer.unref();

let latestStatus: ReceiverStatus | undefined;
const statusChanged = collectAndFlush<true>(500, () => {
  if (latestStatus) void connection.sendNotification(ReceiverStatusNotification.type, latestStatus);
});

function applyInsightSettings(settings: ServerSettings): boolean {
  const next = settings.sourceInsights ?? defaultServerSettings.sourceInsights;
  const changed = JSON.stringify(next) !== JSON.stringify(insightSettings);
  insightSettings = next;
  return changed;
}

connection.onInitialize((params) => {
  workspaceFolderUris = (params.workspaceFolders ?? []).map((f) => f.uri);
  const settings = (params.initializationOptions as ServerSettings | undefined) ?? defaultServerSettings;
  applyInsightSettings(settings);
  service = new TraceService(settings, {
    runsChanged: (ids, cause) => {
      // Traces caught up for a reader (recalled from the trace database, classified now) are as the
      // layout that reader makes sees them. Anything else, at once, not debounced: a panel asking
      // right after must not get the old layout.
      if (cause === 'changed') {
        traceViews?.invalidate(ids);
        // Not while a restart brings spans back: laying out then would hold up the first listing.
        void service?.whenRestored().then(() => traceViews?.warmLater(ids, largeRunTraces));
      }
      runsChanged.add(ids);
    },
    statusChanged: (status) => {
      // Receiver state changes go out at once; count updates are throttled.
      const stateChanged = latestStatus?.receiver.state !== status.receiver.state;
      latestStatus = status;
      if (stateChanged) void connection.sendNotification(ReceiverStatusNotification.type, status);
      else statusChanged.add([true]);
    },
    log: (message) => connection.console.log(message),
  }, Date.now, decoder);
  const context = { workspace: () => workspace, settings: () => insightSettings, files: nodeFileAccess, dsls };
  // Panels, exports and Go to Source find a trace wherever it is; diagnostics and CodeLens stay on
  // the embedded receiver's runs (the developer's own runs, not a whole team's).
  const local = service;
  backends = new BackendRegistry(local.backend, (message) => connection.console.log(message), undefined, (traceId) => local.spansOf(traceId));
  backends.configure(settings.backends ?? [], settings.http);
  const registry = backends;
  resolver = new SourceResolver(registry, context);
  const embedded = service.backend;
  insights = new SourceInsights({ listRuns: (p) => embedded.listRuns(p), resolver, ...context });
  const sourceResolver = resolver;
  traceViews = new TraceViews({ getTrace: (p) => registry.getTrace(p), traceSpans: (p) => registry.traceSpans(p), resolveSource: (p) => sourceResolver.resolve(p) });
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.None,
      codeLensProvider: { resolveProvider: false },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'Dify Trace Server' },
  };
});

connection.onInitialized(() => {
  indexWorkspace();
  connection.workspace.onDidChangeWorkspaceFolders((event) => {
    const removed = new Set(event.removed.map((f) => f.uri));
    workspaceFolderUris = [...workspaceFolderUris.filter((u) => !removed.has(u)), ...event.added.map((f) => f.uri)];
    workspaceChanged.add([true]);
  });
  void service?.start();
});

connection.onNotification(DidChangeWatchedFilesNotification.type, () => workspaceChanged.add([true]));

connection.onRequest(ListRunsRequest.type, (params, token) =>
  answering(token, (signal) => {
    const registry = requireBackends();
    if (params.filter.slow !== true) return registry.listRuns(params, signal);
    const slowRuns = (p: SlowRunsRequest.Params): Promise<SlowRunsRequest.Result> => workflowPerformance().slowRuns(p);
    return listSlowRuns(params, { listRuns: (p, s) => registry.listRuns(p, s), slowRuns }, Date.now(), signal);
  }),
);
connection.onRequest(GetTraceRequest.type, (params, token) => answering(token, (signal) => requireBackends().getTrace(params, signal)));
connection.onRequest(FindTracesRequest.type, (params, token) => answering(token, (signal) => requireBackends().findTraces(params, signal)));
connection.onRequest(RunFacetsRequest.type, (params, token) => answering(token, (signal) => requireBackends().runFacets(params, signal)));
connection.onRequest(BackendLinkRequest.type, (params) => requireBackends().linkOf(params.traceId));
connection.onRequest(TestBackendRequest.type, (params, token) => answering(token, (signal) => requireBackends().test(params, signal)));
connection.onRequest(ExportTraceRequest.type, (params, token) => answering(token, (signal) => requireBackends().exportTrace(params, signal)));
connection.onRequest(ImportTracesRequest.type, (params) => requireService().importTraces(params));
connection.onRequest(SourceLocationsRequest.type, (params) => requireResolver().resolve(params));
connection.onRequest(TraceOutlineRequest.type, (params) => requireTraceViews().outline(params.traceId));
connection.onRequest(TraceOutlineChunkRequest.type, (params) => requireTraceViews().chunk(params.outlineId, params.chunk));
connection.onRequest(SearchTraceRequest.type, (params) => requireTraceViews().search(params.outlineId, params.query));
connection.onRequest(SpanDetailsRequest.type, (params) => requireTraceViews().details(params.outlineId, params.index));
connection.onRequest(CompareRunsRequest.type, (params) => new RunComparer(requireBackends()).compare(params));
connection.onRequest(NodeValuesRequest.type, (params) => new RunComparer(requireBackends()).nodeValues(params));
connection.onRequest(WorkflowPerformanceRequest.type, (params) => workflowPerformance().report(params));
connection.onRequest(SlowRunsRequest.type, (params) => workflowPerformance().slowRuns(params));
connection.onRequest(CodeNodeReplayRequest.type, (params) => codeNodeReplay(replaySources(), params));
connection.onRequest(ToolCallReplayRequest.type, (params) => toolCallReplay(replaySources(), params));

function replaySources(): ReplaySources {
  const registry = requireBackends();
  if (resolver === undefined) throw new ResponseError(ErrorCodes.ServerNotInitialized, 'The trace server is not initialised yet');
  return { resolver, traceSpans: (p) => registry.traceSpans(p), context: { workspace: () => workspace, settings: () => insightSettings, files: nodeFileAccess, dsls } };
}
connection.onNotification(ConfigureNotification.type, (settings) => {
  void requireService().configure(settings);
  backends?.configure(settings.backends ?? [], settings.http);
  if (applyInsightSettings(settings)) {
    insights?.forgetResolutions();
    refreshInsights();
  }
});

connection.onCodeLens((params) => insights?.codeLenses(params.textDocument.uri) ?? []);
connection.onHover((params) => insights?.hover(params.textDocument.uri, params.position) ?? null);
connection.onCodeAction((params) => insights?.codeActions(params.context.diagnostics) ?? []);

connection.onShutdown(async () => {
  runsChanged.dispose();
  statusChanged.dispose();
  workspaceChanged.dispose();
  insightsRefresh.dispose();
  clearInterval(windowTimer);
  traceViews?.dispose();
  await service?.stop();
  service?.close();
  await decoder.close();
});

function requireService(): TraceService {
  if (!service) throw new Error('The trace server is not initialised yet.');
  return service;
}

/** Traces of at least this many spans are laid out for the trace view before they are opened. */
const warmLayoutMinSpans = 20_000;

/** The app-level traces of the changed traces that are large runs (an infrastructure trace is opened through the run that links to it). */
function largeRunTraces(changed: readonly string[]): string[] {
  const store = service?.store;
  if (!store || !service) return [];
  const targets = new Set<string>();
  for (const id of changed) {
    const size = store.spansOf(id as TraceId)?.length ?? 0;
    if (size < warmLayoutMinSpans) continue;
    const linkers = service.runs.linkersOf(id);
    if (linkers.length === 0) targets.add(id);
    for (const run of linkers) targets.add(run.traceId);
  }
  // The newest few only: the cache keeps a bounded number of spans.
  return [...targets].slice(-2);
}

function requireBackends(): BackendRegistry {
  if (!backends) throw new Error('The trace server is not initialised yet.');
  return backends;
}

/**
 * Runs a request with an AbortSignal that the client's cancellation fires (a remote backend's HTTP
 * call stops when the Runs view asks again); a remote backend's failure reaches the client as a
 * ResponseError with the backend's own message.
 */
async function answering<T>(token: CancellationToken, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const listener = token.onCancellationRequested(() => controller.abort());
  try {
    return await work(controller.signal);
  } catch (e) {
    // The kind travels as data: the Runs view offers the next step for it (Set Credentials, Open Settings, ...).
    if (e instanceof SourceError) throw new ResponseError(ErrorCodes.InternalError, e.message, { kind: e.kind });
    if (e instanceof UnknownBackendError) throw new ResponseError(ErrorCodes.InternalError, e.message, { kind: 'notFound' });
    throw e;
  } finally {
    listener.dispose();
  }
}

function requireTraceViews(): TraceViews {
  if (!traceViews) throw new Error('The trace server is not initialised yet.');
  return traceViews;
}

function requireResolver(): SourceResolver {
  if (!resolver) throw new Error('The trace server is not initialised yet.');
  return resolver;
}

connection.listen();
