/** Pure facts about log records for the details pane (no DOM, so Node tests import it): per-span index, severity. */
import { spanKey, type SpanKey } from '../../../src/model/buildTrace';
import type { LogRecord } from '../../../src/model/logRecord';

/** Log records by the span they were logged in; built once per snapshot so selecting a span costs a lookup. */
export type SpanLogIndex = ReadonlyMap<SpanKey, readonly LogRecord[]>;

export function indexLogsBySpan(records: readonly LogRecord[]): SpanLogIndex {
  const index = new Map<SpanKey, LogRecord[]>();
  for (const record of records) {
    if (record.traceId === undefined || record.spanId === undefined) continue;
    const key = spanKey({ traceId: record.traceId, spanId: record.spanId });
    const list = index.get(key);
    if (list) list.push(record);
    else index.set(key, [record]);
  }
  return index;
}

export interface Severity {
  readonly label: string;
  readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'unspecified';
  readonly icon: string;
}

/** OTLP SeverityNumber ranges (logs data model, "Field: SeverityNumber"), highest first. */
const ranges: ReadonlyArray<readonly [number, Severity]> = [
  [21, { label: 'FATAL', level: 'fatal', icon: 'codicon-error' }],
  [17, { label: 'ERROR', level: 'error', icon: 'codicon-error' }],
  [13, { label: 'WARN', level: 'warn', icon: 'codicon-warning' }],
  [9, { label: 'INFO', level: 'info', icon: 'codicon-info' }],
  [5, { label: 'DEBUG', level: 'debug', icon: 'codicon-debug' }],
  [1, { label: 'TRACE', level: 'trace', icon: 'codicon-circle-small' }],
];
const unspecified: Severity = { label: 'LOG', level: 'unspecified', icon: 'codicon-circle-outline' };

/** The record's severity in words and icon; a sender that set only the text (number 0) is read by the text. */
export function severityOf(record: LogRecord): Severity {
  let number = record.severityNumber;
  if (number === 0) {
    const text = record.severityText.toUpperCase();
    number = text.startsWith('FATAL') || text === 'CRITICAL' ? 21 : text.startsWith('ERR') ? 17 : text.startsWith('WARN') ? 13 : text.startsWith('INFO') ? 9 : text.startsWith('DEBUG') ? 5 : text.startsWith('TRACE') ? 1 : 0;
  }
  const severity = ranges.find(([min]) => number >= min)?.[1] ?? unspecified;
  return record.severityText ? { ...severity, label: record.severityText } : severity;
}
