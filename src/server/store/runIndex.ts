import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';
import { asTraceId, type TraceId } from '../../model/units';
import { detectRun } from '../../dify/detectRun';
import type { RunFacets, RunFilter, RunSummary } from '../../shared/runSummary';
import type { DifyIdKind } from '../../shared/traceLookup';
import { KeywordIndex, type KeywordIndexStats } from './keywordIndex';
import { runEntry, type RunEntry } from './runEntry';
import { FacetCounter } from './runFacets';
import { afterCursor, compareRuns, fieldPredicate, normaliseId, pageToken, timeWindow, type EntryPredicate } from './runFilter';
import { SummaryScan } from './summaryScan';
import { parseKeyword } from './textTokens';
import type { TraceStore } from './traceStore';

export interface RunPage {
  readonly runs: readonly RunSummary[];
  readonly nextPageToken?: string;
  readonly totalMatching: number;
}

/** A trace's log records, if any (the log store); the keyword searches them too. */
export type TraceLogs = (traceId: string) => readonly LogRecord[] | undefined;

/**
 * Dify runs recognised in the store, recomputed lazily: the receiver only marks traces dirty, so
 * ingest never pays for classification and a burst of spans for one trace is classified once.
 *
 * Listing walks the runs newest first (kept sorted between changes), only those inside the time
 * range (binary search), testing each filter field on the run's entry and the keyword through the
 * keyword index; it counts every match, so `totalMatching` is exact. The keyword index is brought
 * up to date only when a keyword is asked (the first such query reads every trace once).
 */
export class RunIndex {
  private readonly entries = new Map<TraceId, RunEntry | undefined>();
  private readonly dirty = new Set<TraceId>();
  /** Infrastructure trace id → app-level traces whose Trace Link names it. */
  private readonly linkedBy = new Map<string, Set<TraceId>>();
  /** Dashless lower-case workflow run / message / conversation id → the traces of its runs. */
  private readonly byDifyId = new Map<string, Set<TraceId>>();
  private readonly keywords = new KeywordIndex();
  /** Traces whose spans or log records changed since the keyword index last read them. */
  private readonly textDirty = new Set<string>();
  /** Listed runs, newest first; undefined when a change made it stale. */
  private listed: RunEntry[] | undefined;
  private lastListedCount = 0;
  /** The listed runs' summaries for keyword scans; undefined when stale, like `listed`. */
  private summaries: SummaryScan | undefined;

  constructor(
    private readonly store: TraceStore,
    private readonly logsOf: TraceLogs = () => undefined,
  ) {}

  /** Marks traces changed, and the runs that link to them: a late infrastructure half changes their root cause. */
  markChanged(traceIds: Iterable<TraceId>): TraceId[] {
    const changed: TraceId[] = [];
    for (const id of traceIds) {
      this.dirty.add(id);
      this.textDirty.add(id);
      changed.push(id);
      for (const linker of this.linkedBy.get(id) ?? []) {
        this.dirty.add(linker);
        changed.push(linker);
      }
    }
    return changed;
  }

  /** Log records of these traces arrived or were dropped: only the keyword index cares. */
  markLogsChanged(traceIds: Iterable<string>): void {
    for (const id of traceIds) this.textDirty.add(id);
  }

  remove(traceIds: Iterable<TraceId>): void {
    for (const id of traceIds) {
      this.unlink(id, this.entries.get(id));
      this.entries.delete(id);
      this.dirty.delete(id);
      this.textDirty.delete(id);
      this.keywords.remove(id);
      this.listed = undefined;
    }
  }

  runOf(traceId: TraceId): RunSummary | undefined {
    this.refresh();
    return this.entries.get(traceId)?.run;
  }

  /** App-level runs whose Trace Link points at this (infrastructure) trace. */
  linkersOf(traceId: string): RunSummary[] {
    this.refresh();
    return [...(this.linkedBy.get(traceId) ?? [])].map((id) => this.entries.get(id)?.run).filter((r): r is RunSummary => r !== undefined);
  }

  list(filter: RunFilter, limit: number, token?: string): RunPage {
    const runs = this.listedEntries();
    const keep = this.predicate(filter);
    const { from, to } = timeWindow(runs, filter);
    const start = afterCursor(runs, token);
    const page: RunSummary[] = [];
    let totalMatching = 0;
    let afterStart = 0;
    for (let i = from; i < to; i++) {
      const entry = runs[i]!;
      if (keep !== undefined && !keep(entry, i)) continue;
      totalMatching++;
      if (i < start) continue;
      afterStart++;
      if (page.length < limit) page.push(entry.run);
    }
    const last = page.at(-1);
    return { runs: page, totalMatching, ...(afterStart > limit && last !== undefined ? { nextPageToken: pageToken(last) } : {}) };
  }

  /** Per filter field, how many of the runs matching `filter` have each value. */
  facets(filter: RunFilter): RunFacets {
    const runs = this.listedEntries();
    const keep = this.predicate(filter);
    const { from, to } = timeWindow(runs, filter);
    const counter = new FacetCounter();
    for (let i = from; i < to; i++) if (keep === undefined || keep(runs[i]!, i)) counter.add(runs[i]!);
    return counter.result();
  }

  /** Runs as of the last listing: cheap, for status updates, which must not classify on every batch. */
  knownRunCount(): number {
    return this.listed?.length ?? this.lastListedCount;
  }

