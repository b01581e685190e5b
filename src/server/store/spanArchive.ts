/**
 * The received spans on disk, in SQLite through Node's built-in `node:sqlite` (no native module to
 * ship per platform): a window reload or an editor restart brings the runs back. The in-memory store
 * stays the working set in front of it; the archive is written first, in one transaction per batch,
 * so a batch is on disk (WAL committed) before the receiver answers 200, and a crash of the trace
 * server loses nothing acknowledged. WAL with synchronous=NORMAL: durable against a killed process
 * (what this guards against); a power cut may lose the last commits.
 *
 * Where the editor's Node has no `node:sqlite` (before 22.13), or the database cannot be used, the
 * trace server keeps working in memory and says why.
 */
import { existsSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { LogRecord } from '../../model/logRecord';
import type { Resource, Span } from '../../model/span';
import type { TraceId } from '../../model/units';
import { soleWriter, type WriteTurn } from './writeTurn';

/** The part of node:sqlite's API used here (its types are not in @types/node 20). */
interface Statement {
  run(...params: (string | number | bigint | null)[]): unknown;
  get(...params: (string | number | bigint | null)[]): Record<string, unknown> | undefined;
  all(...params: (string | number | bigint | null)[]): Record<string, unknown>[];
}
interface Database {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  close(): void;
}
type DatabaseConstructor = new (path: string, options?: { timeout?: number }) => Database;

export interface ArchiveSettings {
  /** Days a trace is kept after its last span arrived. */
  readonly retentionDays: number;
  /** Size of the span data kept, in MiB; the oldest traces go first. */
  readonly maxDiskMiB: number;
}

export type ArchiveOpen = { readonly ok: true; readonly archive: SpanArchive } | { readonly ok: false; readonly reason: string; readonly movedAside?: string };

/** node:sqlite, when the running Node has it. */
function sqlite(): DatabaseConstructor | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a built-in that older Node lacks: loaded when there
    return (require('node:sqlite') as { DatabaseSync: DatabaseConstructor }).DatabaseSync;
  } catch {
    return undefined;
  }
}

/**
 * The layout is for writing batches of spans with random trace ids fast (measured on node:sqlite,
 * Node 24, 512-span batches of ~2.8 KB spans): 16 KiB pages, since a span's JSON of a few KiB spills
 * onto overflow pages of SQLite's default 4 KiB; and spans in a rowid table (appended in arrival
 * order) with a small unique index on (trace, span), about three times as fast as the table
 * clustered by trace id that databases made before had, where every batch split pages all over
 * the file. Both take effect on a new database only (the page size must precede the first table
 * and WAL); an older one keeps its layout and works as before.
 */
const SCHEMA = `
  PRAGMA page_size = 16384;
  PRAGMA journal_mode = WAL;
  PRAGMA synchronous = NORMAL;
  PRAGMA auto_vacuum = INCREMENTAL;
  CREATE TABLE IF NOT EXISTS resources (id TEXT PRIMARY KEY, body TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS traces (trace_id TEXT PRIMARY KEY, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, spans INTEGER NOT NULL, bytes INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS traces_last_seen ON traces (last_seen);
  CREATE TABLE IF NOT EXISTS spans (trace_id TEXT NOT NULL, span_id TEXT NOT NULL, resource_id TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (trace_id, span_id));
  CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, trace_id TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS logs (seq INTEGER PRIMARY KEY AUTOINCREMENT, trace_id TEXT NOT NULL, resource_id TEXT NOT NULL, body TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS logs_trace ON logs (trace_id);
  CREATE TABLE IF NOT EXISTS runs (trace_id TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
`;

/**
 * Pages in the write-ahead log past which a commit copies it into the database itself, where the
 * WalCheckpointer does that (256 MiB of 16 KiB pages): only if its thread stopped.
 */
const safetyNetCheckpointPages = 16_384;

/** Change rows kept for windows that follow the database; one that falls further behind reloads. */
const keptChanges = 100_000;

