import type { AttributeValue, Resource, Span, SpanEvent, SpanKind } from '../../../model/span';
import { asSpanId, asTraceId, type Microseconds } from '../../../model/units';
import { sharedResource, unflattenTags } from './flattenedTags';

/** Alibaba's lists come wrapped in an object named by their element (`Spans: { Span: [...] }`), or bare. */
export type AcsList<K extends string, T> = { readonly [key in K]?: readonly T[] } | readonly T[];

export interface TagEntry {
  readonly Key?: string;
  readonly Value?: string;
}

/**
 * A span as Managed Service for OpenTelemetry's `GetTrace` (xtrace 2019-08-08) answers it:
 * `Timestamp` in microseconds, `Duration` in milliseconds, tags as Key/Value strings.
 */
export interface XtraceSpan {
  readonly TraceID?: string;
  readonly SpanId?: string;
  readonly ParentSpanId?: string;
  readonly OperationName?: string;
  readonly ServiceName?: string;
  readonly ServiceIp?: string;
  readonly Timestamp?: number;
  readonly Duration?: number;
  readonly ResultCode?: string;
  readonly RpcId?: string;
  readonly TagEntryList?: AcsList<'TagEntry', TagEntry>;
  readonly LogEventList?: AcsList<'LogEvent', { readonly Timestamp?: number; readonly TagEntryList?: AcsList<'TagEntry', TagEntry> }>;
}

/** The items of one of Alibaba's lists, wrapped or bare; nothing for anything else. */
export function acsItems<K extends string, T>(list: AcsList<K, T> | undefined, key: K): readonly T[] {
  if (typeof list !== 'object' || list === null) return [];
  const items: unknown = Array.isArray(list) ? list : (list as { readonly [k in K]?: unknown })[key];
  return Array.isArray(items) ? (items as readonly T[]) : [];
}

function tagsOf(list: AcsList<'TagEntry', TagEntry> | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const { Key, Value } of acsItems(list, 'TagEntry')) if (typeof Key === 'string') tags[Key] = typeof Value === 'string' ? Value : String(Value ?? '');
  return tags;
}

/** `span.kind`, as stores that take Jaeger's and OpenTelemetry's spans tag it. */
const kinds: Record<string, SpanKind> = { client: 'client', server: 'server', producer: 'producer', consumer: 'consumer', internal: 'internal' };

/**
 * The spans of one `GetTrace` answer as the model's. The store keeps what an OpenTelemetry span
 * flattens to (string tags; the resource's attributes, scope and status among them, as a Zipkin
 * exporter writes them), so they are sorted back as for Zipkin. What it does not keep is not made
 * up: durations are whole milliseconds, values are strings, span links (Aliyun's Trace Link) are gone.
 */
export function xtraceSpansToModel(spans: readonly XtraceSpan[]): Span[] {
  const resources = new Map<string, Resource>();
  const out: Span[] = [];
  for (const x of spans) {
    const traceId = asTraceId((x.TraceID ?? '').toLowerCase().padStart(32, '0'));
    const spanId = asSpanId((x.SpanId ?? '').toLowerCase());
    if (traceId === undefined || spanId === undefined) continue;
    // A root's parent is empty, or "0" in some of the store's answers.
    const parentSpanId = x.ParentSpanId === undefined || /^0*$/.test(x.ParentSpanId) ? undefined : asSpanId(x.ParentSpanId.toLowerCase());
    const tags = tagsOf(x.TagEntryList);
    const { attributes, resourceAttributes, scopeName, status } = unflattenTags(tags);
    const kindTag = attributes['span.kind'];
    if (typeof kindTag === 'string' && kindTag in kinds) delete attributes['span.kind'];
    const resource = sharedResource(resources, x.ServiceName ?? 'unknown_service', resourceAttributes);
    const startUs = microseconds(x.Timestamp ?? 0);
    out.push({
      traceId,
      spanId,
      ...(parentSpanId === undefined ? {} : { parentSpanId }),
      name: x.OperationName ?? '',
      kind: typeof kindTag === 'string' ? (kinds[kindTag] ?? 'internal') : 'internal',
      startUs: startUs as Microseconds,
      endUs: (startUs + Math.round((x.Duration ?? 0) * 1000)) as Microseconds,
      status,
      attributes,
      events: acsItems(x.LogEventList, 'LogEvent').map((e) => eventOf(e.Timestamp ?? 0, tagsOf(e.TagEntryList))),
      links: [],
      resource,
      scopeName,
    });
  }
  return out;
}

/** The store's span times are microseconds; a value in milliseconds (the ARMS-app variant's) is taken as such. */
function microseconds(timestamp: number): number {
  return timestamp < 1e14 ? timestamp * 1000 : timestamp;
}

/** An event as Jaeger-style log fields: its name under `event`, its attributes the other fields. */
function eventOf(timestamp: number, tags: Record<string, string>): SpanEvent {
  const { event, ...rest } = tags;
  const attributes: Record<string, AttributeValue> = rest;
  return { name: event ?? 'log', timeUs: microseconds(timestamp) as Microseconds, attributes };
}
