import { spanKey, type SpanKey } from '../../model/buildTrace';
import { criticalPath, selfTimeUs } from '../../model/criticalPath';
import type { Span } from '../../model/span';
import type { SpanCounterpart } from '../../shared/lspProtocol';
import type { NodeExecution } from '../../shared/runComparison';
import type { InfraCategory, RunBlame, TimeShare, TimeSplit } from '../../shared/workflowPerformance';
import { childrenIndex } from '../spanDepth';
import { identityOf } from './alignRuns';
import { infraCategoryOf } from './infraCategory';
import { nodeExecutionsOf } from './nodeExecutions';

/** A node execution with what its time went to: its own work and the infrastructure under it. */
export interface ProfiledExecution extends NodeExecution {
  readonly split: TimeSplit;
}

export interface RunProfile {
  readonly executions: readonly ProfiledExecution[];
  /** The span that held the run up most; absent when the run has no spans on a path. */
  readonly blame?: RunBlame;
}

/**
 * A run's node executions with the split of each one's time, and the span to blame for its length,
 * over both halves of the run: each app-level node span is given the infrastructure span of the same
 * node execution (Trace Link's counterparts) as one more child, so a node's time reaches the plugin
 * daemon, plugin runtime and sandbox calls underneath, and so does the critical path.
 */
export function runProfileOf(spans: readonly Span[], runTraceId: string, counterparts: readonly SpanCounterpart[] = []): RunProfile {
  const executions = nodeExecutionsOf(spans, runTraceId);
  const byKey = new Map<SpanKey, Span>(spans.map((s) => [spanKey(s), s]));
  const children = joinedChildren(spans, byKey, counterparts);
  const categories = new Map<SpanKey, InfraCategory>();
  const profiled = executions.map((execution): ProfiledExecution => {
    const span = byKey.get(spanKey(execution.span));
    return { ...execution, split: span === undefined ? {} : splitOf(span, children, categories) };
  });
  const blame = blameOf(spans, runTraceId, children, byKey, new Set(executions.map((e) => spanKey(e.span))), categories, profiled);
  return { executions: profiled, ...(blame === undefined ? {} : { blame }) };
}

type Children = (span: Span) => readonly Span[];

/** Each span's children, and an app node span's infrastructure counterpart among them. */
function joinedChildren(spans: readonly Span[], byKey: ReadonlyMap<SpanKey, Span>, counterparts: readonly SpanCounterpart[]): Children {
  const own = childrenIndex(spans);
  const grafted = new Map<Span, Span[]>();
  for (const pair of counterparts) {
    // The roots pair a whole request with the whole run, and the daemon pair is already below the node's infrastructure span.
    if (pair.via !== 'nodeExecutionId' && pair.via !== 'nodeTitle') continue;
    const app = byKey.get(spanKey(pair.app));
    const infra = byKey.get(spanKey(pair.infra));
    if (app === undefined || infra === undefined || app === infra) continue;
    const list = grafted.get(app);
    if (list) list.push(infra);
    else grafted.set(app, [infra]);
  }
  return (span) => {
    const extra = grafted.get(span);
    return extra === undefined ? own(span) : [...own(span), ...extra];
  };
}

/**
 * A node's time by share: each span under it gives its own time (clipped to the node) to its
 * category, the rest is the node's own work. Records each span's category for the blame.
 */
function splitOf(node: Span, children: Children, categories: Map<SpanKey, InfraCategory>): TimeSplit {
  const start = node.startUs;
  const end = Math.max(node.endUs, node.startUs);
  const totals: TimeSplit = {};
  let infraUs = 0;
  const seen = new Set<Span>([node]);
  const stack: [Span, InfraCategory | undefined][] = children(node).map((c) => [c, undefined]);
  while (stack.length > 0) {
    const [span, within] = stack.pop()!;
    if (seen.has(span)) continue;
    seen.add(span);
    const category = infraCategoryOf(span, within);
    const below = children(span);
    if (category !== undefined) {
      categories.set(spanKey(span), category);
      const clipped = { ...span, startUs: Math.max(span.startUs, start), endUs: Math.min(Math.max(span.endUs, span.startUs), end) } as Span;
      const own = clipped.endUs > clipped.startUs ? selfTimeUs(clipped, below) : 0;
      if (own > 0) {
        totals[category] = (totals[category] ?? 0) + own;
        infraUs += own;
      }
    }
    for (const child of below) stack.push([child, category]);
  }
  const ownUs = end - start - infraUs;
  if (ownUs > 0) totals.own = ownUs;
  return totals;
}

/**
 * The span with the longest own time among those on the run's critical path (Jaeger UI's definition,
 * walked over both halves joined), with the node execution it ran under.
 */
function blameOf(
  spans: readonly Span[],
  runTraceId: string,
  children: Children,
  byKey: ReadonlyMap<SpanKey, Span>,
  executionKeys: ReadonlySet<SpanKey>,
  categories: ReadonlyMap<SpanKey, InfraCategory>,
  executions: readonly ProfiledExecution[],
): RunBlame | undefined {
  const roots = spans.filter((s) => s.traceId === runTraceId && (s.parentSpanId === undefined || !byKey.has(spanKey({ traceId: s.traceId, spanId: s.parentSpanId }))));
  if (roots.length === 0) return undefined;
  const childrenOf = new Map<SpanKey, readonly Span[]>();
  const parentOf = new Map<SpanKey, Span>();
  const visit = [...roots];
  const seen = new Set<Span>(roots);
  while (visit.length > 0) {
    const span = visit.pop()!;
    const list = children(span).filter((c) => !seen.has(c));
    childrenOf.set(spanKey(span), list);
    for (const child of list) {
      seen.add(child);
      parentOf.set(spanKey(child), span);
      visit.push(child);
    }
  }
  // Every span on the chain, by its whole own time: a streamed model call's daemon span outlives the
  // API's client span that it answers, so the sections the walk gives it would undercount it.
  const path = criticalPath({ roots, childrenOf }, runTraceId);
  let worstKey: SpanKey | undefined;
  let worstUs = 0;
  for (const key of path.keys) {
    const span = byKey.get(key);
    if (span === undefined) continue;
    const us = selfTimeUs(span, children(span));
    if (us > worstUs) {
      worstUs = us;
      worstKey = key;
    }
  }
  const worst = worstKey === undefined ? undefined : byKey.get(worstKey);
  if (worst === undefined) return undefined;
  let nodeSpan: Span | undefined = worst;
  while (nodeSpan !== undefined && !executionKeys.has(spanKey(nodeSpan))) nodeSpan = parentOf.get(spanKey(nodeSpan));
  const execution = nodeSpan === undefined ? undefined : executions.find((e) => e.span.spanId === nodeSpan.spanId && e.span.traceId === nodeSpan.traceId);
  const share: TimeShare = categories.get(worstKey!) ?? 'own';
  return {
    ...(execution === undefined ? {} : { node: { title: execution.title, identity: identityOf(execution) } }),
    span: { traceId: worst.traceId, spanId: worst.spanId, name: worst.name, serviceName: worst.resource.serviceName },
    share,
    selfTimeUs: worstUs,
  };
}
