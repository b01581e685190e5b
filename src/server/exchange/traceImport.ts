import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';
import type { TraceId } from '../../model/units';
import { decodeLogsJson, decodeTraceJson } from '../receiver/otlpJson';
import { logsRequestToModel } from '../receiver/otlpLogsToModel';
import { exportRequestToModel } from '../receiver/otlpToModel';

/** What a file held, mapped to the model; nothing valid is lost for an invalid line. */
export interface ReadImport {
  readonly spans: Span[];
  readonly records: LogRecord[];
  /** Spans and records refused for bad ids (counted while reading, hence writable). */
  rejected: number;
  readonly rejectedByTrace: Map<TraceId, number>;
  /** `line N: what was wrong` (or `item N` in a JSON array). */
  readonly errors: string[];
}

type Document =
  | {
      readonly label: string;
      /** The document's own text (a line, the whole file, an array item), decoded by the receiver as written. */
      readonly text: string;
      readonly value: unknown;
    }
  | { readonly label: string; readonly unreadable: string };

const signals = ['resourceSpans', 'resourceLogs'] as const;
const otherSignals: Readonly<Record<string, string>> = { resourceMetrics: 'metrics', resourceProfiles: 'profiles' };

/**
 * The export requests in a file: a JSON array of them, one object (pretty-printed or not), or JSON
 * Lines (the Collector's file exporter and our export). A whole-file parse is tried first only when
 * the file starts like JSON; for JSON Lines it fails at the end of the first line.
 */
function documentsOf(content: string): Document[] {
  const trimmed = content.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const whole: unknown = JSON.parse(trimmed);
      if (Array.isArray(whole)) return (whole as unknown[]).map((value, i) => ({ label: `item ${i + 1}`, text: JSON.stringify(value), value }));
      return [{ label: 'line 1', text: trimmed, value: whole }];
    } catch {
      // Not one JSON value: read it line by line.
    }
  }
  const documents: Document[] = [];
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      documents.push({ label: `line ${i + 1}`, text: line, value: JSON.parse(line) as unknown });
    } catch (e) {
      documents.push({ label: `line ${i + 1}`, unreadable: `not JSON (${(e as Error).message})` });
    }
  });
  return documents;
}

/**
 * Reads an exported file through the receiver's own OTLP/JSON path (hex or base64 ids, then the
 * generated schema's `fromJson`, then the same model mappers), so an import behaves exactly like the
 * request having been received. Never throws.
 */
export function readImport(content: string): ReadImport {
  const result: ReadImport = { spans: [], records: [], rejected: 0, rejectedByTrace: new Map(), errors: [] };
  if (content.trim() === '') {
    result.errors.push('The file is empty: nothing to import.');
    return result;
  }
  for (const document of documentsOf(content)) {
    if ('unreadable' in document) {
      result.errors.push(`${document.label}: ${document.unreadable}`);
      continue;
    }
    const { label, text, value } = document;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      result.errors.push(`${label}: not an OTLP/JSON export request (expected an object with resourceSpans or resourceLogs)`);
      continue;
    }
    const keys = Object.keys(value);
    const other = keys.map((k) => otherSignals[k]).find((s) => s !== undefined);
    if (!signals.some((s) => keys.includes(s))) {
      result.errors.push(other === undefined ? `${label}: not an OTLP/JSON export request (expected resourceSpans or resourceLogs)` : `${label}: holds ${other}, which are not imported (only traces and logs)`);
      continue;
    }
    read(label, Buffer.from(text, 'utf8'), keys, result);
  }
  return result;
}

function read(label: string, body: Buffer, keys: readonly string[], result: ReadImport): void {
  try {
    if (keys.includes('resourceSpans')) {
      const mapped = exportRequestToModel(decodeTraceJson(body));
      for (const span of mapped.spans) result.spans.push(span);
      result.rejected += mapped.rejected;
      for (const [traceId, n] of mapped.rejectedByTrace) result.rejectedByTrace.set(traceId, (result.rejectedByTrace.get(traceId) ?? 0) + n);
      if (mapped.rejectionReason !== undefined) result.errors.push(`${label}: ${mapped.rejectionReason}`);
    }
    if (keys.includes('resourceLogs')) {
      const mapped = logsRequestToModel(decodeLogsJson(body));
      for (const record of mapped.records) result.records.push(record);
      result.rejected += mapped.rejected;
      if (mapped.rejectionReason !== undefined) result.errors.push(`${label}: ${mapped.rejectionReason}`);
    }
  } catch (e) {
    result.errors.push(`${label}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
