import type { Span } from '../../model/span';
import type { TraceId } from '../../model/units';
import { isInfraDifySpan } from '../../dify/spanFacts';

interface Detached {
  readonly startUs: number;
  readonly service: string;
}

/** A span that failed or recorded an exception. */
const failed = (span: Span): boolean => span.status.code === 'error' || span.events.some((e) => e.name === 'exception' || e.name === 'log.exception');

/**
 * Small error traces with no parent and no Dify identity: calls made in a thread that lost the
 * trace context. Dify 1.13.3 runs knowledge retrieval that way, so a failing vector database shows
 * up as a root client span of its own (recorded with a stopped Chroma). Kept by start time and
 * service so that the run they happened in can take them in (joinHalves.ts decides, by its
 * knowledge-retrieval nodes).
 */
export class DetachedErrors {
  private readonly traces = new Map<TraceId, Detached>();

  /** Records or forgets a trace that holds no run; true when it was newly recorded. */
  note(traceId: TraceId, spans: readonly Span[]): boolean {
    const detached = detachedError(spans);
    if (detached === undefined) {
      this.traces.delete(traceId);
      return false;
    }
    const known = this.traces.has(traceId);
    this.traces.set(traceId, detached);
    if (this.traces.size > 10_000) this.traces.delete(this.traces.keys().next().value!);
    return !known;
  }

  remove(traceId: TraceId): void {
    this.traces.delete(traceId);
  }

  /** The time and service of a recorded trace. */
  get(traceId: TraceId): Detached | undefined {
    return this.traces.get(traceId);
  }

  /**
   * Detached error traces that started while these spans ran. Only candidates: the run takes one in
   * when it started inside a knowledge-retrieval node, in the service of the run's infrastructure half.
   */
  within(spans: readonly Span[]): string[] {
    if (this.traces.size === 0) return [];
    let startUs = Number.POSITIVE_INFINITY;
    let endUs = Number.NEGATIVE_INFINITY;
    for (const span of spans) {
      startUs = Math.min(startUs, span.startUs);
      endUs = Math.max(endUs, span.endUs);
    }
    const found: string[] = [];
    for (const [traceId, d] of this.traces) if (d.startUs >= startUs && d.startUs <= endUs) found.push(traceId);
    return found;
  }
}

function detachedError(spans: readonly Span[]): Detached | undefined {
  if (spans.length === 0 || spans.length > 50) return undefined;
  const roots = spans.filter((s) => s.parentSpanId === undefined);
  const root = roots[0];
  // Requests and task runs are traces of their own by design; a client call is not.
  if (roots.length !== 1 || root === undefined || root.kind === 'server' || root.kind === 'consumer') return undefined;
  if (!spans.some(failed) || spans.some((s) => isInfraDifySpan(s) || Object.keys(s.attributes).some((k) => k.startsWith('gen_ai.') || k.startsWith('node.')))) return undefined;
  return { startUs: root.startUs, service: root.resource.serviceName };
}
