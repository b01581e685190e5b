import type { Span } from '../../model/span';
import type { TraceWarning } from '../../model/traceWarning';
import { asTraceId, type TraceId } from '../../model/units';
import type { ExportTraceRequest, FindTracesRequest, GetTraceRequest, ListRunsRequest, RunFacetsRequest, SpanCounterpart } from '../../shared/lspProtocol';
import type { TraceSpans } from './traceSpans';
import type { LogStore } from '../store/logStore';
import type { RunIndex } from '../store/runIndex';
import type { TraceStore } from '../store/traceStore';
import type { TraceBackend } from './traceBackend';
import { toTraceSnapshot } from '../../shared/traceSnapshotCodec';
import { matchCounterparts } from '../../dify/counterparts';
import { aliyunNodeSpanId } from './aliyunIds';
import { exportTrace, type GatheredTrace } from '../exchange/traceExport';
import { nextTurn } from '../turns';

/** Spans from which reading a trace gives other requests a turn before matching its halves. */
const largeTraceSpans = 10_000;

/** Reads what the embedded OTLP receiver stored. */
export class EmbeddedBackend implements TraceBackend {
  readonly id = 'embedded';

  constructor(
    private readonly store: TraceStore,
    private readonly runs: RunIndex,
    private readonly logs: LogStore,
    private readonly rejectedSpansOf: (traceId: TraceId) => number = () => 0,
    /** Spans of a trace not held in memory (past the store's bound), and whether the database has them. */
    private readonly pastBoundOf: (traceId: TraceId) => { readonly count: number; readonly onDisk: boolean } = () => ({ count: 0, onDisk: false }),
    /** Brings traces that are not in memory back from the trace database, if it has them. */
    private readonly recall: (traceIds: readonly TraceId[]) => unknown = () => undefined,
    /** Runs classified now for a reader (their classification was put off): the Runs view lists them again. */
    private readonly classifiedNow: (traceIds: readonly TraceId[]) => void = () => undefined,
  ) {}

  async listRuns(params: ListRunsRequest.Params): Promise<ListRunsRequest.Result> {
    return this.runs.list(params.filter, Math.max(1, Math.min(params.limit, 1000)), params.pageToken);
  }

  async findTraces(query: FindTracesRequest.Params): Promise<FindTracesRequest.Result> {
    // The panel that opens what is found classifies its run up to date; the lookup names it.
    return this.runs.forLookup(() => this.find(query));
  }

  private find(query: FindTracesRequest.Params): FindTracesRequest.Result {
    const found = new Map<string, FindTracesRequest.Match>();
    const add = (match: FindTracesRequest.Match) => {
      if (!found.has(match.traceId)) found.set(match.traceId, match);
    };
    // A UUID is most often a Dify id; a 32-hex id may be one too, written without dashes.
    const difyId = query.kind === 'difyId' ? query.uuid : query.traceId;
    for (const { run, matchedBy } of this.runs.findByDifyId(difyId)) add({ traceId: run.traceId, run, matchedBy });
    const traceId = asTraceId(query.kind === 'difyId' ? query.traceIdCandidate : query.traceId);
    if (traceId !== undefined) {
      // A trace that left memory (or a restart did not load) may be in the trace database.
      if (this.store.spansOf(traceId) === undefined && this.runs.runOf(traceId) === undefined && this.runs.linkersOf(traceId).length === 0) this.recall([traceId]);
      const run = this.runs.runOf(traceId);
      // An infrastructure trace opens as the app run that links to it (its Trace Link), also when
      // its own spans were not sampled and only the link names it.
      const linkers = this.runs.linkersOf(traceId);
      for (const linker of linkers) add({ traceId: linker.traceId, run: linker, matchedBy: 'traceId' });
      if (linkers.length === 0 && run !== undefined) add({ traceId, run, matchedBy: 'traceId' });
      else if (linkers.length === 0 && this.store.spansOf(traceId) !== undefined) add({ traceId, matchedBy: 'traceId' });
    }
    return { matches: [...found.values()], searched: [this.id] };
  }

  async runFacets(params: RunFacetsRequest.Params): Promise<RunFacetsRequest.Result> {
    return this.runs.facets(params.filter);
  }

  async getTrace(params: GetTraceRequest.Params): Promise<GetTraceRequest.Result> {
    const trace = await this.traceSpans(params);
    if (trace === null) return null;
    const snapshot = toTraceSnapshot(trace.traceIds, trace.spans, trace.warnings, trace.run, trace.logs);
    // Not read here: `in` does not call the getter.
    return 'counterparts' in trace ? withLazyCounterparts(snapshot, () => trace.counterparts ?? []) : snapshot;
  }

