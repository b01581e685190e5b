import type { FindTracesRequest, GetTraceRequest, ListRunsRequest } from '../../shared/lspProtocol';

/**
 * One way to read traces. The embedded receiver's store is the first; Jaeger, Tempo, Zipkin,
 * Langfuse and Phoenix adapters will implement the same contract (async, cancellable by signal).
 */
export interface TraceBackend {
  readonly id: string;
  listRuns(params: ListRunsRequest.Params, signal?: AbortSignal): Promise<ListRunsRequest.Result>;
  getTrace(params: GetTraceRequest.Params, signal?: AbortSignal): Promise<GetTraceRequest.Result>;
  /** The traces a trace id, a Dify run / message / conversation id stands for; `searched` names this backend. */
  findTraces(params: FindTracesRequest.Params, signal?: AbortSignal): Promise<FindTracesRequest.Result>;
}
