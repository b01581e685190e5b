import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogRecord } from '../model/logRecord';
import type { Resource, Span } from '../model/span';
import type { TraceId } from '../model/units';
import type { ImportTracesRequest, ReceiverState, ReceiverStatus, ServerSettings } from '../shared/lspProtocol';
import { defaultServerSettings } from '../shared/defaultSettings';
import { EmbeddedBackend } from './backends/embeddedBackend';
import { unseenRecords, unseenSpans } from './exchange/alreadyStored';
import { readImport } from './exchange/traceImport';
import { IngestRate } from './store/ingestRate';
import { WalCheckpointer } from './store/walCheckpointer';
import { SpanArchive } from './store/spanArchive';
import { BodyBudget } from './receiver/bodyBudget';
import { OtlpGrpcReceiver } from './receiver/otlpGrpcReceiver';
import { OtlpHttpReceiver, type ListenResult } from './receiver/otlpHttpReceiver';
import { ArchiveFollower, archiveIdOf, ownerShares } from './store/archiveFollower';
import { inlineDecoder, type OtlpDecoder } from './receiver/otlpDecoder';
import { OtlpIngest, type OtlpSink, type SpansWritten } from './receiver/otlpIngest';
import { RefusalLog } from './receiver/refusalLog';
import { LogStore } from './store/logStore';
import { MemoryTraceStore } from './store/memoryTraceStore';
import { RunIndex, type RunsClassified } from './store/runIndex';
import { storedRunEntry, storedRunEntryOf } from './store/runEntry';
import { nextTurn } from './turns';

/**
 * Why traces changed. `caughtUp`: brought up to date for a reader that reads them right after (their
 * spans back from the trace database unchanged, their run classified now rather than later), so a
 * layout made by that reader is the one to keep.
 */
export type ChangeCause = 'changed' | 'caughtUp';

export interface TraceServiceEvents {
  readonly runsChanged: (traceIds: readonly TraceId[], cause: ChangeCause) => void;
  readonly statusChanged: (status: ReceiverStatus) => void;
  readonly log: (message: string) => void;
}

const maxTracesWithRejections = 10_000;
/** Spans read from the trace database between two turns of the event loop after a restart. */
const restorePageSpans = 5_000;
/** How long classified runs wait to be written to the trace database together. */
const runRowsDelayMs = 250;
/** A slice of the background's classification: short enough that a received batch waits no longer. */
const classifySliceMs = 8;
/** Spans added to memory (then indexed and classified) at a time after a restart; a trace is added whole. */
const restorePartSpans = 20_000;

/** Owns the stores, the run index and the receiver; knows nothing of LSP or VS Code. */
export class TraceService {
  readonly store: MemoryTraceStore;
  readonly logs: LogStore;
  /** Spans the receiver rejected (bad span id) per trace, so the trace can say it is incomplete. */
  private readonly rejectedSpans = new Map<TraceId, number>();
  /** Spans not held in memory because their trace alone passed the store's bound, per trace. */
  private readonly spansPastBound = new Map<TraceId, number>();
  readonly runs: RunIndex;
  readonly backend: EmbeddedBackend;
  private receiver: OtlpHttpReceiver | undefined;
  private grpcReceiver: OtlpGrpcReceiver | undefined;
  private receiverState: ReceiverState = { state: 'starting' };
  private grpcState: ReceiverState | undefined;
  private rejectedRequests = 0;
  /** Requests that brought spans or log records, per transport: tells a user which one their Dify uses. */
  private readonly acceptedRequests = { http: 0, grpc: 0 };
  /** The spans on disk; undefined while in memory only (see `storage`). */
  private archive: SpanArchive | undefined;
  private archiveOpened = false;
  /** The database for which the decode thread's failure to write was logged. */
  private decodeWriteFailureSaid: string | undefined;
  /** Digests of the runs read from the database at start, until each is classified again. */
  private storedRunDigests = new Map<string, string>();
  /** The recent traces' spans being loaded from the database after a restart. */
  private restoring: Promise<void> = Promise.resolve();
  /** Traces a restart is bringing back into memory and has not yet: not read through for a run classified meanwhile. */
  private restorePending = new Set<TraceId>();
  private storage: NonNullable<ReceiverStatus['storage']> = { persisted: false, reason: 'The trace database is not open yet.' };
  private pruneTimer: NodeJS.Timeout | undefined;
  private lastError: string | undefined;
  private settings: ServerSettings;
  private readonly rate: IngestRate;
  /** When spans last arrived: background work leaves the thread to ingest for a while after. */
  private lastReceivedMs = 0;
  /** Refused requests go to the log throttled: one line at once, then a summary per few seconds. */
  private readonly refusals: RefusalLog;
  /** While spans flow, the status is re-sent every second so the rate falls back to 0 when they stop. */
  private rateTimer: NodeJS.Timeout | undefined;
  /**
   * Another window's trace server holds the ports and writes the database: this one reads what it
   * writes (changes after `change`) and tries the ports now and then, to take over when it goes.
   */
  private following: { readonly reader: ArchiveFollower; readonly takeOver: NodeJS.Timeout } | undefined;
  /** The database's newest change when it was opened: what a follower reads after. */
  private changeAtOpen = 0;
  /** Runs whose classification was put off (a large trace still growing) are reported changed when due. */
  private readonly dueTimer: NodeJS.Timeout;
  /** Copies the trace database's log into it off the threads that write (WalCheckpointer). */
  private checkpointer: WalCheckpointer | undefined;
  /** Runs classified and not yet written to the trace database (their row's body; undefined: no run). */
  private readonly runRowsToWrite = new Map<string, string | undefined>();
  private runRowsTimer: NodeJS.Timeout | undefined;
  /** The next slice of the background's classification (classifyInSlices). */
  private classifying: NodeJS.Immediate | undefined;

