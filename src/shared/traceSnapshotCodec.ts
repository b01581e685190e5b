import type { Resource, Span } from '../model/span';
import type { TraceWarning } from '../model/traceWarning';
import type { TraceSnapshot, WireSpan } from './lspProtocol';
import type { RunSummary } from './runSummary';

/** Puts spans on the wire with their resources de-duplicated into a table. */
export function toTraceSnapshot(traceIds: readonly string[], spans: readonly Span[], warnings: readonly TraceWarning[], run: RunSummary | undefined): TraceSnapshot {
  const resourceIndex = new Map<Resource, number>();
  const resources: Resource[] = [];
  const wireSpans: WireSpan[] = spans.map((span) => {
    let index = resourceIndex.get(span.resource);
    if (index === undefined) {
      index = resources.push(span.resource) - 1;
      resourceIndex.set(span.resource, index);
    }
    return { ...span, resource: index };
  });
  return { traceIds, spans: wireSpans, resources, warnings, ...(run ? { run } : {}) };
}

/** Inverse of `toTraceSnapshot`, for the webview and tests. */
export function spansFromSnapshot(snapshot: TraceSnapshot): Span[] {
  return snapshot.spans.map((span) => ({ ...span, resource: snapshot.resources[span.resource] ?? { serviceName: 'unknown_service', attributes: {} } }));
}
