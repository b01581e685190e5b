import type { ExportLogsServiceRequest } from './gen/opentelemetry/proto/collector/logs/v1/logs_service_pb';
import type { LogRecord as OtlpLogRecord } from './gen/opentelemetry/proto/logs/v1/logs_pb';
import type { LogRecord } from '../../model/logRecord';
import type { Resource } from '../../model/span';
import { asSpanId, asTraceId, type SpanId, type TraceId } from '../../model/units';
import { anyValueToModel, bytesToHex, keyValuesToAttributes, nanosToMicros, resourceToModel } from './otlpToModel';

/** Log records mapped from one export request, and those the request carried but we could not accept. */
export interface MappedLogs {
  readonly records: LogRecord[];
  readonly rejected: number;
  readonly rejectionReason?: string;
}

type OptionalId<T> = { readonly ok: true; readonly id?: T } | { readonly ok: false };

/**
 * Log records may carry no trace context (logs data model: trace_id and span_id are optional, and
 * all-zero bytes mean "not set"); an id of the wrong length, though, is malformed.
 */
function optionalId<T>(bytes: Uint8Array, byteLength: 16 | 8, parse: (hex: string) => T | undefined): OptionalId<T> {
  if (bytes.length === 0 || bytes.every((b) => b === 0)) return { ok: true };
  if (bytes.length !== byteLength) return { ok: false };
  const id = parse(bytesToHex(bytes));
  return id === undefined ? { ok: false } : { ok: true, id };
}

function logRecordToModel(record: OtlpLogRecord, resource: Resource, scopeName: string): LogRecord | undefined {
  const traceId = optionalId<TraceId>(record.traceId, 16, asTraceId);
  const spanId = optionalId<SpanId>(record.spanId, 8, asSpanId);
  if (!traceId.ok || !spanId.ok) return undefined;
  return {
    // time_unix_nano is optional for the sender (0 = unknown); the collector-side observed time is not.
    timeUs: nanosToMicros(record.timeUnixNano !== 0n ? record.timeUnixNano : record.observedTimeUnixNano),
    severityNumber: record.severityNumber,
    severityText: record.severityText,
    body: anyValueToModel(record.body),
    attributes: keyValuesToAttributes(record.attributes),
    ...(traceId.id === undefined ? {} : { traceId: traceId.id }),
    ...(spanId.id === undefined ? {} : { spanId: spanId.id }),
    ...(record.eventName ? { eventName: record.eventName } : {}),
    resource,
    scopeName,
  };
}

/** Maps a decoded logs request to model records; records with a malformed trace or span id are rejected. */
export function logsRequestToModel(request: ExportLogsServiceRequest): MappedLogs {
  const records: LogRecord[] = [];
  let rejected = 0;
  for (const resourceLogs of request.resourceLogs) {
    const resource = resourceToModel(resourceLogs.resource);
    for (const scopeLogs of resourceLogs.scopeLogs) {
      const scopeName = scopeLogs.scope?.name ?? '';
      for (const otlpRecord of scopeLogs.logRecords) {
        const record = logRecordToModel(otlpRecord, resource, scopeName);
        if (record) records.push(record);
        else rejected++;
      }
    }
  }
  return rejected === 0
    ? { records, rejected }
    : { records, rejected, rejectionReason: `${rejected} log record(s) had a malformed trace id or span id (expected 16 and 8 bytes, or none).` };
}