  constructor(
    settings: ServerSettings,
    private readonly events: TraceServiceEvents,
    now: () => number = Date.now,
    /** How request bodies become spans, for both receivers. */
    private readonly decoder: OtlpDecoder = inlineDecoder,
  ) {
    this.rate = new IngestRate(10, now);
    this.refusals = new RefusalLog((message) => this.events.log(message));
    this.settings = settings;
    this.store = new MemoryTraceStore(storeBoundsOf(settings));
    this.logs = new LogStore(maxLogRecordsOf(settings));
    this.runs = new RunIndex(this.store, (traceId) => this.logs.logsOf(traceId), undefined, (traceId) => this.readArchived(traceId));
    // The keyword index follows the spans as they arrive (and as a restart brings them back), so no
    // keyword query has to read them all first.
    this.runs.indexKeywordsInBackground(() => Date.now() - this.lastReceivedMs < 500);
    // With the trace database behind it, memory is a cache: a trace leaving it keeps its run, classified
    // while its spans are still here, and the database keeps every run so a restart lists them all.
    this.store.onEvicting((traceIds) => {
      if (this.archive !== undefined) this.runs.classifyNow(traceIds);
    });
    this.runs.onClassified((changes) => this.writeRuns(changes));
    this.dueTimer = setInterval(() => {
      // Only their classification catches up: no span changed since a layout showing them was made
      // (one classifies its own run first), so layouts stay. Reported 'changed', it made the trace
      // server lay a 100k-span run out again, as the panel opening it waited.
      const due = this.runs.takeDue();
      if (due.length > 0) this.events.runsChanged(due, 'caughtUp');
      const classifiedDue = this.runs.takeClassifiedDue();
      if (classifiedDue.length > 0) this.events.runsChanged(classifiedDue, 'caughtUp');
      // Runs kept on disk whose other half arrived since: back into memory, to be classified with it.
      const stale = this.runs.takeStaleCold();
      if (stale.length > 0) this.recall(stale, 'stale');
      // The database keeps what was made of every run, also while nothing lists them (the Runs view
      // closed): a restart lists them from it without reading their spans.
      this.classifyInSlices();
    }, 1_000).unref();
    this.backend = new EmbeddedBackend(
      this.store,
      this.runs,
      this.logs,
      (traceId) => this.rejectedSpans.get(traceId) ?? 0,
      (traceId) => ({ count: this.spansPastBound.get(traceId) ?? 0, onDisk: this.archive !== undefined }),
      (traceIds) => this.recall(traceIds),
      (traceIds) => this.events.runsChanged(traceIds, 'caughtUp'),
    );
  }

  /**
   * The background's classification of changed runs, in slices of a few milliseconds with the event
   * loop turning in between: under a flood of spans a second's runs took a third of a second at once,
   * while received batches and the editor's requests waited (and the decode thread ran dry).
   */
  private classifyInSlices(): void {
    if (this.classifying !== undefined) return;
    const slice = (): void => {
      this.classifying = undefined;
      if (this.archive === undefined || this.following !== undefined) return;
      if (this.runs.classifyChanged(classifySliceMs)) this.classifying = setImmediate(slice);
    };
    slice();
  }