  /**
   * Runs one of whose Dify ids is this id, newest first. Compared as 32 hex digits, so a UUID
   * written without dashes (as Dify's Aliyun exporter turns it into a trace id) matches too.
   */
  findByDifyId(id: string): { readonly run: RunSummary; readonly matchedBy: DifyIdKind }[] {
    this.refresh();
    const wanted = normaliseId(id);
    const same = (value: string | undefined) => value !== undefined && normaliseId(value) === wanted;
    const found: { run: RunSummary; matchedBy: DifyIdKind }[] = [];
    const runs = [...(this.byDifyId.get(wanted) ?? [])].map((t) => this.entries.get(t)).filter((e): e is RunEntry => e !== undefined && this.isListed(e));
    for (const { run } of runs.sort((a, b) => compareRuns(a.run, b.run))) {
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

  /** Brings the keyword index up to date and reports its size (for the benchmark). */
  keywordIndexStats(): KeywordIndexStats {
    this.catchUpText();
    return this.keywords.stats();
  }

  private predicate(filter: RunFilter): EntryPredicate | undefined {
    const fields = fieldPredicate(filter);
    const keyword = filter.text === undefined ? undefined : this.keywordPredicate(filter.text);
    if (keyword === undefined) return fields;
    if (fields === undefined) return keyword;
    return (e, i) => fields(e, i) && keyword(e, i);
  }

  /** Every term must occur in the run's ids, app or error (substring), or in one of its traces (keyword index). */
  private keywordPredicate(text: string): EntryPredicate | undefined {
    const terms = parseKeyword(text);
    if (terms.length === 0) return undefined;
    this.catchUpText();
    const listed = this.listedEntries();
    this.summaries ??= new SummaryScan(listed);
    const prepared = terms.map((term) => ({ term: this.keywords.prepare(term), inSummary: this.summaries!.hits(term.text) }));
    const keywords = this.keywords;
    // Plain loops: this runs for every run in the time range, and closures per run showed in profiles.
    return (e, i) => {
      for (const p of prepared) {
        if (p.inSummary[i] === 1) continue;
        let found = false;
        for (const id of e.traceIds) {
          if (keywords.matches(id, p.term)) {
            found = true;
            break;
          }
        }
        if (!found) return false;
      }
      return true;
    };
  }

  private catchUpText(): void {
    for (const id of this.textDirty) {
      const traceId = asTraceId(id);
      this.keywords.update(id, traceId === undefined ? undefined : this.store.spansOf(traceId), this.logsOf(id));
    }
    this.textDirty.clear();
  }

  /** An infrastructure trace that an app-level run links to is shown inside that run, not twice. */
  private isListed(entry: RunEntry): boolean {
    if (entry.run.source !== 'infrastructure') return true;
    for (const linker of this.linkedBy.get(entry.run.traceId) ?? []) if (this.entries.get(linker) !== undefined) return false;
    return true;
  }

  private listedEntries(): RunEntry[] {
    this.refresh();
    if (this.listed === undefined) {
      const listed: RunEntry[] = [];
      for (const entry of this.entries.values()) if (entry !== undefined && this.isListed(entry)) listed.push(entry);
      this.listed = listed.sort((a, b) => compareRuns(a.run, b.run));
      this.summaries = undefined;
      this.lastListedCount = listed.length;
    }
    return this.listed;
  }

  private refresh(): void {
    if (this.dirty.size === 0) return;
    const spansOf = (id: string): readonly Span[] | undefined => {
      const traceId = asTraceId(id);
      return traceId === undefined ? undefined : this.store.spansOf(traceId);
    };
    for (const traceId of this.dirty) {
      this.unlink(traceId, this.entries.get(traceId));
      const spans = this.store.spansOf(traceId);
      const run = spans === undefined ? undefined : detectRun(traceId, spans, spansOf);
      const entry = run === undefined ? undefined : runEntry(run, spansOf);
      if (spans === undefined) this.entries.delete(traceId);
      else this.entries.set(traceId, entry);
      if (entry !== undefined) this.link(traceId, entry.run);
    }
    this.dirty.clear();
    this.listed = undefined;
  }

  private link(traceId: TraceId, run: RunSummary): void {
    for (const id of run.linkedTraceIds) {
      const linkers = this.linkedBy.get(id) ?? new Set<TraceId>();
      linkers.add(traceId);
      this.linkedBy.set(id, linkers);
    }
    for (const id of new Set([run.workflowRunId, run.messageId, run.conversationId, run.runId])) {
      if (id === undefined || id === '') continue;
      const key = normaliseId(id);
      const traces = this.byDifyId.get(key) ?? new Set<TraceId>();
      traces.add(traceId);
      this.byDifyId.set(key, traces);
    }
  }

  private unlink(traceId: TraceId, entry: RunEntry | undefined): void {
    if (entry === undefined) return;
    const { run } = entry;
    for (const id of run.linkedTraceIds) {
      const linkers = this.linkedBy.get(id);
      linkers?.delete(traceId);
      if (linkers?.size === 0) this.linkedBy.delete(id);
    }
    for (const id of [run.workflowRunId, run.messageId, run.conversationId, run.runId]) {
      if (id === undefined || id === '') continue;
      const key = normaliseId(id);
      const traces = this.byDifyId.get(key);
      traces?.delete(traceId);
      if (traces?.size === 0) this.byDifyId.delete(key);
    }
  }
}
