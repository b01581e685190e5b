import type { Span } from '../../model/span';
import type { RunSummary } from '../../shared/runSummary';
import { difyNodesOf } from '../../dify/difyNodes';
import { normaliseForPhrase } from './textTokens';

/**
 * A run as the run index holds it: the summary the Runs view shows, plus what its filters need and
 * the summary does not carry (it crosses the wire, so it stays lean): the node types executed and
 * the plugins called across both halves of the run, and its searchable summary text.
 */
export interface RunEntry {
  readonly run: RunSummary;
  /** The run's own trace, then the traces it links to: where its keyword text lives. */
  readonly traceIds: readonly string[];
  /** Ids, app, error message, failing node, root cause and error kind, lower-cased: matched as substrings. */
  readonly summaryText: string;
  /** Node types that ran (graphon's strings, `task` for Aliyun's untyped nodes), sorted. */
  readonly nodeTypes: readonly string[];
  /** `author/name` of the plugins whose tools ran, sorted. */
  readonly plugins: readonly string[];
  readonly totalTokens: number | undefined;
}

export function runEntry(run: RunSummary, spansOf: (traceId: string) => readonly Span[] | undefined): RunEntry {
  const traceIds = [run.traceId, ...run.linkedTraceIds.filter((id) => id !== run.traceId)];
  const spans: Span[] = [];
  for (const id of traceIds) for (const span of spansOf(id) ?? []) spans.push(span);
  const nodeTypes = new Set<string>();
  const plugins = new Set<string>((run.toolCalls ?? []).map((call) => call.pluginId));
  for (const node of difyNodesOf(spans).values()) {
    if (node.nodeType !== undefined) nodeTypes.add(node.nodeType);
    if (node.plugin !== undefined) plugins.add(node.plugin.pluginId);
  }
  const fields = [run.appName, run.traceId, run.runId, run.workflowRunId, run.messageId, run.conversationId, run.errorMessage, run.failingNode?.title, run.rootCause?.name, run.errorKind];
  const { prompt, completion, total } = run.tokens ?? {};
  return {
    run,
    traceIds,
    summaryText: normaliseForPhrase(fields.filter((f): f is string => f !== undefined && f !== '').join('\n')),
    nodeTypes: [...nodeTypes].sort(),
    plugins: [...plugins].sort(),
    totalTokens: total ?? (prompt === undefined && completion === undefined ? undefined : (prompt ?? 0) + (completion ?? 0)),
  };
}
