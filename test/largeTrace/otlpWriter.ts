/**
 * Spans straight to OTLP protobuf: ExportTraceServiceRequest batches built with @bufbuild/protobuf and
 * the receiver's generated schemas (as bench/difyBatch.ts does), grouped per service and scope, and
 * serialised as soon as a batch is full so that only one batch of span objects is alive at a time.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import type { Attributes } from '@opentelemetry/api';
import type { Scope } from '../demo/emitter';
import { RESOURCES, type ServiceKey } from '../demo/services';
import { ExportTraceServiceRequestSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import type { KeyValue } from '../../src/server/receiver/gen/opentelemetry/proto/common/v1/common_pb';
import { Span_SpanKind, Status_StatusCode, type ScopeSpans, type Span } from '../../src/server/receiver/gen/opentelemetry/proto/trace/v1/trace_pb';

/** One span as the generator describes it: ids in hex, times in integer microseconds since the epoch. */
export interface SpanOut {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: 'internal' | 'server' | 'client';
  readonly startUs: number;
  readonly endUs: number;
  readonly attributes: Attributes;
  /** Absent: UNSET. */
  readonly status?: { readonly code: 'ok' | 'error'; readonly message?: string };
  readonly events?: readonly { readonly name: string; readonly timeUs: number; readonly attributes: Attributes }[];
  /** Trace Link targets (trace id, span id). */
  readonly links?: readonly { readonly traceId: string; readonly spanId: string }[];
}

const KINDS = { internal: Span_SpanKind.INTERNAL, server: Span_SpanKind.SERVER, client: Span_SpanKind.CLIENT } as const;

function keyValues(attributes: Attributes): KeyValue[] {
  const out: KeyValue[] = [];
  for (const [key, v] of Object.entries(attributes)) {
    if (typeof v === 'string') out.push({ key, value: { value: { case: 'stringValue', value: v } } } as KeyValue);
    else if (typeof v === 'boolean') out.push({ key, value: { value: { case: 'boolValue', value: v } } } as KeyValue);
    else if (typeof v === 'number') {
      out.push((Number.isInteger(v) ? { key, value: { value: { case: 'intValue', value: BigInt(v) } } } : { key, value: { value: { case: 'doubleValue', value: v } } }) as KeyValue);
    }
  }
  return out;
}

const hex = (h: string): Uint8Array => Buffer.from(h, 'hex');
const nanos = (us: number): bigint => BigInt(us) * 1000n;

function toOtlp(s: SpanOut): Partial<Span> {
  return {
    traceId: hex(s.traceId),
    spanId: hex(s.spanId),
    parentSpanId: s.parentSpanId === undefined ? new Uint8Array(0) : hex(s.parentSpanId),
    name: s.name,
    kind: KINDS[s.kind],
    startTimeUnixNano: nanos(s.startUs),
    endTimeUnixNano: nanos(s.endUs),
    attributes: keyValues(s.attributes),
    events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: nanos(e.timeUs), attributes: keyValues(e.attributes) })) as Span['events'],
    links: (s.links ?? []).map((l) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId) })) as Span['links'],
    ...(s.status === undefined
      ? {}
      : { status: { code: s.status.code === 'ok' ? Status_StatusCode.OK : Status_StatusCode.ERROR, message: s.status.message ?? '' } as Span['status'] }),
  };
}

/** Collects spans into batches of `batchSize` and serialises each full batch at once. */
export class OtlpBatchWriter {
  readonly batches: Uint8Array[] = [];
  #groups = new Map<string, { service: ServiceKey; scope: Scope; spans: Partial<Span>[] }>();
  #pending = 0;
  #total = 0;

  constructor(private readonly batchSize: number) {}

  get spanCount(): number {
    return this.#total;
  }

  add(service: ServiceKey, scope: Scope, span: SpanOut): void {
    const key = `${service}\u0000${scope.name}`;
    let group = this.#groups.get(key);
    if (group === undefined) this.#groups.set(key, (group = { service, scope, spans: [] }));
    group.spans.push(toOtlp(span));
    this.#pending++;
    this.#total++;
    if (this.#pending >= this.batchSize) this.flush();
  }

  flush(): void {
    if (this.#pending === 0) return;
    const byService = new Map<ServiceKey, Partial<ScopeSpans>[]>();
    for (const { service, scope, spans } of this.#groups.values()) {
      const scopeSpans = { scope: { name: scope.name, version: scope.version ?? '' }, spans, schemaUrl: scope.schemaUrl ?? '' } as Partial<ScopeSpans>;
      byService.set(service, [...(byService.get(service) ?? []), scopeSpans]);
    }
    const request = create(ExportTraceServiceRequestSchema, {
      resourceSpans: [...byService].map(([service, scopeSpans]) => ({ resource: { attributes: keyValues(RESOURCES[service]) }, scopeSpans })),
    } as Parameters<typeof create<typeof ExportTraceServiceRequestSchema>>[1]);
    this.batches.push(toBinary(ExportTraceServiceRequestSchema, request));
    this.#groups = new Map();
    this.#pending = 0;
  }
}