  /**
   * Adds spans from any source (receiver, file import, tests), and counts rejected ones per trace.
   * A span already stored (an exporter's retry, a demo sending its runs again after a reload brought
   * them back from disk) is stored once.
   */
  ingest(received: readonly Span[], rejectedByTrace: ReadonlyMap<TraceId, number> = new Map(), written: SpansWritten = {}): number {
    const spans = unseenSpans(received, (id) => this.store.spansOf(id as TraceId));
    // The decode thread writes what it decodes to the database (committed before it hands the spans
    // over); the spans it could not write, and those of any other path, are written here.
    if (written.writtenTo === undefined || written.writtenTo !== this.archive?.path) {
      if (written.writeFailure !== undefined) this.decodeThreadWriteFailed(written.writeFailure);
      this.archiveSpans(spans);
    }
    // A late span of a run kept on disk only: the whole trace comes back (the new span with it), not the span alone.
    const cold = [...new Set(spans.map((s) => s.traceId))].filter((id) => this.runs.isCold(id) && this.store.spansOf(id) === undefined);
    const recalled = cold.length > 0 ? this.recall(cold) : new Set<TraceId>();
    const pastBound = this.add(recalled.size > 0 ? spans.filter((s) => !recalled.has(s.traceId)) : spans, rejectedByTrace);
    this.rate.add(received.length);
    this.lastReceivedMs = Date.now();
    this.rateTimer ??= setInterval(() => {
      this.emitStatus();
      if (this.rate.perSecond() === 0) this.stopRateTimer();
    }, 1000).unref();
    // Spans past the memory bound are still acknowledged while they are on disk; otherwise the
    // sender is told they were not kept (OTLP partial success) rather than losing them silently.
    return this.archive === undefined ? pastBound : 0;
  }

  /**
   * On disk first, so what the receiver acknowledges survives a crash. A database that fails on
   * write (full disk, removed file) is let go: the trace server keeps working in memory and says so.
   */
  private archiveSpans(spans: readonly Span[]): void {
    if (spans.length > 0) this.writeArchive((archive) => archive.add(spans));
  }

  /** Said once per database: the spans are still written, by this thread (a lasting lock, a full disk then fails here too). */
  private decodeThreadWriteFailed(reason: string): void {
    if (this.archive === undefined || this.decodeWriteFailureSaid === this.archive.path) return;
    this.decodeWriteFailureSaid = this.archive.path;
    this.events.log(`The decode thread could not write received spans to the trace database ${this.archive.path} (${reason}); the trace server writes them itself.`);
  }

  /**
   * Brings traces the memory store no longer holds (or never loaded) back from the trace database,
   * with their log records: a run opened from the Runs view, a trace looked up by id. Returns the
   * traces found there.
   */
  recall(traceIds: readonly TraceId[], why: 'read' | 'stale' = 'read'): Set<TraceId> {
    const archive = this.archive;
    const wanted = [...new Set(traceIds)].filter((id) => this.store.spansOf(id) === undefined);
    if (archive === undefined || wanted.length === 0) return new Set();
    let spans: Span[];
    let records: LogRecord[];
    try {
      spans = archive.spansOf(wanted);
      records = spans.length === 0 ? [] : archive.logsOf([...new Set(spans.map((s) => s.traceId))]);
    } catch (e) {
      this.events.log(`Reading traces from the trace database failed: ${e instanceof Error ? e.message : String(e)}`);
      return new Set();
    }
    if (spans.length === 0) return new Set();
    // Runs whose other half arrived since they left memory are classified again; others may stay as they were.
    this.add(spans, new Map(), 'caughtUp', why === 'read');
    const fresh = unseenRecords(records, (id) => this.logs.logsOf(id));
    if (fresh.length > 0) this.addLogs(fresh, 'caughtUp');
    return new Set(spans.map((s) => s.traceId));
  }

  /** A trace's spans held here, from memory or the trace database (another backend's run may link to it). */
  spansOf(traceId: TraceId): readonly Span[] | undefined {
    this.recall([traceId]);
    return this.store.spansOf(traceId);
  }

  /** What the run index made of traces, into the trace database (by the window that writes it). */
  private writeRuns(changes: Parameters<RunsClassified>[0]): void {
    if (this.following !== undefined) return;
    const rows = changes.flatMap(({ traceId, entry, executionKeys, basis }) => {
      const body = entry === undefined ? undefined : storedRunEntry(entry, executionKeys, basis);
      const before = this.storedRunDigests.get(traceId);
      if (before !== undefined) this.storedRunDigests.delete(traceId);
      return before !== undefined && body !== undefined && digestOf(body) === before ? [] : [{ traceId, body }];
    });
    for (const { traceId, body } of rows) this.runRowsToWrite.set(traceId, body);
    // Written together a moment later: a transaction per slice of classification cost the main thread
    // a commit each, and the decode thread its turn at the database.
    if (this.runRowsToWrite.size > 0) this.runRowsTimer ??= setTimeout(() => this.flushRunRows(), runRowsDelayMs).unref();
  }

