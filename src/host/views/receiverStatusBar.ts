import * as vscode from 'vscode';
import type { ReceiverStatus } from '../../shared/lspProtocol';

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
    tooltip.isTrusted = { enabledCommands: ['difyTrace.copyReceiverUrl', 'difyTrace.changeReceiverPort', 'difyTrace.showLog'] };
    this.item.backgroundColor = undefined;
    switch (r.state) {
      case 'listening':
        this.item.text = `$(radio-tower) Dify ${r.url.replace(/^http:\/\//, '')}`;
        this.item.command = 'difyTrace.copyReceiverUrl';
        tooltip.appendMarkdown('Dify traces are received at ').appendText(r.url).appendMarkdown('\n\n[Copy Receiver URL](command:difyTrace.copyReceiverUrl)');
        break;
      case 'portInUse':
        this.item.text = `$(warning) Dify: port ${r.port} in use`;
        this.item.command = 'difyTrace.changeReceiverPort';
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        tooltip.appendMarkdown(`Another process listens on ${r.host}:${r.port}, so the receiver is not running.\n\n[Change Port](command:difyTrace.changeReceiverPort)`);
        break;
      case 'failed':
        this.item.text = '$(error) Dify receiver failed';
        this.item.command = 'difyTrace.showLog';
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        tooltip.appendText(r.message).appendMarkdown('\n\n[Show Log](command:difyTrace.showLog)');
        break;
      case 'disabled':
        this.item.text = '$(circle-slash) Dify receiver off';
        this.item.command = { command: 'workbench.action.openSettings', title: 'Open Settings', arguments: ['difyTrace.receiver'] };
        tooltip.appendMarkdown('The embedded receiver is turned off (`difyTrace.receiver.enabled`).');
        break;
      case 'starting':
        this.item.text = '$(loading~spin) Dify';
        break;
    }
    tooltip.appendMarkdown(`\n\n${status.traces} traces · ${status.spans} spans in memory`);
    if (status.rejectedRequests > 0) tooltip.appendMarkdown(`\n\n${status.rejectedRequests} request(s) refused; last: `).appendText(status.lastError ?? '');
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: this.item.text.replace(/\$\([^)]*\)\s*/g, '') };
  }

  dispose(): void {
    this.item.dispose();
  }
}
