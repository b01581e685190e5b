import type { AttributeValue, Resource, Span, SpanEvent, SpanKind } from '../../../model/span';
import { asSpanId, asTraceId, type Microseconds } from '../../../model/units';
import { sharedResource, unflattenTags } from './flattenedTags';

/**
 * A span as Zipkin's v2 API answers it (`zipkin2.Span`: openzipkin/zipkin, zipkin2-api.yaml):
 * lowercase hex ids (trace ids of 16 or 32 digits), times in microseconds, string tags only.
 */
export interface ZipkinSpan {
  readonly traceId?: string;
  readonly id?: string;
  readonly parentId?: string;
  readonly name?: string;
  readonly kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  readonly timestamp?: number;
  readonly duration?: number;
  readonly localEndpoint?: { readonly serviceName?: string };
  readonly annotations?: readonly { readonly timestamp?: number; readonly value?: string }[];
  readonly tags?: Record<string, string>;
}

const kinds: Record<string, SpanKind> = { CLIENT: 'client', SERVER: 'server', PRODUCER: 'producer', CONSUMER: 'consumer' };

/**
 * Zipkin's spans as the model's. What Zipkin lost cannot be restored and is not made up: names are
 * lowercase (Zipkin lowercases span and service names), attribute values are strings, links are
 * gone. Resources are shared by identical service and resource tags, as the receiver shares them.
 */
export function zipkinSpansToModel(spans: readonly ZipkinSpan[]): Span[] {
  const resources = new Map<string, Resource>();
  const out: Span[] = [];
  for (const z of spans) {
    const traceId = asTraceId((z.traceId ?? '').padStart(32, '0'));
    const spanId = asSpanId(z.id ?? '');
    if (traceId === undefined || spanId === undefined) continue;
    const parentSpanId = z.parentId === undefined ? undefined : asSpanId(z.parentId);
    const { attributes, resourceAttributes, scopeName, status } = unflattenTags(z.tags ?? {});
    const resource = sharedResource(resources, z.localEndpoint?.serviceName ?? 'unknown_service', resourceAttributes);
    const startUs = z.timestamp ?? 0;
    out.push({
      traceId,
      spanId,
      ...(parentSpanId === undefined ? {} : { parentSpanId }),
      name: z.name ?? '',
      kind: z.kind === undefined ? 'internal' : (kinds[z.kind] ?? 'unspecified'),
      startUs: startUs as Microseconds,
      endUs: (startUs + (z.duration ?? 0)) as Microseconds,
      status,
      attributes,
      events: (z.annotations ?? []).map(eventOf),
      links: [],
      resource,
      scopeName,
    });
  }
  return out;
}

/**
 * An annotation made from an OpenTelemetry event: the Collector's exporter writes
 * `name|{"attribute":"value"}|droppedCount`, the OpenTelemetry spec's mapping `"name": {...}`;
 * anything else is a plain annotation, its value the event's name.
 */
function eventOf(annotation: { readonly timestamp?: number; readonly value?: string }): SpanEvent {
  const value = annotation.value ?? '';
  const timeUs = (annotation.timestamp ?? 0) as Microseconds;
  const collector = /^(.*?)\|(\{.*\})\|\d+$/s.exec(value);
  const spec = /^"(.*?)": (\{.*\})$/s.exec(value);
  const [name, json] = collector ? [collector[1]!, collector[2]!] : spec ? [spec[1]!, spec[2]!] : [value, undefined];
  let attributes: Record<string, AttributeValue> = {};
  if (json !== undefined) {
    try {
      const parsed = JSON.parse(json) as Record<string, unknown>;
      attributes = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v)]));
    } catch {
      return { name: value, timeUs, attributes: {} };
    }
  }
  return { name, timeUs, attributes };
}
