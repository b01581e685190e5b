import type { ListRunsRequest, SlowRunsRequest, WorkflowPerformanceRequest } from '../../shared/lspProtocol';
import type { RunSummary } from '../../shared/runSummary';
import type { NodePerformanceReport, PerformanceRun, RunBlame, Spread, WorkflowPerformanceReport } from '../../shared/workflowPerformance';
import { NodePerformance, type NodeStats } from '../../dify/compare/nodePerformance';
import { runProfileOf } from '../../dify/compare/runProfile';
import type { TraceSpans } from '../backends/traceSpans';

/** What the performance view reads: the backends, as the registry answers for them. */
export interface PerformanceSources {
  listRuns(params: ListRunsRequest.Params): Promise<ListRunsRequest.Result>;
  traceSpans(params: { readonly traceId: string }): Promise<TraceSpans | null>;
}

/** Below this many runs no run is called slow: the nearest-rank p95 of fewer than 20 runs is their maximum. */
export const MIN_RUNS_FOR_SLOW = 20;
const PAGE = 1000;
const HISTOGRAM_BINS = 12;
/** Spans read at once while catching up on new runs. */
const CONCURRENCY = 8;

interface ProfiledRun {
  /** What the run index said of it when it was profiled: a re-classified run (its other half arrived) is profiled again. */
  readonly fingerprint: string;
  readonly summary: RunSummary;
  readonly blame?: RunBlame;
  readonly withSpans: boolean;
}

/** One app's runs on one backend, profiled once each and kept in the aggregate as the window moves. */
interface AppAggregate {
  readonly nodes: NodePerformance;
  readonly runs: Map<string, ProfiledRun>;
  /** Serialises catching up, so two views asking at once do not profile a run twice. */
  pending: Promise<unknown>;
}

/**
 * The workflow performance view's numbers, in the trace server: per app, every run in the window
 * profiled once (its node executions, the split of each node's time over the infrastructure under
 * it, the span to blame) and added to a `NodePerformance`; asked again, only the runs that arrived,
 * changed or left the window since are read.
 */
export class WorkflowPerformance {
  private readonly apps = new Map<string, AppAggregate>();

  constructor(private readonly sources: PerformanceSources, private readonly now: () => number = Date.now) {}

  async report(params: WorkflowPerformanceRequest.Params): Promise<WorkflowPerformanceReport> {
    const untilMs = this.now();
    const aggregate = await this.caughtUp(params.appName, params.sinceMs, untilMs, params.backend);
    return reportOf(params.appName, params.sinceMs, untilMs, aggregate);
  }

  /** Per app, its p95 over the window and the runs slower than it, with what to blame: the Runs view's marker. */
  async slowRuns(params: SlowRunsRequest.Params): Promise<SlowRunsRequest.Result> {
    const untilMs = this.now();
    const apps = await Promise.all(
      params.appNames.map(async (appName) => {
        const aggregate = await this.caughtUp(appName, params.sinceMs, untilMs, params.backend);
        const runs = [...aggregate.runs.values()].map((r) => r.summary);
        const p95Us = nearestRank(runs.map((r) => r.durationUs).sort((a, b) => a - b), 0.95);
        const slow = runs.length < MIN_RUNS_FOR_SLOW ? [] : [...aggregate.runs.values()].filter((r) => r.summary.durationUs > p95Us);
        return { appName, runs: runs.length, p95Us, slow: slow.map((r) => ({ traceId: r.summary.traceId, durationUs: r.summary.durationUs, ...(r.blame ? { blame: r.blame } : {}) })) };
      }),
    );
    return { sinceMs: params.sinceMs, minRunsForSlow: MIN_RUNS_FOR_SLOW, apps };
  }

  private async caughtUp(appName: string, sinceMs: number, untilMs: number, backend: string | undefined): Promise<AppAggregate> {
    const key = `${backend ?? ''}\u0000${appName}`;
    let aggregate = this.apps.get(key);
    if (aggregate === undefined) {
      aggregate = { nodes: new NodePerformance(), runs: new Map(), pending: Promise.resolve() };
      this.apps.set(key, aggregate);
    }
    const target = aggregate;
    const work = target.pending.then(() => this.catchUp(target, appName, sinceMs, untilMs, backend));
    target.pending = work.catch(() => undefined);
    await work;
    return target;
  }

