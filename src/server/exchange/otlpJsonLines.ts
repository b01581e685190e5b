import { toJson, type JsonValue } from '@bufbuild/protobuf';
import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';
import { ExportLogsServiceRequestSchema } from '../receiver/gen/opentelemetry/proto/collector/logs/v1/logs_service_pb';
import { ExportTraceServiceRequestSchema } from '../receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { logsRequestOf, traceRequestOf } from './modelToOtlp';

/**
 * OTLP/JSON as the OpenTelemetry Collector's file exporter writes it (JSON Lines, one export request
 * per line), so the file opens in any OTLP tool and in this extension: proto3 JSON from the
 * generated schema (`toJson`: lowerCamelCase keys, int64 as decimal strings) with the two rules by
 * which OTLP/JSON differs (opentelemetry-proto docs/specification.md, "JSON Protobuf Encoding"):
 * trace and span ids are hex, not base64, and enums are integers.
 */

function hexId(value: JsonValue | undefined): JsonValue | undefined {
  return typeof value === 'string' ? Buffer.from(value, 'base64').toString('hex') : value;
}

type JsonObject = { [key: string]: JsonValue };
const objects = (value: JsonValue | undefined): JsonObject[] =>
  Array.isArray(value) ? value.filter((v): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)) : [];

function rewriteIds(target: JsonObject, keys: readonly string[]): void {
  for (const key of keys) {
    const hex = hexId(target[key]);
    if (hex !== undefined) target[key] = hex;
  }
}

export function traceLine(spans: readonly Span[]): string {
  const json = toJson(ExportTraceServiceRequestSchema, traceRequestOf(spans), { enumAsInteger: true }) as JsonObject;
  for (const resourceSpans of objects(json['resourceSpans'])) {
    for (const scopeSpans of objects(resourceSpans['scopeSpans'])) {
      for (const span of objects(scopeSpans['spans'])) {
        rewriteIds(span, ['traceId', 'spanId', 'parentSpanId']);
        for (const link of objects(span['links'])) rewriteIds(link, ['traceId', 'spanId']);
      }
    }
  }
  return JSON.stringify(json);
}

export function logsLine(records: readonly LogRecord[]): string {
  const json = toJson(ExportLogsServiceRequestSchema, logsRequestOf(records), { enumAsInteger: true }) as JsonObject;
  for (const resourceLogs of objects(json['resourceLogs'])) {
    for (const scopeLogs of objects(resourceLogs['scopeLogs'])) {
      for (const record of objects(scopeLogs['logRecords'])) rewriteIds(record, ['traceId', 'spanId']);
    }
  }
  return JSON.stringify(json);
}
