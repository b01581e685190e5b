import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';
import { asTraceId, type TraceId } from '../../model/units';
import { detectRun } from '../../dify/detectRun';
import { exporterFailuresIn, type ExporterFailure } from '../../dify/exporterFailure';
import { DetachedErrors } from './detachedErrors';
import { appExecutionKeys, infraExecutionKeys, type ExecutionKey } from './executionKeys';
import type { RunFacets, RunFilter, RunSummary } from '../../shared/runSummary';
import type { DifyIdKind } from '../../shared/traceLookup';
import type { KeywordIndexStats } from './keywordIndex';
import { ListedRuns } from './listedRuns';
import { runEntry, withRunSummary, type ClassificationBasis, type RunEntry, type StoredRun } from './runEntry';
import { FacetCounter } from './runFacets';
import { afterCursor, compareRuns, fieldPredicate, normaliseId, pageToken, timeWindow, type EntryPredicate } from './runFilter';
import { RunKeywords } from './runKeywords';
import type { TraceStore } from './traceStore';

export interface RunPage {
  readonly runs: readonly RunSummary[];
  readonly nextPageToken?: string;
  readonly totalMatching: number;
  /** With a keyword: runs in the time range searched by their summary only (their spans are not in memory). */
  readonly summaryOnly?: number;
}

/** Runs (re)classified or gone (`entry` undefined): what the trace database keeps of them. */
export type RunsClassified = (changes: readonly { readonly traceId: TraceId; readonly entry: RunEntry | undefined; readonly executionKeys: readonly ExecutionKey[]; readonly basis: ClassificationBasis | undefined }[]) => void;

/** A trace's log records, if any (the log store); the keyword searches them too. */
export type TraceLogs = (traceId: string) => readonly LogRecord[] | undefined;

/** Changed runs moved one by one in the listed order; more (and more than 1/16 of those listed) and it is sorted again. */
const maxIncrementalChanges = 256;

/**
 * A run whose last classification took at least this long is classified again at most once per ten
 * times that (so at most a tenth of the time goes to it): a trace growing by a batch at a time,
 * hundreds of thousands of spans long, would otherwise be classified whole on every batch.
 */