  /** Writes the runs classified since the last write. */
  private flushRunRows(): void {
    clearTimeout(this.runRowsTimer);
    this.runRowsTimer = undefined;
    // Following another window's database since: that window writes the runs (as writeRuns says).
    if (this.following !== undefined) this.runRowsToWrite.clear();
    if (this.runRowsToWrite.size === 0) return;
    const rows = [...this.runRowsToWrite].map(([traceId, body]) => ({ traceId, body }));
    this.runRowsToWrite.clear();
    this.writeArchive((archive) => archive.putRuns(rows));
  }

  /** A trace's spans from the trace database without loading them into memory (joining a run's other half). */
  private readArchived(traceId: string): readonly Span[] | undefined {
    // About to be restored: reading it here too (2 s for 70k spans, in one block) would hold up every
    // request meanwhile. Its arrival marks the runs that link to it changed, to be classified with it.
    if (this.archive === undefined || this.restorePending.has(traceId as TraceId)) return undefined;
    try {
      const spans = this.archive.spansOf([traceId as TraceId]);
      return spans.length === 0 ? undefined : spans;
    } catch {
      return undefined;
    }
  }

  private stopCheckpointer(): void {
    this.checkpointer?.stop();
    this.checkpointer = undefined;
  }

  private writeArchive(write: (archive: SpanArchive) => void): void {
    if (this.archive === undefined) return;
    try {
      write(this.archive);
    } catch (e) {
      this.dropArchive(`Writing to the trace database ${this.archive.path} failed (${e instanceof Error ? e.message : String(e)}): traces are kept in memory only until the trace server restarts. Free disk space, or turn off difyTrace.store.persist.`);
    }
  }

  private dropArchive(reason: string): void {
    this.stopCheckpointer();
    try {
      this.archive?.close();
    } catch {
      // already unusable
    }
    this.archive = undefined;
    this.decoder.writeSpansTo?.(undefined);
    this.storage = { persisted: false, reason };
    this.events.log(reason);
    this.emitStatus();
  }

  /**
   * Opens the archive named by the settings and brings its most recent traces back into memory (up
   * to the store's bound): the runs a reload would otherwise have lost. Then prunes it by age and size.
   */
  private openArchive(): void {
    const path = this.settings.store.archivePath;
    if (path === undefined) {
      this.storage = { persisted: false, reason: 'difyTrace.store.persist is off: traces are kept in memory only.' };
      return;
    }
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch {
      // SpanArchive.open reports what fails
    }
    const opened = SpanArchive.open(path, this.decoder.mainWriteTurn);
    if (!opened.ok) {
      this.storage = { persisted: false, reason: opened.reason };
      this.events.log(opened.reason);
      return;
    }
    this.archive = opened.archive;
    this.checkpointer = WalCheckpointer.start(path);
    if (this.checkpointer !== undefined) this.archive.checkpointElsewhere();
    this.decoder.writeSpansTo?.(path);
    this.storage = { persisted: true, path };
    this.pruneArchive();
    // Where a window that follows this database starts reading (the spans before it are loaded below).
    try {
      this.changeAtOpen = this.archive?.latestChange() ?? 0;
    } catch {
      this.changeAtOpen = 0;
    }
    const started = Date.now();
    // Stored span text is JSON, about half what the same characters cost in memory (spanSize.ts).
    const recent = this.archive.recentTraces(this.settings.store.maxSpans, storeBoundsOf(this.settings).maxBytes / 2);
    // Every run the database keeps is listed at once from what was made of it; the spans of the most
    // recent traces follow a part at a time (a restart with a million spans would otherwise answer
    // nothing for seconds), and any other run's spans come back when it is opened.
    const rows = this.archive.loadRuns(new Set());
    // What each row said, so that classifying the restored runs again does not rewrite rows that stay the same.
    this.storedRunDigests = new Map(rows.map(({ traceId, body }) => [traceId, digestOf(body)]));
    const kept = rows.flatMap(({ body }) => storedRunEntryOf(body) ?? []);
    this.runs.addCold(kept);
    const listedAfterMs = Date.now() - started;
    this.restorePending = new Set(recent.map((r) => r.traceId));
    const linksOf = new Map(kept.map((k) => [k.entry.run.traceId, k.entry.run.linkedTraceIds]));
    this.restoring = this.restoreRecent(this.archive, linkedHalvesFirst(recent, (id) => linksOf.get(id) ?? [])).finally(() => this.restorePending.clear()).then(
      ({ spans, records }) => {
        if (spans > 0 || kept.length > 0) this.events.log(`Listed ${kept.length} runs from ${path} after ${listedAfterMs} ms; restored the spans of the ${recent.length} most recent traces (${spans} spans, ${records} log records) in ${Date.now() - started} ms`);
      },
      (e: unknown) => this.events.log(`Restoring traces from ${path} failed: ${e instanceof Error ? e.message : String(e)}; they are read from it when opened.`),
    );
    // Announced once the restore is under way: a layout warmed for them waits for it (`whenRestored`),
    // where one made meanwhile read whatever half was not back yet from the database, in one block.
    if (kept.length > 0) this.events.runsChanged(kept.map((k) => k.entry.run.traceId as TraceId), 'changed');
    this.pruneTimer = setInterval(() => this.pruneArchive(), 10 * 60_000).unref();
  }

