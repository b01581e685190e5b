import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';
import type { TraceWarning } from '../../model/traceWarning';
import type { SpanCounterpart, TraceSnapshot } from '../../shared/lspProtocol';
import type { RunSummary } from '../../shared/runSummary';
import { logsFromSnapshot, spansFromSnapshot } from '../../shared/traceSnapshotCodec';

/**
 * A trace with its linked traces and log records, as the spans themselves: what `getTrace` holds,
 * for readers in the trace server (the trace view, Go to Source). The embedded backend hands over
 * the spans it stores, where a snapshot is a copy of each for the wire; another backend's snapshot is
 * read into one (`traceSpansOf`). `counterparts` may be a getter: only a span's details read them.
 */
export interface TraceSpans {
  readonly traceIds: readonly string[];
  readonly spans: readonly Span[];
  readonly logs: readonly LogRecord[];
  readonly warnings: readonly TraceWarning[];
  readonly run?: RunSummary;
  readonly counterparts?: readonly SpanCounterpart[];
}

export function traceSpansOf(snapshot: TraceSnapshot): TraceSpans {
  return {
    traceIds: snapshot.traceIds,
    spans: spansFromSnapshot(snapshot),
    logs: logsFromSnapshot(snapshot),
    warnings: snapshot.warnings,
    ...(snapshot.run ? { run: snapshot.run } : {}),
    ...(snapshot.counterparts ? { counterparts: snapshot.counterparts } : {}),
  };
}