const cheapClassificationMs = 20;
const classificationDutyCycle = 10;

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
  /** Changed runs whose classification is expensive and was done recently: classified again when due. */
  private readonly deferred = new Map<TraceId, number>();
  /**
   * Put-off runs that fell due and were classified by a reader other than `takeDue`'s caller (a
   * lookup, a layout): the Runs view listed them before they were due, and would show them as they
   * were until the next change unless they are reported (`takeClassifiedDue`).
   */
  private readonly dueUnreported = new Set<TraceId>();
  /** Inside `forLookup`. */
  private lookingUp = false;
  /** What each run was classified from (also a cold run's, from its stored row): a restart that brings back the same spans need not classify it again. */
  private readonly basisOf = new Map<TraceId, ClassificationBasis>();
  /** Each run as detection made it, before `annotateRun` named its app and told of its export failures. */
  private readonly detectedOf = new Map<TraceId, RunSummary>();
  /** Runs whose app name or export failure became known: annotated again from `detectedOf`, their spans not read again. */
  private readonly reannotate = new Set<TraceId>();
  /** When each run was last classified, and what it cost. */
  private readonly lastClassified = new Map<TraceId, { readonly atMs: number; readonly costMs: number }>();
  /** Classifications done, for tests and the benchmark. */
  classifications = 0;
  /** Infrastructure trace id → app-level traces whose Trace Link names it. */
  private readonly linkedBy = new Map<string, Set<TraceId>>();
  /** Dashless lower-case workflow run / message / conversation id → the traces of its runs. */
  private readonly byDifyId = new Map<string, Set<TraceId>>();
  /** Node execution key → the infrastructure trace that ran it; and → the app-level trace that reported it. */
  private readonly infraByExecution = new Map<ExecutionKey, TraceId>();
  private readonly appByExecution = new Map<ExecutionKey, TraceId>();
  /** The execution keys each trace registered, to take them back when it changes. */
  private readonly keysOf = new Map<TraceId, readonly ExecutionKey[]>();
  /** App id → app name, learnt from app-level runs: infrastructure spans carry only the id. */
  private readonly appNames = new Map<string, string>();
  /** App id → its runs that their spans name only by app id (infrastructure, Langfuse), renamed when the app's name becomes known. */
  private readonly namedByIdOf = new Map<string, Set<TraceId>>();
  /** Error traces with no parent that a run's retrieval thread may have left (joinHalves.ts). */
  private readonly detachedErrors = new DetachedErrors();
  /** App id → failures of Dify's app-level export recorded by its worker. */
  private readonly exporterFailures = new Map<string, ExporterFailure[]>();
  private readonly keywords: RunKeywords;
  /**
   * Runs whose spans left memory (evicted, or not loaded after a restart) while the trace database
   * keeps them: listed and filtered from their entry, searched by keyword on their summary only,
   * classified again once their spans are back.
   */
  private readonly cold = new Set<TraceId>();
  /** Cold runs that something changed (their infrastructure half arrived): to classify again once their spans are back. */
  private readonly staleCold = new Set<TraceId>();
  private classified: RunsClassified | undefined;
  /** Undefined until the first listing, and after too many changes at once. */
  private listed: ListedRuns | undefined;
  private lastListedCount = 0;

  constructor(
    private readonly store: TraceStore,
    logsOf: TraceLogs = () => undefined,
    private readonly now: () => number = () => performance.now(),
    /**
     * Spans of a trace the store does not hold, from the trace database: a run's other half that left
     * memory before the run was classified is still joined.
     */
    private readonly readThrough: (traceId: string) => readonly Span[] | undefined = () => undefined,
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
        // A run kept without its spans cannot be classified again until they are back: the caller brings them.
        if (this.cold.has(linker)) this.staleCold.add(linker);
        else this.dirty.add(linker);
        changed.push(linker);
      }
    }
    return changed;
  }

  /**
   * Traces whose spans came back from the trace database (a restart, or a run opened that had left
   * memory): a run kept without its spans whose row was made from these same spans, by this release,
   * is warm again as it is, without classifying its 100k spans again; any other is marked changed.
   */
  markRestored(traceIds: Iterable<TraceId>): TraceId[] {
    const changed: TraceId[] = [];
    for (const id of traceIds) {
      changed.push(id);
      this.keywords.textChanged(id);
      if (this.cold.has(id) && !this.staleCold.has(id) && this.sameBasis(id)) this.cold.delete(id);
      else this.dirty.add(id);
      // Runs linking to it that were classified without these spans (read while they were on their way back).
      const count = this.spansOf(id)?.length ?? 0;
      for (const linker of this.linkedBy.get(id) ?? []) {
        if (this.basisOf.get(linker)?.get(id) === count) continue;
        if (this.cold.has(linker)) this.staleCold.add(linker);
        else this.dirty.add(linker);
        changed.push(linker);
      }
    }
    return changed;
  }

  /** The spans in memory are those the run was classified from: the same count of each trace it read. */
  private sameBasis(traceId: TraceId): boolean {
    const basis = this.basisOf.get(traceId);
    if (basis === undefined || !basis.has(traceId)) return false;
    for (const [id, count] of basis) {
      const spans = this.spansOf(id)?.length;
      // A trace it found missing must still be missing (here or, not yet restored, only on disk: then
      // its arrival marked this run stale before the restart, and the row was written again).
      if (count === 0 ? spans !== undefined && spans > 0 : spans !== count) return false;
    }
    return true;
  }

  /** Tells `listener` of every run (re)classified from its spans, or gone: the trace database keeps them. */
  onClassified(listener: RunsClassified): void {
    this.classified = listener;
  }

  /**
   * Classifies these traces now if they changed since their last classification (also a run whose
   * classification was put off), for a reader that needs them up to date: a panel's layout, or a
   * trace about to leave memory (while its spans are here, so the run kept for it by `retire` is up
   * to date). Returns the traces whose run changed.
   */
  classifyNow(traceIds: readonly TraceId[]): TraceId[] {
    const changes: Change[] = [];
    for (const id of traceIds) {
      if (!this.dirty.has(id) && !this.deferred.has(id)) continue;
      this.dirty.delete(id);
      this.deferred.delete(id);
      changes.push(this.reclassify(id));
      this.classifications++;
    }
    this.applyToListed(changes);
    this.report(changes);
    return changes.filter((c) => c.old !== c.next).map((c) => c.traceId);
  }

  /**
   * Traces that left memory but stay in the trace database: their runs stay listed (cold), their
   * text leaves the keyword index; other traces go as with `remove`.
   */
  retire(traceIds: Iterable<TraceId>): void {
    const gone: TraceId[] = [];
    for (const id of traceIds) {
      if (this.entries.get(id) === undefined) {
        gone.push(id);
        continue;
      }
      this.cold.add(id);
      this.dirty.delete(id);
      this.deferred.delete(id);
      this.lastClassified.delete(id);
      this.detectedOf.delete(id);
      this.reannotate.delete(id);
      this.keywords.traceRemoved(id);
    }
    this.remove(gone);
  }

  /** Runs read back from the trace database for traces whose spans are not in memory (a restart). */
  addCold(stored: readonly StoredRun[]): void {
    for (const { entry, executionKeys, basis } of stored) {
      const traceId = entry.run.traceId as TraceId;
      if (this.entries.get(traceId) !== undefined || this.dirty.has(traceId)) continue;
      this.entries.set(traceId, entry);
      if (basis !== undefined) this.basisOf.set(traceId, basis);
      this.cold.add(traceId);
      this.link(traceId, entry, executionKeys, unnamed(entry.run));
    }
    // Put in listing order now, with the loading of the runs (a restart), not by the first listing.
    this.listed = undefined;
    this.listedEntries();
  }

  /**
   * Classifies the runs changed since the last listing now (what the trace database keeps is then up
   * to date); with a budget, about that long (the background's slices): whether some are left.
   */
  classifyChanged(budgetMs = Number.POSITIVE_INFINITY): boolean {
    return this.refresh(budgetMs);
  }

  /** Cold runs that changed since they left memory: the caller brings their spans back, and they are classified again. */
  takeStaleCold(): TraceId[] {
    const stale = [...this.staleCold].filter((id) => this.cold.has(id));
    this.staleCold.clear();
    return stale;
  }

  /** A run kept without its spans: they are in the trace database. */
  isCold(traceId: TraceId): boolean {
    return this.cold.has(traceId);
  }

  /** Log records of these traces arrived or were dropped: only the keyword index cares. */
  markLogsChanged(traceIds: Iterable<string>): void {
    for (const id of traceIds) this.keywords.textChanged(id);
  }

  remove(traceIds: Iterable<TraceId>): void {
    const changes: Change[] = [];
    for (const id of traceIds) {
      this.detachedErrors.remove(id);
      const old = this.entries.get(id);
      this.unlink(id, old);
      this.entries.delete(id);
      this.dirty.delete(id);
      this.deferred.delete(id);
      this.lastClassified.delete(id);
      this.basisOf.delete(id);
      this.detectedOf.delete(id);
      this.reannotate.delete(id);
      this.keywords.traceRemoved(id);
      this.cold.delete(id);
      this.staleCold.delete(id);
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
    let summaryOnly = 0;
    const keyword = filter.text !== undefined && filter.text.trim() !== '' && this.cold.size > 0;
    for (let i = from; i < to; i++) {
      const entry = runs[i]!;
      if (keyword && this.cold.has(entry.run.traceId as TraceId)) summaryOnly++;
      if (keep !== undefined && !keep(entry)) continue;
      totalMatching++;
      if (i < start) continue;
      afterStart++;
      if (page.length < limit) page.push(entry.run);
    }
    const last = page.at(-1);
    return { runs: page, totalMatching, ...(afterStart > limit && last !== undefined ? { nextPageToken: pageToken(last) } : {}), ...(summaryOnly > 0 ? { summaryOnly } : {}) };
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

  /** Keeps the keyword index up to date between requests (see RunKeywords); `busy`: spans are arriving. */
  indexKeywordsInBackground(busy: () => boolean): void {
    this.keywords.indexInBackground(busy);
  }

  stopBackgroundWork(): void {
    this.keywords.stopBackground();
  }

  /** Reads every changed trace into the keyword index now (a restart's part of restored spans). */
  indexKeywordsNow(): void {
    this.keywords.indexSome(Number.POSITIVE_INFINITY);
  }

  /** Resolves once the keyword index has read every trace that changed. */
  whenKeywordsIndexed(): Promise<void> {
    return this.keywords.whenIndexed();
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

  /**
   * Deferred runs that are due now: marked for classification at the next listing and returned, so
   * the caller reports them changed (the Runs view then lists again and sees them up to date).
   */
  takeDue(): TraceId[] {
    const now = this.now();
    const due: TraceId[] = [];
    for (const [id, dueAt] of this.deferred) {
      if (dueAt > now) continue;
      this.deferred.delete(id);
      this.dirty.add(id);
      due.push(id);
    }
    return due;
  }

  /**
   * Put-off runs that fell due and that a reader classified before `takeDue` saw them: the caller
   * reports them as caught up (the Runs view lists them again; a layout made since is current).
   */
  takeClassifiedDue(): TraceId[] {
    const due = [...this.dueUnreported].filter((id) => this.entries.has(id));
    this.dueUnreported.clear();
    return due;
  }

  /**
   * Runs `read` (a lookup by id) with only the traces never classified classified first. A run the
   * index already holds is named as it was last classified: after a restart that is its stored row,
   * while the restart brings its spans back and classifies it again (up to a second for 100k spans,
   * which the panel then opening it would wait for).
   */
  forLookup<T>(read: () => T): T {
    this.lookingUp = true;
    try {
      return read();
    } finally {
      this.lookingUp = false;
    }
  }

  /** A run's app name or export failure became known: what detection made of it is named again, its spans not read (a 70k-span infrastructure trace took half a second). */
  private markToAnnotate(traceId: TraceId): void {
    if (this.detectedOf.has(traceId)) this.reannotate.add(traceId);
    else this.dirty.add(traceId);
  }

  /** Runs marked to annotate again (and not to classify, which annotates too): their entries with the new summary. */
  private annotateAgain(): Change[] {
    const changes: Change[] = [];
    for (const traceId of this.reannotate) {
      const old = this.entries.get(traceId);
      const detected = this.detectedOf.get(traceId);
      if (old === undefined || detected === undefined || this.dirty.has(traceId)) continue;
      const next = withRunSummary(old, this.annotateRun(detected));
      this.keywords.runRemoved(old);
      this.entries.set(traceId, next);
      this.keywords.runAdded(next);
      changes.push({ traceId, old, next });
    }
    this.reannotate.clear();
    return changes;
  }

  /** Classifies the changed runs, for up to `budgetMs` of real time; whether some are left. */
  private refresh(budgetMs = Number.POSITIVE_INFINITY): boolean {
    if (this.lookingUp) {
      const annotated = this.annotateAgain();
      this.applyToListed(annotated);
      this.report(annotated);
      this.classifyNow([...this.dirty].filter((id) => !this.entries.has(id)));
      return false;
    }
    const deadline = performance.now() + budgetMs;
    const now = this.now();
    for (const [id, dueAt] of this.deferred) {
      if (dueAt > now) continue;
      this.deferred.delete(id);
      this.dirty.add(id);
      this.dueUnreported.add(id);
    }
    if (this.dirty.size === 0 && this.reannotate.size === 0) return false;
    const changes: Change[] = [];
    let outOfTime = false;
    // Classifying a run can make others change (an app's name becomes known, a run's infrastructure
    // half is found by node execution): a few rounds settle it.
    for (let round = 0; round < 4 && !outOfTime && (this.dirty.size > 0 || this.reannotate.size > 0); round++) {
      const batch = [...this.dirty];
      this.dirty.clear();
      for (let i = 0; i < batch.length; i++) {
        const traceId = batch[i]!;
        if (changes.length > 0 && performance.now() >= deadline) {
          // The rest waits for the next slice, still changed (each slice classifies one at least).
          for (let j = i; j < batch.length; j++) this.dirty.add(batch[j]!);
          outOfTime = true;
          break;
        }
        const dueAt = this.dueAt(traceId);
        if (dueAt > now) {
          this.deferred.set(traceId, dueAt);
          continue;
        }
        this.deferred.delete(traceId);
        const started = this.now();
        changes.push(this.reclassify(traceId));
        this.classifications++;
        this.lastClassified.set(traceId, { atMs: started, costMs: this.now() - started });
      }
      changes.push(...this.annotateAgain());
    }
    this.applyToListed(changes);
    this.report(changes);
    return this.dirty.size > 0 || this.reannotate.size > 0;
  }

  private report(changes: readonly Change[]): void {
    const changed = changes.filter((c) => c.old !== c.next);
    if (changed.length > 0) this.classified?.(changed.map((c) => ({ traceId: c.traceId, entry: c.next, executionKeys: this.keysOf.get(c.traceId) ?? [], basis: this.basisOf.get(c.traceId) })));
  }

  /** When a changed run may be classified again: at once, unless its last classification was expensive and recent. */
  private dueAt(traceId: TraceId): number {
    const last = this.lastClassified.get(traceId);
    if (last === undefined || last.costMs < cheapClassificationMs) return Number.NEGATIVE_INFINITY;
    return last.atMs + classificationDutyCycle * last.costMs;
  }

  private reclassify(traceId: TraceId): Change {
    const old = this.entries.get(traceId);
    const spans = this.store.spansOf(traceId);
    // A run kept without its spans (a late infrastructure half marked it changed): as it was, until they are back.
    if (spans === undefined && this.cold.has(traceId)) {
      this.staleCold.add(traceId);
      return { traceId, old, next: old };
    }
    this.cold.delete(traceId);
    this.unlink(traceId, old);
    this.basisOf.delete(traceId);
    this.detectedOf.delete(traceId);
    this.reannotate.delete(traceId);
    if (spans === undefined) {
      this.entries.delete(traceId);
      return { traceId, old, next: undefined };
    }
    const basis = new Map<string, number>([[traceId, spans.length]]);
    this.noteExporterFailures(spans);
    const appKeys = appExecutionKeys(spans);
    const joined = new Set<string>();
    for (const key of appKeys) {
      const infraTrace = this.infraByExecution.get(key);
      if (infraTrace !== undefined && infraTrace !== traceId) joined.add(infraTrace);
    }
    const linkedSpans = (id: string) => {
      const linked = this.spansOf(id) ?? this.readThrough(id);
      if (!basis.has(id)) basis.set(id, linked?.length ?? 0);
      return linked;
    };
    const detected = detectRun(traceId, spans, linkedSpans, { joinedByExecution: [...joined], detached: this.detachedErrors.within(spans) });
    if (detected !== undefined) this.detectedOf.set(traceId, detected);
    const run = detected === undefined ? undefined : this.annotateRun(detected);
    const next = run === undefined ? undefined : runEntry(run, linkedSpans);
    this.entries.set(traceId, next);
    if (next !== undefined) this.basisOf.set(traceId, basis);
    if (next === undefined && this.detachedErrors.note(traceId, spans)) this.claimDetached(traceId);
    if (next !== undefined) this.link(traceId, next, run?.source === 'infrastructure' ? infraExecutionKeys(spans) : appKeys, detected !== undefined && unnamed(detected));
    return { traceId, old, next };
  }

  /** A detached error trace arrived: the runs with knowledge retrieval that were running then look again. */
  private claimDetached(traceId: TraceId): void {
    const detached = this.detachedErrors.get(traceId);
    if (detached === undefined) return;
    for (const [id, entry] of this.entries) {
      if (entry === undefined || !entry.nodeTypes.includes('knowledge-retrieval')) continue;
      const startUs = entry.run.startMs * 1000;
      if (detached.startUs >= startUs && detached.startUs <= startUs + entry.run.durationUs) this.dirty.add(id);
    }
  }

  /** Records export failures found in a (worker) trace and re-labels the infrastructure runs of their apps. */
  private noteExporterFailures(spans: readonly Span[]): void {
    for (const failure of exporterFailuresIn(spans)) {
      const known = this.exporterFailures.get(failure.appId) ?? [];
      if (known.some((f) => f.atMs === failure.atMs && f.message === failure.message)) continue;
      known.push(failure);
      if (known.length > 50) known.shift();
      this.exporterFailures.set(failure.appId, known);
      for (const id of this.namedByIdOf.get(failure.appId) ?? []) if (this.entries.get(id)?.run.source === 'infrastructure') this.markToAnnotate(id);
    }
  }

  /**
   * A run whose spans name its app only by id (infrastructure telemetry, Langfuse) named after the
   * app from the app's other runs; an infrastructure run told why its app-level half is missing when
   * Dify's worker recorded the export failing for that app soon after the run started (the export
   * runs seconds later, in the Celery ops_trace task).
   */
  private annotateRun(run: RunSummary): RunSummary {
    const appId = run.appId?.toLowerCase();
    if (appId === undefined) return run;
    const name = unnamed(run) ? this.appNames.get(appId) : undefined;
    const failure = run.source !== 'infrastructure' ? undefined : this.exporterFailures.get(appId)?.find((f) => f.atMs >= run.startMs - 60_000 && f.atMs <= run.startMs + 15 * 60_000);
    if (name === undefined && failure === undefined) return run;
    const gap = failure === undefined ? [] : [{ kind: 'appHalfMissing' as const, message: `No app-level trace: Dify's export for this app failed at ${new Date(failure.atMs).toISOString()} with ${failure.message}. Shown from its infrastructure trace. (Dify's Alibaba Cloud exporter accepts only a 32-hex X-Trace-Id.)` }];
    return { ...run, ...(name === undefined ? {} : { appName: name }), ...(gap.length === 0 ? {} : { gaps: [...(run.gaps ?? []), ...gap] }) };
  }

  /**
   * Moves changed runs in the listed order, and the runs whose visibility they change: the
   * infrastructure runs they link to (hidden while a live app-level run links to them).
   */
  private applyToListed(changes: readonly Change[]): void {
    const listed = this.listed;
    if (listed === undefined) return;
    if (changes.length > maxIncrementalChanges && changes.length * 16 > listed.all.length) {
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

  private link(traceId: TraceId, entry: RunEntry, executionKeys: readonly ExecutionKey[], namedById: boolean): void {
    const { run } = entry;
    this.keywords.runAdded(entry);
    this.linkExecutions(traceId, run, executionKeys);
    this.learnAppName(traceId, run, namedById);
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

  /** Registers a run's node executions; an app-level run whose infrastructure half just arrived is reclassified. */
  private linkExecutions(traceId: TraceId, run: RunSummary, keys: readonly ExecutionKey[]): void {
    if (keys.length === 0) return;
    this.keysOf.set(traceId, keys);
    const infraSide = run.source === 'infrastructure';
    for (const key of keys) {
      if (infraSide) {
        this.infraByExecution.set(key, traceId);
        const app = this.appByExecution.get(key);
        if (app !== undefined && !(this.entries.get(app)?.run.linkedTraceIds.includes(traceId) ?? true)) this.dirty.add(app);
      } else this.appByExecution.set(key, traceId);
    }
  }

  /** Remembers runs named only by app id (to rename them), and app names that runs do give. */
  private learnAppName(traceId: TraceId, run: RunSummary, namedById: boolean): void {
    const appId = run.appId?.toLowerCase();
    if (appId === undefined) return;
    if (namedById) {
      const runs = this.namedByIdOf.get(appId) ?? new Set<TraceId>();
      runs.add(traceId);
      this.namedByIdOf.set(appId, runs);
    } else if (this.appNames.get(appId) !== run.appName) {
      this.appNames.set(appId, run.appName);
      for (const id of this.namedByIdOf.get(appId) ?? []) this.markToAnnotate(id);
    }
  }

  private unlink(traceId: TraceId, entry: RunEntry | undefined): void {
    if (entry === undefined) return;
    const { run } = entry;
    this.keywords.runRemoved(entry);
    for (const key of this.keysOf.get(traceId) ?? []) {
      if (this.infraByExecution.get(key) === traceId) this.infraByExecution.delete(key);
      if (this.appByExecution.get(key) === traceId) this.appByExecution.delete(key);
    }
    this.keysOf.delete(traceId);
    if (run.appId !== undefined) this.namedByIdOf.get(run.appId.toLowerCase())?.delete(traceId);
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

/** A run whose exporter gave no app name, only the app id. */
function unnamed(run: RunSummary): boolean {
  return run.appId !== undefined && run.appName.toLowerCase() === run.appId.toLowerCase();
}

/** A trace whose run was (re)classified or removed: its previous and its new entry. */
interface Change {
  readonly traceId: TraceId;
  readonly old: RunEntry | undefined;
  readonly next: RunEntry | undefined;
}
