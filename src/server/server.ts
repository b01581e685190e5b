import { createConnection, ProposedFeatures, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { ConfigureNotification, FindTracesRequest, GetTraceRequest, ListRunsRequest, ReceiverStatusNotification, RunsChangedNotification, SourceFramesRequest, type ReceiverStatus, type ServerSettings } from '../shared/lspProtocol';
import { defaultServerSettings } from '../shared/defaultSettings';
import { collectAndFlush } from './throttle';
import { TraceService } from './traceService';
import { collectRunFailures, diagnosticsByUri, failureSites, PublishedDiagnostics, resolvePluginFrame, SourceStackCache, type PluginRoot } from './languageFeatures/failureIndex';
import { existingFileUri, findPluginRoots } from './languageFeatures/pluginRoots';

/** Trace server entry: LSP wiring only. Started by the extension over IPC; never imports vscode. */
const connection = createConnection(ProposedFeatures.all);
let service: TraceService | undefined;

const runsChanged = collectAndFlush<string>(250, (ids) => {
  void connection.sendNotification(RunsChangedNotification.type, { changedTraceIds: ids });
  refreshDiagnostics(ids);
});

// Trace-derived diagnostics on plugin code: the workspace's plugin roots, and the files published to.
let workspaceFolderUris: string[] = [];
let pluginRoots: PluginRoot[] = [];
const publishedDiagnostics = new PublishedDiagnostics();
const sourceStacks = new SourceStackCache();
let diagnosticsRun: Promise<void> = Promise.resolve();

function indexPluginRoots(): void {
  pluginRoots = findPluginRoots(workspaceFolderUris);
  connection.console.log(`Plugin projects in the workspace: ${pluginRoots.map((r) => `${r.author}/${r.name} ${r.version ?? ''} (${r.path})`).join(', ') || 'none'}`);
}

/** Recomputes the failure sites from the runs in the store and publishes them; one pass at a time. */
function refreshDiagnostics(changedTraceIds: readonly string[] = []): void {
  sourceStacks.invalidate(changedTraceIds);
  diagnosticsRun = diagnosticsRun
    .then(async () => {
      if (!service) return;
      const failures = await collectRunFailures(service.backend, sourceStacks);
      const sites = failureSites(failures, (frame) => resolvePluginFrame(frame, pluginRoots, existingFileUri));
      for (const params of publishedDiagnostics.update(diagnosticsByUri(sites))) await connection.sendDiagnostics(params);
    })
    .catch((e: unknown) => connection.console.error(`Publishing trace diagnostics failed: ${String(e)}`));
}

let latestStatus: ReceiverStatus | undefined;
const statusChanged = collectAndFlush<true>(500, () => {
  if (latestStatus) void connection.sendNotification(ReceiverStatusNotification.type, latestStatus);
});

connection.onInitialize((params) => {
  workspaceFolderUris = (params.workspaceFolders ?? []).map((f) => f.uri);
  const settings = (params.initializationOptions as ServerSettings | undefined) ?? defaultServerSettings;
  service = new TraceService(settings, {
    runsChanged: (ids) => runsChanged.add(ids),
    statusChanged: (status) => {
      // Receiver state changes go out at once; count updates are throttled.
      const stateChanged = latestStatus?.receiver.state !== status.receiver.state;
      latestStatus = status;
      if (stateChanged) void connection.sendNotification(ReceiverStatusNotification.type, status);
      else statusChanged.add([true]);
    },
    log: (message) => connection.console.log(message),
  });
  return {
    capabilities: { textDocumentSync: TextDocumentSyncKind.None, workspace: { workspaceFolders: { supported: true, changeNotifications: true } } },
    serverInfo: { name: 'Dify Trace Server' },
  };
});

connection.onInitialized(() => {
  indexPluginRoots();
  connection.workspace.onDidChangeWorkspaceFolders((event) => {
    const removed = new Set(event.removed.map((f) => f.uri));
    workspaceFolderUris = [...workspaceFolderUris.filter((u) => !removed.has(u)), ...event.added.map((f) => f.uri)];
    indexPluginRoots();
    refreshDiagnostics();
  });
  void service?.start();
});

connection.onRequest(ListRunsRequest.type, (params) => requireService().backend.listRuns(params));
connection.onRequest(GetTraceRequest.type, (params) => requireService().backend.getTrace(params));
connection.onRequest(FindTracesRequest.type, (params) => requireService().backend.findTraces(params));
connection.onRequest(SourceFramesRequest.type, (params) => requireService().backend.sourceFrames(params));
connection.onNotification(ConfigureNotification.type, (settings) => void requireService().configure(settings));

connection.onShutdown(async () => {
  runsChanged.dispose();
  statusChanged.dispose();
  await service?.stop();
});

function requireService(): TraceService {
  if (!service) throw new Error('The trace server is not initialised yet.');
  return service;
}

connection.listen();
