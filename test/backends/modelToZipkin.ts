/**
 * Spans as OpenTelemetry's Zipkin exporters send them to Zipkin (the Collector's `zipkin` exporter,
 * opentelemetry-collector-contrib pkg/translator/zipkin; the OpenTelemetry spec's Zipkin mapping):
 * attributes and the resource's attributes (service.name aside) as string tags, arrays and maps as
 * JSON, status as `otel.status_code` with the description in `error`, the scope as
 * `otel.scope.name`, events as `name|{attributes}|dropped` annotations, links dropped. Only for
 * feeding a real Zipkin the recorded Dify traces in the remote backends tier.
 */
import type { AttributeValue, Span } from '../../src/model/span';
import type { ZipkinSpan } from '../../src/server/backends/remote/zipkinSpans';

const kinds = { server: 'SERVER', client: 'CLIENT', producer: 'PRODUCER', consumer: 'CONSUMER' } as const;

export function modelToZipkin(span: Span): ZipkinSpan {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(span.resource.attributes)) if (key !== 'service.name') tags[key] = tagOf(value);
  for (const [key, value] of Object.entries(span.attributes)) tags[key] = tagOf(value);
  if (span.scopeName !== '') tags['otel.scope.name'] = span.scopeName;
  if (span.status.code !== 'unset') tags['otel.status_code'] = span.status.code === 'ok' ? 'OK' : 'ERROR';
  if (span.status.code === 'error') tags['error'] = span.status.message ?? '';
  const kind = span.kind in kinds ? kinds[span.kind as keyof typeof kinds] : undefined;
  return {
    traceId: span.traceId,
    id: span.spanId,
    ...(span.parentSpanId === undefined ? {} : { parentId: span.parentSpanId }),
    name: span.name,
    ...(kind === undefined ? {} : { kind }),
    timestamp: span.startUs,
    duration: Math.max(1, span.endUs - span.startUs),
    localEndpoint: { serviceName: span.resource.serviceName },
    ...(span.events.length === 0 ? {} : { annotations: span.events.map((e) => ({ timestamp: e.timeUs, value: `${e.name}|${JSON.stringify(e.attributes)}|0` })) }),
    tags,
  };
}

function tagOf(value: AttributeValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
