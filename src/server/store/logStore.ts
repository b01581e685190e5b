import type { LogRecord } from '../../model/logRecord';
import { asTraceId, type TraceId } from '../../model/units';
import { forEachLogText } from './searchableText';

export interface LogAddResult {
  /** Traces that received records, in arrival order. */
  readonly touched: readonly TraceId[];
  /** Traces whose records were dropped to stay within the bound, oldest first. */
  readonly evicted: readonly TraceId[];
}

export interface LogStoreStats {
  readonly records: number;
  readonly traces: number;
  readonly unlinked: number;
}

/** A trace's records in arrival order, and when its first record arrived (to compare ages). */
interface TraceLogs {
  readonly firstSeq: number;
  readonly records: LogRecord[];
}

interface Unlinked {
  readonly seq: number;
  readonly record: LogRecord;
}

/**
 * Bounded in-memory log records, grouped by trace id. Records without a trace id (Dify logs plenty
 * outside any request: Celery beat, startup) sit in an "unlinked" list capped at a tenth of the bound,
 * so that noise cannot push out the records that explain a run. When the total exceeds the bound,
 * the oldest go first: whole traces by first arrival, interleaved with unlinked records by age, never
 * a trace of the batch being added unless nothing else is left. A trace's records are also dropped
 * when the span store evicts the trace (`removeTraces`).
 */
export class LogStore {
  private readonly traces = new Map<TraceId, TraceLogs>();
  private unlinked: Unlinked[] = [];
  private unlinkedHead = 0;
  private count = 0;
  private seq = 0;
  /** Lower-cased text each record is searched by; computed on first search. */
  private readonly searchText = new WeakMap<LogRecord, string>();

  constructor(private maxRecords: number) {}

  add(records: readonly LogRecord[]): LogAddResult {
    const touched = new Set<TraceId>();
    for (const record of records) {
      const seq = this.seq++;
      if (record.traceId === undefined) {
        this.unlinked.push({ seq, record });
      } else {
        const group = this.traces.get(record.traceId);
        if (group) group.records.push(record);
        else this.traces.set(record.traceId, { firstSeq: seq, records: [record] });
        touched.add(record.traceId);
      }
    }
    this.count += records.length;
    return { touched: [...touched], evicted: this.evict(touched) };
  }

  /** Records of a trace, in arrival order; accepts any string so callers holding plain ids need no cast. */
  logsOf(traceId: string): readonly LogRecord[] | undefined {
    const id = asTraceId(traceId);
    return id === undefined ? undefined : this.traces.get(id)?.records;
  }

  /** Records without a trace id, oldest first. */
  unlinkedRecords(): LogRecord[] {
    return this.unlinked.slice(this.unlinkedHead).map((u) => u.record);
  }

  /**
   * Whether any record of the trace contains `needle` (case-insensitive) in its body or in the
   * exception attributes the OTel logging bridges fill from `logger.exception` (type, message,
   * stacktrace): Dify's plugin tracebacks often exist only there. For `RunFilter.text`.
   */
  traceMatchesText(traceId: string, needle: string): boolean {
    const records = this.logsOf(traceId);
    if (records === undefined) return false;
    const lower = needle.toLowerCase();
    return records.some((record) => this.textOf(record).includes(lower));
  }

  /** Drops the records of traces the span store evicted. */
  removeTraces(traceIds: Iterable<TraceId>): void {
    for (const id of traceIds) this.removeGroup(id);
  }

  stats(): LogStoreStats {
    const unlinked = this.unlinked.length - this.unlinkedHead;
    return { records: this.count, traces: this.traces.size, unlinked };
  }

  /** Changes the bound; evicts at once if the store is over it. Returns the traces that lost records. */
  setMaxRecords(maxRecords: number): readonly TraceId[] {
    this.maxRecords = maxRecords;
    return this.evict(new Set());
  }

  clear(): void {
    this.traces.clear();
    this.unlinked = [];
    this.unlinkedHead = 0;
    this.count = 0;
  }

  private evict(keep: ReadonlySet<TraceId>): TraceId[] {
    const evicted = new Set<TraceId>();
    while (this.unlinked.length - this.unlinkedHead > Math.floor(this.maxRecords / 10)) this.dropOldestUnlinked();
    while (this.count > this.maxRecords) {
      const oldest = this.oldestTrace(keep);
      const unlinked = this.unlinked[this.unlinkedHead];
      if (oldest !== undefined && (unlinked === undefined || oldest[1].firstSeq < unlinked.seq)) {
        this.removeGroup(oldest[0]);
        evicted.add(oldest[0]);
      } else if (unlinked !== undefined) {
        this.dropOldestUnlinked();
      } else {
        // Only the traces of this batch are left and they alone exceed the bound: trim their oldest records.
        const [id, group] = this.traces.entries().next().value as [TraceId, TraceLogs];
        const excess = Math.min(this.count - this.maxRecords, group.records.length);
        group.records.splice(0, excess);
        this.count -= excess;
        if (group.records.length === 0) this.traces.delete(id);
        evicted.add(id);
      }
    }
    this.compactUnlinked();
    return [...evicted];
  }

  private oldestTrace(keep: ReadonlySet<TraceId>): [TraceId, TraceLogs] | undefined {
    for (const entry of this.traces) if (!keep.has(entry[0])) return entry;
    return undefined;
  }

  private removeGroup(traceId: TraceId): void {
    const group = this.traces.get(traceId);
    if (!group) return;
    this.traces.delete(traceId);
    this.count -= group.records.length;
  }

  private dropOldestUnlinked(): void {
    this.unlinkedHead++;
    this.count--;
  }

  /** The unlinked list is a queue read from `unlinkedHead`; reclaim its consumed front now and then. */
  private compactUnlinked(): void {
    if (this.unlinkedHead > 1024 && this.unlinkedHead * 2 > this.unlinked.length) {
      this.unlinked = this.unlinked.slice(this.unlinkedHead);
      this.unlinkedHead = 0;
    }
  }

  private textOf(record: LogRecord): string {
    let text = this.searchText.get(record);
    if (text === undefined) {
      const parts: string[] = [];
      forEachLogText(record, (part) => parts.push(part));
      text = parts.join('\n').toLowerCase();
      this.searchText.set(record, text);
    }
    return text;
  }
}
