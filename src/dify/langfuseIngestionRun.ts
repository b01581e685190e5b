import { numberAttribute, stringAttribute, type Span } from '../model/span';
import type { TraceId } from '../model/units';
import type { RunKind, RunStatus } from '../shared/runSummary';
import { langfuse, langfuseIngestion } from './difyNames';
import { langfuseUsage } from './langfuseRun';
import { spanBounds } from '../model/spanBounds';
import { nonEmpty, type RunFacts } from './runFacts';

export function isLangfuseIngestionSpan(span: Span): boolean {
  return span.scopeName === langfuseIngestion.scopeName;
}

const statuses: ReadonlySet<string> = new Set(['succeeded', 'failed', 'partial-succeeded', 'stopped', 'running']);

const traceMeta = (span: Span | undefined, key: string): string | undefined => (span === undefined ? undefined : nonEmpty(stringAttribute(span.attributes, langfuseIngestion.traceMeta(key))));
const observationMeta = (span: Span, key: string): string | undefined => nonEmpty(stringAttribute(span.attributes, langfuse.meta(key)));

function tagsOf(span: Span | undefined): string[] {
  const raw = span === undefined ? undefined : stringAttribute(span.attributes, langfuseIngestion.traceTagsKey);
  try {
    const tags: unknown = JSON.parse(raw ?? '[]');
    return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Kind from the trace Dify created (langfuse_trace.py): `workflow` for workflow apps; `message`
 * tagged `workflow` for chatflows (with a `workflow` span whose id is the run id); `message`
 * tagged with the conversation mode for chat, completion and agent apps.
 */
function kindOf(trace: Span | undefined, hasWorkflowSpan: boolean): RunKind {
  const name = trace === undefined ? undefined : stringAttribute(trace.attributes, langfuseIngestion.traceNameKey);
  const tags = tagsOf(trace);
  if (name === 'workflow') return 'workflow';
  if (name === 'message' && (tags.includes('workflow') || hasWorkflowSpan)) return 'chatflow';
  if (name === 'message') return tags.includes('agent-chat') ? 'agent' : tags.includes('completion') ? 'completion' : 'chat';
  return hasWorkflowSpan ? 'workflow' : 'unknown';
}

/**
 * Dify's Langfuse exporter through Langfuse's ingestion API (Dify ≤ 1.13.x with langfuse-python
 * 2.51, 1.14 with 4.x): a trace whose metadata holds the run (workflow_run_id, status, app_id, …),
 * node observations named by title with `node_type` and the execution metadata; ERROR level on each
 * node that did not succeed, whose status message is the run's error. The Langfuse trace id is the
 * infrastructure trace id when Dify had one (X-Trace-Id or its own OpenTelemetry context): then
 * both halves share one trace and the run links to it.
 */
export function langfuseIngestionRunFacts(traceId: TraceId, traceSpans: readonly Span[], appSpans: readonly Span[]): RunFacts | undefined {
  const trace = appSpans.find((s) => s.attributes[langfuse.observationTypeKey] === langfuseIngestion.traceType);
  const workflowSpan = appSpans.find((s) => s !== trace && s.name === 'workflow' && observationMeta(s, langfuseIngestion.metaKeys.nodeType) === undefined);
  const kind = kindOf(trace, workflowSpan !== undefined);
  // Dify also sends traces that are no run: `generate_conversation_name` (a trace without an id and
  // a span filed under the conversation id, langfuse_trace.py), moderation checks, ...
  const traceName = trace === undefined ? undefined : stringAttribute(trace.attributes, langfuseIngestion.traceNameKey);
  const hasNodes = appSpans.some((s) => observationMeta(s, langfuseIngestion.metaKeys.nodeType) !== undefined);
  if (traceName !== 'workflow' && traceName !== 'message' && workflowSpan === undefined && !hasNodes) return undefined;
  const meta = (key: string): string | undefined => traceMeta(trace, key) ?? (workflowSpan === undefined ? undefined : observationMeta(workflowSpan, key));
  const status = meta(langfuseIngestion.metaKeys.status);
  const workflowRunId = meta(langfuseIngestion.metaKeys.workflowRunId);
  const rawTraceId = trace === undefined ? undefined : stringAttribute(trace.attributes, langfuseIngestion.traceIdKey);
  // A message trace's id is the message id unless Dify had an external trace id (then it is 32 hex).
  const messageId = meta(langfuseIngestion.metaKeys.messageId) ?? (kind !== 'workflow' && rawTraceId !== undefined && /^[0-9a-f]{8}-/.test(rawTraceId) ? rawTraceId : undefined);
  const { total, cost } = langfuseUsage(appSpans);
  const metaTokens = trace === undefined ? undefined : numberAttribute(trace.attributes, langfuseIngestion.traceMeta(langfuseIngestion.metaKeys.totalTokens));
  const tokenTotal = metaTokens ?? total;
  const appId = meta(langfuseIngestion.metaKeys.appId);
  const publicKey = stringAttribute(appSpans[0]!.resource.attributes, langfuseIngestion.publicKeyKey);
  const sharesInfraTrace = traceSpans.length > appSpans.length;
  // The trace's own times are estimated (Langfuse traces have none); its observations' are Dify's.
  const observations = appSpans.filter((s) => s !== trace);
  const timed = workflowSpan === undefined && observations.length > 0;
  return {
    ...(timed ? { bounds: spanBounds(observations) } : {}),
    source: 'langfuse',
    // The run span: the chatflow's workflow span, else the trace (timed from its observations).
    root: workflowSpan ?? trace,
    appSpans,
    // Dify 1.13 sends no app name to Langfuse: the Langfuse public key the app was configured with
    // names it (any key is accepted here, so the setup guide suggests the app's name), unless it is a
    // real Langfuse key; else the app id, which the run index replaces by the name from the app's other runs.
    appName: meta(langfuseIngestion.metaKeys.appName) ?? (publicKey !== undefined && !publicKey.startsWith('pk-lf-') ? publicKey : undefined) ?? appId ?? 'Dify app',
    appId,
    workflowRunId,
    messageId,
    conversationId: meta(langfuseIngestion.metaKeys.conversationId) ?? (trace === undefined ? undefined : nonEmpty(stringAttribute(trace.attributes, langfuse.sessionIdKey))),
    userId: trace === undefined ? undefined : nonEmpty(stringAttribute(trace.attributes, langfuse.userIdKey)),
    kind,
    status: status !== undefined && statuses.has(status) ? (status as RunStatus) : trace === undefined ? 'running' : undefined,
    tokens: tokenTotal === undefined ? undefined : { total: tokenTotal },
    price: cost === undefined ? undefined : { amount: cost, currency: 'USD' },
    linkedTraceIds: sharesInfraTrace ? [traceId] : [],
    gaps: trace === undefined ? [{ kind: 'rootMissing', message: 'The Langfuse trace of this run has not arrived; its observations are shown without it.' }] : [],
  };
}
