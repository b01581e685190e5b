import type { Span } from '../model/span';
import type { TraceId } from '../model/units';
import { spanBounds } from '../model/spanBounds';
import type { RunGap, RunStatus, RunSummary, ToolCall } from '../shared/runSummary';
import type { DifyNode } from './difyNode';
import { difyNodesOf } from './difyNodes';
import { errorOrigin, itemIndexWithin } from './errorOrigin';
import { joinHalves, type ExtraHalves, type LinkedSpans } from './joinHalves';
import type { ErrorKind } from './errorKind';
import { classifyError, classifyText, errorText } from './errorTaxonomy';
import type { RunFacts } from './runFacts';
import { deepestEarliestError, parentIndex, spanDepths } from './spanDepth';

export type { LinkedSpans } from './joinHalves';

/** Status from span statuses when the exporter records none: the root decides, node errors make it partial. */
function statusFromSpans(root: Span | undefined, failing: Span | undefined): RunStatus {
  if (root === undefined) return 'running';
  if (root.status.code === 'error') return 'failed';
  return failing === undefined ? 'succeeded' : 'partial-succeeded';
}

/** Node types Dify knows (graphon BuiltinNodeTypes plus app-level types), and `task` for Aliyun's untyped nodes. */
const knownNodeTypes: ReadonlySet<string> = new Set([
  'start', 'end', 'answer', 'llm', 'knowledge-retrieval', 'if-else', 'code', 'template-transform', 'question-classifier', 'http-request',
  'tool', 'datasource', 'variable-aggregator', 'variable-assigner', 'loop', 'loop-start', 'loop-end', 'iteration', 'iteration-start',
  'parameter-extractor', 'assigner', 'document-extractor', 'list-operator', 'agent', 'human-input', 'task',
]);

/** Gaps visible in the app-level spans themselves: node types we do not know, one span id sent twice. */
function nodeGaps(appSpans: readonly Span[], nodes: ReadonlyMap<Span, DifyNode>): RunGap[] {
  const gaps: RunGap[] = [];
  const unknown = new Set<string>();
  for (const span of appSpans) {
    const type = nodes.get(span)?.nodeType;
    if (type !== undefined && !knownNodeTypes.has(type)) unknown.add(type);
  }
  if (unknown.size > 0) gaps.push({ kind: 'unknownNodeType', message: `Node type(s) ${[...unknown].join(', ')} are new to this extension; shown as generic nodes.` });
  const ids = new Set<string>();
  let repeated = 0;
  for (const span of appSpans) {
    if (ids.has(span.spanId)) repeated++;
    ids.add(span.spanId);
  }
  if (repeated > 0) gaps.push({ kind: 'duplicateRunId', message: `The run was exported more than once (${repeated} span id(s) arrived twice); the first copy is shown.` });
  return gaps;
}

/**
 * Plugin tool node executions of the app-level half, in start order. The infrastructure half has a
 * span for the same execution; only one half is read so that each call counts once.
 */
function toolCalls(appSpans: readonly Span[], nodes: ReadonlyMap<Span, DifyNode>): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const span of [...appSpans].sort((a, b) => a.startUs - b.startUs)) {
    const node = nodes.get(span);
    if (node?.nodeType !== 'tool' || node.plugin === undefined) continue;
    const { pluginId, provider, version } = node.plugin;
    calls.push({
      spanId: span.spanId,
      title: node.title,
      ...(node.nodeId === undefined ? {} : { nodeId: node.nodeId }),
      pluginId,
      ...(provider === undefined ? {} : { provider }),
      ...(version === undefined ? {} : { version }),
      durationUs: Math.max(0, span.endUs - span.startUs),
      failed: span.status.code === 'error',
    });
  }
  return calls;
}

/**
 * A node as its Trace Link counterpart types it: Aliyun node spans carry no node type (TASK), while
 * Dify's infrastructure node span of the same node names it (`node.type`). Paired by title, used
 * only when every infrastructure node of that title has the same type.
 */
function counterpartTyped(node: DifyNode | undefined, infraTypes: ReadonlyMap<string, string | null>): DifyNode | undefined {
  if (node === undefined || (node.nodeType !== undefined && node.nodeType !== 'task')) return node;
  const type = infraTypes.get(node.title);
  return typeof type === 'string' ? { ...node, nodeType: type } : node;
}

function infraNodeTypes(linked: readonly Span[], nodes: ReadonlyMap<Span, DifyNode>): Map<string, string | null> {
  const types = new Map<string, string | null>();
  for (const span of linked) {
    const node = nodes.get(span);
    if (node?.nodeType === undefined) continue;
    const seen = types.get(node.title);
    types.set(node.title, seen === undefined || seen === node.nodeType ? node.nodeType : null);
  }
  return types;
}

