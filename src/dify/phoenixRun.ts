import { numberAttribute, stringAttribute, type Span } from '../model/span';
import type { TraceId } from '../model/units';
import type { RunGap, RunStatus } from '../shared/runSummary';
import { phoenix } from './difyNames';
import { jsonObjectAttribute, numberField, stringField } from './jsonAttribute';
import { nonEmpty, topLevel, type RunFacts } from './runFacts';

const statuses: ReadonlySet<string> = new Set(['succeeded', 'failed', 'partial-succeeded', 'stopped', 'running']);

/**
 * Arize Phoenix / OpenInference exporter (dify_trace_arize_phoenix/arize_phoenix_trace.py): a
 * synthetic `Dify` root with `dify_trace_id`, then `workflow` (1.x) or `workflow_{run id}` (newer)
 * or `message`, whose `metadata` JSON carries the run's ids, app name and status.
 */
export function phoenixRunFacts(traceId: TraceId, appSpans: readonly Span[]): RunFacts {
  const difyRoot = topLevel(appSpans, (n) => n === phoenix.rootSpan);
  const workflow = appSpans.find((s) => s.name === phoenix.workflowSpanPrefix || (s.name.startsWith(`${phoenix.workflowSpanPrefix}_`) && phoenix.metadataKey in s.attributes && !('node_type' in (jsonObjectAttribute(s.attributes, phoenix.metadataKey) ?? {}))));
  const message = appSpans.find((s) => s.name === phoenix.messageSpan);
  const runSpan = workflow ?? message;
  const meta = runSpan === undefined ? undefined : jsonObjectAttribute(runSpan.attributes, phoenix.metadataKey);
  const status = stringField(meta, 'status');
  const gaps: RunGap[] = [];
  // Newer releases name the root after the run id instead of `Dify`; it still carries dify_trace_id.
  const traceKeySpan = appSpans.find((s) => phoenix.difyTraceIdKey in s.attributes);
  const difyTraceId = traceKeySpan === undefined ? undefined : stringAttribute(traceKeySpan.attributes, phoenix.difyTraceIdKey);
  // dify_trace_id is the external (infrastructure) trace id when there is one, else the message or
  // run id: only a 32-hex value names an infrastructure trace; a dashed UUID is a Dify id.
  const linkedHex = difyTraceId !== undefined && /^[0-9a-fA-F]{32}$/.test(difyTraceId) ? difyTraceId.toLowerCase() : undefined;
  // A free-form X-Trace-Id (e.g. "my-req-1") is kept by Dify but names no OTel trace.
  if (difyTraceId !== undefined && linkedHex === undefined && !/^[0-9a-fA-F-]{36}$/.test(difyTraceId)) {
    gaps.push({ kind: 'linkInvalid', message: `dify_trace_id "${difyTraceId}" is not a trace id, so the infrastructure trace cannot be joined.` });
  }
  const project = stringAttribute((difyRoot ?? appSpans[0]!).attributes, phoenix.projectNameKey) ?? stringAttribute(appSpans[0]!.resource.attributes, phoenix.projectResourceKey);
  if (runSpan === undefined) gaps.push({ kind: 'rootMissing', message: 'The workflow or message span has not arrived.' });
  else if (meta === undefined) gaps.push({ kind: 'metadataMissing', message: `The ${runSpan.name} span has no readable metadata; app, run id and status are guessed.` });
  const messageId = stringField(meta, 'message_id');
  const llmTotal = appSpans.reduce<number | undefined>((acc, s) => {
    const n = numberAttribute(s.attributes, phoenix.llmTotalTokensKey);
    return n === undefined ? acc : (acc ?? 0) + n;
  }, undefined);
  const total = numberField(meta, 'total_tokens') ?? llmTotal;
  // Node metadata carries the execution metadata: total_price and currency per node (graphon WorkflowNodeExecutionMetadataKey).
  let amount: number | undefined;
  let currency: string | undefined;
  for (const span of appSpans) {
    const nodeMeta = span === runSpan ? undefined : jsonObjectAttribute(span.attributes, phoenix.metadataKey);
    const price = numberField(nodeMeta, 'total_price');
    if (price === undefined) continue;
    amount = (amount ?? 0) + price;
    currency ??= stringField(nodeMeta, 'currency');
  }
  // Phoenix 1.9.x marks a failed run only in the workflow metadata (status, status_message, level);
  // its exporter crashed after the workflow span, so no node span says where (recorded on Dify 1.9.2).
  const statusMessage = stringField(meta, 'status_message');
  const failedQuietly = (status === 'failed' || status === 'partial-succeeded') && runSpan !== undefined && runSpan.status.code !== 'error' && !appSpans.some((s) => s.status.code === 'error');
  return {
    ...(failedQuietly ? { failure: { evidence: runSpan }, ...(statusMessage === undefined ? {} : { errorText: statusMessage }) } : {}),
    source: 'phoenix',
    // The synthetic `Dify` root ends at once; the workflow/message span spans the run.
    root: runSpan ?? difyRoot,
    appSpans,
    appName: stringField(meta, 'app_name') ?? project ?? 'Dify app',
    appId: stringField(meta, 'app_id'),
    workflowRunId: stringField(meta, 'workflow_run_id'),
    messageId,
    // The metadata's conversation_id decides ("" = no conversation); newer releases fill session.id
    // with the workflow run id when there is none, so it is only a fallback for older shapes.
    conversationId: meta !== undefined && 'conversation_id' in meta ? stringField(meta, 'conversation_id') : nonEmpty(stringAttribute(runSpan?.attributes ?? {}, phoenix.sessionIdKey)),
    userId: stringField(meta, 'user_id'),
    kind: workflow ? (messageId ? 'chatflow' : 'workflow') : message ? 'chat' : 'unknown',
    status: status !== undefined && statuses.has(status) ? (status as RunStatus) : runSpan === undefined ? 'running' : undefined,
    tokens: total === undefined ? undefined : { total },
    price: amount === undefined ? undefined : { amount, currency: currency ?? 'USD' },
    linkedTraceIds: linkedHex !== undefined && linkedHex !== traceId ? [linkedHex] : [],
    gaps,
  };
}
