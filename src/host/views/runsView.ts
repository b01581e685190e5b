import * as vscode from 'vscode';
import type { ReceiverState, ReceiverStatus } from '../../shared/lspProtocol';
import type { TraceServerClient } from '../traceServerClient';
import { RunsTreeProvider, type RunsNode } from './runsTreeProvider';

const pageSize = 100;

/**
 * The Runs view: asks the trace server for runs when they change (debounced), and shows the
 * receiver's state as the view message and as context keys for the welcome content.
 */
export class RunsView implements vscode.Disposable {
  private readonly provider = new RunsTreeProvider();
  private readonly treeView: vscode.TreeView<RunsNode>;
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private limit = pageSize;

  constructor(private readonly client: TraceServerClient, private readonly output: vscode.LogOutputChannel) {
    this.treeView = vscode.window.createTreeView('difyTrace.runs', { treeDataProvider: this.provider, showCollapseAll: false });
    this.disposables.push(
      this.treeView,
      this.provider,
      client.onRunsChanged(() => this.scheduleRefresh()),
      client.onStatus((status) => this.showStatus(status)),
    );
  }

  /** Coalesces bursts of change notifications into one request. */
  scheduleRefresh(delayMs = 200): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh().catch((e: unknown) => this.output.error('Listing runs failed', e));
    }, delayMs);
  }

  async refresh(): Promise<void> {
    const page = await this.client.listRuns({ filter: {}, limit: this.limit });
    this.provider.setRuns(page.runs, page.nextPageToken !== undefined);
    await vscode.commands.executeCommand('setContext', 'difyTrace.hasRuns', page.runs.length > 0);
    if (this.client.lastStatus) this.showStatus(this.client.lastStatus);
  }

  async loadMore(): Promise<void> {
    this.limit += pageSize;
    await this.refresh();
  }

  /**
   * VS Code hides the welcome content while a tree view has a message, so problems go into the
   * message only when runs fill the tree; when it is empty the welcome content explains them. The
   * live address and counts are in the view description either way.
   */
  private showStatus(status: ReceiverStatus): void {
    const r = status.receiver;
    void vscode.commands.executeCommand('setContext', 'difyTrace.receiverState', r.state);
    const runs = this.provider.runCount;
    this.treeView.description = describeReceiver(r, runs);
    this.treeView.message = runs > 0 ? receiverProblem(r) ?? '' : '';
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const d of this.disposables) d.dispose();
  }
}

function describeReceiver(r: ReceiverState, runs: number): string {
  switch (r.state) {
    case 'listening':
      return `${runs} run${runs === 1 ? '' : 's'} · receiver on ${r.url}`;
    case 'portInUse':
      return `receiver stopped: port ${r.port} in use`;
    case 'failed':
      return 'receiver stopped';
    case 'disabled':
      return 'receiver off';
    case 'starting':
      return 'starting…';
  }
}

function receiverProblem(r: ReceiverState): string | undefined {
  switch (r.state) {
    case 'portInUse':
      return `Port ${r.port} on ${r.host} is already in use, so the OTLP receiver is not running. Run "Dify Trace: Change Receiver Port…".`;
    case 'failed':
      return `The OTLP receiver could not start: ${r.message}`;
    case 'disabled':
      return 'The embedded OTLP receiver is turned off (difyTrace.receiver.enabled).';
    default:
      return undefined;
  }
}
