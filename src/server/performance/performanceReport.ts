import type { NodeStats } from '../../dify/compare/nodePerformance';
import type { NodePerformanceReport, PerformanceRun, Spread, WorkflowPerformanceReport } from '../../shared/workflowPerformance';
import type { AppRuns } from './appRuns';

/** Below this many runs no run is called slow: the nearest-rank p95 of fewer than 20 runs is their maximum. */
export const MIN_RUNS_FOR_SLOW = 20;
const HISTOGRAM_BINS = 12;
const SLOWEST = 10;

/**
 * The view's report from an app's aggregate. Everything per run is an array pass or a typed-array
 * lookup (node points find their run by ordinal, not by trace id): at 20k runs a report is
 * rebuilt on every new run, so no sort and no string-keyed lookup per point.
 */
export function reportOf(appName: string, sinceMs: number, untilMs: number, app: AppRuns): WorkflowPerformanceReport {
  const ordered = app.ordered();
  const runDurationUs: Spread = { p50: app.durationPercentile(0.5), p95: app.durationPercentile(0.95), max: app.maxDuration() };
  const enough = ordered.length >= MIN_RUNS_FOR_SLOW;
  const indexOfOrdinal = new Int32Array(app.ordinalBound).fill(-1);
  let withoutSpans = 0;
  const runs = ordered.map((run, index): PerformanceRun => {
    indexOfOrdinal[run.ordinal] = index;
    if (!run.withSpans) withoutSpans++;
    return enough && run.summary.durationUs > runDurationUs.p95 ? { ...run.view, slow: true } : run.view;
  });
  return {
    appName,
    sinceMs,
    untilMs,
    runs,
    runDurationUs,
    minRunsForSlow: MIN_RUNS_FOR_SLOW,
    nodes: app.nodes.stats().map((node) => nodeReport(node, indexOfOrdinal, app)),
    slowest: slowestOf(runs, SLOWEST),
    withoutSpans,
  };
}

/** Indexes of the `count` slowest runs, slowest first, in one pass. */
function slowestOf(runs: readonly PerformanceRun[], count: number): number[] {
  const top: number[] = [];
  runs.forEach((run, index) => {
    if (top.length === count && runs[top[count - 1]!]!.durationUs >= run.durationUs) return;
    let at = top.length === count ? count - 1 : top.length;
    while (at > 0 && runs[top[at - 1]!]!.durationUs < run.durationUs) at--;
    top.splice(at, 0, index);
    if (top.length > count) top.pop();
  });
  return top;
}

function nodeReport(node: NodeStats, indexOfOrdinal: Int32Array, app: AppRuns): NodePerformanceReport {
  const { run, durationUs, failed } = nodePoints(node, indexOfOrdinal, app);
  return {
    identity: node.identity,
    title: node.title,
    ...(node.nodeType === undefined ? {} : { nodeType: node.nodeType }),
    runs: node.runs,
    executions: node.executions,
    durationUs: node.durationUs,
    selfTimeUs: node.selfTimeUs,
    errorRate: node.errorRate,
    tokens: node.tokens,
    price: node.price,
    split: node.split,
    // Copies: the cached columns grow with the next run.
    points: { run: run.slice(), durationUs: durationUs.slice(), failed: failed.slice() },
    histogram: histogramOf(durationUs),
  };
}

/**
 * A node's points as the report sends them (each run by its place in the report). While the runs'
 * order only grew at the end, a node's points did too: the columns built last time are extended by
 * the points added since, so a new run costs its own points, not every run's again.
 */
function nodePoints(node: NodeStats, indexOfOrdinal: Int32Array, app: AppRuns): { run: number[]; durationUs: number[]; failed: (0 | 1)[] } {
  const { points } = node;
  const n = points.ordinals.length;
  let cached = app.pointsCache.get(node.identity);
  if (cached === undefined || cached.orderVersion !== app.orderVersion || cached.run.length > n) {
    cached = { orderVersion: app.orderVersion, run: [], durationUs: [], failed: [] };
    app.pointsCache.set(node.identity, cached);
  }
  for (let i = cached.run.length; i < n; i++) {
    const at = indexOfOrdinal[points.ordinals[i]!] ?? -1;
    // A point of a run not in the report cannot be while the aggregate is consistent; should it be,
    // it is left out, and the columns are not kept (they would no longer line up with the points).
    if (at < 0) {
      app.pointsCache.delete(node.identity);
      return withoutMissing(points, indexOfOrdinal);
    }
    cached.run.push(at);
    cached.durationUs.push(points.durationUs[i]!);
    cached.failed.push(points.failed[i] ? 1 : 0);
  }
  return cached;
}

function withoutMissing(points: NodeStats['points'], indexOfOrdinal: Int32Array): { run: number[]; durationUs: number[]; failed: (0 | 1)[] } {
  const out = { run: [] as number[], durationUs: [] as number[], failed: [] as (0 | 1)[] };
  for (let i = 0; i < points.ordinals.length; i++) {
    const at = indexOfOrdinal[points.ordinals[i]!] ?? -1;
    if (at < 0) continue;
    out.run.push(at);
    out.durationUs.push(points.durationUs[i]!);
    out.failed.push(points.failed[i] ? 1 : 0);
  }
  return out;
}

/** Equal-width bins from the fastest to the slowest run's time in the node. */
function histogramOf(values: readonly number[]): NodePerformanceReport['histogram'] {
  if (values.length === 0) return { edgesUs: [], counts: [] };
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const bins = max > min ? HISTOGRAM_BINS : 1;
  const width = max > min ? (max - min) / bins : 1;
  const edgesUs = Array.from({ length: bins + 1 }, (_, i) => min + i * width);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - min) / width))]!++;
  return { edgesUs, counts };
}
