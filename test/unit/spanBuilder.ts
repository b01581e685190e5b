import type { Attributes, Resource, Span, SpanLink } from '../../src/model/span';
import { asSpanId, asTraceId, type Microseconds, type SpanId, type TraceId } from '../../src/model/units';

export function traceId(n: number | string): TraceId {
  const id = asTraceId(typeof n === 'string' ? n : n.toString(16).padStart(32, '0'));
  if (!id) throw new Error(`bad trace id ${n}`);
  return id;
}

export function spanId(n: number | string): SpanId {
  const id = asSpanId(typeof n === 'string' ? n : n.toString(16).padStart(16, '0'));
  if (!id) throw new Error(`bad span id ${n}`);
  return id;
}

export const aliyunResource: Resource = {
  serviceName: 'Travel Assistant',
  attributes: { 'service.name': 'Travel Assistant', 'acs.arms.service.feature': 'genai_app' },
};
export const apiResource: Resource = { serviceName: 'langgenius/dify', attributes: { 'service.name': 'langgenius/dify' } };

export interface SpanOptions {
  trace?: TraceId;
  id: number;
  parent?: number;
  name?: string;
  start?: number;
  end?: number;
  error?: string;
  attributes?: Attributes;
  resource?: Resource;
  links?: SpanLink[];
  scopeName?: string;
}

/** A model span with readable defaults; times in µs. */
export function span(o: SpanOptions): Span {
  return {
    traceId: o.trace ?? traceId(1),
    spanId: spanId(o.id),
    ...(o.parent === undefined ? {} : { parentSpanId: spanId(o.parent) }),
    name: o.name ?? `span-${o.id}`,
    kind: 'internal',
    startUs: (o.start ?? o.id * 10) as Microseconds,
    endUs: (o.end ?? (o.start ?? o.id * 10) + 5) as Microseconds,
    status: o.error === undefined ? { code: 'unset' } : { code: 'error', message: o.error },
    attributes: o.attributes ?? {},
    events: [],
    links: o.links ?? [],
    resource: o.resource ?? apiResource,
    scopeName: o.scopeName ?? '',
  };
}