/** The failing node as the run shows it, with the iteration or loop item it failed in. */
function failingNodeOf(reported: Span | undefined, origin: Span | undefined, nodes: ReadonlyMap<Span, DifyNode>, infraTypes: ReadonlyMap<string, string | null>, appSpans: readonly Span[]): RunSummary['failingNode'] {
  const node = counterpartTyped(origin === undefined ? undefined : nodes.get(origin), infraTypes);
  if (node === undefined || origin === undefined) return undefined;
  const base = { title: node.title, ...(node.nodeType === undefined ? {} : { nodeType: node.nodeType }), ...(node.nodeId === undefined ? {} : { nodeId: node.nodeId }) };
  const container = reported === undefined || reported === origin ? undefined : nodes.get(reported);
  if (container === undefined || reported === undefined) return base;
  const sameNode = appSpans.filter((s) => nodes.get(s)?.title === node.title);
  const itemIndex = itemIndexWithin(reported, origin, sameNode, node.iterationIndex ?? node.loopIndex);
  return { ...base, within: { title: container.title, ...(itemIndex === undefined ? {} : { itemIndex }) } };
}

const hasException = (span: Span): boolean => span.events.some((e) => e.name === 'exception' || e.name === 'log.exception');

/** Spans of a succeeded run that failed or recorded an exception, deepest and earliest first. */
function hiddenErrorsOf(spans: readonly Span[], depths: ReadonlyMap<Span, number>): Span[] {
  return spans
    .filter((s) => s.status.code === 'error' || hasException(s))
    .sort((a, b) => (depths.get(b) ?? 0) - (depths.get(a) ?? 0) || a.startUs - b.startUs);
}

/** The node a span stands for or ran in (the nearest node at or above it). */
function nodeOf(span: Span, nodes: ReadonlyMap<Span, DifyNode>, parentOf: (span: Span) => Span | undefined): DifyNode | undefined {
  for (let current: Span | undefined = span, hops = 0; current !== undefined && hops < 256; current = parentOf(current), hops++) {
    const node = nodes.get(current);
    if (node !== undefined) return node;
  }
  return undefined;
}

function retrievalNodeAt(span: Span, nodes: ReadonlyMap<Span, DifyNode>): DifyNode | undefined {
  for (const [nodeSpan, node] of nodes) if (node.nodeType === 'knowledge-retrieval' && span.startUs >= nodeSpan.startUs && span.startUs <= nodeSpan.endUs) return node;
  return undefined;
}

function hiddenSummary(hidden: readonly Span[], node: DifyNode | undefined): NonNullable<RunSummary['hiddenErrors']> {
  const first = hidden[0]!;
  const text = exceptionMessage(first) ?? errorText(first).split('\n').find((l) => l.trim() !== '')?.trim() ?? first.name;
  return {
    count: hidden.length,
    message: text.slice(0, 500),
    ...(node === undefined ? {} : { node: { title: node.title, ...(node.nodeType === undefined ? {} : { nodeType: node.nodeType }) } }),
  };
}

/**
 * The error kind: of the span that caused the failure, and when its text names no cause (`other`),
 * of the first other failing span that does: a vector database's error, for one, is often only in
 * an infrastructure span beside the node that reported a generic failure.
 */
function errorKindOf(span: Span, node: DifyNode | undefined, all: readonly Span[], depths: ReadonlyMap<Span, number>, runErrorText?: string): ErrorKind {
  const kind = classifyError(span, node);
  if (kind !== 'other') return kind;
  const fromRun = runErrorText === undefined ? undefined : classifyText(runErrorText, node);
  if (fromRun !== undefined) return fromRun;
  for (const other of hiddenErrorsOf(all, depths)) {
    if (other === span) continue;
    const found = classifyError(other, undefined);
    if (found !== 'other') return found;
  }
  return kind;
}

/** The first exception message a span's events record. */
function exceptionMessage(span: Span): string | undefined {
  for (const event of span.events) {
    const message = event.attributes['exception.message'];
    if (typeof message === 'string' && message.trim() !== '') return message.trim();
  }
  return undefined;
}

function earliest(spans: readonly Span[]): Span | undefined {
  return spans.reduce<Span | undefined>((best, s) => (best === undefined || s.startUs < best.startUs ? s : best), undefined);
}


/**
 * The common run summary from an exporter's facts: the failing node of the app-level half, and the
 * root cause (deepest, earliest error span) across both halves once the linked trace is there.
 */
