import { create, type MessageInitShape } from '@bufbuild/protobuf';
import type { LogRecord } from '../../model/logRecord';
import type { AttributeValue, Attributes, Resource, Span, SpanKind, StatusCode } from '../../model/span';
import { ExportLogsServiceRequestSchema, type ExportLogsServiceRequest } from '../receiver/gen/opentelemetry/proto/collector/logs/v1/logs_service_pb';
import { ExportTraceServiceRequestSchema, type ExportTraceServiceRequest } from '../receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import type { AnyValueSchema, KeyValueSchema } from '../receiver/gen/opentelemetry/proto/common/v1/common_pb';
import type { LogRecordSchema } from '../receiver/gen/opentelemetry/proto/logs/v1/logs_pb';
import { Span_SpanKind, Status_StatusCode, type SpanSchema } from '../receiver/gen/opentelemetry/proto/trace/v1/trace_pb';

/**
 * Model spans and log records back into OTLP messages (the generated protobuf-es schemas), the
 * reverse of receiver/otlpToModel.ts, so an exported run reads back into the same model: an
 * integer that fits a JS number becomes `int_value` (the receiver turned it into a number), any
 * other number `double_value`, a string `string_value` (also the decimal string the receiver made of
 * an int64 beyond 2^53, and the base64 of a bytes value), a nested object a `kvlist_value`.
 */

type AnyValueInit = MessageInitShape<typeof AnyValueSchema>;
type KeyValueInit = MessageInitShape<typeof KeyValueSchema>;

export function anyValueOf(value: AttributeValue): AnyValueInit {
  if (typeof value === 'string') return { value: { case: 'stringValue', value } };
  if (typeof value === 'boolean') return { value: { case: 'boolValue', value } };
  if (typeof value === 'number') return Number.isSafeInteger(value) ? { value: { case: 'intValue', value: BigInt(value) } } : { value: { case: 'doubleValue', value } };
  if (value === null) return {};
  if (Array.isArray(value)) return { value: { case: 'arrayValue', value: { values: (value as readonly AttributeValue[]).map(anyValueOf) } } };
  return { value: { case: 'kvlistValue', value: { values: keyValuesOf(value as Attributes) } } };
}

export function keyValuesOf(attributes: Attributes): KeyValueInit[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValueOf(value) }));
}

const kinds: Record<SpanKind, Span_SpanKind> = {
  unspecified: Span_SpanKind.UNSPECIFIED,
  internal: Span_SpanKind.INTERNAL,
  server: Span_SpanKind.SERVER,
  client: Span_SpanKind.CLIENT,
  producer: Span_SpanKind.PRODUCER,
  consumer: Span_SpanKind.CONSUMER,
};

const statusCodes: Record<StatusCode, Status_StatusCode> = { unset: Status_StatusCode.UNSET, ok: Status_StatusCode.OK, error: Status_StatusCode.ERROR };

const bytes = (hex: string | undefined): Uint8Array => (hex === undefined ? new Uint8Array(0) : Buffer.from(hex, 'hex'));
const nanos = (us: number): bigint => BigInt(Math.round(us)) * 1000n;

function spanOf(span: Span): MessageInitShape<typeof SpanSchema> {
  return {
    traceId: bytes(span.traceId),
    spanId: bytes(span.spanId),
    parentSpanId: bytes(span.parentSpanId),
    name: span.name,
    kind: kinds[span.kind],
    startTimeUnixNano: nanos(span.startUs),
    endTimeUnixNano: nanos(span.endUs),
    attributes: keyValuesOf(span.attributes),
    events: span.events.map((e) => ({ name: e.name, timeUnixNano: nanos(e.timeUs), attributes: keyValuesOf(e.attributes) })),
    // A link to a whole trace (Dify's Trace Link) has no span id: empty bytes, as the receiver reads it.
    links: span.links.map((l) => ({ traceId: bytes(l.traceId), spanId: bytes(l.spanId), attributes: keyValuesOf(l.attributes) })),
    status: { code: statusCodes[span.status.code], message: span.status.message ?? '' },
  };
}

function logRecordOf(record: LogRecord): MessageInitShape<typeof LogRecordSchema> {
  return {
    timeUnixNano: nanos(record.timeUs),
    observedTimeUnixNano: nanos(record.timeUs),
    severityNumber: record.severityNumber,
    severityText: record.severityText,
    body: anyValueOf(record.body),
    attributes: keyValuesOf(record.attributes),
    traceId: bytes(record.traceId),
    spanId: bytes(record.spanId),
    eventName: record.eventName ?? '',
  };
}

/**
 * Groups items by resource, then by scope, in first-seen order. Resources equal in content are one
 * group even when they are different objects (the receiver makes one per request).
 */
function grouped<T extends { readonly resource: Resource; readonly scopeName: string }>(items: readonly T[]): { resource: Resource; scopes: Map<string, T[]> }[] {
  const groups = new Map<string, { resource: Resource; scopes: Map<string, T[]> }>();
  const keys = new Map<Resource, string>();
  for (const item of items) {
    let key = keys.get(item.resource);
    if (key === undefined) keys.set(item.resource, (key = JSON.stringify([item.resource.serviceName, item.resource.attributes])));
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = { resource: item.resource, scopes: new Map() }));
    const scope = group.scopes.get(item.scopeName);
    if (scope === undefined) group.scopes.set(item.scopeName, [item]);
    else scope.push(item);
  }
  return [...groups.values()];
}

export function traceRequestOf(spans: readonly Span[]): ExportTraceServiceRequest {
  return create(ExportTraceServiceRequestSchema, {
    resourceSpans: grouped(spans).map(({ resource, scopes }) => ({
      resource: { attributes: keyValuesOf(resource.attributes) },
      scopeSpans: [...scopes].map(([name, items]) => ({ scope: { name }, spans: items.map(spanOf) })),
    })),
  });
}

export function logsRequestOf(records: readonly LogRecord[]): ExportLogsServiceRequest {
  return create(ExportLogsServiceRequestSchema, {
    resourceLogs: grouped(records).map(({ resource, scopes }) => ({
      resource: { attributes: keyValuesOf(resource.attributes) },
      scopeLogs: [...scopes].map(([name, items]) => ({ scope: { name }, logRecords: items.map(logRecordOf) })),
    })),
  });
}