export class SpanArchive {
  private readonly insertSpan: Statement;
  private readonly insertResource: Statement;
  private readonly upsertTrace: Statement;
  private readonly insertChange: Statement;
  private readonly insertLog: Statement;
  private readonly upsertRun: Statement;
  private readonly deleteRun: Statement;
  private readonly traceKnown: Statement;
  private readonly resourceOf: Statement;
  private readonly selectSpans: Statement;
  private readonly selectSpansAfter: Statement;
  private readonly selectLogs: Statement;
  private readonly knownResources = new Set<string>();
  private readonly resourceIds = new WeakMap<Resource, string>();

  private constructor(
    private readonly db: Database,
    readonly path: string,
    private readonly turn: WriteTurn,
  ) {
    this.insertSpan = db.prepare('INSERT OR IGNORE INTO spans (trace_id, span_id, resource_id, body) VALUES (?, ?, ?, ?)');
    this.insertResource = db.prepare('INSERT OR IGNORE INTO resources (id, body) VALUES (?, ?)');
    this.insertChange = db.prepare('INSERT INTO changes (trace_id) VALUES (?)');
    this.insertLog = db.prepare('INSERT INTO logs (trace_id, resource_id, body) VALUES (?, ?, ?)');
    this.upsertRun = db.prepare('INSERT INTO runs (trace_id, body) VALUES (?, ?) ON CONFLICT(trace_id) DO UPDATE SET body = excluded.body');
    this.deleteRun = db.prepare('DELETE FROM runs WHERE trace_id = ?');
    this.traceKnown = db.prepare('SELECT 1 FROM traces WHERE trace_id = ?');
    // Prepared once: reading a trace back (a run opened, a linked half joined) is on hot paths.
    this.resourceOf = db.prepare('SELECT body FROM resources WHERE id = ?');
    this.selectSpans = db.prepare('SELECT resource_id, body FROM spans WHERE trace_id = ?');
    // The order the one above reads in (its (trace_id, span_id) index), a page at a time.
    this.selectSpansAfter = db.prepare('SELECT span_id, resource_id, body FROM spans WHERE trace_id = ? AND span_id > ? ORDER BY span_id LIMIT ?');
    this.selectLogs = db.prepare('SELECT resource_id, body FROM logs WHERE trace_id = ? ORDER BY seq');
    this.upsertTrace = db.prepare(
      'INSERT INTO traces (trace_id, first_seen, last_seen, spans, bytes) VALUES (?, ?, ?, ?, ?) ON CONFLICT(trace_id) DO UPDATE SET last_seen = excluded.last_seen, spans = spans + excluded.spans, bytes = bytes + excluded.bytes',
    );
  }

