/**
 * OTLP/JSON ExportTraceServiceRequest builders, written the way the OTLP/JSON spec encodes them
 * (opentelemetry-proto docs/specification.md "JSON Protobuf Encoding"): lowerCamelCase keys, hex
 * trace/span ids, int64 (times, intValue) as decimal strings, enums as integers.
 */

/** A double that happens to be integral (e.g. 0.0) must still be written as doubleValue. */
export class Dbl {
  constructor(readonly value: number) {}
}
export type AttrValue = string | number | boolean | Dbl | readonly AttrValue[] | { readonly [key: string]: AttrValue };
export type Attrs = Readonly<Record<string, AttrValue | undefined>>;

export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
export type SpanKindValue = (typeof SpanKind)[keyof typeof SpanKind];

export interface SpanEventSpec {
  readonly name: string;
  readonly timeMs: number;
  readonly attributes: Attrs;
}
export interface SpanLinkSpec {
  readonly traceId: string;
  readonly spanId: string;
}
export interface SpanSpec {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string | undefined;
  readonly name: string;
  readonly kind: SpanKindValue;
  /** Epoch milliseconds; fractions are kept down to the nanosecond. */
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: Attrs;
  /** undefined = UNSET. */
  readonly status?: { readonly code: 'ok' | 'error'; readonly message?: string } | undefined;
  readonly events?: readonly SpanEventSpec[] | undefined;
  readonly links?: readonly SpanLinkSpec[] | undefined;
}
export interface ScopeSpec {
  readonly name: string;
  readonly version?: string;
  readonly attributes?: Attrs;
}
/** Spans of one resource and one instrumentation scope. */
export interface Batch {
  readonly resource: Attrs;
  readonly scope: ScopeSpec;
  readonly spans: readonly SpanSpec[];
}

export function anyValue(v: AttrValue): Record<string, unknown> {
  if (v instanceof Dbl) return { doubleValue: v.value };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: (v as readonly AttrValue[]).map(anyValue) } };
  return { kvlistValue: { values: keyValues(v as Attrs) } };
}

export function keyValues(attrs: Attrs): Array<{ key: string; value: Record<string, unknown> }> {
  return Object.entries(attrs)
    .filter((e): e is [string, AttrValue] => e[1] !== undefined)
    .map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** Epoch ms (possibly fractional) to a decimal nanosecond string, exact to the microsecond. */
export function msToNanos(ms: number): string {
  const micros = BigInt(Math.round(ms * 1000));
  return (micros * 1000n).toString();
}

function spanJson(s: SpanSpec): Record<string, unknown> {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    flags: 257, // SAMPLED + CONTEXT_HAS_IS_REMOTE_MASK, as the Python/Go SDK exporters write it
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: msToNanos(s.startMs),
    endTimeUnixNano: msToNanos(s.endMs),
    attributes: keyValues(s.attributes),
    ...(s.events && s.events.length > 0
      ? { events: s.events.map((e) => ({ timeUnixNano: msToNanos(e.timeMs), name: e.name, attributes: keyValues(e.attributes) })) }
      : {}),
    ...(s.links && s.links.length > 0 ? { links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, flags: 257 })) } : {}),
    status: s.status === undefined ? {} : { ...(s.status.message ? { message: s.status.message } : {}), code: s.status.code === 'ok' ? 1 : 2 },
  };
}

/** One ExportTraceServiceRequest; batches with the same resource share one ResourceSpans. */
export function exportRequest(batches: readonly Batch[]): Record<string, unknown> {
  const byResource = new Map<string, { resource: Attrs; scopes: Batch[] }>();
  for (const b of batches) {
    const key = JSON.stringify(b.resource);
    const entry = byResource.get(key) ?? { resource: b.resource, scopes: [] };
    entry.scopes.push(b);
    byResource.set(key, entry);
  }
  return {
    resourceSpans: [...byResource.values()].map((r) => ({
      resource: { attributes: keyValues(r.resource) },
      scopeSpans: r.scopes.map((b) => ({
        scope: { name: b.scope.name, ...(b.scope.version ? { version: b.scope.version } : {}), ...(b.scope.attributes ? { attributes: keyValues(b.scope.attributes) } : {}) },
        spans: b.spans.map(spanJson),
      })),
    })),
  };
}
