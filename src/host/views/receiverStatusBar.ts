import * as vscode from 'vscode';
import type { ReceiverStatus } from '../../shared/lspProtocol';
import { grpcStatusText, listeningDetails, storeCountsText } from './receiverStatusText';

/** Clicking the item opens the Runs view (its welcome content has the fix for each problem state). */
const openRunsView: vscode.Command = { command: 'difyTrace.runs.focus', title: 'Open the Runs View' };

/**
 * The receiver's live address and state in the status bar: the one always-visible place for the
 * URL to give Dify (a tree view's welcome content cannot show dynamic text).
 */
export class ReceiverStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('difyTrace.receiver', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'Dify Trace Receiver';
    this.item.text = '$(loading~spin) Dify';
    this.item.show();
  }

  update(status: ReceiverStatus): void {
    const r = status.receiver;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.isTrusted = { enabledCommands: ['difyTrace.copyReceiverUrl', 'difyTrace.changeReceiverPort', 'difyTrace.showLog', 'difyTrace.runs.focus', 'workbench.action.openSettings'] };
    this.item.backgroundColor = undefined;
    this.item.command = openRunsView;
    switch (r.state) {
      case 'listening': {
        const { rate, refused } = listeningDetails(status);
        const grpc = grpcStatusText(status);
        const grpcPart = grpc ? ` · ${grpc.problem ? '$(warning) ' : ''}${grpc.text}` : '';
        this.item.text = `$(radio-tower) Dify ${r.url.replace(/^http:\/\//, '')}${grpcPart}${rate ? ` · ${rate}` : ''}${refused ? ` $(warning) ${refused}` : ''}`;
        tooltip.appendMarkdown('Dify traces are received at ').appendText(r.url).appendMarkdown(rate ? ` (${rate} over the last 10 s)` : '');
        if (grpc) tooltip.appendMarkdown('\n\n').appendText(grpc.tooltip).appendMarkdown(grpc.problem ? ' [Open Settings](command:workbench.action.openSettings?%5B%22difyTrace.receiver.grpcPort%22%5D)' : '');
        tooltip.appendMarkdown('\n\n[Copy Receiver URL](command:difyTrace.copyReceiverUrl) · [Open Runs View](command:difyTrace.runs.focus)');
        break;
      }
      case 'following':
        this.item.text = `$(radio-tower) Dify ${r.url.replace(/^http:\/\//, '')} · another window`;
        tooltip.appendMarkdown('Another VS Code window receives Dify traces at ').appendText(r.url);
        tooltip.appendMarkdown('; this window shows the same runs from the shared trace database, live, and takes the receiver over when that window closes.\n\n[Copy Receiver URL](command:difyTrace.copyReceiverUrl) · [Open Runs View](command:difyTrace.runs.focus)');
        break;
      case 'portInUse':
        this.item.text = `$(warning) Dify: port ${r.port} in use`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        tooltip.appendMarkdown(`Another process listens on ${r.host}:${r.port}, so the receiver is not running.\n\n[Change Port](command:difyTrace.changeReceiverPort)`);
        break;
      case 'failed':
        this.item.text = '$(error) Dify receiver failed';
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        tooltip.appendText(r.message).appendMarkdown('\n\n[Show Log](command:difyTrace.showLog)');
        break;
      case 'disabled':
        this.item.text = '$(circle-slash) Dify receiver off';
        tooltip.appendMarkdown('The embedded receiver is turned off (`difyTrace.receiver.enabled`); imported traces still show in the Runs view.\n\n[Open Settings](command:workbench.action.openSettings?%5B%22difyTrace.receiver%22%5D)');
        break;
      case 'starting':
        this.item.text = '$(loading~spin) Dify';
        break;
    }
    tooltip.appendMarkdown('\n\n').appendText(storeCountsText(status));
    // Whether a reload keeps the traces, in words.
    if (status.storage?.persisted === true) tooltip.appendMarkdown('\n\n$(database) Kept on disk across reloads: ').appendText(status.storage.path);
    else if (status.storage?.persisted === false) tooltip.appendMarkdown('\n\n$(warning) In memory only: ').appendText(status.storage.reason).appendMarkdown(' [Open Settings](command:workbench.action.openSettings?%5B%22difyTrace.store%22%5D)');
    if (status.rejectedRequests > 0) {
      tooltip.appendMarkdown(`\n\n$(warning) ${status.rejectedRequests} request(s) refused; last: `).appendText(status.lastError ?? 'no reason recorded');
      tooltip.appendMarkdown('\n\n[Show Log](command:difyTrace.showLog)');
    }
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: this.item.text.replace(/\$\([^)]*\)\s*/g, '') };
  }

  dispose(): void {
    this.item.dispose();
  }
}
