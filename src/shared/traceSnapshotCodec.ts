import type { LogRecord } from '../model/logRecord';
import type { Resource, Span } from '../model/span';
import type { TraceWarning } from '../model/traceWarning';
import type { TraceSnapshot, WireLogRecord, WireSpan } from './lspProtocol';
import type { RunSummary } from './runSummary';

const unknownResource: Resource = { serviceName: 'unknown_service', attributes: {} };

/**
 * Indexes resources into one table. Each export request maps its resources to new objects, so
 * equal resources of different batches (and of spans and logs) are merged by content; the content
 * key is computed once per distinct object, not per span.
 */
function resourceTable(): { readonly resources: Resource[]; indexOf(resource: Resource): number } {
  const resources: Resource[] = [];
  const byObject = new Map<Resource, number>();
  const byContent = new Map<string, number>();
  return {
    resources,
    indexOf(resource) {
      let index = byObject.get(resource);
      if (index === undefined) {
        const key = JSON.stringify([resource.serviceName, resource.attributes]);
        index = byContent.get(key);
        if (index === undefined) {
          index = resources.push(resource) - 1;
          byContent.set(key, index);
        }
        byObject.set(resource, index);
      }
      return index;
    },
  };
}

/** Puts spans and log records on the wire with their resources de-duplicated into one table. */
export function toTraceSnapshot(
  traceIds: readonly string[],
  spans: readonly Span[],
  warnings: readonly TraceWarning[],
  run: RunSummary | undefined,
  logs?: readonly LogRecord[],
): TraceSnapshot {
  const table = resourceTable();
  const wireSpans: WireSpan[] = spans.map((span) => ({ ...span, resource: table.indexOf(span.resource) }));
  const wireLogs: WireLogRecord[] | undefined = logs?.map((record) => ({ ...record, resource: table.indexOf(record.resource) }));
  return { traceIds, spans: wireSpans, resources: table.resources, ...(wireLogs ? { logs: wireLogs } : {}), warnings, ...(run ? { run } : {}) };
}

/** Inverse of `toTraceSnapshot`, for the webview and tests. */
export function spansFromSnapshot(snapshot: TraceSnapshot): Span[] {
  return snapshot.spans.map((span) => ({ ...span, resource: snapshot.resources[span.resource] ?? unknownResource }));
}

/** The snapshot's log records with their resources resolved, oldest first as sent; empty when it has none. */
export function logsFromSnapshot(snapshot: TraceSnapshot): LogRecord[] {
  return (snapshot.logs ?? []).map((record) => ({ ...record, resource: snapshot.resources[record.resource] ?? unknownResource }));
}
