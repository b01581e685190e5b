import * as vscode from 'vscode';
import type { ListRunsRequest, ReceiverState, ReceiverStatus } from '../../shared/lspProtocol';
import type { RunFilter, RunSummary } from '../../shared/runSummary';
import { affectsRunsViewSettings, readRunsViewSettings } from '../settings';
import type { TraceServerClient } from '../traceServerClient';
import type { RunGrouping } from './runGrouping';
import { compactSpec, isEmptySpec, readSpec, toRunFilter, type RunFilterSpec } from './runFilterSpec';
import { longFilterText, runsViewText } from './runFilterText';
import { listingFailureActions } from './listingFailure';
import { RunsTreeProvider, type RunsNode, type RunsViewAction } from './runsTreeProvider';
import type { SlowMark } from './runPresentation';

const pageSize = 100;
/** The server's largest page. */
const maxPage = 1000;
const activeFilterKey = 'difyTrace.runFilter';
const backendKey = 'difyTrace.backend';
/** The embedded receiver's store, as `FindTracesRequest.searched` names it. */
export const embeddedBackend = 'embedded';

type Client = Pick<TraceServerClient, 'listRuns' | 'slowRuns' | 'onRunsChanged' | 'onStatus' | 'lastStatus'>;

/** Without a time filter, a run is slow against its app's runs of the last day. */
const slowWindowMs = 24 * 3_600_000;

/**
 * The Runs view: the runs matching the filter, newest first, a page at a time. Live, it re-lists
 * the loaded window when runs change (debounced; ids are stable, so the selection and expanded
 * groups stay); paused, it only counts the runs that arrived. The filter is kept per workspace.
 */
export class RunsView implements vscode.Disposable {
  private readonly provider = new RunsTreeProvider();
  private readonly treeView: vscode.TreeView<RunsNode>;
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private spec: RunFilterSpec;
  private grouping: RunGrouping;
  private live: boolean;
  private runs: readonly RunSummary[] = [];
  /** The server filter of the listing shown, so that "Load more" continues the same listing. */
  private listedFilter: RunFilter = {};
  private nextPageToken: string | undefined;
  private totalMatching = 0;
  private totalInStore: number | undefined;
  /** With a keyword: runs of the listing searched by their summary only (ListRunsRequest.Result.summaryOnly). */
  private summaryOnly: number | undefined;
  private newRuns = 0;
  /** Drops the answer of a listing overtaken by a newer one. */
  private generation = 0;
  /** Which backend lists: the embedded receiver's store, or a `difyTrace.backends` id. */
  private backendId: string;
  /** The backend the runs shown came from (the chosen one once its first listing is in). */
  private listedBackend: string;
  /** From a remote backend: what its search fetched, to say the filter was applied to those. */
  private fetched: ListRunsRequest.Result['fetched'];
  /** Why the last listing failed (a remote backend down), shown until one succeeds. */
  private listingError: string | undefined;
  /** The next steps offered for it (by the kind of failure the server typed). */
  private listingActions: readonly RunsViewAction[] = [];
  /** Runs shown that are slower than their app's p95 over the window, by trace id. */
  private slow: ReadonlyMap<string, SlowMark> = new Map();

