import { stringAttribute, type Span } from '../model/span';
import type { SpanCounterpart } from '../shared/lspProtocol';
import { infra, pluginDaemon } from './difyNames';
import type { DifyNode } from './difyNode';
import { difyNodesOf } from './difyNodes';
import { isAliyunAppSpan } from './spanFacts';

/** Aliyun's node span id for a node execution id: SHA-256(`{uuid hex}-node`)[0:8] (dify_trace_aliyun/utils.py convert_to_span_id). */
export type AliyunNodeSpanId = (nodeExecutionId: string) => string;

const ref = (span: Span): { traceId: string; spanId: string } => ({ traceId: span.traceId, spanId: span.spanId });

/**
 * Span-level Trace Link: pairs each app-level node span with the infrastructure span of the same
 * node execution (exact, through the execution id), falling back to the node title; pairs the run
 * root with the request root; and points tool nodes at the plugin daemon span that served them.
 */
export function matchCounterparts(appSpans: readonly Span[], infraSpans: readonly Span[], aliyunNodeSpanId: AliyunNodeSpanId): SpanCounterpart[] {
  const pairs: SpanCounterpart[] = [];
  const appNodes = difyNodesOf(appSpans);
  const infraNodes = [...difyNodesOf(infraSpans)].filter(([span]) => stringAttribute(span.attributes, infra.nodeTypeKey) !== undefined);
  const appById = new Map(appSpans.map((s) => [s.spanId as string, s]));
  const paired = new Set<Span>();
  const pair = (app: Span, infraSpan: Span, via: SpanCounterpart['via']): void => {
    pairs.push({ app: ref(app), infra: ref(infraSpan), via });
    paired.add(app);
    paired.add(infraSpan);
  };
  for (const [infraSpan, node] of infraNodes) {
    const app = exactMatch(node, appById, appNodes, aliyunNodeSpanId);
    if (app && !paired.has(app)) pair(app, infraSpan, 'nodeExecutionId');
  }
  for (const [infraSpan, node] of infraNodes) {
    if (paired.has(infraSpan)) continue;
    const app = [...appNodes].find(([span, n]) => !paired.has(span) && n.title === node.title)?.[0];
    if (app) pair(app, infraSpan, 'nodeTitle');
  }
  const appRoot = appSpans.find((s) => s.parentSpanId === undefined && (s.name === 'workflow' || s.name === 'message' || s.name.startsWith('workflow_')));
  const infraRoot = infraSpans.find((s) => s.parentSpanId === undefined);
  if (appRoot && infraRoot) pair(appRoot, infraRoot, 'traceRoot');
  for (const counterpart of [...pairs]) {
    const infraSpan = infraSpans.find((s) => s.spanId === counterpart.infra.spanId && s.traceId === counterpart.infra.traceId);
    const app = appSpans.find((s) => s.spanId === counterpart.app.spanId);
    const daemon = infraSpan && counterpart.via !== 'traceRoot' ? firstDescendant(infraSpan, infraSpans, (s) => s.resource.serviceName === pluginDaemon.serviceName) : undefined;
    if (app && daemon) pairs.push({ app: ref(app), infra: ref(daemon), via: 'pluginDaemon' });
  }
  return pairs;
}

function exactMatch(node: DifyNode, appById: ReadonlyMap<string, Span>, appNodes: ReadonlyMap<Span, DifyNode>, aliyunNodeSpanId: AliyunNodeSpanId): Span | undefined {
  if (node.nodeExecutionId === undefined) return undefined;
  const aliyunSpan = appById.get(aliyunNodeSpanId(node.nodeExecutionId));
  if (aliyunSpan && isAliyunAppSpan(aliyunSpan)) return aliyunSpan;
  return [...appNodes].find(([, n]) => n.nodeExecutionId === node.nodeExecutionId)?.[0];
}

/** Breadth-first, so the daemon's server span is found before the runtime spans below it. */
function firstDescendant(root: Span, spans: readonly Span[], matches: (span: Span) => boolean): Span | undefined {
  const children = new Map<string, Span[]>();
  for (const s of spans) if (s.parentSpanId) children.set(s.parentSpanId, [...(children.get(s.parentSpanId) ?? []), s]);
  const queue = [...(children.get(root.spanId) ?? [])];
  while (queue.length > 0) {
    const span = queue.shift()!;
    if (matches(span)) return span;
    queue.push(...(children.get(span.spanId) ?? []));
  }
  return undefined;
}
