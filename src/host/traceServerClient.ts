import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  ConfigureNotification,
  ExportTraceRequest,
  CompareRunsRequest,
  FindTracesRequest,
  GetTraceRequest,
  ImportTracesRequest,
  ListRunsRequest,
  NodeValuesRequest,
  ReceiverStatusNotification,
  RunFacetsRequest,
  RunsChangedNotification,
  CodeNodeReplayRequest,
  ToolCallReplayRequest,
  SlowRunsRequest,
  WorkflowPerformanceRequest,
  SourceLocationsRequest,
  SearchTraceRequest,
  SpanDetailsRequest,
  BackendLinkRequest,
  TestBackendRequest,
  TraceOutlineChunkRequest,
  TraceOutlineRequest,
  type ReceiverStatus,
  type ServerSettings,
} from '../shared/lspProtocol';

/**
 * The extension host's handle on the trace server process. Requests made while the server is
 * (re)starting wait for it; events survive restarts because they are re-wired on every start.
 */
export class TraceServerClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private readonly runsChangedEmitter = new vscode.EventEmitter<readonly string[]>();
  private readonly statusEmitter = new vscode.EventEmitter<ReceiverStatus>();
  readonly onRunsChanged = this.runsChangedEmitter.event;
  readonly onStatus = this.statusEmitter.event;
  lastStatus: ReceiverStatus | undefined;
  /** Created once: the client does not own them, and restarts reuse them. */
  private readonly watchers = [vscode.workspace.createFileSystemWatcher('**/*.{yml,yaml}'), vscode.workspace.createFileSystemWatcher('**/*.py')];

  constructor(
    private readonly serverModule: string,
    private readonly output: vscode.LogOutputChannel,
    private readonly settings: () => ServerSettings,
  ) {}

  start(): Promise<LanguageClient> {
    this.starting ??= this.doStart().catch((e: unknown) => {
      this.starting = undefined;
      throw e;
    });
    return this.starting;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.starting = undefined;
    if (client?.isRunning()) await client.stop();
  }

  async listRuns(params: ListRunsRequest.Params): Promise<ListRunsRequest.Result> {
    return (await this.start()).sendRequest(ListRunsRequest.type, params);
  }

  async runFacets(params: RunFacetsRequest.Params, token?: vscode.CancellationToken): Promise<RunFacetsRequest.Result> {
    return (await this.start()).sendRequest(RunFacetsRequest.type, params, token);
  }

  async exportTrace(traceId: string, token?: vscode.CancellationToken): Promise<ExportTraceRequest.Result> {
    return (await this.start()).sendRequest(ExportTraceRequest.type, { traceId }, token);
  }

  async importTraces(params: ImportTracesRequest.Params, token?: vscode.CancellationToken): Promise<ImportTracesRequest.Result> {
    return (await this.start()).sendRequest(ImportTracesRequest.type, params, token);
  }

  async getTrace(traceId: string): Promise<GetTraceRequest.Result> {
    return (await this.start()).sendRequest(GetTraceRequest.type, { traceId });
  }

  async traceOutline(traceId: string): Promise<TraceOutlineRequest.Result> {
    return (await this.start()).sendRequest(TraceOutlineRequest.type, { traceId });
  }

  async traceOutlineChunk(params: TraceOutlineChunkRequest.Params): Promise<TraceOutlineChunkRequest.Result> {
    return (await this.start()).sendRequest(TraceOutlineChunkRequest.type, params);
  }

  async searchTrace(params: SearchTraceRequest.Params): Promise<SearchTraceRequest.Result> {
    return (await this.start()).sendRequest(SearchTraceRequest.type, params);
  }

  async spanDetails(params: SpanDetailsRequest.Params): Promise<SpanDetailsRequest.Result> {
    return (await this.start()).sendRequest(SpanDetailsRequest.type, params);
  }

  async backendLink(traceId: string): Promise<BackendLinkRequest.Result> {
    return (await this.start()).sendRequest(BackendLinkRequest.type, { traceId });
  }

  async testBackend(config: TestBackendRequest.Params, token?: vscode.CancellationToken): Promise<TestBackendRequest.Result> {
    return (await this.start()).sendRequest(TestBackendRequest.type, config, token);
  }

  async findTraces(query: FindTracesRequest.Params, token?: vscode.CancellationToken): Promise<FindTracesRequest.Result> {
    return (await this.start()).sendRequest(FindTracesRequest.type, query, token);
  }

  async compareRuns(params: CompareRunsRequest.Params, token?: vscode.CancellationToken): Promise<CompareRunsRequest.Result> {
    return (await this.start()).sendRequest(CompareRunsRequest.type, params, token);
  }

  async nodeValues(params: NodeValuesRequest.Params): Promise<NodeValuesRequest.Result> {
    return (await this.start()).sendRequest(NodeValuesRequest.type, params);
  }

  async workflowPerformance(params: WorkflowPerformanceRequest.Params, token?: vscode.CancellationToken): Promise<WorkflowPerformanceRequest.Result> {
    return (await this.start()).sendRequest(WorkflowPerformanceRequest.type, params, token);
  }

  async codeNodeReplay(params: CodeNodeReplayRequest.Params): Promise<CodeNodeReplayRequest.Result> {
    return (await this.start()).sendRequest(CodeNodeReplayRequest.type, params);
  }

  async toolCallReplay(params: ToolCallReplayRequest.Params): Promise<ToolCallReplayRequest.Result> {
    return (await this.start()).sendRequest(ToolCallReplayRequest.type, params);
  }

  async slowRuns(params: SlowRunsRequest.Params): Promise<SlowRunsRequest.Result> {
    return (await this.start()).sendRequest(SlowRunsRequest.type, params);
  }

  async sourceLocations(params: SourceLocationsRequest.Params): Promise<SourceLocationsRequest.Result> {
    return (await this.start()).sendRequest(SourceLocationsRequest.type, params);
  }

  async configure(settings: ServerSettings): Promise<void> {
    await (await this.start()).sendNotification(ConfigureNotification.type, settings);
  }

  dispose(): void {
    void this.stop().catch((e: unknown) => this.output.error('Stopping the trace server failed', e));
    this.runsChangedEmitter.dispose();
    this.statusEmitter.dispose();
    for (const watcher of this.watchers) watcher.dispose();
  }

  private async doStart(): Promise<LanguageClient> {
    const serverOptions: ServerOptions = {
      run: { module: this.serverModule, transport: TransportKind.ipc },
      debug: { module: this.serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      // Files on disk where the server's trace-derived features attach: plugin Python code (diagnostics,
      // CodeLens, hovers) and app DSLs (diagnostics on Code node lines, their quick fix).
      documentSelector: [
        { scheme: 'file', language: 'python' },
        { scheme: 'file', language: 'yaml' },
      ],
      // The server re-indexes plugin manifests and DSLs when YAML changes, and re-reads tool code on save.
      synchronize: { fileEvents: this.watchers },
      // Hovers link to commands that open a run; only this extension's commands may run from them.
      markdown: { isTrusted: { enabledCommands: ['difyTrace.openRun', 'difyTrace.showToolRuns'] } },
      outputChannel: this.output,
      initializationOptions: this.settings(),
    };
    const client = new LanguageClient('difyTrace', 'Dify Trace Server', serverOptions, clientOptions);
    client.onNotification(RunsChangedNotification.type, (p) => this.runsChangedEmitter.fire(p.changedTraceIds));
    client.onNotification(ReceiverStatusNotification.type, (status) => {
      this.lastStatus = status;
      this.statusEmitter.fire(status);
    });
    await client.start();
    this.client = client;
    return client;
  }
}
