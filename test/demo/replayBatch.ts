/**
 * Sends spans described as corpus batches (test/corpus/otlpJson.ts Batch: resource, scope, SpanSpecs with
 * explicit ids and times) through the real OpenTelemetry SDK: one DemoService per resource and URL.
 */
import { SpanStatusCode, type AttributeValue, type Attributes } from '@opentelemetry/api';
import { Dbl, type AttrValue, type Attrs, type Batch } from '../corpus/otlpJson';
import { DemoService } from './emitter';

function attributeValue(v: AttrValue): AttributeValue {
  if (v instanceof Dbl) return v.value;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v;
  throw new Error(`attribute value ${JSON.stringify(v)} has no OpenTelemetry JS form`);
}

function attributes(attrs: Attrs): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[k] = attributeValue(v);
  return out;
}

/** Batches waiting to be sent, grouped into one DemoService (one OTLP request) per resource and URL. */
export class BatchReplayer {
  readonly #services = new Map<string, DemoService>();

  /** `label` names the service in summaries when the resource has no service.name (Phoenix's has none). */
  emit(batch: Batch, tracesUrl: string, label?: string): void {
    const key = `${tracesUrl}\u0000${JSON.stringify(batch.resource)}`;
    let service = this.#services.get(key);
    if (service === undefined) {
      service = new DemoService(attributes(batch.resource), tracesUrl, label);
      this.#services.set(key, service);
    }
    const scope = { name: batch.scope.name, ...(batch.scope.version === undefined ? {} : { version: batch.scope.version }) };
    for (const s of batch.spans) {
      service.emit(scope, {
        name: s.name,
        kind: s.kind - 1, // OTLP enum (INTERNAL = 1) -> @opentelemetry/api SpanKind (INTERNAL = 0)
        traceId: s.traceId,
        spanId: s.spanId,
        parent: s.parentSpanId === undefined ? undefined : { spanId: s.parentSpanId, remote: false },
        startMs: s.startMs,
        endMs: s.endMs,
        attributes: attributes(s.attributes),
        status: s.status === undefined ? undefined : s.status.code === 'ok' ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, ...(s.status.message ? { message: s.status.message } : {}) },
        events: (s.events ?? []).map((e) => ({ name: e.name, timeMs: e.timeMs, attributes: attributes(e.attributes) })),
      });
    }
  }

  /** Exports every service's spans (one request each); spans sent per service label. */
  async exportPending(): Promise<Array<{ readonly label: string; readonly spans: number }>> {
    const sent = [];
    for (const service of this.#services.values()) sent.push({ label: service.serviceName, spans: await service.exportPending() });
    return sent;
  }

  shutdown(): Promise<void[]> {
    return Promise.all([...this.#services.values()].map((s) => s.shutdown()));
  }
}
