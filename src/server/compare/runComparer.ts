import type { CompareRunsRequest, FindTracesRequest, ListRunsRequest, NodeValuesRequest } from '../../shared/lspProtocol';
import type { RunSummary } from '../../shared/runSummary';
import { nodeInputsOutputs, type NodeValue } from '../../shared/nodeInputsOutputs';
import { alignRuns } from '../../dify/compare/alignRuns';
import { nodeExecutionsOf } from '../../dify/compare/nodeExecutions';
import type { TraceSpans } from '../backends/traceSpans';

/** What comparing runs reads: the backends, as the registry answers for them. */
export interface ComparerSources {
  traceSpans(params: { readonly traceId: string }): Promise<TraceSpans | null>;
  findTraces(query: FindTracesRequest.Params): Promise<FindTracesRequest.Result>;
  listRuns(params: ListRunsRequest.Params): Promise<ListRunsRequest.Result>;
}

/**
 * Compare Runs in the trace server: each run found by its trace id (an infrastructure trace stands
 * for the app run that links to it), the last success of the same app when no run is named to
 * compare with, both read as node executions and aligned (`alignRuns`).
 */
export class RunComparer {
  constructor(private readonly sources: ComparerSources) {}

  async compare(params: CompareRunsRequest.Params): Promise<CompareRunsRequest.Result> {
    const now = await this.runOf(params.nowTraceId);
    if (now === undefined) return { ok: false, reason: noRun(params.nowTraceId) };
    const before = params.beforeTraceId === undefined ? await this.lastSuccessBefore(now, params.backend) : await this.runOf(params.beforeTraceId);
    if (before === undefined) {
      return {
        ok: false,
        reason: params.beforeTraceId === undefined
          ? `No successful run of ${now.appName} started before this one: run the app once successfully, or use "Compare with…" to pick another run.`
          : noRun(params.beforeTraceId),
      };
    }
    const [beforeTrace, nowTrace] = await Promise.all([this.sources.traceSpans({ traceId: before.traceId }), this.sources.traceSpans({ traceId: now.traceId })]);
    if (beforeTrace === null || nowTrace === null) return { ok: false, reason: `The spans of ${beforeTrace === null ? before.traceId : now.traceId} are no longer in the trace server.` };
    const comparison = alignRuns(nodeExecutionsOf(beforeTrace.spans, before.traceId), nodeExecutionsOf(nowTrace.spans, now.traceId));
    return { ok: true, before, now, comparison };
  }

  async nodeValues(params: NodeValuesRequest.Params): Promise<NodeValuesRequest.Result> {
    const trace = await this.sources.traceSpans({ traceId: params.traceId });
    const span = trace?.spans.find((s) => s.spanId === params.spanId && s.traceId === params.traceId);
    if (span === undefined) return null;
    const { inputs, outputs } = nodeInputsOutputs(span.attributes);
    return { ...(inputs ? { inputs: pretty(inputs) } : {}), ...(outputs ? { outputs: pretty(outputs) } : {}) };
  }

  private async runOf(traceId: string): Promise<RunSummary | undefined> {
    const found = await this.sources.findTraces({ kind: 'traceId', traceId: traceId.toLowerCase() });
    return found.matches.find((m) => m.run !== undefined)?.run;
  }

  private async lastSuccessBefore(now: RunSummary, backend: string | undefined): Promise<RunSummary | undefined> {
    const page = await this.sources.listRuns({ filter: { appName: now.appName, status: ['succeeded'], untilMs: now.startMs }, limit: 5, ...(backend === undefined ? {} : { backend }) });
    return page.runs.find((r) => r.traceId !== now.traceId && r.startMs < now.startMs);
  }
}

const noRun = (traceId: string): string => `No Dify run has trace ${traceId}: it is not in the trace server, or holds no workflow or chat run.`;

/** A JSON value (or a JSON string) pretty-printed, so the diff editor compares it line by line. */
function pretty(value: NodeValue): string {
  const raw = value.value;
  if (typeof raw === 'string') {
    try {
      return `${JSON.stringify(JSON.parse(raw), null, 2)}\n`;
    } catch {
      return raw.endsWith('\n') ? raw : `${raw}\n`;
    }
  }
  return `${JSON.stringify(raw, null, 2)}\n`;
}