  private async catchUp(aggregate: AppAggregate, appName: string, sinceMs: number, untilMs: number, backend: string | undefined): Promise<void> {
    const listed = await this.listAll(appName, sinceMs, untilMs, backend);
    const inWindow = new Set(listed.map((r) => r.traceId));
    for (const traceId of [...aggregate.runs.keys()]) {
      if (inWindow.has(traceId)) continue;
      aggregate.runs.delete(traceId);
      aggregate.nodes.remove(traceId);
    }
    const due = listed.filter((r) => aggregate.runs.get(r.traceId)?.fingerprint !== fingerprintOf(r));
    for (let i = 0; i < due.length; i += CONCURRENCY) {
      await Promise.all(due.slice(i, i + CONCURRENCY).map((run) => this.profile(aggregate, run)));
    }
  }

  private async profile(aggregate: AppAggregate, summary: RunSummary): Promise<void> {
    const trace = await this.sources.traceSpans({ traceId: summary.traceId }).catch(() => null);
    if (trace === null) {
      aggregate.nodes.remove(summary.traceId);
      aggregate.runs.set(summary.traceId, { fingerprint: fingerprintOf(summary), summary, withSpans: false });
      return;
    }
    const profile = runProfileOf(trace.spans, summary.traceId, trace.counterparts ?? []);
    aggregate.nodes.add({ traceId: summary.traceId, startMs: summary.startMs, status: summary.status, executions: profile.executions });
    aggregate.runs.set(summary.traceId, { fingerprint: fingerprintOf(summary), summary, withSpans: true, ...(profile.blame ? { blame: profile.blame } : {}) });
  }

  private async listAll(appName: string, sinceMs: number, untilMs: number, backend: string | undefined): Promise<RunSummary[]> {
    const runs: RunSummary[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.sources.listRuns({ filter: { appName, sinceMs, untilMs: untilMs + 1 }, limit: PAGE, ...(pageToken === undefined ? {} : { pageToken }), ...(backend === undefined ? {} : { backend }) });
      runs.push(...page.runs);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    return runs;
  }
}

const fingerprintOf = (run: RunSummary): string => `${run.status}|${run.durationUs}|${run.spanCount}|${run.linkedTraceIds.join(',')}`;

/** Nearest-rank percentile of sorted values, as `SortedColumn` computes the node figures. */
function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function reportOf(appName: string, sinceMs: number, untilMs: number, aggregate: AppAggregate): WorkflowPerformanceReport {
  const profiled = [...aggregate.runs.values()].sort((a, b) => a.summary.startMs - b.summary.startMs || (a.summary.traceId < b.summary.traceId ? -1 : 1));
  const durations = profiled.map((r) => r.summary.durationUs).sort((a, b) => a - b);
  const runDurationUs: Spread = { p50: nearestRank(durations, 0.5), p95: nearestRank(durations, 0.95), max: durations.at(-1) ?? 0 };
  const enough = profiled.length >= MIN_RUNS_FOR_SLOW;
  const runs = profiled.map((r): PerformanceRun => ({
    traceId: r.summary.traceId,
    startMs: r.summary.startMs,
    durationUs: r.summary.durationUs,
    status: r.summary.status,
    slow: enough && r.summary.durationUs > runDurationUs.p95,
    ...(r.blame ? { blame: r.blame } : {}),
  }));
  const indexOf = new Map(runs.map((r, i) => [r.traceId, i]));
  const slowest = runs.map((_, i) => i).sort((a, b) => runs[b]!.durationUs - runs[a]!.durationUs).slice(0, 10);
  return {
    appName,
    sinceMs,
    untilMs,
    runs,
    runDurationUs,
    minRunsForSlow: MIN_RUNS_FOR_SLOW,
    nodes: aggregate.nodes.stats().map((node) => nodeReport(node, indexOf)),
    slowest,
    withoutSpans: profiled.filter((r) => !r.withSpans).length,
  };
}

function nodeReport(node: NodeStats, indexOf: ReadonlyMap<string, number>): NodePerformanceReport {
  const { points } = node;
  const run: number[] = [];
  const durationUs: number[] = [];
  const failed: (0 | 1)[] = [];
  for (let i = 0; i < points.traceIds.length; i++) {
    const at = indexOf.get(points.traceIds[i]!);
    if (at === undefined) continue;
    run.push(at);
    durationUs.push(points.durationUs[i]!);
    failed.push(points.failed[i] ? 1 : 0);
  }
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
    points: { run, durationUs, failed },
    histogram: histogramOf(durationUs),
  };
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
