import type { Span } from '../../../model/span';
import { asTraceId, type TraceId } from '../../../model/units';
import type { ExportTraceRequest, FindTracesRequest, GetTraceRequest, ListRunsRequest, RunFacetsRequest } from '../../../shared/lspProtocol';
import type { RunFilter } from '../../../shared/runSummary';
import { unseenSpans } from '../../exchange/alreadyStored';
import { LogStore } from '../../store/logStore';
import { MemoryTraceStore } from '../../store/memoryTraceStore';
import { RunIndex } from '../../store/runIndex';
import { EmbeddedBackend } from '../embeddedBackend';
import type { TraceBackend } from '../traceBackend';
import type { TraceSource } from './traceSource';

export interface RemoteBackendOptions {
  /** Traces fetched per search (the most recent in the filter's time range). */
  readonly searchLimit?: number;
  /** Without a time range in the filter, how far back the search goes. */
  readonly defaultLookbackMs?: number;
  /** A search of the same range is not repeated within this time (paging, facets, a refresh burst). */
  readonly searchReuseMs?: number;
  readonly now?: () => number;
  /**
   * The spans of a trace that the other backends hold: the trace a run links to (Trace Link across
   * backends: an app-level run in Phoenix, its infrastructure trace in Jaeger), and the rest of a
   * trace split between backends (Dify's Phoenix exporter runs inside the worker's task span, so
   * its trace id is also the worker's infrastructure trace).
   */
  readonly elsewhere?: (traceId: TraceId, signal?: AbortSignal) => Promise<readonly Span[] | undefined>;
}

/** What a listing fetched from the remote backend before filtering (ListRunsRequest.Result.fetched). */
export type FetchedTraces = NonNullable<ListRunsRequest.Result['fetched']>;

/**
 * A remote trace store behind the same contract as the embedded one. Traces are fetched from the
 * source (a search by time for listings, one trace by id for a panel or a lookup, with the traces
 * its run links to) into a bounded cache, where the same run index classifies them: status, app,
 * failing node, root cause and Trace Link come out as they do for the receiver. Filters the source
 * cannot apply (all but time, for now) are applied here, after fetching, and the result says so.
 */
export class RemoteBackend implements TraceBackend {
  private readonly store = new MemoryTraceStore({ maxSpans: 300_000, maxBytes: 512 * 1024 * 1024 });
  private readonly logs = new LogStore(0);
  private readonly runs = new RunIndex(this.store);
  private readonly reader = new EmbeddedBackend(this.store, this.runs, this.logs);
  private lastSearch: { readonly sinceMs: number; readonly untilMs: number; readonly atMs: number; readonly fetched: FetchedTraces } | undefined;
  private readonly searchLimit: number;
  private readonly lookbackMs: number;
  private readonly reuseMs: number;
  private readonly now: () => number;
  private readonly elsewhere: NonNullable<RemoteBackendOptions['elsewhere']>;
  /** Traces the other backends were asked for already (bounded: cleared when large). */
  private readonly askedElsewhere = new Set<TraceId>();

  constructor(
    readonly id: string,
    readonly source: TraceSource,
    options: RemoteBackendOptions = {},
  ) {
    this.searchLimit = options.searchLimit ?? source.defaultSearchLimit ?? 2_000;
    this.lookbackMs = options.defaultLookbackMs ?? 24 * 3_600_000;
    this.reuseMs = options.searchReuseMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.elsewhere = options.elsewhere ?? (async () => undefined);
  }

  async listRuns(params: ListRunsRequest.Params, signal?: AbortSignal): Promise<ListRunsRequest.Result> {
    // Later pages continue the listing the first page fetched.
    const fetched = params.pageToken === undefined || this.lastSearch === undefined ? await this.searchFor(params.filter, signal) : this.lastSearch.fetched;
    const window = timeOf(params.filter, this.now(), this.lookbackMs);
    // Only what the search covered: runs cached from an earlier, wider search are not this listing's.
    const page = await this.reader.listRuns({ ...params, filter: { ...params.filter, sinceMs: window.sinceMs, untilMs: window.untilMs } });
    return { ...page, fetched };
  }

  async runFacets(params: RunFacetsRequest.Params, signal?: AbortSignal): Promise<RunFacetsRequest.Result> {
    await this.searchFor(params.filter, signal);
    const window = timeOf(params.filter, this.now(), this.lookbackMs);
    return this.reader.runFacets({ filter: { ...params.filter, sinceMs: window.sinceMs, untilMs: window.untilMs } });
  }

  async getTrace(params: GetTraceRequest.Params, signal?: AbortSignal): Promise<GetTraceRequest.Result> {
    return (await this.ensure(params.traceId, signal)) ? this.reader.getTrace(params) : null;
  }

