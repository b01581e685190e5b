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
  /** The trace database these spans were written to before they were handed over (by the decode thread), if any. */
  readonly writtenTo?: string;
  /** Why the decode thread could not write them there: the trace server writes them itself. */
  readonly writeFailure?: string;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Nanoseconds (uint64) to integer microseconds; exact, without floating point on the bigint. */
export function nanosToMicros(nanos: bigint): Microseconds {
  return Number(nanos / 1000n) as Microseconds;
}

/**
 * What one span may carry, as the OpenTelemetry SDK's span limits bound it (attribute count, value
 * length, event and link count) but sized for LLM apps, whose prompts and completions are values of
 * tens of KiB: beyond them the rest is dropped (or a value cut, with a marker) and counted, so one
 * request cannot make one span hold a million attributes or a gigabyte.
 */
export const spanLimits = {
  attributes: 1_024,
  events: 1_024,
  eventAttributes: 128,
  links: 128,
  /** Characters of one string value. */
  valueChars: 1_048_576,
  /** Elements of one array value, keys of one map value. */
  items: 10_000,
  /** Nesting of arrays and maps. */
  depth: 8,
} as const;

/** What the limits took away from one span, for the attribute that says so. */
export interface LimitCounts {
  droppedAttributes: number;
  cutValues: number;
  droppedEvents: number;
  droppedLinks: number;
}

const noCounts = (): LimitCounts => ({ droppedAttributes: 0, cutValues: 0, droppedEvents: 0, droppedLinks: 0 });

function cutString(text: string, counts: LimitCounts): string {
  if (text.length <= spanLimits.valueChars) return text;
  counts.cutValues++;
  return `${text.slice(0, spanLimits.valueChars)}… [${text.length - spanLimits.valueChars} more characters dropped by the receiver]`;
}

export function anyValueToModel(value: AnyValue | undefined, counts: LimitCounts = noCounts(), depth = 0): AttributeValue {
  const v = value?.value;
  switch (v?.case) {
    case 'stringValue':
      return cutString(v.value, counts);
    case 'boolValue':
    case 'doubleValue':
      return v.value;
    case 'intValue':
      // Beyond 2^53 a JS number would silently round: keep the exact digits as a string.
      return v.value <= BigInt(Number.MAX_SAFE_INTEGER) && v.value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v.value) : v.value.toString();
    case 'bytesValue':
      return cutString(Buffer.from(v.value.subarray(0, spanLimits.valueChars)).toString('base64'), counts);
    case 'arrayValue':
      if (depth >= spanLimits.depth) return cutNesting(counts);
      if (v.value.values.length > spanLimits.items) counts.cutValues++;
      return v.value.values.slice(0, spanLimits.items).map((item) => anyValueToModel(item, counts, depth + 1));
    case 'kvlistValue':
      if (depth >= spanLimits.depth) return cutNesting(counts);
      return keyValuesToAttributes(v.value.values, counts, spanLimits.items, depth + 1);
    default:
      // Unset, or `stringValueStrindex` (a profiles-only dictionary reference).
      return null;
  }
}

function cutNesting(counts: LimitCounts): string {
  counts.cutValues++;
  return `[nested deeper than ${spanLimits.depth} levels: dropped by the receiver]`;
}

export function keyValuesToAttributes(values: readonly KeyValue[], counts: LimitCounts = noCounts(), max: number = spanLimits.attributes, depth = 0): Attributes {
  const attributes: Record<string, AttributeValue> = {};
  const kept = Math.min(values.length, max);
  for (let i = 0; i < kept; i++) {
    const kv = values[i]!;
    attributes[kv.key] = anyValueToModel(kv.value, counts, depth);
  }
  if (values.length > kept) counts.droppedAttributes += values.length - kept;
  return attributes;
}

/**
 * What stores put in `service.name` when a resource had none: the SDK default, and Jaeger's (seen
 * in what Jaeger v1.75.0 answers on /api/v3/traces for spans sent without one, such as Phoenix's).
 */
const placeholderServiceNames = new Set(['unknown_service', 'missing-service-name']);

/**
 * The resource of one ResourceSpans or ResourceLogs, shared by reference by everything it carries.
 * Dify's Phoenix exporter sets no `service.name`, only the project (`openinference.project.name`,
 * arize_phoenix_trace.py): its spans are named after the project and the exporter rather than
 * `unknown_service`.
 */
export function resourceToModel(resource: OtlpResource | undefined): Resource {
  return resourceFromAttributes(keyValuesToAttributes(resource?.attributes ?? []));
}

/** A resource from its mapped attributes (the wire decoder maps them itself). */
export function resourceFromAttributes(attributes: Attributes): Resource {
  const serviceName = attributes['service.name'];
  if (typeof serviceName === 'string' && serviceName !== '' && !placeholderServiceNames.has(serviceName)) return { serviceName, attributes };
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

function eventToModel(event: Span_Event, counts: LimitCounts): SpanEvent {
  return { name: cutString(event.name, counts), timeUs: nanosToMicros(event.timeUnixNano), attributes: keyValuesToAttributes(event.attributes, counts, spanLimits.eventAttributes) };
}

function linkToModel(link: Span_Link, counts: LimitCounts): SpanLink | undefined {
  const traceId = asTraceId(bytesToHex(link.traceId));
  if (traceId === undefined) return undefined;
  const spanId = asSpanId(bytesToHex(link.spanId));
  const attributes = keyValuesToAttributes(link.attributes, counts, spanLimits.eventAttributes);
  return spanId === undefined ? { traceId, attributes } : { traceId, spanId, attributes };
}

function spanToModel(span: OtlpSpan, resource: Resource, scopeName: string): Span | undefined {
  const traceId = asTraceId(bytesToHex(span.traceId));
  const spanId = asSpanId(bytesToHex(span.spanId));
  if (traceId === undefined || spanId === undefined) return undefined;
  const parentSpanId = span.parentSpanId.length > 0 ? asSpanId(bytesToHex(span.parentSpanId)) : undefined;
  const counts = noCounts();
  const message = span.status?.message === undefined ? undefined : cutString(span.status.message, counts);
  const links: SpanLink[] = [];
  for (const link of span.links.slice(0, spanLimits.links)) {
    const mapped = linkToModel(link, counts);
    if (mapped) links.push(mapped);
  }
  counts.droppedLinks = Math.max(0, span.links.length - spanLimits.links);
  counts.droppedEvents = Math.max(0, span.events.length - spanLimits.events);
  const events = span.events.slice(0, spanLimits.events).map((event) => eventToModel(event, counts));
  const attributes = keyValuesToAttributes(span.attributes, counts);
  const limited = counts.droppedAttributes + counts.cutValues + counts.droppedEvents + counts.droppedLinks > 0;
  return {
    traceId,
    spanId,
    ...(parentSpanId === undefined ? {} : { parentSpanId }),
    name: cutString(span.name, counts),
    kind: kinds[span.kind] ?? 'unspecified',
    startUs: nanosToMicros(span.startTimeUnixNano),
    endUs: nanosToMicros(span.endTimeUnixNano),
    status: { code: statusCodes[span.status?.code ?? Status_StatusCode.UNSET] ?? 'unset', ...(message ? { message } : {}) },
    // What the limits took is said on the span itself (shown with its attributes).
    attributes: limited ? { ...attributes, [limitedKey]: JSON.stringify(counts) } : attributes,
    events,
    links,
    resource,
    scopeName,
  };
}

/** Attribute the receiver adds to a span that the limits cut: what was dropped, as JSON counts. */
export const limitedKey = 'dify_trace_explorer.limited';

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
