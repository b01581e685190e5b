import * as vscode from 'vscode';
import { assertNever, isPanelState, isWebviewToHost, webviewProtocolVersion, type HostToWebview } from '../../shared/webviewProtocol';
import type { SearchTraceRequest, SpanDetailsRequest, TraceOutlineChunkRequest } from '../../shared/lspProtocol';
import type { SpanQuery, TraceOutlineHeader } from '../../shared/traceView';
import type { TraceServerClient } from '../traceServerClient';
import { goToSourceCommand, openFrameLocation } from '../sourceLinks/openSourceFrame';
import { panelHtml } from './panelHtml';

export const tracePanelViewType = 'difyTrace.trace';

interface FetchedLayout {
  readonly header: TraceOutlineHeader;
  readonly chunks: readonly Promise<TraceOutlineChunkRequest.Result>[];
  /** When it was asked for (performance.now()), for the log line. */
  readonly asked: number;
}

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
  /** The layout asked for when a panel was created, for its first `ready`. */
  private readonly prefetched = new WeakMap<vscode.WebviewPanel, Promise<FetchedLayout | null>>();
  /** Bumped by each send, so an older stream of chunks stops when a newer one starts. */
  private readonly sendGeneration = new WeakMap<vscode.WebviewPanel, number>();
  /** The layout each panel shows or is being sent, so a change that left it as it is sends nothing. */
  private readonly sentOutline = new WeakMap<vscode.WebviewPanel, string>();

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
      if (panel.visible && shown.some((id) => ids.has(id))) void this.sendTraceIfNew(panel, traceId);
    }
  }

  /**
   * Sends the trace again if its layout is a new one. Runs are reported changed also when only their
   * classification caught up for a reader (this panel's own layout, a lookup): the layout the panel
   * has is then still the current one, and sending its 100k spans again would only hold up the panel.
   */
  private async sendTraceIfNew(panel: vscode.WebviewPanel, traceId: string): Promise<void> {
    const generation = this.sendGeneration.get(panel);
    const prefetched = this.prefetched.get(panel);
    const asked = performance.now();
    const header = await this.client.traceOutline(traceId).catch(() => null);
    // A send started meanwhile has the newest layout already.
    if (this.sendGeneration.get(panel) !== generation || this.panels.get(traceId) !== panel) return;
    // Its chunks are asked for only when it is sent.
    const fresh = (): FetchedLayout | null => (header === null ? null : this.withChunks(header, asked));
    if (prefetched !== undefined) {
      // The webview has not started yet: its first send will use the newest layout.
      if (this.prefetched.get(panel) !== prefetched) return;
      const before = await prefetched.catch(() => null);
      if (this.prefetched.get(panel) === prefetched && before?.header.outlineId !== header?.outlineId) this.prefetched.set(panel, Promise.resolve(fresh()));
      return;
    }
    if (header !== null && header.outlineId === this.sentOutline.get(panel)) return;
    await this.sendTrace(panel, traceId, fresh());
  }

  private get assetsRoot(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
  }

  /** The trace of the panel in front, if a trace panel is. */
  activeTraceId(): string | undefined {
    for (const [traceId, panel] of this.panels) if (panel.active) return traceId;
    return undefined;
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
    this.prefetched.set(panel, this.fetchLayout(traceId));
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
        case 'openLocation':
          void openFrameLocation(message.uri, message.line, message.character, this.output);
          break;
        case 'spanDetails':
          void this.answerDetails(panel, message.requestId, message.outlineId, message.index);
          break;
        case 'search':
          void this.answerSearch(panel, message.requestId, message.outlineId, message.query);
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

  /**
   * Asks the trace server for a layout and all its chunks at once (it slices a cached layout), so
   * they travel while the webview is still starting. Rejections surface only where awaited.
   */
  private fetchLayout(traceId: string): Promise<FetchedLayout | null> {
    const asked = performance.now();
    const fetched = this.client.traceOutline(traceId).then((header) => (header === null ? null : this.withChunks(header, asked)));
    fetched.catch(() => undefined);
    return fetched;
  }

  private withChunks(header: TraceOutlineHeader, asked: number): FetchedLayout {
    const chunks = Array.from({ length: header.chunkCount }, (_, chunk) => this.client.traceOutlineChunk({ outlineId: header.outlineId, chunk }));
    for (const pending of chunks) pending.catch(() => undefined);
    return { header, chunks, asked };
  }

  /**
   * Sends a layout of the trace: its header, then each chunk (20k spans, about 1 MB) as its own
   * message, so no single message is large. Posts keep their order, so none waits for the one
   * before. The first send of a new panel uses the layout prefetched when it was created; a newer
   * send for the same panel supersedes an older one still streaming.
   */
  private async sendTrace(panel: vscode.WebviewPanel, traceId: string, fetched?: FetchedLayout | null): Promise<void> {
    const generation = (this.sendGeneration.get(panel) ?? 0) + 1;
    this.sendGeneration.set(panel, generation);
    this.sentOutline.delete(panel);
    const current = (): boolean => this.sendGeneration.get(panel) === generation && this.panels.get(traceId) === panel;
    const post = (message: HostToWebview): Thenable<boolean> => panel.webview.postMessage(message);
    const posts: Thenable<boolean>[] = [post({ type: 'loading', traceId })];
    let pending = fetched !== undefined ? Promise.resolve(fetched) : (this.prefetched.get(panel) ?? this.fetchLayout(traceId));
    this.prefetched.delete(panel);
    try {
      // A layout evicted while streaming (another large trace opened) is laid out again, once.
      for (let attempt = 0; attempt < 2; attempt++) {
        const layout = await pending;
        if (!current()) return;
        if (layout === null) {
          await post({ type: 'notFound', traceId });
          return;
        }
        const { header, chunks, asked } = layout;
        this.shownTraceIds.set(traceId, header.traceIds);
        if (header.run) panel.title = `${header.run.appName} · ${header.run.status}`;
        posts.push(post({ type: 'outline', version: webviewProtocolVersion, header }));
        this.sentOutline.set(panel, header.outlineId);
        let complete = true;
        for (const chunk of chunks) {
          const data = await chunk;
          if (!current()) return;
          if (data === null) {
            complete = false;
            break;
          }
          posts.push(post({ type: 'outlineChunk', chunk: data }));
        }
        await Promise.all(posts);
        if (complete) {
          this.output.info(`Trace ${traceId}: ${header.spanCount.toLocaleString('en-US')} spans laid out and sent to the panel in ${Math.round(performance.now() - asked)} ms`);
          return;
        }
        this.sentOutline.delete(panel);
        pending = this.fetchLayout(traceId);
      }
      throw new Error('the trace server dropped the layout while sending it twice; too many large traces are open at once');
    } catch (e) {
      this.sentOutline.delete(panel);
      this.output.error(`Loading trace ${traceId} failed`, e);
      await post({ type: 'error', traceId, message: e instanceof Error ? e.message : String(e) });
    }
  }

  private async answerDetails(panel: vscode.WebviewPanel, requestId: number, outlineId: string, index: number): Promise<void> {
    let details: SpanDetailsRequest.Result = null;
    try {
      details = await this.client.spanDetails({ outlineId, index });
    } catch (e) {
      this.output.error('Loading span details failed', e);
    }
    await panel.webview.postMessage({ type: 'spanDetails', requestId, details } satisfies HostToWebview);
  }

  private async answerSearch(panel: vscode.WebviewPanel, requestId: number, outlineId: string, query: SpanQuery): Promise<void> {
    let result: SearchTraceRequest.Result = null;
    try {
      result = await this.client.searchTrace({ outlineId, query });
    } catch (e) {
      this.output.error('Searching the trace failed', e);
    }
    await panel.webview.postMessage({ type: 'searchResult', requestId, result } satisfies HostToWebview);
  }

  dispose(): void {
    this.subscription.dispose();
    for (const panel of this.panels.values()) panel.dispose();
  }
}
