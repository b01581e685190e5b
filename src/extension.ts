import * as vscode from 'vscode';
import { ExportImportCommands, exportRunCommand, importTracesCommand } from './host/commands/exportImportCommands';
import { compareWithCommand, compareWithLastSuccessCommand, NodeValueDocuments, nodeValueScheme, RunCompare } from './host/commands/compareRunsCommand';
import { openInBackend, openInBackendCommand } from './host/commands/openInBackend';
import { openTraceCommand, openTraceFromClipboardCommand, TraceLookup } from './host/commands/openTraceCommand';
import { registerTerminalTraceLinks, registerTraceUriHandler } from './host/commands/traceLinkHandlers';
import { changeReceiverPort, copyReceiverUrl, showSetupGuide } from './host/commands/receiverCommands';
import { TracePanels, tracePanelViewType } from './host/panel/tracePanels';
import { PerformancePanels, performancePanelViewType, showPerformanceCommand } from './host/panel/performancePanels';
import { showPerformance } from './host/commands/showPerformanceCommand';
import { CodeNodeReplays, replayCodeNodeCommand } from './host/replay/replayCodeNode';
import { replayToolCallCommand, ToolCallReplays } from './host/replay/replayToolCall';
import { goToSourceCommand, goToSourceTarget, SourceOpener } from './host/sourceLinks/openSourceFrame';
import { showToolRuns, showToolRunsCommand } from './host/sourceLinks/showToolRuns';
import { affectsServerSettings, readServerSettings } from './host/settings';
import { copyReceiverToken, receiverOnLoopback, ReceiverTokenStore, warnWhenOpen } from './host/receiverToken';
import { TraceServerClient } from './host/traceServerClient';
import { ReceiverStatusBar } from './host/views/receiverStatusBar';
import { embeddedBackend, RunsView } from './host/views/runsView';
import { loadMoreRunsCommand, openRunCommand } from './host/views/runsTreeProvider';
import { registerRunsViewCommands } from './host/views/runsViewCommands';
import { BackendSecrets } from './host/backendSecrets';

declare const globalThis: { __difyTraceLoadStart?: number };

let client: TraceServerClient | undefined;

