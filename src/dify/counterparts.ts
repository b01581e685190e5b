import { stringAttribute, type Span } from '../model/span';
import type { SpanCounterpart } from '../shared/lspProtocol';
import { infra, pluginDaemon } from './difyNames';
import type { DifyNode } from './difyNode';
import { difyNodesOf } from './difyNodes';
import { isAliyunAppSpan } from './spanFacts';
import { childrenIndex } from './spanDepth';

/** Aliyun's node span id for a node execution id: SHA-256(`{uuid hex}-node`)[0:8] (dify_trace_aliyun/utils.py convert_to_span_id). */
export type AliyunNodeSpanId = (nodeExecutionId: string) => string;

const ref = (span: Span): { traceId: string; spanId: string } => ({ traceId: span.traceId, spanId: span.spanId });

/**
 * Span-level Trace Link: pairs each app-level node span with the infrastructure span of the same
 * node execution (exact, through the execution id), falling back to the node title; pairs the run
 * root with the request root; and points tool nodes at the plugin daemon span that served them.
 */
export function matchCounterparts(appSpans: readonly Span[], infraSpans: readonly Span[], aliyunNodeSpanId: AliyunNodeSpanId): SpanCounterpart[] {
  const appNodes = difyNodesOf(appSpans);
  const infraNodes = [...difyNodesOf(infraSpans)].filter(([span]) => stringAttribute(span.attributes, infra.nodeTypeKey) !== undefined);
  // Indexes, so a 100k-span run pairs in one pass instead of a search per node.
  const appById = new Map(appSpans.map((s) => [s.spanId as string, s]));
  const appByExecutionId = new Map<string, Span>();
  const appByTitle = new Map<string, Span[]>();
  for (const [span, node] of appNodes) {
    if (node.nodeExecutionId !== undefined && !appByExecutionId.has(node.nodeExecutionId)) appByExecutionId.set(node.nodeExecutionId, span);
    const sameTitle = appByTitle.get(node.title);
    if (sameTitle) sameTitle.push(span);
    else appByTitle.set(node.title, [span]);
  }
  const paired = new Set<Span>();
  // Pairs of spans, made refs at the end: the plugin daemon pass below needs no lookup by id.
  const matched: Match[] = [];
  const pair = (app: Span, infraSpan: Span, via: SpanCounterpart['via']): void => {
    matched.push([app, infraSpan, via]);
    paired.add(app);
    paired.add(infraSpan);
  };
  for (const [infraSpan, node] of infraNodes) {
    const app = exactMatch(node, appById, appByExecutionId, aliyunNodeSpanId);
    if (app && !paired.has(app)) pair(app, infraSpan, 'nodeExecutionId');
  }
  // Per title, how far its list has been used: skipping from the front by index, not by shift(),
  // which made a title shared by thousands of node executions quadratic.
  const nextOfTitle = new Map<string, number>();
  for (const [infraSpan, node] of infraNodes) {
    if (paired.has(infraSpan)) continue;
    // The first app span of that title not paired yet, in the app trace's order.
    const candidates = appByTitle.get(node.title) ?? [];
    let next = nextOfTitle.get(node.title) ?? 0;
    while (next < candidates.length && paired.has(candidates[next]!)) next++;
    nextOfTitle.set(node.title, next);
    const app = candidates[next];
    if (app) pair(app, infraSpan, 'nodeTitle');
  }
  const appRoot = appSpans.find((s) => s.parentSpanId === undefined && (s.name === 'workflow' || s.name === 'message' || s.name.startsWith('workflow_')));
  const infraRoot = infraSpans.find((s) => s.parentSpanId === undefined);
  if (appRoot && infraRoot) pair(appRoot, infraRoot, 'traceRoot');
  const children = childrenIndex(infraSpans);
  const daemons = matched.flatMap(([app, infraSpan, via]): Match[] => {
    const daemon = via !== 'traceRoot' ? firstDescendant(infraSpan, children, (s) => s.resource.serviceName === pluginDaemon.serviceName) : undefined;
    return daemon ? [[app, daemon, 'pluginDaemon']] : [];
  });
  return [...matched, ...daemons].map(([app, infraSpan, via]) => ({ app: ref(app), infra: ref(infraSpan), via }));
}

type Match = [app: Span, infra: Span, via: SpanCounterpart['via']];

function exactMatch(node: DifyNode, appById: ReadonlyMap<string, Span>, appByExecutionId: ReadonlyMap<string, Span>, aliyunNodeSpanId: AliyunNodeSpanId): Span | undefined {
  if (node.nodeExecutionId === undefined) return undefined;
  const aliyunSpan = appById.get(aliyunNodeSpanId(node.nodeExecutionId));
  if (aliyunSpan && isAliyunAppSpan(aliyunSpan)) return aliyunSpan;
  return appByExecutionId.get(node.nodeExecutionId);
}

/** Breadth-first, so the daemon's server span is found before the runtime spans below it. */
function firstDescendant(root: Span, childrenOf: (span: Span) => readonly Span[], matches: (span: Span) => boolean): Span | undefined {
  const queue = [...childrenOf(root)];
  for (let head = 0; head < queue.length; head++) {
    const span = queue[head]!;
    if (matches(span)) return span;
    queue.push(...childrenOf(span));
  }
  return undefined;
}
