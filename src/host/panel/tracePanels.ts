import * as vscode from 'vscode';
import { assertNever, isPanelState, isWebviewToHost, webviewProtocolVersion, type HostToWebview } from '../../shared/webviewProtocol';
import type { TraceServerClient } from '../traceServerClient';
import { goToSourceCommand } from '../sourceLinks/openSourceFrame';
import { panelHtml } from './panelHtml';

export const tracePanelViewType = 'difyTrace.trace';

/**
 * One webview panel per trace. The host keeps only the trace id; every (re)load of the webview
 * sends `ready` and receives a fresh snapshot from the trace server, so hidden or restored panels
 * never show stale data.
 */
export class TracePanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  /** Trace ids each panel shows (its own and the linked ones), to refresh it when any of them changes. */
  private readonly shownTraceIds = new Map<string, readonly string[]>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: TraceServerClient,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.subscription = client.onRunsChanged((changed) => this.refreshChanged(changed));
  }

  private refreshChanged(changed: readonly string[]): void {
    const ids = new Set(changed);
    for (const [traceId, panel] of this.panels) {
      const shown = this.shownTraceIds.get(traceId) ?? [traceId];
      // Hidden panels are refreshed by their own `ready` when they become visible again.
      if (panel.visible && shown.some((id) => ids.has(id))) void this.sendTrace(panel, traceId);
    }
  }

  private get assetsRoot(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
  }

  open(traceId: string, title?: string): void {
    const existing = this.panels.get(traceId);
    if (existing) {
      existing.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(tracePanelViewType, title ?? `Trace ${traceId.slice(0, 8)}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [this.assetsRoot],
    });
    this.attach(panel, traceId);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    if (!isPanelState(state)) {
      panel.dispose();
      return;
    }
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.assetsRoot] };
    this.attach(panel, state.traceId);
  }

  private attach(panel: vscode.WebviewPanel, traceId: string): void {
    this.panels.set(traceId, panel);
    const listener = panel.webview.onDidReceiveMessage((message: unknown) => {
      if (!isWebviewToHost(message)) {
        this.output.warn('Ignored an unexpected message from the trace webview');
        return;
      }
      switch (message.type) {
        case 'ready':
          void this.sendTrace(panel, traceId);
          break;
        case 'openTrace':
          this.open(message.traceId.toLowerCase());
          break;
        case 'copyText':
          void vscode.env.clipboard.writeText(message.text);
          break;
        case 'goToSource':
          // The command fetches the span's frames from the trace server and opens the best one.
          void vscode.commands.executeCommand(goToSourceCommand, message.traceId.toLowerCase(), message.spanId.toLowerCase());
          break;
        default:
          assertNever(message);
      }
    });
    panel.onDidDispose(() => {
      listener.dispose();
      this.panels.delete(traceId);
      this.shownTraceIds.delete(traceId);
    });
    panel.webview.html = panelHtml(panel.webview, this.assetsRoot);
  }

  private async sendTrace(panel: vscode.WebviewPanel, traceId: string): Promise<void> {
    const post = (message: HostToWebview): Thenable<boolean> => panel.webview.postMessage(message);
    await post({ type: 'loading', traceId });
    try {
      const snapshot = await this.client.getTrace(traceId);
      if (snapshot === null) {
        await post({ type: 'notFound', traceId });
        return;
      }
      this.shownTraceIds.set(traceId, snapshot.traceIds);
      if (snapshot.run) panel.title = `${snapshot.run.appName} · ${snapshot.run.status}`;
      await post({ type: 'trace', version: webviewProtocolVersion, snapshot });
    } catch (e) {
      this.output.error(`Loading trace ${traceId} failed`, e);
      await post({ type: 'error', traceId, message: e instanceof Error ? e.message : String(e) });
    }
  }

  dispose(): void {
    this.subscription.dispose();
    for (const panel of this.panels.values()) panel.dispose();
  }
}