  /**
   * Loads the recent traces' spans and log records into memory, about 20k spans at a time: read a
   * page per turn of the event loop (a trace of 70k spans is not one long pause for the requests
   * that arrive meanwhile), each trace added whole once read.
   */
  private async restoreRecent(archive: SpanArchive, recent: readonly { readonly traceId: TraceId; readonly spans: number }[]): Promise<{ spans: number; records: number }> {
    const resources = new Map<string, Resource>();
    let spans = 0;
    let records = 0;
    let read: Span[] = [];
    let readTraces: TraceId[] = [];
    // Each step a turn of its own: for a run of 100k spans, each takes up to a second.
    const addRead = async (): Promise<void> => {
      const traces = readTraces;
      for (const id of traces) this.restorePending.delete(id);
      // A trace brought back meanwhile (opened, or a late span arrived) is not loaded twice.
      const loaded = unseenSpans(read, (id) => this.store.spansOf(id as TraceId));
      read = [];
      readTraces = [];
      if (loaded.length > 0) this.add(loaded, new Map(), 'changed', true);
      // Their log records too: a plugin's traceback often survives only in the API's logs.
      const logs = unseenRecords(archive.logsOf(traces), (id) => this.logs.logsOf(id));
      if (logs.length > 0) this.addLogs(logs);
      spans += loaded.length;
      records += logs.length;
      // And their keyword index and runs, part by part: once restored, the first listing and the
      // first keyword query find nothing left to read. A run is classified again only when its row
      // was not made from these same spans by this release (RunIndex.markRestored).
      await nextTurn();
      if (this.archive !== archive) return;
      this.runs.indexKeywordsNow();
      await nextTurn();
      if (this.archive !== archive) return;
      this.runs.classifyChanged();
    };
    for (const { traceId } of recent) {
      for (const page of archive.spanPagesOf(traceId, restorePageSpans, resources)) {
        for (const span of page) read.push(span);
        await nextTurn();
        // Closed meanwhile (the trace server stops), or let go after a failure: nothing more to load.
        if (this.archive !== archive) return { spans, records };
      }
      readTraces.push(traceId);
      if (read.length >= restorePartSpans) await addRead();
    }
    if (readTraces.length > 0) await addRead();
    return { spans, records };
  }

  /** Resolves once the keyword index has caught up with the spans (it follows them in the background). */
  whenKeywordsIndexed(): Promise<void> {
    return this.runs.whenKeywordsIndexed();
  }

  /** Resolves once the spans a restart brings back into memory are there (tests, benchmarks). */
  whenRestored(): Promise<void> {
    return this.restoring;
  }

  private pruneArchive(): void {
    if (this.archive === undefined) return;
    try {
      const dropped = this.archive.prune({ retentionDays: this.settings.store.retentionDays ?? defaultServerSettings.store.retentionDays, maxDiskMiB: this.settings.store.maxDiskMiB ?? defaultServerSettings.store.maxDiskMiB });
      // Runs kept only on disk go with their spans; those in memory stay until memory lets them go.
      const gone = dropped.filter((id) => this.store.spansOf(id) === undefined);
      if (gone.length > 0) {
        this.runs.remove(gone);
        this.events.runsChanged(gone, 'changed');
      }
      if (dropped.length > 0) this.events.log(`Dropped ${dropped.length} trace(s) from the trace database (older than difyTrace.store.retentionDays, or beyond difyTrace.store.maxDiskMiB)`);
    } catch (e) {
      this.dropArchive(`Pruning the trace database failed (${e instanceof Error ? e.message : String(e)}): traces are kept in memory only until the trace server restarts.`);
    }
  }

