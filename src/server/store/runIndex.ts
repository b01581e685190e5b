import type { Span } from '../../model/span';
import { asTraceId, type TraceId } from '../../model/units';
import { detectRun } from '../../dify/detectRun';
import type { RunFilter, RunSummary } from '../../shared/runSummary';
import type { DifyIdKind } from '../../shared/traceLookup';
import type { TraceStore } from './traceStore';

export interface RunPage {
  readonly runs: readonly RunSummary[];
  readonly nextPageToken?: string;
  readonly totalMatching: number;
}

/** Newest first; trace id breaks ties so paging is stable. */
function compareRuns(a: RunSummary, b: RunSummary): number {
  return b.startMs - a.startMs || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0);
}

/** Whether other data of a trace (its log records) contains the text; undefined when there is none. */
export type TraceTextMatcher = (traceId: string, needle: string) => boolean;

function matches(run: RunSummary, filter: RunFilter, textOfTrace: TraceTextMatcher | undefined): boolean {
  if (filter.status && filter.status.length > 0 && !filter.status.includes(run.status)) return false;
  if (filter.appName !== undefined && run.appName !== filter.appName) return false;
  if (filter.sinceMs !== undefined && run.startMs < filter.sinceMs) return false;
  if (filter.text) {
    const needle = filter.text.toLowerCase();
    const haystack = [run.appName, run.runId ?? '', run.traceId, run.errorMessage ?? '', run.failingNode?.title ?? '', run.rootCause?.name ?? '', run.errorKind ?? ''];
    const inSummary = haystack.some((h) => h.toLowerCase().includes(needle));
    // Log records count too: a plugin's traceback often survives only in the API's error log.
    const inLogs = () => textOfTrace !== undefined && [run.traceId, ...run.linkedTraceIds].some((id) => textOfTrace(id, filter.text!));
    if (!inSummary && !inLogs()) return false;
  }
  return true;
}

/**
 * Dify runs recognised in the store, recomputed lazily: the receiver only marks traces dirty, so
 * ingest never pays for classification and a burst of spans for one trace is classified once.
 */
export class RunIndex {
  private readonly runs = new Map<TraceId, RunSummary | undefined>();
  private readonly dirty = new Set<TraceId>();
  /** Infrastructure trace id → app-level traces whose Trace Link names it. */
  private readonly linkedBy = new Map<string, Set<TraceId>>();

  constructor(
    private readonly store: TraceStore,
    private readonly textOfTrace?: TraceTextMatcher,
  ) {}

  /** Marks traces changed, and the runs that link to them: a late infrastructure half changes their root cause. */
  markChanged(traceIds: Iterable<TraceId>): TraceId[] {
    const changed: TraceId[] = [];
    for (const id of traceIds) {
      this.dirty.add(id);
      changed.push(id);
      for (const linker of this.linkedBy.get(id) ?? []) {
        this.dirty.add(linker);
        changed.push(linker);
      }
    }
    return changed;
  }

  remove(traceIds: Iterable<TraceId>): void {
    for (const id of traceIds) {
      this.runs.delete(id);
      this.dirty.delete(id);
    }
  }

  runOf(traceId: TraceId): RunSummary | undefined {
    this.refresh();
    return this.runs.get(traceId);
  }

  /** App-level runs whose Trace Link points at this (infrastructure) trace. */
  linkersOf(traceId: string): RunSummary[] {
    this.refresh();
    return [...(this.linkedBy.get(traceId) ?? [])].map((id) => this.runs.get(id)).filter((r): r is RunSummary => r !== undefined);
  }

  list(filter: RunFilter, limit: number, pageToken?: string): RunPage {
    const matching = this.listedRuns().filter((r) => matches(r, filter, this.textOfTrace)).sort(compareRuns);
    let start = 0;
    if (pageToken !== undefined) {
      const [ms, traceId] = pageToken.split(':');
      const cursor = { startMs: Number(ms), traceId: traceId ?? '' } as RunSummary;
      start = matching.findIndex((r) => compareRuns(r, cursor) > 0);
      if (start < 0) start = matching.length;
    }
    const runs = matching.slice(start, start + limit);
    const last = runs.at(-1);
    const more = start + limit < matching.length && last !== undefined;
    return { runs, totalMatching: matching.length, ...(more ? { nextPageToken: `${last.startMs}:${last.traceId}` } : {}) };
  }

  /**
   * Runs one of whose Dify ids is this id, newest first. Compared as 32 hex digits, so a UUID
   * written without dashes (as Dify's Aliyun exporter turns it into a trace id) matches too.
   * A linear scan: about 1 ms per 20k runs, well under the lookup's budget.
   */
  findByDifyId(id: string): { readonly run: RunSummary; readonly matchedBy: DifyIdKind }[] {
    const wanted = id.replaceAll('-', '').toLowerCase();
    const same = (value: string | undefined) => value !== undefined && value.replaceAll('-', '').toLowerCase() === wanted;
    const found: { run: RunSummary; matchedBy: DifyIdKind }[] = [];
    for (const run of this.listedRuns().sort(compareRuns)) {
      const matchedBy: DifyIdKind | undefined = same(run.workflowRunId)
        ? 'workflowRunId'
        : same(run.messageId)
          ? 'messageId'
          : same(run.conversationId)
            ? 'conversationId'
            : same(run.runId)
              ? run.messageId === undefined && run.workflowRunId === undefined && run.kind !== 'workflow' ? 'messageId' : 'workflowRunId'
              : undefined;
      if (matchedBy !== undefined) found.push({ run, matchedBy });
    }
    return found;
  }

  /** Every run as the Runs view lists it: an infrastructure trace that an app-level run links to is shown inside that run, not twice. */
  private listedRuns(): RunSummary[] {
    this.refresh();
    const all = [...this.runs.values()].filter((r): r is RunSummary => r !== undefined);
    const linked = new Set(all.flatMap((r) => r.linkedTraceIds));
    return all.filter((r) => !(r.source === 'infrastructure' && linked.has(r.traceId)));
  }

  private refresh(): void {
    const linkedSpans = (id: string): readonly Span[] | undefined => {
      const traceId = asTraceId(id);
      return traceId === undefined ? undefined : this.store.spansOf(traceId);
    };
    for (const traceId of this.dirty) {
      for (const id of this.runs.get(traceId)?.linkedTraceIds ?? []) this.linkedBy.get(id)?.delete(traceId);
      const spans = this.store.spansOf(traceId);
      const run = spans === undefined ? undefined : detectRun(traceId, spans, linkedSpans);
      if (spans === undefined) this.runs.delete(traceId);
      else this.runs.set(traceId, run);
      for (const id of run?.linkedTraceIds ?? []) {
        const linkers = this.linkedBy.get(id) ?? new Set<TraceId>();
        linkers.add(traceId);
        this.linkedBy.set(id, linkers);
      }
    }
    this.dirty.clear();
  }
}
