import { stringAttribute, type Span } from '../model/span';
import type { TraceId } from '../model/units';
import type { RunKind, RunStatus } from '../shared/runSummary';
import { langfuse } from './difyNames';
import { jsonObjectAttribute, numberField } from './jsonAttribute';
import { nonEmpty, topLevel, type RunFacts } from './runFacts';

export function isLangfuseSpan(span: Span): boolean {
  return span.scopeName === langfuse.scopeName || langfuse.observationTypeKey in span.attributes;
}

/** Total tokens and cost over the observations' usage and cost details (both Langfuse shapes write them so). */
export function langfuseUsage(spans: readonly Span[]): { total: number | undefined; cost: number | undefined } {
  let total: number | undefined;
  let cost: number | undefined;
  for (const span of spans) {
    const n = numberField(jsonObjectAttribute(span.attributes, langfuse.usageKey), 'total');
    if (n !== undefined) total = (total ?? 0) + n;
    const c = numberField(jsonObjectAttribute(span.attributes, langfuse.costKey), 'total');
    if (c !== undefined) cost = (cost ?? 0) + c;
  }
  return { total, cost };
}

export const langfuseMeta = (span: Span, key: string): string | undefined => nonEmpty(stringAttribute(span.attributes, langfuse.meta(key)));

/** `dify.span.status` of the root observation (`ok`, `error`, ...); handled node failures make a run partial. */
function status(root: Span | undefined, handled: readonly Span[]): RunStatus | undefined {
  const value = root === undefined ? undefined : langfuseMeta(root, langfuse.metaKeys.spanStatus);
  if (value === 'error') return 'failed';
  if (value === 'stopped' || value === 'partial-succeeded') return value;
  if (value === 'ok' && handled.length > 0) return 'partial-succeeded';
  return undefined;
}

/**
 * Langfuse's native OTLP export: a root observation per run (`langfuse.internal.is_app_root`) with
 * node observations below it. With an external trace id the trace id is the infrastructure trace's,
 * so both halves share one trace: the run then links to its own trace.
 */
export function langfuseRunFacts(traceId: TraceId, traceSpans: readonly Span[], appSpans: readonly Span[]): RunFacts {
  const root = appSpans.find((s) => s.attributes[langfuse.appRootKey] === 'True' || s.attributes[langfuse.appRootKey] === true) ?? topLevel(appSpans, () => true);
  const any = root ?? appSpans[0]!;
  const workflowRunId = langfuseMeta(any, langfuse.metaKeys.workflowRunId);
  const messageId = langfuseMeta(any, langfuse.metaKeys.messageId);
  const kind: RunKind = workflowRunId ? (messageId ? 'chatflow' : 'workflow') : messageId ? 'chat' : 'unknown';
  const { total, cost } = langfuseUsage(appSpans);
  const sharesInfraTrace = traceSpans.length > appSpans.length;
  const handledFailures = appSpans.filter((s) => langfuseMeta(s, langfuse.metaKeys.spanStatus) === 'handled_error');
  return {
    source: 'langfuse',
    root,
    appSpans,
    appName: langfuseMeta(any, langfuse.metaKeys.appName) ?? 'Dify app',
    appId: langfuseMeta(any, langfuse.metaKeys.appId),
    workflowRunId,
    messageId,
    conversationId: nonEmpty(stringAttribute(any.attributes, langfuse.sessionIdKey)),
    userId: nonEmpty(stringAttribute(any.attributes, langfuse.userIdKey)),
    kind,
    status: status(root, handledFailures),
    handledFailures,
    tokens: total === undefined ? undefined : { total },
    // Langfuse costs are in US dollars.
    price: cost === undefined ? undefined : { amount: cost, currency: 'USD' },
    linkedTraceIds: sharesInfraTrace ? [traceId] : [],
    gaps: root === undefined ? [{ kind: 'rootMissing', message: 'The run\'s root observation has not arrived.' }] : [],
  };
}
