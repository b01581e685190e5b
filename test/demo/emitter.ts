/**
 * One real OpenTelemetry SDK pipeline per emitting service (own Resource, own OTLP/HTTP protobuf
 * exporter), spans started with explicit ids, times, kinds, links and events, and an export whose
 * result is awaited: the SDK's own span processors swallow export failures, this one rejects.
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
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ScriptedIdGenerator } from './ids';

type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];
/** `ExportResultCode.SUCCESS` of @opentelemetry/core (not a direct dependency of this package). */
const EXPORT_SUCCESS = 0;

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

/** Keeps every ended span until `exportPending()`, which exports them in one request and settles with the exporter's result. */
class AwaitedExportProcessor implements SpanProcessor {
  readonly #pending: ReadableSpan[] = [];
  readonly #exporter: SpanExporter;

  constructor(exporter: SpanExporter) {
    this.#exporter = exporter;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    this.#pending.push(span);
  }

  async forceFlush(): Promise<void> {
    await this.exportPending();
  }

  shutdown(): Promise<void> {
    return this.#exporter.shutdown();
  }

  exportPending(): Promise<number> {
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.#exporter.export(batch, (result: ExportResult) => {
        if (result.code === (EXPORT_SUCCESS as ExportResult['code'])) resolve(batch.length);
        else reject(new Error(`OTLP export of ${batch.length} spans failed`, { cause: result.error }));
      });
    });
  }
}

export class DemoService {
  readonly serviceName: string;
  readonly #ids = new ScriptedIdGenerator();
  readonly #processor: AwaitedExportProcessor;
  readonly #provider: BasicTracerProvider;
  readonly #tracers = new Map<string, Tracer>();
  #emitted = 0;

  constructor(resource: Attributes, tracesUrl: string) {
    const serviceName = resource['service.name'];
    if (typeof serviceName !== 'string') throw new Error('resource needs service.name');
    this.serviceName = serviceName;
    this.#processor = new AwaitedExportProcessor(new OTLPTraceExporter({ url: tracesUrl }));
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes(resource),
      idGenerator: this.#ids,
      sampler: new AlwaysOnSampler(),
      spanProcessors: [this.#processor],
    });
  }

  get emittedSpans(): number {
    return this.#emitted;
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
    this.#emitted += 1;
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
