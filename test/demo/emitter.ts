/**
 * One real OpenTelemetry SDK pipeline per emitting service (own Resource, own OTLP/HTTP protobuf
 * exporter, AwaitedExportProcessor), spans started with explicit ids, times, kinds, links and events.
 */
import {
  ROOT_CONTEXT,
  TraceFlags,
  trace,
  type Attributes,
  type Link,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  type Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { AwaitedExportProcessor } from './awaitedExportProcessor';
import { ScriptedIdGenerator } from './ids';

export interface Scope {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
}

export interface DemoEvent {
  readonly name: string;
  readonly timeMs: number;
  readonly attributes: Attributes;
}

export interface SpanSpec {
  readonly name: string;
  readonly kind: SpanKind;
  readonly traceId: string;
  readonly spanId: string;
  /** Absent for a root span. `remote` is true when the parent lives in another process (propagated traceparent). */
  readonly parent?: { readonly spanId: string; readonly remote: boolean } | undefined;
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes?: Attributes | undefined;
  readonly status?: SpanStatus | undefined;
  readonly links?: readonly Link[] | undefined;
  readonly events?: readonly DemoEvent[] | undefined;
}

export class DemoService {
  readonly serviceName: string;
  readonly #ids = new ScriptedIdGenerator();
  readonly #processor: AwaitedExportProcessor;
  readonly #provider: BasicTracerProvider;
  readonly #tracers = new Map<string, Tracer>();

  /**
   * `label` stands in for service.name in summaries when the resource has none (Phoenix's exporter
   * sets none). `exporter`: OTLP/HTTP protobuf to `tracesUrl` unless given (the gRPC one, say).
   */
  constructor(resource: Attributes, tracesUrl: string, label?: string, exporter?: SpanExporter) {
    const serviceName = label ?? resource['service.name'];
    if (typeof serviceName !== 'string') throw new Error('resource needs service.name');
    this.serviceName = serviceName;
    this.#processor = new AwaitedExportProcessor(exporter ?? new OTLPTraceExporter({ url: tracesUrl }));
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes(resource),
      idGenerator: this.#ids,
      sampler: new AlwaysOnSampler(),
      spanProcessors: [this.#processor],
    });
  }

  /** Starts and ends one span exactly as specified; returns its context. */
  emit(scope: Scope, spec: SpanSpec): SpanContext {
    const parentContext =
      spec.parent === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, {
            traceId: spec.traceId,
            spanId: spec.parent.spanId,
            traceFlags: TraceFlags.SAMPLED,
            isRemote: spec.parent.remote,
          });
    this.#ids.prime({ traceId: spec.traceId, spanId: spec.spanId });
    const span = this.#tracer(scope).startSpan(
      spec.name,
      { kind: spec.kind, startTime: spec.startMs, attributes: spec.attributes ?? {}, links: [...(spec.links ?? [])] },
      parentContext,
    );
    this.#ids.release();
    const context = span.spanContext();
    if (context.traceId !== spec.traceId || context.spanId !== spec.spanId) {
      throw new Error(`span ${spec.name} got ids ${context.traceId}/${context.spanId}`);
    }
    for (const event of spec.events ?? []) span.addEvent(event.name, event.attributes, event.timeMs);
    if (spec.status !== undefined) span.setStatus(spec.status);
    span.end(spec.endMs);
    return context;
  }

  /** Exports everything emitted so far in one OTLP request; rejects if the receiver did not accept it. */
  exportPending(): Promise<number> {
    return this.#processor.exportPending();
  }

  shutdown(): Promise<void> {
    return this.#provider.shutdown();
  }

  #tracer(scope: Scope): Tracer {
    const key = `${scope.name}\u0000${scope.version ?? ''}\u0000${scope.schemaUrl ?? ''}`;
    let tracer = this.#tracers.get(key);
    if (tracer === undefined) {
      tracer = this.#provider.getTracer(
        scope.name,
        scope.version,
        scope.schemaUrl === undefined ? undefined : { schemaUrl: scope.schemaUrl },
      );
      this.#tracers.set(key, tracer);
    }
    return tracer;
  }
}
