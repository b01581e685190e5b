import * as vscode from 'vscode';
import {
  defaultPerformanceWindow,
  isPerformancePanelState,
  isPerformanceViewToHost,
  performanceProtocolVersion,
  type HostToPerformanceView,
  type PerformancePanelState,
} from '../../shared/performanceViewProtocol';
import type { TraceServerClient } from '../traceServerClient';
import { panelHtml, type PanelPage } from './panelHtml';

export const performancePanelViewType = 'difyTrace.performance';
export const showPerformanceCommand = 'difyTrace.showPerformance';

const page: PanelPage = { title: 'Dify Workflow Performance', script: 'performance.js', styles: ['performance.css'], placeholder: 'Loading workflow performance…' };
/** Runs arrive in bursts: the view asks again at most this often while they do. */
const REFRESH_AFTER_MS = 1_000;
const HOUR_MS = 3_600_000;

type Client = Pick<TraceServerClient, 'workflowPerformance' | 'onRunsChanged'>;

interface Shown {
  state: PerformancePanelState;
  /** Bumped by each send, so an older answer never replaces a newer one. */
  generation: number;
  refreshTimer: NodeJS.Timeout | undefined;
}

/**
 * One performance panel per app (and backend). The numbers come from the trace server, which keeps
 * them per app and updates them as runs arrive; the panel asks again when runs change while it is
 * visible, and when it becomes visible again.
 */
export class PerformancePanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  private readonly shown = new WeakMap<vscode.WebviewPanel, Shown>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: Client,
    private readonly openRun: (traceId: string) => void,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.subscription = client.onRunsChanged(() => {
      for (const panel of this.panels.values()) if (panel.visible) this.refreshSoon(panel);
    });
  }

  private get assetsRoot(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
  }

  open(appName: string, backend?: string): void {
    const existing = this.panels.get(keyOf(appName, backend));
    if (existing) {
      existing.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(performancePanelViewType, titleOf(appName), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [this.assetsRoot],
    });
    this.attach(panel, { appName, ...(backend === undefined ? {} : { backend }), windowHours: defaultPerformanceWindow });
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    if (!isPerformancePanelState(state)) {
      panel.dispose();
      return;
    }
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.assetsRoot] };
    this.attach(panel, state);
  }

  private attach(panel: vscode.WebviewPanel, state: PerformancePanelState): void {
    const key = keyOf(state.appName, state.backend);
    this.panels.set(key, panel);
    this.shown.set(panel, { state, generation: 0, refreshTimer: undefined });
    panel.title = titleOf(state.appName);
    const listener = panel.webview.onDidReceiveMessage((message: unknown) => {
      if (!isPerformanceViewToHost(message)) {
        this.output.warn('Ignored an unexpected message from the performance webview');
        return;
      }
      const shown = this.shown.get(panel)!;
      switch (message.type) {
        case 'ready':
        case 'refresh':
          void this.send(panel);
          break;
        case 'setWindow':
          shown.state = { ...shown.state, windowHours: message.windowHours };
          void this.send(panel);
          break;
        case 'openRun':
          this.openRun(message.traceId.toLowerCase());
          break;
      }
    });
    panel.onDidDispose(() => {
      listener.dispose();
      const shown = this.shown.get(panel);
      if (shown?.refreshTimer) clearTimeout(shown.refreshTimer);
      if (this.panels.get(key) === panel) this.panels.delete(key);
    });
    panel.webview.html = panelHtml(panel.webview, this.assetsRoot, page);
  }

  private refreshSoon(panel: vscode.WebviewPanel): void {
    const shown = this.shown.get(panel);
    if (shown === undefined || shown.refreshTimer !== undefined) return;
    shown.refreshTimer = setTimeout(() => {
      shown.refreshTimer = undefined;
      void this.send(panel);
    }, REFRESH_AFTER_MS);
  }

  private async send(panel: vscode.WebviewPanel): Promise<void> {
    const shown = this.shown.get(panel);
    if (shown === undefined) return;
    const generation = ++shown.generation;
    const { appName, backend, windowHours } = shown.state;
    const post = (message: HostToPerformanceView): void => void panel.webview.postMessage(message);
    post({ type: 'loading', appName, ...(backend === undefined ? {} : { backend }), windowHours });
    try {
      const asked = performance.now();
      const report = await this.client.workflowPerformance({ appName, sinceMs: Date.now() - windowHours * HOUR_MS, ...(backend === undefined ? {} : { backend }) });
      if (generation !== shown.generation) return;
      this.output.info(`Workflow performance of ${appName} over ${windowHours} h: ${report.runs.length} runs, ${report.nodes.length} nodes, in ${(performance.now() - asked).toFixed(0)} ms`);
      post({ type: 'report', protocol: performanceProtocolVersion, windowHours: windowHours, report });
    } catch (e) {
      if (generation !== shown.generation) return;
      const why = e instanceof Error ? e.message : String(e);
      this.output.error(`Workflow performance of ${appName} failed`, e);
      post({ type: 'failed', appName, message: `Could not read the runs of ${appName}${backend === undefined ? '' : ` from ${backend}`}: ${why}. Check the backend in the Runs view, then press Refresh.` });
    }
  }

  dispose(): void {
    this.subscription.dispose();
    for (const panel of this.panels.values()) panel.dispose();
  }
}

const keyOf = (appName: string, backend: string | undefined): string => `${backend ?? ''}\u0000${appName}`;
const titleOf = (appName: string): string => `Performance: ${appName}`;