  constructor(
    private readonly client: Client,
    private readonly output: vscode.LogOutputChannel,
    private readonly workspaceState: vscode.Memento,
  ) {
    this.spec = readSpec(workspaceState.get<unknown>(activeFilterKey)) ?? {};
    this.backendId = workspaceState.get<string>(backendKey) ?? embeddedBackend;
    this.listedBackend = this.backendId;
    const settings = readRunsViewSettings();
    this.grouping = settings.groupBy;
    this.live = settings.live;
    // Several runs can be selected: two of them are compared with each other ("Compare with…").
    this.treeView = vscode.window.createTreeView('difyTrace.runs', { treeDataProvider: this.provider, showCollapseAll: true, canSelectMany: true });
    this.disposables.push(
      this.treeView,
      this.provider,
      client.onRunsChanged(() => this.scheduleRefresh()),
      client.onStatus((status) => this.showStatus(status)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (affectsRunsViewSettings(event)) this.setGrouping(readRunsViewSettings().groupBy);
      }),
    );
    void this.setContextKeys();
  }

  get filter(): RunFilterSpec {
    return this.spec;
  }

  get isLive(): boolean {
    return this.live;
  }

  get backend(): string {
    return this.backendId;
  }

  /** Lists from another backend (remembered per workspace). */
  async setBackend(id: string): Promise<void> {
    this.backendId = id;
    await this.workspaceState.update(backendKey, id === embeddedBackend ? undefined : id);
    await this.refresh({ resetPaging: true });
  }

  /** `backend` for a request: absent for the embedded store, which older servers know without it. */
  private get backendParam(): { backend?: string } {
    return this.backendId === embeddedBackend ? {} : { backend: this.backendId };
  }

  get currentGrouping(): RunGrouping {
    return this.grouping;
  }

  /** The runs in the view, newest first. */
  get shownRuns(): readonly RunSummary[] {
    return this.runs;
  }

  async setFilter(spec: RunFilterSpec): Promise<void> {
    this.spec = compactSpec(spec);
    await this.workspaceState.update(activeFilterKey, isEmptySpec(this.spec) ? undefined : this.spec);
    this.output.info(`Runs filter: ${isEmptySpec(this.spec) ? 'none' : longFilterText(this.spec)}`);
    await this.refresh({ resetPaging: true });
  }

  async setLive(live: boolean): Promise<void> {
    this.live = live;
    await this.setContextKeys();
    if (live) await this.refresh();
    else this.showText();
  }

  setGrouping(grouping: RunGrouping): void {
    if (grouping === this.grouping) return;
    this.grouping = grouping;
    this.render();
    void this.setContextKeys();
  }

  /** Coalesces bursts of change notifications into one request. */
  scheduleRefresh(delayMs = 200): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      const work = this.live ? this.refresh() : this.countNewRuns();
      void work.catch((e: unknown) => this.output.error('Listing runs failed', e));
    }, delayMs);
  }

  /** Lists the runs again: the window loaded so far (at least a page), or only the first page. */
  async refresh(options: { resetPaging?: boolean } = {}): Promise<void> {
    const generation = ++this.generation;
    const want = options.resetPaging ? pageSize : Math.max(pageSize, this.runs.length);
    // Relative time ("last hour") is re-read from the clock at each listing.
    const filter = toRunFilter(this.spec, Date.now());
    let listing: Awaited<ReturnType<RunsView['listTop']>>;
    let total: number;
    try {
      listing = await this.listTop(filter, want);
      total = isEmptySpec(this.spec) || listing.fetched !== undefined ? listing.totalMatching : await this.storeTotal();
    } catch (e) {
      if (generation !== this.generation) return;
      // A remote backend down or slow: the view says so, with the next steps.
      this.listingError = `Listing runs from ${this.backendId} failed: ${e instanceof Error ? e.message : String(e)}`;
      this.listingActions = listingFailureActions(failureKindOf(e), this.backendId);
      // The runs shown stay when the same backend fails again; another backend's runs do not.
      if (this.listedBackend !== this.backendId) {
        this.runs = [];
        this.nextPageToken = undefined;
        this.totalMatching = 0;
        this.fetched = undefined;
        this.listedBackend = this.backendId;
      }
      this.render();
      throw e;
    }
    if (generation !== this.generation) return;
    this.listingError = undefined;
    this.listingActions = [];
    this.listedBackend = this.backendId;
    this.fetched = listing.fetched;
    this.listedFilter = filter;
    this.runs = listing.runs;
    this.nextPageToken = listing.nextPageToken;
    this.totalMatching = listing.totalMatching;
    this.summaryOnly = listing.summaryOnly;
    this.totalInStore = total;
    this.newRuns = 0;
    this.render();
    await this.setContextKeys();
    void this.markSlow(generation);
  }

  /**
   * Asks the trace server which runs shown are slower than their app's p95 over the filter's time
   * range (the last day without one), and what held each up. The embedded store's runs only: for a
   * remote backend it would list every run of each app from it at each refresh.
   */
  private async markSlow(generation: number): Promise<void> {
    if (this.backendId !== embeddedBackend || this.runs.length === 0) {
      if (this.slow.size > 0) this.setSlow(new Map());
      return;
    }
    const now = Date.now();
    const sinceMs = this.listedFilter.sinceMs ?? now - slowWindowMs;
    const windowLabel = this.listedFilter.sinceMs === undefined ? 'last 24 hours' : 'filter\'s time range';
    try {
      const result = await this.client.slowRuns({ appNames: [...new Set(this.runs.map((r) => r.appName))], sinceMs });
      if (generation !== this.generation) return;
      const slow = new Map<string, SlowMark>();
      for (const app of result.apps) for (const run of app.slow) slow.set(run.traceId, { p95Us: app.p95Us, runs: app.runs, windowLabel, ...(run.blame ? { blame: run.blame } : {}) });
      this.setSlow(slow);
    } catch (e) {
      // The marker is extra: the runs are listed without it.
      this.output.warn(`Finding slow runs failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private setSlow(slow: ReadonlyMap<string, SlowMark>): void {
    // The marks shown stay through a refresh: the tree is drawn again only when they changed.
    const same = JSON.stringify([...slow]) === JSON.stringify([...this.slow]);
    this.slow = slow;
    if (!same) this.render();
  }

  async loadMore(): Promise<void> {
    if (this.nextPageToken === undefined) return;
    const generation = ++this.generation;
    const page = await this.client.listRuns({ filter: this.listedFilter, limit: pageSize, pageToken: this.nextPageToken, ...this.backendParam });
    if (generation !== this.generation) return;
    const known = new Set(this.runs.map((r) => r.traceId));
    this.runs = [...this.runs, ...page.runs.filter((r) => !known.has(r.traceId))];
    this.nextPageToken = page.nextPageToken;
    this.totalMatching = page.totalMatching;
    this.render();
    void this.markSlow(generation);
  }

  private async listTop(filter: RunFilter, want: number): Promise<{ runs: RunSummary[]; nextPageToken?: string; totalMatching: number; summaryOnly?: number; fetched?: ListRunsRequest.Result['fetched'] }> {
    const runs: RunSummary[] = [];
    let page: ListRunsRequest.Result | undefined;
    do {
      const pageToken = page?.nextPageToken;
      page = await this.client.listRuns({ filter, limit: Math.min(maxPage, want - runs.length), ...(pageToken === undefined ? {} : { pageToken }), ...this.backendParam });
      runs.push(...page.runs);
    } while (page.nextPageToken !== undefined && runs.length < want);
    return {
      runs,
      totalMatching: page.totalMatching,
      ...(page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken }),
      ...(page.summaryOnly === undefined ? {} : { summaryOnly: page.summaryOnly }),
      ...(page.fetched === undefined ? {} : { fetched: page.fetched }),
    };
  }

  /**
   * Runs in the store, by one small listing: the receiver status's `runs` can lag (the server
   * classifies runs lazily, when they are listed).
   */
  private async storeTotal(): Promise<number> {
    return (await this.client.listRuns({ filter: {}, limit: 1, ...this.backendParam })).totalMatching;
  }

  /**
   * Paused: how many matching runs arrived since the listing shown, as the growth of the matching
   * count (not "started after the newest shown": imported or late runs can be older).
   */
  private async countNewRuns(): Promise<void> {
    const page = await this.client.listRuns({ filter: toRunFilter(this.spec, Date.now()), limit: 1, ...this.backendParam });
    if (this.live) return;
    this.newRuns = Math.max(0, page.totalMatching - this.totalMatching);
    this.render();
  }

  private render(): void {
    this.provider.setContent({
      runs: this.runs,
      grouping: this.grouping,
      remaining: this.nextPageToken === undefined ? 0 : Math.max(1, this.totalMatching - this.runs.length),
      newRuns: this.live ? 0 : this.newRuns,
      actions: this.listingActions,
      slow: this.slow,
    });
    this.treeView.badge = !this.live && this.newRuns > 0 ? { value: this.newRuns, tooltip: `${this.newRuns} new Dify run(s) while live updates are paused` } : undefined;
    this.showText();
  }

  private async setContextKeys(): Promise<void> {
    const filtered = !isEmptySpec(this.spec);
    const storeHasRuns = (this.totalInStore ?? this.totalMatching) > 0;
    await Promise.all([
      vscode.commands.executeCommand('setContext', 'difyTrace.hasRuns', this.runs.length > 0),
      vscode.commands.executeCommand('setContext', 'difyTrace.runsFiltered', filtered),
      // The tree is empty only because of the filter: the welcome content says so, with Clear Filter.
      vscode.commands.executeCommand('setContext', 'difyTrace.runsFilteredOut', filtered && storeHasRuns && this.runs.length === 0),
      vscode.commands.executeCommand('setContext', 'difyTrace.runsLive', this.live),
      vscode.commands.executeCommand('setContext', 'difyTrace.runsGrouping', this.grouping),
      vscode.commands.executeCommand('setContext', 'difyTrace.remoteBackend', this.backendId !== embeddedBackend),
    ]);
  }

  private showStatus(status: ReceiverStatus): void {
    void vscode.commands.executeCommand('setContext', 'difyTrace.receiverState', status.receiver.state);
    this.showText();
  }

  /**
   * The description carries the filter (short), the counts and the backend; the message the whole
   * filter and any receiver problem. VS Code hides the welcome content while a tree view has a
   * message, so the message stays empty while the tree is: the welcome content explains then.
   */
  private showText(): void {
    const status = this.client.lastStatus;
    const counts = {
      shown: this.runs.length,
      matching: this.totalMatching,
      ...(this.totalInStore === undefined ? {} : { total: this.totalInStore }),
      ...(this.summaryOnly === undefined ? {} : { summaryOnly: this.summaryOnly }),
    };
    const remote = this.backendId !== embeddedBackend;
    const problem = this.listingError ?? (status && !remote ? receiverProblem(status.receiver) : undefined);
    const text = runsViewText(this.spec, counts, this.listedBackend, problem, this.fetched);
    this.treeView.description = !remote && (status?.receiver.state === 'starting' || status === undefined) ? 'starting…' : text.description;
    // A failed listing is said even over an empty tree (the welcome content cannot say why).
    this.treeView.message = this.runs.length > 0 || this.listingError !== undefined ? text.message : '';
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const d of this.disposables) d.dispose();
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

/** The kind a trace server failure was typed with (ResponseError data `{kind}`), if any. */
function failureKindOf(e: unknown): string | undefined {
  const data = (e as { data?: unknown } | null)?.data;
  const kind = typeof data === 'object' && data !== null ? (data as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' ? kind : undefined;
}