  /** Stores spans; an import comes here directly, so the status bar's rate shows only what was received. */
  /** `fromDisk`: the spans came back from the trace database, as they were when their runs were classified. */
  private add(spans: readonly Span[], rejectedByTrace: ReadonlyMap<TraceId, number>, cause: ChangeCause = 'changed', fromDisk = false): number {
    const { touched, evicted, pastBound } = this.store.add(spans);
    this.forget(evicted);
    let notKept = 0;
    for (const [traceId, count] of pastBound) {
      notKept += count;
      const before = this.spansPastBound.get(traceId);
      // Once per trace: a trace past the bound keeps arriving batch after batch.
      if (before === undefined) this.events.log(`Trace ${traceId} is larger than difyTrace.store.maxSpans or difyTrace.store.maxMemoryMiB: its further spans are not held in memory${this.archive === undefined ? ' (and, with no trace database, not kept)' : ' (they are in the trace database)'}`);
      this.spansPastBound.set(traceId, (before ?? 0) + count);
    }
    for (const [traceId, count] of rejectedByTrace) this.rejectedSpans.set(traceId, (this.rejectedSpans.get(traceId) ?? 0) + count);
    // Traces whose every span was refused are never evicted with the store: keep the count bounded.
    for (const oldest of this.rejectedSpans.keys()) {
      if (this.rejectedSpans.size <= maxTracesWithRejections) break;
      this.rejectedSpans.delete(oldest);
    }
    const changed = fromDisk ? this.runs.markRestored(touched) : this.runs.markChanged(touched);
    this.announce([...changed, ...rejectedByTrace.keys()], evicted, cause);
    this.emitStatus();
    return notKept;
  }

  /** Traces that took spans or records, and those evicted to make room: evicted ones did change, whatever brought the others in. */
  private announce(took: readonly TraceId[], evicted: readonly TraceId[], cause: ChangeCause): void {
    if (cause === 'changed') {
      this.events.runsChanged([...took, ...evicted], cause);
      return;
    }
    if (evicted.length > 0) this.events.runsChanged(evicted, 'changed');
    if (took.length > 0) this.events.runsChanged(took, cause);
  }

  private stopRateTimer(): void {
    clearInterval(this.rateTimer);
    this.rateTimer = undefined;
  }

  private forget(evicted: readonly TraceId[]): void {
    // What the database holds stays listed (its run kept without spans); the rest is gone.
    const held = this.heldOnDisk(evicted);
    this.runs.retire(evicted.filter((id) => held.has(id)));
    this.runs.remove(evicted.filter((id) => !held.has(id)));
    this.logs.removeTraces(evicted);
    for (const id of evicted) {
      this.rejectedSpans.delete(id);
      this.spansPastBound.delete(id);
    }
  }

  private heldOnDisk(traceIds: readonly TraceId[]): Set<string> {
    if (this.archive === undefined || traceIds.length === 0) return new Set();
    try {
      return this.archive.holds(traceIds);
    } catch {
      return new Set();
    }
  }

  /** Adds log records; their traces count as changed, so the panels showing them refresh. */
  ingestLogs(records: readonly LogRecord[]): void {
    // On disk first, as spans are: what the receiver acknowledges survives a restart.
    if (records.length > 0) this.writeArchive((archive) => archive.addLogs(records));
    this.addLogs(records);
  }

  /** Log records into memory only (restored from, or read from another window's, trace database). */
  private addLogs(records: readonly LogRecord[], cause: ChangeCause = 'changed'): void {
    const { touched, evicted } = this.logs.add(records);
    this.runs.markLogsChanged([...touched, ...evicted]);
    if (touched.length > 0 || evicted.length > 0) this.announce(touched, evicted, cause);
    this.emitStatus();
  }

  /**
   * Ingests an exported file (ImportTracesRequest) as if it had been received. Spans already in the
   * store (same trace and span id) are skipped, so importing a file twice changes nothing.
   */
  importTraces(params: ImportTracesRequest.Params): ImportTracesRequest.Result {
    const read = readImport(params.content);
    const spans = unseenSpans(read.spans, (id) => this.store.spansOf(id as TraceId));
    this.archiveSpans(spans);
    if (spans.length > 0 || read.rejectedByTrace.size > 0) this.add(spans, read.rejectedByTrace);
    const records = unseenRecords(read.records, (id) => this.logs.logsOf(id));
    if (records.length > 0) this.ingestLogs(records);
    const traceIds = [...new Set([...read.spans.map((s) => s.traceId), ...read.records.flatMap((r) => (r.traceId === undefined ? [] : [r.traceId]))])];
    // The run's own trace first: an app-level run, then an infrastructure run, then the rest, each in file order.
    const rank = (id: TraceId): number => {
      const run = this.runs.runOf(id);
      return run === undefined ? 2 : run.source === 'infrastructure' ? 1 : 0;
    };
    const ordered = traceIds.map((id, i) => ({ id, i, rank: rank(id) })).sort((a, b) => a.rank - b.rank || a.i - b.i);
    return { spans: spans.length, logRecords: records.length, traceIds: ordered.map((t) => t.id), rejected: read.rejected, errors: read.errors };
  }

  async start(): Promise<void> {
    if (!this.archiveOpened) {
      this.archiveOpened = true;
      this.openArchive();
    }
    if (!this.settings.receiver.enabled) {
      this.grpcState = undefined;
      this.setState({ state: 'disabled' });
      return;
    }
    this.setState({ state: 'starting' });
    await this.startReceivers(false);
  }

