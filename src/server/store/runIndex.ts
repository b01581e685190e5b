import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';
import { asTraceId, type TraceId } from '../../model/units';
import { detectRun } from '../../dify/detectRun';
import type { RunFacets, RunFilter, RunSummary } from '../../shared/runSummary';
import type { DifyIdKind } from '../../shared/traceLookup';
import type { KeywordIndexStats } from './keywordIndex';
import { ListedRuns } from './listedRuns';
import { runEntry, type RunEntry } from './runEntry';
import { FacetCounter } from './runFacets';
import { afterCursor, compareRuns, fieldPredicate, normaliseId, pageToken, timeWindow, type EntryPredicate } from './runFilter';
import { RunKeywords } from './runKeywords';
import type { TraceStore } from './traceStore';

export interface RunPage {
  readonly runs: readonly RunSummary[];
  readonly nextPageToken?: string;
  readonly totalMatching: number;
}

/** A trace's log records, if any (the log store); the keyword searches them too. */
export type TraceLogs = (traceId: string) => readonly LogRecord[] | undefined;

/** Above this many changed runs at once, the listed runs are re-sorted rather than moved one by one. */
const maxIncrementalChanges = 256;

/**
 * Dify runs recognised in the store, recomputed lazily: the receiver only marks traces dirty, so
 * ingest never pays for classification and a burst of spans for one trace is classified once.
 *
 * Listing walks the listed runs newest first (kept sorted as runs change), only those inside the
 * time range (binary search), testing each filter field on the run's entry and the keyword through
 * the keyword index; it counts every match, so `totalMatching` is exact.
 */
export class RunIndex {
  private readonly entries = new Map<TraceId, RunEntry | undefined>();
  private readonly dirty = new Set<TraceId>();
  /** Infrastructure trace id → app-level traces whose Trace Link names it. */
  private readonly linkedBy = new Map<string, Set<TraceId>>();
  /** Dashless lower-case workflow run / message / conversation id → the traces of its runs. */
  private readonly byDifyId = new Map<string, Set<TraceId>>();
  private readonly keywords: RunKeywords;
  /** Undefined until the first listing, and after too many changes at once. */
  private listed: ListedRuns | undefined;
  private lastListedCount = 0;

  constructor(
    private readonly store: TraceStore,
    logsOf: TraceLogs = () => undefined,
  ) {
    this.keywords = new RunKeywords((id) => this.spansOf(id), logsOf);
  }

  /** Marks traces changed, and the runs that link to them: a late infrastructure half changes their root cause. */
  markChanged(traceIds: Iterable<TraceId>): TraceId[] {
    const changed: TraceId[] = [];
    for (const id of traceIds) {
      this.dirty.add(id);
      this.keywords.textChanged(id);
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
    for (const id of traceIds) this.keywords.textChanged(id);
  }

  remove(traceIds: Iterable<TraceId>): void {
    const changes: Change[] = [];
    for (const id of traceIds) {
      const old = this.entries.get(id);
      this.unlink(id, old);
      this.entries.delete(id);
      this.dirty.delete(id);
      this.keywords.traceRemoved(id);
      changes.push({ traceId: id, old, next: undefined });
    }
    this.applyToListed(changes);
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
      if (keep !== undefined && !keep(entry)) continue;
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
    for (let i = from; i < to; i++) if (keep === undefined || keep(runs[i]!)) counter.add(runs[i]!);
    return counter.result();
  }

  /** Runs as of the last listing: cheap, for status updates, which must not classify on every batch. */
  knownRunCount(): number {
    return this.listed?.all.length ?? this.lastListedCount;
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
    return this.keywords.stats();
  }

  private predicate(filter: RunFilter): EntryPredicate | undefined {
    const fields = fieldPredicate(filter);
    const keyword = filter.text === undefined ? undefined : this.keywords.predicate(filter.text);
    if (keyword === undefined) return fields;
    if (fields === undefined) return keyword;
    return (e) => fields(e) && keyword(e);
  }

  private spansOf(id: string): readonly Span[] | undefined {
    const traceId = asTraceId(id);
    return traceId === undefined ? undefined : this.store.spansOf(traceId);
  }

  /** An infrastructure trace that an app-level run links to is shown inside that run, not twice. */
  private isListed(entry: RunEntry): boolean {
    if (entry.run.source !== 'infrastructure') return true;
    for (const linker of this.linkedBy.get(entry.run.traceId) ?? []) if (this.entries.get(linker) !== undefined) return false;
    return true;
  }

  private listedEntries(): readonly RunEntry[] {
    this.refresh();
    if (this.listed === undefined) {
      const listed: RunEntry[] = [];
      for (const entry of this.entries.values()) if (entry !== undefined && this.isListed(entry)) listed.push(entry);
      this.listed = new ListedRuns();
      this.listed.reset(listed);
    }
    this.lastListedCount = this.listed.all.length;
    return this.listed.all;
  }

  private refresh(): void {
    if (this.dirty.size === 0) return;
    const changes: Change[] = [];
    for (const traceId of this.dirty) {
      const old = this.entries.get(traceId);
      this.unlink(traceId, old);
      const spans = this.store.spansOf(traceId);
      const run = spans === undefined ? undefined : detectRun(traceId, spans, (id) => this.spansOf(id));
      const next = run === undefined ? undefined : runEntry(run, (id) => this.spansOf(id));
      if (spans === undefined) this.entries.delete(traceId);
      else this.entries.set(traceId, next);
      if (next !== undefined) this.link(traceId, next);
      changes.push({ traceId, old, next });
    }
    this.dirty.clear();
    this.applyToListed(changes);
  }

  /**
   * Moves changed runs in the listed order, and the runs whose visibility they change: the
   * infrastructure runs they link to (hidden while a live app-level run links to them).
   */
  private applyToListed(changes: readonly Change[]): void {
    const listed = this.listed;
    if (listed === undefined) return;
    if (changes.length > maxIncrementalChanges) {
      this.listed = undefined;
      return;
    }
    for (const { old } of changes) if (old !== undefined) listed.remove(old);
    const touched = new Set<string>();
    for (const { traceId, old, next } of changes) {
      touched.add(traceId);
      for (const id of old?.run.linkedTraceIds ?? []) touched.add(id);
      for (const id of next?.run.linkedTraceIds ?? []) touched.add(id);
    }
    for (const id of touched) {
      const entry = this.entries.get(id as TraceId);
      if (entry === undefined) continue;
      listed.remove(entry);
      if (this.isListed(entry)) listed.insert(entry);
    }
  }

  private link(traceId: TraceId, entry: RunEntry): void {
    const { run } = entry;
    this.keywords.runAdded(entry);
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
    this.keywords.runRemoved(entry);
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

/** A trace whose run was (re)classified or removed: its previous and its new entry. */
interface Change {
  readonly traceId: TraceId;
  readonly old: RunEntry | undefined;
  readonly next: RunEntry | undefined;
}