  async exportTrace(params: ExportTraceRequest.Params, signal?: AbortSignal): Promise<ExportTraceRequest.Result> {
    return (await this.ensure(params.traceId, signal)) ? this.reader.exportTrace(params) : null;
  }

  /**
   * A trace id is asked of the source; a Dify run id is found among the runs fetched so far (the
   * Aliyun exporter's trace id is the workflow run id without dashes, which the query carries as
   * `traceIdCandidate`, so that one is asked of the source too).
   */
  async findTraces(query: FindTracesRequest.Params, signal?: AbortSignal): Promise<FindTracesRequest.Result> {
    const candidate = query.kind === 'difyId' ? query.traceIdCandidate : query.traceId;
    // A lookup only needs the run: the other backends are asked for the rest when it is opened (each
    // of them is asked the lookup itself by the registry).
    if (candidate !== undefined) await this.ensure(candidate, signal, false);
    const found = await this.reader.findTraces(query);
    return { ...found, searched: [this.id] };
  }

  /** The trace's address in the backend's own UI, for "Open in Trace Backend". */
  uiUrl(traceId: string): string {
    return this.source.uiUrl(traceId);
  }

  /** Whether this backend's cache holds the trace (it was listed or opened from here). */
  holds(traceId: string): boolean {
    const id = asTraceId(traceId);
    return id !== undefined && this.store.spansOf(id) !== undefined;
  }

  private async searchFor(filter: RunFilter, signal: AbortSignal | undefined): Promise<FetchedTraces> {
    const nowMs = this.now();
    const window = timeOf(filter, nowMs, this.lookbackMs);
    const last = this.lastSearch;
    if (last !== undefined && nowMs - last.atMs < this.reuseMs && last.sinceMs <= window.sinceMs && last.untilMs >= window.untilMs) return last.fetched;
    const spans = await this.source.search({ ...window, limit: this.searchLimit }, signal);
    this.add(spans);
    const traces = new Set(spans.map((s) => s.traceId)).size;
    const fetched: FetchedTraces = { source: this.source.label, traces, limit: this.searchLimit, sinceMs: window.sinceMs, untilMs: window.untilMs };
    this.lastSearch = { ...window, atMs: nowMs, fetched };
    return fetched;
  }

  /**
   * Fetches a trace unless cached, with what the other backends hold of it, then the traces its run
   * links to (its Trace Link), from this backend or the others, so a panel shows both halves.
   */
  private async ensure(id: string, signal: AbortSignal | undefined, fromElsewhere = true): Promise<boolean> {
    const traceId = asTraceId(id);
    if (traceId === undefined) return false;
    if (this.store.spansOf(traceId) === undefined) {
      const spans = await this.source.trace(traceId, signal);
      if (spans === undefined) return false;
      this.add(spans);
    }
    if (fromElsewhere) await this.completeFromElsewhere([traceId], signal);
    const run = this.runs.runOf(traceId);
    const linked = (run?.linkedTraceIds ?? []).flatMap((l) => {
      const linkedId = asTraceId(l);
      return linkedId !== undefined && this.store.spansOf(linkedId) === undefined ? [linkedId] : [];
    });
    // A linked trace that is not there is the run's gap to report, not a failure of this one.
    const fetched = await Promise.all(linked.map((l) => this.source.trace(l, signal).catch(() => undefined)));
    for (const spans of fetched) if (spans !== undefined) this.add(spans);
    if (fromElsewhere) await this.completeFromElsewhere(linked, signal);
    return true;
  }

  /** Adds what the other backends hold of these traces, once per trace. */
  private async completeFromElsewhere(traceIds: readonly TraceId[], signal: AbortSignal | undefined): Promise<void> {
    const ask = traceIds.filter((t) => !this.askedElsewhere.has(t));
    if (this.askedElsewhere.size + ask.length > 10_000) this.askedElsewhere.clear();
    for (const t of ask) this.askedElsewhere.add(t);
    const found = await Promise.all(ask.map((t) => this.elsewhere(t, signal).catch(() => undefined)));
    for (const spans of found) if (spans !== undefined) this.add(spans);
  }

  private add(spans: readonly Span[]): void {
    const fresh = unseenSpans(spans, (id) => this.store.spansOf(id as TraceId));
    if (fresh.length === 0) return;
    const { touched, evicted } = this.store.add(fresh);
    this.runs.remove(evicted);
    this.runs.markChanged(touched);
  }
}

function timeOf(filter: RunFilter, nowMs: number, lookbackMs: number): { sinceMs: number; untilMs: number } {
  const untilMs = filter.untilMs ?? nowMs;
  return { sinceMs: filter.sinceMs ?? untilMs - lookbackMs, untilMs };
}
