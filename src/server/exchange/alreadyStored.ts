import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';

/**
 * Drops what an import would add a second time, so importing the same file twice changes nothing:
 * spans by trace and span id, log records by time, span, severity and body. One id set per trace
 * the file touches, built on first use.
 */
export function unseenSpans(spans: readonly Span[], spansOf: (traceId: string) => readonly Span[] | undefined): Span[] {
  const stored = new Map<string, Set<string>>();
  return spans.filter((span) => {
    let ids = stored.get(span.traceId);
    if (ids === undefined) stored.set(span.traceId, (ids = new Set((spansOf(span.traceId) ?? []).map((s) => s.spanId))));
    if (ids.has(span.spanId)) return false;
    ids.add(span.spanId);
    return true;
  });
}

const recordKey = (r: LogRecord): string => JSON.stringify([r.timeUs, r.spanId ?? '', r.severityNumber, r.body]);

export function unseenRecords(records: readonly LogRecord[], logsOf: (traceId: string) => readonly LogRecord[] | undefined): LogRecord[] {
  const stored = new Map<string, Set<string>>();
  return records.filter((record) => {
    // Records without a trace cannot be told apart from new ones cheaply; they are kept.
    if (record.traceId === undefined) return true;
    let keys = stored.get(record.traceId);
    if (keys === undefined) stored.set(record.traceId, (keys = new Set((logsOf(record.traceId) ?? []).map(recordKey))));
    const key = recordKey(record);
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  });
}
