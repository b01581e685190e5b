import type { AnyValue, KeyValue } from './gen/opentelemetry/proto/common/v1/common_pb';
import type { ExportTraceServiceRequest } from './gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { Span_SpanKind, Status_StatusCode } from './gen/opentelemetry/proto/trace/v1/trace_pb';
import type { Span as OtlpSpan, Span_Event, Span_Link } from './gen/opentelemetry/proto/trace/v1/trace_pb';
import type { Resource as OtlpResource } from './gen/opentelemetry/proto/resource/v1/resource_pb';
import type { AttributeValue, Attributes, Resource, Span, SpanEvent, SpanKind, SpanLink, StatusCode } from '../../model/span';
import { asSpanId, asTraceId, type Microseconds, type TraceId } from '../../model/units';

/** Spans mapped from one export request, and those the request carried but we could not accept. */
export interface MappedSpans {
  readonly spans: Span[];
  readonly rejected: number;
  readonly rejectionReason?: string;
  /** Rejected spans whose trace id was valid, per trace: that trace is shown with a warning. */
  readonly rejectedByTrace: ReadonlyMap<TraceId, number>;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Nanoseconds (uint64) to integer microseconds; exact, without floating point on the bigint. */
export function nanosToMicros(nanos: bigint): Microseconds {
  return Number(nanos / 1000n) as Microseconds;
}

export function anyValueToModel(value: AnyValue | undefined): AttributeValue {
  const v = value?.value;
  switch (v?.case) {
    case 'stringValue':
    case 'boolValue':
    case 'doubleValue':
      return v.value;
    case 'intValue':
      // Beyond 2^53 a JS number would silently round: keep the exact digits as a string.
      return v.value <= BigInt(Number.MAX_SAFE_INTEGER) && v.value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v.value) : v.value.toString();
    case 'bytesValue':
      return Buffer.from(v.value).toString('base64');
    case 'arrayValue':
      return v.value.values.map(anyValueToModel);
    case 'kvlistValue':
      return keyValuesToAttributes(v.value.values);
    default:
      // Unset, or `stringValueStrindex` (a profiles-only dictionary reference).
      return null;
  }
}

export function keyValuesToAttributes(values: readonly KeyValue[]): Attributes {
  const attributes: Record<string, AttributeValue> = {};
  for (const kv of values) attributes[kv.key] = anyValueToModel(kv.value);
  return attributes;
}

/**
 * The resource of one ResourceSpans or ResourceLogs, shared by reference by everything it carries.
 * Dify's Phoenix exporter sets no `service.name`, only the project (`openinference.project.name`,
 * arize_phoenix_trace.py): its spans are named after the project and the exporter rather than
 * `unknown_service`.
 */
export function resourceToModel(resource: OtlpResource | undefined): Resource {
  const attributes = keyValuesToAttributes(resource?.attributes ?? []);
  const serviceName = attributes['service.name'];
  if (typeof serviceName === 'string' && serviceName !== '') return { serviceName, attributes };
  const project = attributes['openinference.project.name'];
  return { serviceName: typeof project === 'string' && project !== '' ? `${project} (Phoenix export)` : 'unknown_service', attributes };
}

const kinds: Record<Span_SpanKind, SpanKind> = {
  [Span_SpanKind.UNSPECIFIED]: 'unspecified',
  [Span_SpanKind.INTERNAL]: 'internal',
  [Span_SpanKind.SERVER]: 'server',
  [Span_SpanKind.CLIENT]: 'client',
  [Span_SpanKind.PRODUCER]: 'producer',
  [Span_SpanKind.CONSUMER]: 'consumer',
};

const statusCodes: Record<Status_StatusCode, StatusCode> = {
  [Status_StatusCode.UNSET]: 'unset',
  [Status_StatusCode.OK]: 'ok',
  [Status_StatusCode.ERROR]: 'error',
};

function eventToModel(event: Span_Event): SpanEvent {
  return { name: event.name, timeUs: nanosToMicros(event.timeUnixNano), attributes: keyValuesToAttributes(event.attributes) };
}

function linkToModel(link: Span_Link): SpanLink | undefined {
  const traceId = asTraceId(bytesToHex(link.traceId));
  if (traceId === undefined) return undefined;
  const spanId = asSpanId(bytesToHex(link.spanId));
  const attributes = keyValuesToAttributes(link.attributes);
  return spanId === undefined ? { traceId, attributes } : { traceId, spanId, attributes };
}

function spanToModel(span: OtlpSpan, resource: Resource, scopeName: string): Span | undefined {
  const traceId = asTraceId(bytesToHex(span.traceId));
  const spanId = asSpanId(bytesToHex(span.spanId));
  if (traceId === undefined || spanId === undefined) return undefined;
  const parentSpanId = span.parentSpanId.length > 0 ? asSpanId(bytesToHex(span.parentSpanId)) : undefined;
  const message = span.status?.message;
  const links: SpanLink[] = [];
  for (const link of span.links) {
    const mapped = linkToModel(link);
    if (mapped) links.push(mapped);
  }
  return {
    traceId,
    spanId,
    ...(parentSpanId === undefined ? {} : { parentSpanId }),
    name: span.name,
    kind: kinds[span.kind] ?? 'unspecified',
    startUs: nanosToMicros(span.startTimeUnixNano),
    endUs: nanosToMicros(span.endTimeUnixNano),
    status: { code: statusCodes[span.status?.code ?? Status_StatusCode.UNSET] ?? 'unset', ...(message ? { message } : {}) },
    attributes: keyValuesToAttributes(span.attributes),
    events: span.events.map(eventToModel),
    links,
    resource,
    scopeName,
  };
}

/** Maps a decoded request to model spans; spans without a valid trace or span id are rejected. */
export function exportRequestToModel(request: ExportTraceServiceRequest): MappedSpans {
  const spans: Span[] = [];
  let rejected = 0;
  const rejectedByTrace = new Map<TraceId, number>();
  for (const resourceSpans of request.resourceSpans) {
    const resource = resourceToModel(resourceSpans.resource);
    for (const scopeSpans of resourceSpans.scopeSpans) {
      const scopeName = scopeSpans.scope?.name ?? '';
      for (const otlpSpan of scopeSpans.spans) {
        const span = spanToModel(otlpSpan, resource, scopeName);
        if (span) {
          spans.push(span);
          continue;
        }
        rejected++;
        const traceId = asTraceId(bytesToHex(otlpSpan.traceId));
        if (traceId !== undefined) rejectedByTrace.set(traceId, (rejectedByTrace.get(traceId) ?? 0) + 1);
      }
    }
  }
  return rejected === 0
    ? { spans, rejected, rejectedByTrace }
    : { spans, rejected, rejectedByTrace, rejectionReason: `${rejected} span(s) had an empty or malformed trace id or span id (expected 16 and 8 bytes, not all zero).` };
}
