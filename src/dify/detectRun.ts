import { stringAttribute, type Span } from '../model/span';
import type { TraceId } from '../model/units';
import type { RunKind, RunSource, RunStatus, RunSummary } from '../shared/runSummary';
import { aliyun, infra, phoenix } from './difyNames';
import { deepestEarliestError } from './spanDepth';
import { hexToUuid, isAliyunAppSpan, isInfraDifySpan, isPhoenixSpan, phoenixMetadata } from './spanFacts';

/**
 * Recognises the Dify run held by one trace, from whichever exporter wrote it. Returns undefined
 * for traces with no Dify identity (plain infrastructure traces are shown through Trace Link).
 */
export function detectRun(traceId: TraceId, spans: readonly Span[]): RunSummary | undefined {
  const aliyunSpans = spans.filter(isAliyunAppSpan);
  if (aliyunSpans.length > 0) return aliyunRun(traceId, aliyunSpans, spans.length);
  const phoenixSpans = spans.filter(isPhoenixSpan);
  if (phoenixSpans.length > 0) return phoenixRun(traceId, spans);
  if (spans.some(isInfraDifySpan)) return infraRun(traceId, spans);
  return undefined;
}

interface RunFacts {
  readonly source: RunSource;
  readonly root: Span | undefined;
  readonly appName: string;
  readonly appId: string | undefined;
  readonly runId: string | undefined;
  readonly kind: RunKind;
  readonly status: RunStatus | undefined;
  readonly linkedTraceIds: readonly string[];
}

function topLevel(spans: readonly Span[], names: (name: string) => boolean): Span | undefined {
  const ids = new Set(spans.map((s) => s.spanId as string));
  return spans.find((s) => names(s.name) && (s.parentSpanId === undefined || !ids.has(s.parentSpanId)));
}

/** Status from span statuses when the exporter records none: the root decides, node errors make it partial. */
function statusFromSpans(root: Span | undefined, failing: Span | undefined): RunStatus {
  if (root === undefined) return 'running';
  if (root.status.code === 'error') return 'failed';
  return failing === undefined ? 'succeeded' : 'partial-succeeded';
}

function summarise(traceId: TraceId, spans: readonly Span[], spanCount: number, facts: RunFacts): RunSummary {
  const failing = deepestEarliestError(spans);
  const startUs = facts.root?.startUs ?? spans.reduce((min, s) => Math.min(min, s.startUs), Number.POSITIVE_INFINITY);
  const endUs = facts.root?.endUs ?? spans.reduce((max, s) => Math.max(max, s.endUs), Number.NEGATIVE_INFINITY);
  const errorMessage = facts.root?.status.message || failing?.status.message;
  return {
    traceId,
    ...(facts.runId ? { runId: facts.runId } : {}),
    appName: facts.appName,
    ...(facts.appId ? { appId: facts.appId } : {}),
    kind: facts.kind,
    status: facts.status ?? statusFromSpans(facts.root, failing),
    source: facts.source,
    startMs: Math.floor(startUs / 1000),
    durationUs: Math.max(0, endUs - startUs),
    ...(errorMessage ? { errorMessage } : {}),
    ...(failing ? { failingSpanName: failing.name, failingSpanId: failing.spanId } : {}),
    spanCount,
    linkedTraceIds: facts.linkedTraceIds,
  };
}

function aliyunRun(traceId: TraceId, spans: readonly Span[], spanCount: number): RunSummary {
  const root = topLevel(spans, (n) => n === aliyun.workflowSpan || n === aliyun.messageSpan);
  const hasWorkflow = spans.some((s) => s.name === aliyun.workflowSpan);
  const kind: RunKind = root?.name === aliyun.messageSpan ? (hasWorkflow ? 'chatflow' : 'chat') : hasWorkflow ? 'workflow' : 'unknown';
  // Every app span carries the same Trace Link (a link whose trace id is the request's trace).
  const linked = new Set<string>();
  for (const span of spans) for (const link of span.links) if (link.traceId !== traceId) linked.add(link.traceId);
  return summarise(traceId, spans, spanCount, {
    source: 'aliyun',
    root,
    // The exporter's service.name is the app_name of the app's tracing config (default dify_app).
    appName: (root ?? spans[0]!).resource.serviceName,
    appId: root === undefined ? undefined : stringAttribute(root.attributes, aliyun.appIdKey),
    // Aliyun trace ids are the workflow run id (or message id) without dashes (utils.py convert_to_trace_id).
    runId: hexToUuid(traceId),
    kind,
    status: undefined,
    linkedTraceIds: [...linked],
  });
}

const phoenixStatuses: ReadonlySet<string> = new Set(['succeeded', 'failed', 'partial-succeeded', 'stopped', 'running']);

function phoenixRun(traceId: TraceId, spans: readonly Span[]): RunSummary {
  const root = topLevel(spans, (n) => n === phoenix.rootSpan);
  const workflow = spans.find((s) => s.name === phoenix.workflowSpanPrefix || s.name.startsWith(`${phoenix.workflowSpanPrefix}_`));
  const message = spans.find((s) => s.name === phoenix.messageSpan);
  const runSpan = workflow ?? message;
  const meta = runSpan === undefined ? undefined : phoenixMetadata(runSpan);
  const metaString = (key: string): string | undefined => (typeof meta?.[key] === 'string' && meta[key] !== '' ? meta[key] : undefined);
  const status = metaString('status');
  const difyTraceId = root === undefined ? undefined : stringAttribute(root.attributes, phoenix.difyTraceIdKey);
  const linkedHex = difyTraceId?.replaceAll('-', '').toLowerCase();
  const project = stringAttribute(root?.attributes ?? {}, phoenix.projectNameKey);
  return summarise(traceId, spans, spans.length, {
    source: 'phoenix',
    // The synthetic `Dify` root ends at once; the workflow/message span spans the run.
    root: runSpan ?? root,
    appName: metaString('app_name') ?? project ?? 'Dify app',
    appId: metaString('app_id'),
    runId: metaString('workflow_run_id') ?? metaString('message_id'),
    kind: workflow ? (metaString('message_id') ? 'chatflow' : 'workflow') : message ? 'chat' : 'unknown',
    status: status !== undefined && phoenixStatuses.has(status) ? (status as RunStatus) : runSpan === undefined ? 'running' : undefined,
    linkedTraceIds: linkedHex && /^[0-9a-f]{32}$/.test(linkedHex) && linkedHex !== traceId ? [linkedHex] : [],
  });
}

function infraRun(traceId: TraceId, spans: readonly Span[]): RunSummary {
  const root = topLevel(spans, () => true);
  const appId = spans.map((s) => stringAttribute(s.attributes, infra.appIdKey)).find((v) => v !== undefined);
  return summarise(traceId, spans, spans.length, {
    source: 'infrastructure',
    root,
    // Infrastructure spans carry the app id, not its name.
    appName: appId ? `app ${appId.slice(0, 8)}` : (root ?? spans[0]!).resource.serviceName,
    appId,
    runId: undefined,
    kind: 'unknown',
    status: undefined,
    linkedTraceIds: [],
  });
}
