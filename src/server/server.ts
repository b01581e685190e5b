import { createConnection, ProposedFeatures, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { ConfigureNotification, FindTracesRequest, GetTraceRequest, ListRunsRequest, ReceiverStatusNotification, RunsChangedNotification, SourceFramesRequest, type ReceiverStatus, type ServerSettings } from '../shared/lspProtocol';
import { defaultServerSettings } from '../shared/defaultSettings';
import { collectAndFlush } from './throttle';
import { TraceService } from './traceService';

/** Trace server entry: LSP wiring only. Started by the extension over IPC; never imports vscode. */
const connection = createConnection(ProposedFeatures.all);
let service: TraceService | undefined;

const runsChanged = collectAndFlush<string>(250, (ids) => void connection.sendNotification(RunsChangedNotification.type, { changedTraceIds: ids }));
let latestStatus: ReceiverStatus | undefined;
const statusChanged = collectAndFlush<true>(500, () => {
  if (latestStatus) void connection.sendNotification(ReceiverStatusNotification.type, latestStatus);
});

connection.onInitialize((params) => {
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
  return { capabilities: { textDocumentSync: TextDocumentSyncKind.None }, serverInfo: { name: 'Dify Trace Server' } };
});

connection.onInitialized(() => void service?.start());

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
