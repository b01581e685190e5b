import { numberAttribute, stringAttribute, type Span } from '../model/span';
import type { TraceId } from '../model/units';
import type { RunKind, RunStatus } from '../shared/runSummary';
import { langfuseIngestion, langsmith } from './difyNames';
import type { DifyNode } from './difyNode';
import { jsonObjectAttribute } from './jsonAttribute';
import { pluginFromToolInfo } from './pluginIdentity';
import { nonEmpty, type RunFacts } from './runFacts';

export function isLangsmithSpan(span: Span): boolean {
  return span.scopeName === langsmith.scopeName;
}

const meta = (span: Span | undefined, key: string): string | undefined => (span === undefined ? undefined : nonEmpty(stringAttribute(span.attributes, langsmith.meta(key))));
const keys = langfuseIngestion.metaKeys;
const statuses: ReadonlySet<string> = new Set(['succeeded', 'failed', 'partial-succeeded', 'stopped', 'running']);

function tagsOf(span: Span | undefined): string[] {
  try {
    const tags: unknown = JSON.parse(span === undefined ? '[]' : (stringAttribute(span.attributes, langsmith.tagsKey) ?? '[]'));
    return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

const runName = (span: Span): string | undefined => stringAttribute(span.attributes, langsmith.runNameKey);

/** A node run: tagged `node_execution` with the node's type in its metadata (langsmith_trace.py workflow_trace). */
export function langsmithNode(span: Span): DifyNode | undefined {
  const nodeType = meta(span, keys.nodeType);
  if (nodeType === undefined || !tagsOf(span).includes(langsmith.nodeTag)) return undefined;
  const toolInfo = nodeType === 'tool' ? jsonObjectAttribute(span.attributes, langsmith.meta(keys.toolInfo)) : undefined;
  const plugin = pluginFromToolInfo(toolInfo);
  const iterationIndex = numberAttribute(span.attributes, langsmith.meta(keys.iterationIndex));
  const loopIndex = numberAttribute(span.attributes, langsmith.meta(keys.loopIndex));
  const nodeExecutionId = meta(span, keys.nodeExecutionId);
  return {
    title: span.name,
    nodeType,
    ...(nodeExecutionId === undefined ? {} : { nodeExecutionId }),
    ...(iterationIndex === undefined ? {} : { iterationIndex }),
    ...(loopIndex === undefined ? {} : { loopIndex }),
    ...(plugin === undefined ? {} : { plugin }),
  };
}

/**
 * Kind from the roots Dify creates: a `workflow` run for workflow apps; a `message` run tagged
 * `workflow` above it for chatflows; a `message` run tagged with the conversation mode for chat,
 * completion and agent apps.
 */
function kindOf(message: Span | undefined, workflow: Span | undefined): RunKind {
  if (message === undefined) return workflow === undefined ? 'unknown' : 'workflow';
  const tags = tagsOf(message);
  if (workflow !== undefined || tags.includes('workflow')) return 'chatflow';
  return tags.includes('agent-chat') ? 'agent' : tags.includes('completion') ? 'completion' : 'chat';
}

/**
 * Dify's LangSmith exporter (Dify 1.13.3 checked; langsmith_trace.py): a `workflow` run (and for a
 * message, a `message` run above it) whose metadata is the run's (workflow_run_id, status, app_id,
 * conversation_id, user_id, total_tokens), with the run's error; node runs named by node type,
 * their title as metadata `app_name`, their status in the metadata (sent without an error). The
 * trace id is Dify's external trace id when it had one (X-Trace-Id, or its OpenTelemetry trace):
 * then both halves share one trace and the run links to it. `generate_conversation_name` and the
 * other task runs Dify sends are no runs.
 */
export function langsmithRunFacts(traceId: TraceId, traceSpans: readonly Span[], appSpans: readonly Span[]): RunFacts | undefined {
  const ids = new Set(appSpans.map((s) => s.spanId as string));
  const top = (name: string) => appSpans.find((s) => runName(s) === name && meta(s, keys.nodeType) === undefined && (s.parentSpanId === undefined || !ids.has(s.parentSpanId) || runName(appSpans.find((p) => p.spanId === s.parentSpanId)!) === langsmith.messageName));
  const message = top(langsmith.messageName);
  const workflow = top(langsmith.workflowName);
  const root = workflow ?? message;
  if (root === undefined) return undefined;
  const kind = kindOf(message, workflow);
  const status = meta(root, keys.status);
  const project = stringAttribute(root.resource.attributes, langsmith.projectKey);
  const appId = meta(root, keys.appId);
  const total = numberAttribute(root.attributes, langsmith.meta(keys.totalTokens));
  return {
    source: 'langsmith',
    root,
    appSpans,
    // Dify 1.13 sends `app_name: ""`: the project the app's tracing was configured with names it.
    appName: meta(root, keys.appName) ?? project ?? appId ?? 'Dify app',
    appId,
    workflowRunId: meta(root, keys.workflowRunId),
    messageId: message === undefined ? undefined : stringAttribute(message.attributes, langsmith.runIdKey),
    conversationId: meta(root, keys.conversationId),
    userId: meta(root, 'user_id'),
    kind,
    status: status !== undefined && statuses.has(status) ? (status as RunStatus) : undefined,
    tokens: total === undefined ? undefined : { total },
    linkedTraceIds: traceSpans.length > appSpans.length ? [traceId] : [],
    gaps: [],
    ...(root.status.message === undefined ? {} : { errorText: root.status.message }),
  };
}
