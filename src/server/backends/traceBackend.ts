import type { ExportTraceRequest, FindTracesRequest, GetTraceRequest, ListRunsRequest, RunFacetsRequest } from '../../shared/lspProtocol';
import type { TraceSpans } from './traceSpans';

/**
 * One way to read traces. The embedded receiver's store is the first; Jaeger, Tempo, Zipkin,
 * Langfuse and Phoenix adapters will implement the same contract (async, cancellable by signal).
 */
export interface TraceBackend {
  readonly id: string;
  listRuns(params: ListRunsRequest.Params, signal?: AbortSignal): Promise<ListRunsRequest.Result>;
  /** Per filter field, the values present among the runs matching the filter, with run counts. */
  runFacets(params: RunFacetsRequest.Params, signal?: AbortSignal): Promise<RunFacetsRequest.Result>;
  getTrace(params: GetTraceRequest.Params, signal?: AbortSignal): Promise<GetTraceRequest.Result>;
  /** What `getTrace` holds, as the spans themselves, for the trace view in this process (no copy for the wire); without it the snapshot is read. */
  traceSpans?(params: GetTraceRequest.Params, signal?: AbortSignal): Promise<TraceSpans | null>;
  /** The traces a trace id, a Dify run / message / conversation id stands for; `searched` names this backend. */
  findTraces(params: FindTracesRequest.Params, signal?: AbortSignal): Promise<FindTracesRequest.Result>;
  /** The run of a trace as OTLP/JSON Lines, with the traces and log records `getTrace` would show; null when unknown. */
  exportTrace(params: ExportTraceRequest.Params, signal?: AbortSignal): Promise<ExportTraceRequest.Result>;
}
