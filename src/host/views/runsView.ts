import * as vscode from 'vscode';
import type { ReceiverStatus } from '../../shared/lspProtocol';
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
    this.treeView.badge = undefined;
    if (this.client.lastStatus) this.showStatus(this.client.lastStatus);
  }

  async loadMore(): Promise<void> {
    this.limit += pageSize;
    await this.refresh();
  }

  private showStatus(status: ReceiverStatus): void {
    const r = status.receiver;
    void vscode.commands.executeCommand('setContext', 'difyTrace.receiverState', r.state);
    const runs = this.provider.runCount;
    switch (r.state) {
      case 'listening':
        this.treeView.message = runs > 0 ? '' : `Receiver listening on ${r.url}`;
        this.treeView.description = `${runs} run${runs === 1 ? '' : 's'} · ${r.url}`;
        break;
      case 'portInUse':
        this.treeView.message = `Port ${r.port} on ${r.host} is already in use, so the OTLP receiver is not running.`;
        this.treeView.description = 'receiver stopped';
        break;
      case 'failed':
        this.treeView.message = `The OTLP receiver could not start: ${r.message}`;
        this.treeView.description = 'receiver stopped';
        break;
      case 'disabled':
        this.treeView.message = 'The embedded OTLP receiver is turned off (difyTrace.receiver.enabled).';
        this.treeView.description = 'receiver off';
        break;
      case 'starting':
        this.treeView.description = 'starting…';
        break;
    }
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const d of this.disposables) d.dispose();
  }
}