/** Composition root: wires the trace server client, the Runs view, the panels and the commands. */
export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Dify Trace Explorer', { log: true });
  // The received spans survive a reload in the extension's global storage (one archive per machine profile).
  const archivePath = vscode.Uri.joinPath(context.globalStorageUri, 'traces.sqlite').fsPath;
  const receiverToken = new ReceiverTokenStore(context.secrets);
  const backendSecrets = new BackendSecrets(context.secrets);
  const serverSettings = (): ReturnType<typeof readServerSettings> => readServerSettings(archivePath, receiverToken.current, (id) => backendSecrets.headersOf(id));
  const traceClient = new TraceServerClient(vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath, output, serverSettings);
  // A receiver open to the network takes nothing until the token is known (it fails closed).
  void receiverToken
    .load()
    .then(() => (receiverOnLoopback() ? undefined : traceClient.configure(serverSettings()).then(() => warnWhenOpen(receiverToken))))
    .catch((e: unknown) => output.error('Reading the receiver token failed', e));
  // Backend credentials reach the trace server once read (a listing before that goes without them).
  void backendSecrets
    .load()
    .then(() => traceClient.configure(serverSettings()))
    .catch((e: unknown) => output.error('Reading the backends\' credentials failed', e));
  client = traceClient;
  const runsView = new RunsView(traceClient, output, context.workspaceState);
  const panels = new TracePanels(context.extensionUri, traceClient, output);
  const performancePanels = new PerformancePanels(context.extensionUri, traceClient, (traceId) => panels.open(traceId), output);
  const nodeDocuments = new NodeValueDocuments();
  const runCompare = new RunCompare(traceClient, panels, nodeDocuments);
  const lookup = new TraceLookup(traceClient, panels, context.globalState, runsView);
  const exportImport = new ExportImportCommands(traceClient, panels, runsView, output);
  const statusBar = new ReceiverStatusBar();
  const sourceOpener = new SourceOpener(traceClient, output);
  const replays = new CodeNodeReplays(traceClient, panels, output);
  const toolReplays = new ToolCallReplays(traceClient, panels, context.secrets, output);
  const report = (what: string) => (e: unknown) => {
    output.error(`${what} failed`, e);
    void vscode.window.showErrorMessage(`Dify Trace Explorer: ${what} failed: ${e instanceof Error ? e.message : String(e)}`, 'Show Log').then((pick) => pick && output.show());
  };

  context.subscriptions.push(
    output,
    traceClient,
    runsView,
    panels,
    performancePanels,
    statusBar,
    sourceOpener,
    traceClient.onStatus((status) => statusBar.update(status)),
    vscode.window.registerWebviewPanelSerializer(tracePanelViewType, panels),
    vscode.window.registerWebviewPanelSerializer(performancePanelViewType, performancePanels),
    vscode.commands.registerCommand(openRunCommand, (traceId: unknown) => {
      if (typeof traceId === 'string') panels.open(traceId);
    }),
    // From the panel's button and Enter (trace id, span id), its context menu (the row's context
    // object), the Runs view (a run: its root cause), or the palette (nothing: pick a failed run).
    vscode.commands.registerCommand(goToSourceCommand, (first: unknown, second: unknown) => {
      const target = goToSourceTarget(first, second);
      return (target ? sourceOpener.goToSource(target.traceId.toLowerCase(), target.spanId.toLowerCase()) : sourceOpener.pickRun()).catch(report('Go to Source'));
    }),
    vscode.commands.registerCommand(replayCodeNodeCommand, (first: unknown, second: unknown) => replays.replay(first, second).catch(report('Replaying the Code node'))),
    vscode.commands.registerCommand(replayToolCallCommand, (first: unknown, second: unknown) => toolReplays.replay(first, second).catch(report('Replaying the tool call'))),
    vscode.commands.registerCommand(showToolRunsCommand, (args: unknown) => showToolRuns(args, panels).catch(report('Showing the runs of a tool'))),
    vscode.commands.registerCommand(openTraceCommand, () => lookup.openTrace().catch(report('Opening a trace'))),
    vscode.commands.registerCommand(openTraceFromClipboardCommand, () => lookup.openFromClipboard().catch(report('Opening a trace from the clipboard'))),
    registerTraceUriHandler(lookup, output),
    registerTerminalTraceLinks(lookup, output),
    ...registerRunsViewCommands(runsView, traceClient, context.workspaceState, output, report, () => backendSecrets.load().then(() => traceClient.configure(serverSettings()))),
    vscode.commands.registerCommand(exportRunCommand, (run: unknown) => exportImport.exportRun(run).catch(report('Exporting the run'))),
    vscode.workspace.registerTextDocumentContentProvider(nodeValueScheme, nodeDocuments),
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (document.uri.scheme === nodeValueScheme) nodeDocuments.forget(document.uri);
    }),
    vscode.commands.registerCommand(compareWithLastSuccessCommand, (run: unknown) => runCompare.withLastSuccess(run).catch(report('Comparing the runs'))),
    vscode.commands.registerCommand(compareWithCommand, (run: unknown, selection: unknown) => runCompare.withPicked(run, selection).catch(report('Comparing the runs'))),
    vscode.commands.registerCommand(showPerformanceCommand, (arg: unknown) =>
      showPerformance(arg, performancePanels, traceClient, runsView.backend === embeddedBackend ? undefined : runsView.backend).catch(report('Showing workflow performance')),
    ),
    vscode.commands.registerCommand(openInBackendCommand, (run: unknown) => openInBackend(run, traceClient, panels).catch(report('Opening the run in its backend'))),
    vscode.commands.registerCommand(importTracesCommand, (file: unknown) => exportImport.importTraces(file).catch(report('Importing traces'))),
    vscode.commands.registerCommand(loadMoreRunsCommand, () => runsView.loadMore().catch(report('Loading more runs'))),
    vscode.commands.registerCommand('difyTrace.refreshRuns', () => runsView.refresh().catch(report('Refreshing runs'))),
    vscode.commands.registerCommand('difyTrace.copyReceiverUrl', () => copyReceiverUrl(traceClient, context.extensionUri)),
    vscode.commands.registerCommand('difyTrace.copyReceiverToken', () => copyReceiverToken(receiverToken).catch(report('Copying the receiver token'))),
    vscode.commands.registerCommand('difyTrace.showSetupGuide', () => showSetupGuide(context.extensionUri)),
    vscode.commands.registerCommand('difyTrace.changeReceiverPort', changeReceiverPort),
    vscode.commands.registerCommand('difyTrace.showLog', () => output.show()),
    vscode.commands.registerCommand('difyTrace.setBackendCredentials', () =>
      backendSecrets
        .ask()
        .then((changed) => (changed ? traceClient.configure(serverSettings()).then(() => runsView.refresh()) : undefined))
        .catch(report('Setting backend credentials')),
    ),
    vscode.commands.registerCommand('difyTrace.restartServer', () => traceClient.restart().then(() => runsView.refresh()).catch(report('Restarting the trace server'))),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // A backend added since: its credentials are read first.
      const secretsRead = event.affectsConfiguration('difyTrace.backends') ? backendSecrets.load() : Promise.resolve();
      if (affectsServerSettings(event)) void secretsRead.then(() => traceClient.configure(serverSettings())).catch(report('Applying the settings'));
      if (event.affectsConfiguration('difyTrace.receiver.host')) warnWhenOpen(receiverToken);
    }),
    // Path mappings name workspace folders (`${workspaceFolder:name}`).
    vscode.workspace.onDidChangeWorkspaceFolders(() => void traceClient.configure(serverSettings()).catch(report('Applying the settings'))),
  );

  // The server starts in the background: activation never waits for it, and a failure to start
  // is reported with a way forward instead of failing activation.
  void traceClient
    .start()
    .then(() => runsView.refresh())
    .catch(report('Starting the trace server'));

  const loadStart = globalThis.__difyTraceLoadStart;
  if (loadStart !== undefined) output.info(`Activated in ${(performance.now() - loadStart).toFixed(1)} ms (bundle load + activate)`);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
