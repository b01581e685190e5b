import { numberAttribute, stringAttribute, type Span } from '../model/span';
import type { TraceId } from '../model/units';
import type { RunGap, RunKind } from '../shared/runSummary';
import { aliyun, genAi } from './difyNames';
import { nonEmpty, topLevel, type RunFacts } from './runFacts';
import { hexToUuid } from './spanFacts';

function sum(spans: readonly Span[], key: string): number | undefined {
  let total: number | undefined;
  for (const span of spans) {
    const n = numberAttribute(span.attributes, key);
    if (n !== undefined) total = (total ?? 0) + n;
  }
  return total;
}

/**
 * Alibaba Cloud Monitoring exporter (dify_trace_aliyun/aliyun_trace.py): root `workflow` (or
 * `message` for chat apps and chatflows), node spans named by title, token usage on LLM spans,
 * and one Trace Link (span link) to the request's trace on every span.
 */
export function aliyunRunFacts(traceId: TraceId, appSpans: readonly Span[]): RunFacts {
  const root = topLevel(appSpans, (n) => n === aliyun.workflowSpan || n === aliyun.messageSpan);
  const hasWorkflow = appSpans.some((s) => s.name === aliyun.workflowSpan);
  const hasAgentSteps = appSpans.some((s) => stringAttribute(s.attributes, genAi.spanKind) === 'TOOL' && s.parentSpanId === root?.spanId);
  const conversationId = nonEmpty(stringAttribute((root ?? appSpans[0]!).attributes, genAi.sessionId));
  // Chat and completion apps differ only in having a conversation (message_trace, gen_ai.session.id).
  const messageKind: RunKind = hasAgentSteps ? 'agent' : conversationId === undefined ? 'completion' : 'chat';
  const kind: RunKind = root?.name === aliyun.messageSpan ? (hasWorkflow ? 'chatflow' : messageKind) : hasWorkflow ? 'workflow' : 'unknown';
  const linked = new Set<string>();
  for (const span of appSpans) for (const link of span.links) if (link.traceId !== traceId) linked.add(link.traceId);
  // Token counts: on LLM spans only (node spans of LLM nodes, or the chat app's `llm` span).
  const llmSpans = appSpans.filter((s) => stringAttribute(s.attributes, genAi.spanKind) === 'LLM');
  const prompt = sum(llmSpans, genAi.inputTokens);
  const completion = sum(llmSpans, genAi.outputTokens);
  const total = sum(llmSpans, genAi.totalTokens) ?? (prompt !== undefined || completion !== undefined ? (prompt ?? 0) + (completion ?? 0) : undefined);
  // The trace id is the workflow run id without dashes for workflows and chatflows (workflow_trace),
  // the message id for chat, completion and agent apps (message_trace) (utils.py convert_to_trace_id).
  const runId = hexToUuid(traceId);
  const isWorkflowRun = kind === 'workflow' || kind === 'chatflow' || (kind === 'unknown' && root === undefined);
  const gaps: RunGap[] = [];
  if (root === undefined) gaps.push({ kind: 'rootMissing', message: 'The run\'s root span (workflow or message) has not arrived: node spans are shown without it.' });
  // Every Aliyun span carries the common attributes (utils.py create_common_span_attributes).
  const lacking = appSpans.filter((s) => !(genAi.spanKind in s.attributes) || !(genAi.framework in s.attributes)).length;
  if (lacking > 0) gaps.push({ kind: 'missingKeys', message: `${lacking} span(s) lack gen_ai.span.kind or gen_ai.framework; node types are guessed.` });
  const any = root ?? appSpans[0]!;
  return {
    source: 'aliyun',
    root,
    appSpans,
    // The exporter's service.name is the app_name of the app's tracing config (default dify_app).
    appName: any.resource.serviceName,
    appId: root === undefined ? undefined : stringAttribute(root.attributes, aliyun.appIdKey),
    workflowRunId: isWorkflowRun ? runId : undefined,
    messageId: isWorkflowRun ? undefined : runId,
    conversationId,
    userId: nonEmpty(stringAttribute(any.attributes, genAi.userId)),
    kind,
    tokens: total === undefined ? undefined : { ...(prompt === undefined ? {} : { prompt }), ...(completion === undefined ? {} : { completion }), total },
    linkedTraceIds: [...linked],
    gaps,
  };
}