  /**
   * Binds both receivers. When the HTTP port is held by another window's trace server on the same
   * database, this one follows that database instead (`following`), and retries the ports from then
   * on (`retrying`): the first to get them after the owner's window closes takes over.
   */
  private async startReceivers(retrying: boolean): Promise<void> {
    const { host, port, grpcPort, maxBodyMiB } = this.settings.receiver;
    if (!retrying) this.grpcState = undefined;
    const sink = (transport: 'http' | 'grpc'): OtlpSink => ({
      onSpans: (spans, rejectedByTrace, written) => {
        this.acceptedRequests[transport]++;
        return { notKept: this.ingest(spans, rejectedByTrace, written) };
      },
      // Langfuse's SDK re-sends a whole batch when any event failed: ingest stores each span once.
      onLangfuseSpans: (spans, written) => {
        this.acceptedRequests[transport]++;
        if (spans.length > 0) this.ingest(spans, new Map(), written);
      },
      onLogs: (records) => {
        this.acceptedRequests[transport]++;
        this.ingestLogs(records);
      },
      onRejected: (reason) => {
        this.rejectedRequests++;
        this.lastError = reason;
        this.refusals.add(reason);
        this.emitStatus();
      },
    });
    const maxBodyBytes = Math.round(maxBodyMiB * 1024 * 1024);
    // One budget and one decode path for both transports: a flood on one is felt by the other.
    const budget = new BodyBudget(4 * maxBodyBytes);
    const token = this.settings.receiver.token === undefined ? {} : { token: this.settings.receiver.token };
    const archiveId = this.archiveId();
    const receiver = new OtlpHttpReceiver({ host, port, ...token, maxBodyBytes, budget, decoder: this.decoder, ...sink('http'), ...(archiveId === undefined ? {} : { archiveId }) });
    const result = await receiver.listen();
    // Still held (or still failing): keep following and try again later.
    if (!result.ok && retrying) return;
    if (!result.ok && result.code === 'EADDRINUSE') {
      if (archiveId !== undefined && (await ownerShares(host, port, archiveId, this.settings.receiver.token))) {
        this.follow(host, port);
        return;
      }
    }
    if (result.ok) {
      this.receiver = receiver;
      if (this.following) this.events.log(`Took over the receiver from the window that held it; reading the trace database up to now first`);
      this.stopFollowing(true);
    }
    this.setState(this.stateOf('OTLP/HTTP', result, host, port));
    if (grpcPort !== undefined) {
      const grpc = new OtlpGrpcReceiver({ host, port: grpcPort, ...token, maxMessageBytes: maxBodyBytes, budget, ingest: new OtlpIngest(sink('grpc'), this.decoder) });
      const grpcResult = await grpc.listen();
      if (grpcResult.ok) this.grpcReceiver = grpc;
      this.grpcState = this.stateOf('OTLP/gRPC', grpcResult, host, grpcPort);
      this.emitStatus();
    }
  }

  private archiveId(): string | undefined {
    return this.archive === undefined ? undefined : archiveIdOf(this.archive.path);
  }

  /** The port is held by another window's trace server on this database: show what it receives, and try the ports now and then. */
  private follow(host: string, port: number): void {
    const archive = this.archive;
    if (archive === undefined) return;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.events.log(`${url} is held by the trace server of another window on the same trace database: following it (its runs show here too) until it closes`);
    this.stopFollowing(false);
    const reader = new ArchiveFollower(archive, this.changeAtOpen, (read, readLogs) => {
      const spans = unseenSpans(read, (id) => this.store.spansOf(id as TraceId));
      if (spans.length > 0) this.add(spans, new Map());
      const records = unseenRecords(readLogs, (id) => this.logs.logsOf(id));
      if (records.length > 0) this.addLogs(records);
    }, (message) => this.events.log(message));
    const takeOver = setInterval(() => void this.startReceivers(true).catch((e: unknown) => this.events.log(`Taking over the receiver failed: ${String(e)}`)), 3_000);
    this.following = { reader, takeOver };
    this.setState({ state: 'following', url });
  }

  /** `catchUp`: read what the owner wrote last, before this window starts writing itself. */
  private stopFollowing(catchUp: boolean): void {
    if (this.following === undefined) return;
    if (catchUp) this.following.reader.read();
    this.following.reader.stop();
    clearInterval(this.following.takeOver);
    this.following = undefined;
  }

  private stateOf(protocol: string, result: ListenResult, host: string, port: number): ReceiverState {
    if (result.ok) {
      this.events.log(`${protocol} receiver listening on ${result.url}`);
      return { state: 'listening', url: result.url };
    }
    if (result.code === 'EADDRINUSE') {
      this.events.log(`${protocol}: port ${port} on ${host} is in use: ${result.message}`);
      return { state: 'portInUse', host, port };
    }
    this.events.log(`The ${protocol} receiver could not start: ${result.message}`);
    return { state: 'failed', message: result.message };
  }