export function summariseRun(traceId: TraceId, traceSpans: readonly Span[], facts: RunFacts, linkedSpans?: LinkedSpans, extra: ExtraHalves = {}): RunSummary {
  const halves = joinHalves(traceId, traceSpans, facts, linkedSpans, extra);
  const gaps = [...facts.gaps, ...halves.gaps];
  const { linked, linkedTraceIds } = halves;
  const all = linked.length === 0 ? traceSpans : [...traceSpans, ...linked];
  const parentOf = parentIndex(all);
  const nodes = difyNodesOf(all, parentOf);
  const appSpans = new Set(facts.appSpans);
  gaps.push(...nodeGaps(facts.appSpans, nodes));
  const depths = spanDepths(all, parentOf);
  // A detached trace has no parent: its node is the knowledge-retrieval node it ran during.
  const nodeAt = (span: Span): DifyNode | undefined => nodeOf(span, nodes, parentOf) ?? (halves.detached.has(span) ? retrievalNodeAt(span, nodes) : undefined);
  const reportedFailing = deepestEarliestError(facts.appSpans, (s) => nodes.has(s) && appSpans.has(s), depths) ?? earliest(facts.handledFailures ?? []) ?? facts.failure?.node;
  // A container re-raises its item's error: name the node where it started.
  const failingNodeSpan = reportedFailing === undefined ? undefined : errorOrigin(reportedFailing, facts.appSpans.filter((s) => nodes.has(s)));
  const infraTypes = infraNodeTypes(linked.length > 0 ? linked : traceSpans.filter((s) => !appSpans.has(s)), nodes);
  const failingNode = failingNodeOf(reportedFailing, failingNodeSpan, nodes, infraTypes, facts.appSpans);
  const status = facts.status ?? statusFromSpans(facts.root, failingNodeSpan ?? deepestEarliestError(facts.appSpans, (s) => s !== facts.root, depths));
  const firstError = status === 'succeeded' ? undefined : deepestEarliestError(all, undefined, depths);
  // Without an error status anywhere, the span whose exception events record the failure stands in.
  // A succeeded run can still hide a failure (an empty retrieval over a failing vector database, a
  // tool error handed back to an agent as text): its evidence stands in as the root cause.
  const hidden = status === 'succeeded' ? hiddenErrorsOf(all, depths) : [];
  const failedRootCause = firstError === undefined ? (status === 'succeeded' ? undefined : (facts.failure?.node ?? facts.failure?.evidence)) : errorOrigin(firstError, all);
  const rootCause = failedRootCause ?? hidden[0];
  const errorMessage = facts.root?.status.message || (failingNodeSpan && errorText(failingNodeSpan).trim()) || rootCause?.status.message || (facts.failure && exceptionMessage(facts.failure.evidence)) || facts.errorText;
  const errorSpan = firstError === undefined && facts.failure !== undefined ? facts.failure.evidence : (rootCause ?? failingNodeSpan);
  const { startUs, endUs } = facts.bounds ?? facts.root ?? spanBounds(facts.appSpans);
  const tools = toolCalls(facts.appSpans, nodes);
  const defined = <T>(key: string, value: T | undefined): Record<string, T> => (value === undefined ? {} : { [key]: value });
  return {
    traceId,
    ...defined('runId', facts.workflowRunId ?? facts.messageId),
    ...defined('workflowRunId', facts.workflowRunId),
    ...defined('messageId', facts.messageId),
    ...defined('conversationId', facts.conversationId),
    ...defined('userId', facts.userId),
    appName: facts.appName,
    ...defined('appId', facts.appId),
    kind: facts.kind,
    status,
    source: facts.source,
    startMs: Math.floor(startUs / 1000),
    durationUs: Math.max(0, endUs - startUs),
    ...defined('tokens', facts.tokens),
    ...defined('price', facts.price),
    ...defined('errorMessage', errorMessage || undefined),
    ...defined('errorKind', errorSpan === undefined ? undefined : errorKindOf(errorSpan, counterpartTyped(nodes.get(errorSpan) ?? (failingNodeSpan && nodes.get(failingNodeSpan)) ?? nodeAt(errorSpan), infraTypes), all, depths, facts.errorText)),
    ...defined('hiddenErrors', hidden.length === 0 ? undefined : hiddenSummary(hidden, counterpartTyped(nodeAt(hidden[0]!), infraTypes))),
    ...defined('failingNode', failingNode),
    ...defined('rootCause', rootCause === undefined ? undefined : { traceId: rootCause.traceId, spanId: rootCause.spanId, name: rootCause.name, serviceName: rootCause.resource.serviceName }),
    spanCount: traceSpans.length,
    linkedTraceIds,
    ...defined('gaps', gaps.length > 0 ? gaps : undefined),
    ...defined('toolCalls', tools.length > 0 ? tools : undefined),
  };
}