  /**
   * The trace with its linked traces and log records, the spans as the store holds them. Its
   * span-level Trace Links are matched when first read (`counterparts`): only a span's details, and
   * the snapshot sent to the editor, need them (a third of a second for a 100k-span run).
   */
  async traceSpans(params: GetTraceRequest.Params): Promise<TraceSpans | null> {
    const gathered = this.gather(params.traceId);
    if (gathered === undefined) return null;
    const { traceId, traceIds, spans, logs, run } = gathered;
    // A linked trace that has not arrived is reported once, in the run's gaps.
    const warnings: TraceWarning[] = [];
    const rejected = traceIds.reduce((n, id) => n + this.rejectedSpansOf(id as TraceId), 0);
    if (rejected > 0) {
      warnings.push({ kind: 'rejectedSpans', count: rejected, message: `${rejected} span(s) of this trace were refused by the receiver (empty or all-zero span id), so the tree is incomplete.` });
    }
    const pastBound = traceIds.map((id) => this.pastBoundOf(id as TraceId)).filter((p) => p.count > 0);
    const notHeld = pastBound.reduce((n, p) => n + p.count, 0);
    if (notHeld > 0) {
      const where = pastBound.every((p) => p.onDisk) ? 'they are in the trace database, not shown here' : 'they were not kept';
      warnings.push({ kind: 'pastStoreBound', count: notHeld, message: `${notHeld} span(s) of this trace arrived after it reached the trace server's memory bound (difyTrace.store.maxSpans, difyTrace.store.maxMemoryMiB): ${where}. Raise the bound to see them.` });
    }
    const trace: TraceSpans = { traceIds, spans, logs, warnings, ...(run ? { run } : {}) };
    // A large trace takes a while to read: requests that arrived meanwhile go first.
    if (spans.length >= largeTraceSpans) await nextTurn();
    // The app-level half is the requested trace when it holds a run, else the run that links to it.
    const appTraceId = run !== undefined && run.source !== 'infrastructure' ? traceId : this.runs.linkersOf(traceId)[0]?.traceId;
    if (appTraceId === undefined || traceIds.length < 2) return trace;
    return withLazyCounterparts(trace, () => matchCounterparts(spans.filter((s) => s.traceId === appTraceId), spans.filter((s) => s.traceId !== appTraceId), aliyunNodeSpanId));
  }

  async exportTrace(params: ExportTraceRequest.Params): Promise<ExportTraceRequest.Result> {
    const gathered = this.gather(params.traceId);
    return gathered === undefined ? null : exportTrace(gathered);
  }

  /** A trace with the traces its run links to (or that link to it), and their log records, as a panel shows them. */
  private gather(id: string): (GatheredTrace & { readonly traceId: TraceId; readonly traceIds: readonly string[] }) | undefined {
    const traceId = asTraceId(id);
    if (traceId === undefined) return undefined;
    // A run kept on disk only (evicted from memory, or not loaded after a restart) comes back whole,
    // its linked traces with it, before it is classified again from them.
    const kept = this.runs.runOf(traceId);
    const wanted = [traceId, ...(kept?.linkedTraceIds ?? []), ...this.runs.linkersOf(traceId).map((r) => r.traceId)].flatMap((r) => {
      const wantedId = asTraceId(r);
      return wantedId !== undefined && this.store.spansOf(wantedId) === undefined ? [wantedId] : [];
    });
    if (wanted.length > 0) this.recall(wanted);
    const own = this.store.spansOf(traceId);
    if (own === undefined) return undefined;
    // A panel shows the run as its spans say now, not as a classification put off while they grew.
    const classified = this.runs.classifyNow([traceId]);
    if (classified.length > 0) this.classifiedNow(classified);
    const run = this.runs.runOf(traceId);
    const related = [...(run?.linkedTraceIds ?? []), ...this.runs.linkersOf(traceId).map((r) => r.traceId)];
    const traceIds: string[] = [traceId];
    const spans: Span[] = [...own];
    for (const relatedId of related) {
      const linkedId = asTraceId(relatedId);
      const linkedSpans = linkedId === undefined ? undefined : this.store.spansOf(linkedId);
      if (linkedSpans !== undefined && !traceIds.includes(relatedId)) {
        traceIds.push(relatedId);
        for (const span of linkedSpans) spans.push(span);
      }
    }
    // Records of the run's traces, also of a linked trace whose spans never arrived: Dify's log
    // records carry the request's trace id whether or not the sampler kept its spans.
    const logs = [...new Set([...traceIds, ...related])].flatMap((t) => this.logs.logsOf(t) ?? []).sort((a, b) => a.timeUs - b.timeUs);
    return { traceId, traceIds, spans, logs, run };
  }
}

/** `value` with `counterparts` matched when first read (JSON.stringify reads it too: the snapshot crosses to the editor whole). */
function withLazyCounterparts<T extends object>(value: T, match: () => readonly SpanCounterpart[]): T & { readonly counterparts: readonly SpanCounterpart[] } {
  let matched: readonly SpanCounterpart[] | undefined;
  return Object.defineProperty(value, 'counterparts', { enumerable: true, get: () => (matched ??= match()) }) as T & { readonly counterparts: readonly SpanCounterpart[] };
}