  async stop(): Promise<void> {
    this.stopFollowing(false);
    this.stopRateTimer();
    this.refusals.dispose();
    clearInterval(this.pruneTimer);
    await Promise.all([this.receiver?.close(), this.grpcReceiver?.close()]);
    this.receiver = undefined;
    this.grpcReceiver = undefined;
  }

  /** Closes the trace database (the trace server is shutting down); the spans written so far stay. */
  close(): void {
    this.runs.stopBackgroundWork();
    clearInterval(this.pruneTimer);
    clearInterval(this.dueTimer);
    if (this.classifying !== undefined) clearImmediate(this.classifying);
    this.classifying = undefined;
    try {
      // The runs changed since the last listing, classified and written for the next start.
      if (this.archive !== undefined && this.following === undefined) this.runs.classifyChanged();
      this.flushRunRows();
    } catch (e) {
      this.events.log(`Classifying the last runs before closing failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.decoder.writeSpansTo?.(undefined);
    this.stopCheckpointer();
    try {
      this.archive?.close();
    } catch {
      // closing an unusable database: nothing left to keep
    }
    this.archive = undefined;
  }

  async configure(settings: ServerSettings): Promise<void> {
    const before = this.settings.receiver;
    this.settings = settings;
    const evicted = this.store.setBounds(storeBoundsOf(settings));
    if (evicted.length > 0) {
      this.forget(evicted);
      this.events.runsChanged(evicted, 'changed');
    }
    const logsEvicted = this.logs.setMaxRecords(maxLogRecordsOf(settings));
    this.runs.markLogsChanged(logsEvicted);
    if (logsEvicted.length > 0) this.events.runsChanged(logsEvicted, 'changed');
    const after = settings.receiver;
    const restart = before.enabled !== after.enabled || before.host !== after.host || before.port !== after.port || before.grpcPort !== after.grpcPort || before.maxBodyMiB !== after.maxBodyMiB || before.token !== after.token;
    const retry = (state: ReceiverState | undefined) => state?.state === 'portInUse' || state?.state === 'failed' || state?.state === 'following';
    if (restart || retry(this.receiverState) || retry(this.grpcState)) {
      await this.stop();
      await this.start();
    }
    this.emitStatus();
  }

  status(): ReceiverStatus {
    const { spans, traces, bytes } = this.store.stats();
    const logRecords = this.logs.stats().records;
    // Runs as of the last listing: counting them here would classify on every received batch.
    const runs = this.runs.knownRunCount();
    return {
      receiver: this.receiverState,
      ...(this.grpcState ? { grpc: this.grpcState } : {}),
      spansPerSecond: this.rate.perSecond(),
      runs,
      spans,
      ...(bytes === undefined ? {} : { spanBytes: bytes }),
      traces,
      logRecords,
      rejectedRequests: this.rejectedRequests,
      acceptedRequests: { ...this.acceptedRequests },
      ...(this.lastError ? { lastError: this.lastError } : {}),
      storage: this.storage,
    };
  }

  private setState(state: ReceiverState): void {
    this.receiverState = state;
    this.emitStatus();
  }

  private emitStatus(): void {
    this.events.statusChanged(this.status());
  }
}

function digestOf(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

function storeBoundsOf(settings: ServerSettings): { maxSpans: number; maxBytes: number } {
  const mib = settings.store.maxMemoryMiB ?? defaultServerSettings.store.maxMemoryMiB;
  return { maxSpans: settings.store.maxSpans, maxBytes: mib * 1024 * 1024 };
}

function maxLogRecordsOf(settings: ServerSettings): number {
  return settings.store.maxLogRecords ?? defaultServerSettings.store.maxLogRecords;
}

/**
 * The restore's order with each run's linked traces (its infrastructure half) just before it, so a
 * run is classified with its other half in memory, once, rather than without it and again when it
 * comes.
 */
export function linkedHalvesFirst<T extends { readonly traceId: TraceId }>(recent: readonly T[], linksOf: (traceId: TraceId) => readonly string[]): T[] {
  const byId = new Map(recent.map((r) => [r.traceId as string, r]));
  const ordered: T[] = [];
  const placed = new Set<string>();
  for (const item of recent) {
    for (const linked of linksOf(item.traceId)) {
      const half = byId.get(linked);
      if (half !== undefined && !placed.has(linked)) {
        placed.add(linked);
        ordered.push(half);
      }
    }
    if (!placed.has(item.traceId)) {
      placed.add(item.traceId);
      ordered.push(item);
    }
  }
  return ordered;
}