  /**
   * Opens (or creates) the archive. A file that is not a database, or a database that fails its
   * integrity check, is moved aside (kept for the user) and a new one started; a locked one is
   * reported and not touched.
   */
  static open(path: string, turn: WriteTurn = soleWriter): ArchiveOpen {
    const Database = sqlite();
    if (Database === undefined) return { ok: false, reason: `This editor's Node.js (${process.version}) has no node:sqlite (Node 22.13 or later has it): traces are kept in memory only.` };
    const attempt = (): SpanArchive => {
      const db = new Database(path, { timeout: 2_000 });
      try {
        const check = db.prepare('PRAGMA quick_check').get();
        if (check?.['quick_check'] !== 'ok') throw new Error(`integrity check: ${String(check?.['quick_check'])}`);
        db.exec(SCHEMA);
        return new SpanArchive(db, path, turn);
      } catch (e) {
        db.close();
        throw e;
      }
    };
    try {
      return { ok: true, archive: attempt() };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (/locked|busy/i.test(message)) return { ok: false, reason: `The trace database ${path} is locked by another process (${message}); traces are kept in memory only.` };
      if (!existsSync(path)) return { ok: false, reason: `The trace database ${path} cannot be created (${message}); traces are kept in memory only.` };
      const aside = `${path}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      try {
        renameSync(path, aside);
        for (const suffix of ['-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
        return { ok: true, archive: attempt() };
      } catch (again) {
        return { ok: false, reason: `The trace database ${path} is unreadable (${message}) and no new one could be started (${again instanceof Error ? again.message : String(again)}); traces are kept in memory only.`, movedAside: aside };
      }
    }
  }

  /**
   * A second connection to a database `open` made ready (the decode thread's, which writes the
   * received spans there itself so the trace server's main thread does not). No integrity check, no
   * schema, no moving aside: those are the opener's; a failure is thrown to the caller.
   */
  static attach(path: string, turn: WriteTurn): SpanArchive {
    const Database = sqlite();
    if (Database === undefined) throw new Error(`Node.js ${process.version} has no node:sqlite`);
    const db = new Database(path, { timeout: 2_000 });
    try {
      // Per connection, as the opener's: commits survive a killed process, not a power cut.
      db.exec('PRAGMA synchronous = NORMAL');
      // The log is copied into the database by the WalCheckpointer's thread; this only if it stopped.
      db.exec(`PRAGMA wal_autocheckpoint = ${safetyNetCheckpointPages}`);
      return new SpanArchive(db, path, turn);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /**
   * The WalCheckpointer copies this database's log from now on: this connection checkpoints only as
   * a safety net (a commit that did would hold the thread for the whole copy).
   */
  checkpointElsewhere(): void {
    this.db.exec(`PRAGMA wal_autocheckpoint = ${safetyNetCheckpointPages}`);
  }

  private resourceId(resource: Resource): string {
    const known = this.resourceIds.get(resource);
    if (known !== undefined) return known;
    const body = JSON.stringify(resource);
    const id = createHash('sha256').update(body).digest('hex').slice(0, 32);
    if (!this.knownResources.has(id)) {
      this.insertResource.run(id, body);
      this.knownResources.add(id);
    }
    this.resourceIds.set(resource, id);
    return id;
  }

  /** Writes a batch in one transaction; returns once it is committed. */
  add(spans: readonly Span[], nowMs = Date.now()): void {
    if (spans.length === 0) return;
    const perTrace = new Map<string, { spans: number; bytes: number }>();
    this.transaction(() => {
      for (const span of spans) {
        const { resource, ...rest } = span;
        const body = JSON.stringify(rest);
        const inserted = this.insertSpan.run(span.traceId, span.spanId, this.resourceId(resource), body) as { changes?: number | bigint };
        // A span sent again (an exporter's retry) is stored once and counted once.
        if (Number(inserted.changes ?? 1) === 0) continue;
        const t = perTrace.get(span.traceId) ?? { spans: 0, bytes: 0 };
        t.spans++;
        t.bytes += body.length;
        perTrace.set(span.traceId, t);
      }
      for (const [traceId, t] of perTrace) {
        this.upsertTrace.run(traceId, nowMs, nowMs, t.spans, t.bytes);
        // In the same transaction: a window following this database sees the spans and the change together.
        this.insertChange.run(traceId);
      }
    });
  }

  /**
   * Writes log records that name a trace, in one transaction (a record without one belongs to no run
   * and stays in memory only). Their traces count as changed, for windows following this database.
   */
  addLogs(records: readonly LogRecord[], nowMs = Date.now()): void {
    const traced = records.filter((r) => r.traceId !== undefined);
    if (traced.length === 0) return;
    const traces = new Set<string>();
    this.transaction(() => {
      for (const record of traced) {
        const { resource, ...rest } = record;
        this.insertLog.run(record.traceId!, this.resourceId(resource), JSON.stringify(rest));
        traces.add(record.traceId!);
      }
      // A trace known only by its logs still ages out with the retention.
      for (const traceId of traces) {
        this.upsertTrace.run(traceId, nowMs, nowMs, 0, 0);
        this.insertChange.run(traceId);
      }
    });
  }

  /** The log records of these traces, in arrival order per trace. */
  logsOf(traceIds: readonly TraceId[]): LogRecord[] {
    return this.withResources<LogRecord>(this.selectLogs, traceIds, new Map());
  }

  /**
   * The most recently active traces' spans, newest traces first, up to `maxSpans` spans and
   * `maxBytes` of stored span text (what the memory store would keep anyway: loading more on a
   * restart is parsing to evict).
   */
  loadRecent(maxSpans: number, maxBytes = Number.POSITIVE_INFINITY): Span[] {
    const resources = new Map<string, Resource>();
    for (const row of this.db.prepare('SELECT id, body FROM resources').all()) resources.set(String(row['id']), JSON.parse(String(row['body'])) as Resource);
    return this.spansOf(this.recentTraces(maxSpans, maxBytes).map((t) => t.traceId), resources);
  }

  /**
   * Which traces `loadRecent` would load, oldest of them first (the memory store's arrival order),
   * with their span counts: to load them a part at a time.
   */
  recentTraces(maxSpans: number, maxBytes = Number.POSITIVE_INFINITY): { readonly traceId: TraceId; readonly spans: number }[] {
    const traces = this.db.prepare('SELECT trace_id, spans, bytes FROM traces ORDER BY last_seen DESC').all();
    const chosen: { traceId: TraceId; spans: number }[] = [];
    let total = 0;
    let totalBytes = 0;
    for (const row of traces) {
      const count = Number(row['spans']);
      const bytes = Number(row['bytes']);
      if ((total + count > maxSpans || totalBytes + bytes > maxBytes) && chosen.length > 0) break;
      chosen.push({ traceId: String(row['trace_id']) as TraceId, spans: count });
      total += count;
      totalBytes += bytes;
    }
    return chosen.reverse();
  }

  /** The spans of these traces, in trace order. */
  spansOf(traceIds: readonly TraceId[], resources = new Map<string, Resource>()): Span[] {
    return this.withResources<Span>(this.selectSpans, traceIds, resources);
  }

  /**
   * One trace's spans in pages of at most `pageSize`, each read when the previous one was taken (no
   * statement stays open in between): a large trace is read a page per turn of the event loop.
   */
  *spanPagesOf(traceId: TraceId, pageSize: number, resources = new Map<string, Resource>()): Generator<Span[], void, void> {
    for (let after = ''; ;) {
      const rows = this.selectSpansAfter.all(traceId, after, pageSize);
      if (rows.length === 0) return;
      after = String(rows[rows.length - 1]!['span_id']);
      yield rows.map((row) => this.joined<Span>(row, resources));
      if (rows.length < pageSize) return;
    }
  }

  /** A row's body (`body`) joined with its resource (`resource_id`). */
  private joined<T extends { readonly resource: Resource }>(row: Record<string, unknown>, resources: Map<string, Resource>): T {
    const id = String(row['resource_id']);
    let resource = resources.get(id);
    if (resource === undefined) {
      const found = this.resourceOf.get(id);
      resource = found ? (JSON.parse(String(found['body'])) as Resource) : { serviceName: 'unknown_service', attributes: {} };
      resources.set(id, resource);
    }
    return { ...(JSON.parse(String(row['body'])) as Omit<T, 'resource'>), resource } as T;
  }

  /**
   * The rows `select` gives per trace (`resource_id`, `body`), each body joined with its resource:
   * read once per id (into `resources`, shared by reference as in memory), an unknown one as
   * `unknown_service`.
   */
  private withResources<T extends { readonly resource: Resource }>(select: Statement, traceIds: readonly TraceId[], resources: Map<string, Resource>): T[] {
    const items: T[] = [];
    for (const traceId of traceIds) for (const row of select.all(traceId)) items.push(this.joined<T>(row, resources));
    return items;
  }

  /**
   * Writes what the run index made of traces (`body` undefined: the trace is no run), in one
   * transaction: a restart lists the runs from these without reading their spans. A trace the
   * archive no longer holds (pruned meanwhile) gets no row.
   */
  putRuns(rows: readonly { readonly traceId: string; readonly body: string | undefined }[]): void {
    if (rows.length === 0) return;
    this.transaction(() => {
      for (const { traceId, body } of rows) {
        if (body === undefined) this.deleteRun.run(traceId);
        else if (this.traceKnown.get(traceId) !== undefined) this.upsertRun.run(traceId, body);
      }
    });
  }

  /** The stored run of every trace but `except`'s (traces whose spans are loaded and classified anew). */
  loadRuns(except: ReadonlySet<string>): { readonly traceId: TraceId; readonly body: string }[] {
    const rows: { traceId: TraceId; body: string }[] = [];
    for (const row of this.db.prepare('SELECT trace_id, body FROM runs').all()) {
      const traceId = String(row['trace_id']);
      if (!except.has(traceId)) rows.push({ traceId: traceId as TraceId, body: String(row['body']) });
    }
    return rows;
  }

  /** Which of these traces the archive holds. */
  holds(traceIds: readonly string[]): Set<string> {
    return new Set(traceIds.filter((id) => this.traceKnown.get(id) !== undefined));
  }

  /** The newest change's number: a window that starts following reads changes after it. */
  latestChange(): number {
    return Number(this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM changes').get()?.['seq'] ?? 0);
  }

  /**
   * Traces written since change `seq` (by this process or another one on the same file), and the
   * newest change; `complete` is false when older changes were pruned, so the reader missed some.
   */
  changedSince(seq: number, limit = 10_000): { readonly traceIds: TraceId[]; readonly latest: number; readonly complete: boolean } {
    const oldest = Number(this.db.prepare('SELECT COALESCE(MIN(seq), 0) AS seq FROM changes').get()?.['seq'] ?? 0);
    const rows = this.db.prepare('SELECT seq, trace_id FROM changes WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit);
    const traceIds = [...new Set(rows.map((r) => String(r['trace_id']) as TraceId))];
    const latest = rows.length > 0 ? Number(rows.at(-1)!['seq']) : seq;
    return { traceIds, latest, complete: oldest <= seq + 1 || seq === 0 };
  }

  /** Traces whose last span is older than the retention, then the oldest beyond the size bound; returns the trace ids dropped. */
  prune(settings: ArchiveSettings, nowMs = Date.now()): TraceId[] {
    this.transaction(() => this.db.prepare('DELETE FROM changes WHERE seq <= (SELECT MAX(seq) FROM changes) - ?').run(keptChanges));
    const dropped: TraceId[] = [];
    const cutoff = nowMs - settings.retentionDays * 86_400_000;
    for (const row of this.db.prepare('SELECT trace_id FROM traces WHERE last_seen < ?').all(cutoff)) dropped.push(String(row['trace_id']) as TraceId);
    const maxBytes = settings.maxDiskMiB * 1024 * 1024;
    let bytes = Number(this.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS b FROM traces WHERE last_seen >= ?').get(cutoff)?.['b'] ?? 0);
    if (bytes > maxBytes) {
      for (const row of this.db.prepare('SELECT trace_id, bytes FROM traces WHERE last_seen >= ? ORDER BY last_seen ASC').all(cutoff)) {
        if (bytes <= maxBytes) break;
        dropped.push(String(row['trace_id']) as TraceId);
        bytes -= Number(row['bytes']);
      }
    }
    if (dropped.length === 0) return dropped;
    const deleteSpans = this.db.prepare('DELETE FROM spans WHERE trace_id = ?');
    const deleteLogs = this.db.prepare('DELETE FROM logs WHERE trace_id = ?');
    const deleteTrace = this.db.prepare('DELETE FROM traces WHERE trace_id = ?');
    this.transaction(() => {
      for (const id of dropped) {
        deleteSpans.run(id);
        deleteLogs.run(id);
        this.deleteRun.run(id);
        deleteTrace.run(id);
      }
    });
    this.transaction(() => this.db.exec('PRAGMA incremental_vacuum'), false);
    return dropped;
  }

  stats(): { spans: number; traces: number } {
    const row = this.db.prepare('SELECT COUNT(*) AS traces, COALESCE(SUM(spans), 0) AS spans FROM traces').get();
    return { traces: Number(row?.['traces'] ?? 0), spans: Number(row?.['spans'] ?? 0) };
  }

  close(): void {
    this.db.close();
  }

  /**
   * One write, in its turn (another thread may write the same file: WriteTurn). IMMEDIATE takes the
   * write lock at the start, waiting for it (the busy timeout); a transaction that read first and
   * then wrote would fail at once if the other connection committed in between.
   */
  private transaction(write: () => void, atomic = true): void {
    this.turn.begin();
    try {
      if (!atomic) {
        write();
        return;
      }
      this.db.exec('BEGIN IMMEDIATE');
      try {
        write();
        this.db.exec('COMMIT');
      } catch (e) {
        this.db.exec('ROLLBACK');
        throw e;
      }
    } finally {
      this.turn.end();
    }
  }
}
