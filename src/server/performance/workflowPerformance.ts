import type { ListRunsRequest, SlowRunsRequest, WorkflowPerformanceRequest } from '../../shared/lspProtocol';
import type { RunSummary } from '../../shared/runSummary';
import type { RunBlame, WorkflowPerformanceReport } from '../../shared/workflowPerformance';
import { runProfileOf } from '../../dify/compare/runProfile';
import type { TraceSpans } from '../backends/traceSpans';
import { nearestRank } from '../../dify/compare/sortedColumn';
import { AppRuns, fingerprintOf } from './appRuns';
import { MIN_RUNS_FOR_SLOW, reportOf } from './performanceReport';

export { MIN_RUNS_FOR_SLOW } from './performanceReport';

/** What the performance view reads: the backends, as the registry answers for them. */
export interface PerformanceSources {
  listRuns(params: ListRunsRequest.Params): Promise<ListRunsRequest.Result>;
  traceSpans(params: { readonly traceId: string }): Promise<TraceSpans | null>;
  /**
   * The run a trace of the embedded store belongs to (an infrastructure trace: the run linking to
   * it), undefined when it holds none: with it, the runs reported changed are read one by one
   * instead of listing the app's runs again.
   */
  readonly embeddedRunOf?: (traceId: string) => Promise<RunSummary | undefined>;
}

const PAGE = 1000;
/** Spans read at once while catching up on new runs. */
const CONCURRENCY = 8;
/** An aggregate no view asked for in this long is let go (a closed view asks no more). */
const IDLE_AGGREGATE_MS = 30 * 60_000;
/** Slow runs' blames kept for the Runs view. */
const MAX_BLAMES = 5_000;
/** More changed traces than this, and listing the app's runs again is the cheaper way to catch up. */
const MAX_CHANGED_ONE_BY_ONE = 256;

/** One app's runs on one backend, with how far they are known to be complete. */
interface AppAggregate {
  readonly runs: AppRuns;
  /** How far back its last reader looked: kept current with that window as runs arrive. */
  windowMs: number;
  /** When a view last asked for it: one nobody asked for in a while is let go rather than kept current. */
  askedMs: number;
  /**
   * Where the last full listing of the app's runs began: from there on, `runs` holds every run but
   * those in `changed`. Undefined before the first listing.
   */
  completeSinceMs: number | undefined;
  /** Traces of the embedded store reported changed since (new runs, runs classified again). */
  readonly changed: Set<string>;
  /** Serialises catching up, so two views asking at once do not profile a run twice. */
  pending: Promise<unknown>;
}

/**
 * The workflow performance view's numbers, in the trace server: per app, every run in the window
 * profiled once (its node executions, the split of each node's time over the infrastructure under
 * it, the span to blame) and kept in an `AppRuns`; asked again, only the runs that arrived,
 * changed or left the window since are read: the embedded store's by the ids its runs-changed
 * event named, a remote backend's by listing them again.
 */
export class WorkflowPerformance {
  private readonly apps = new Map<string, AppAggregate>();
  /** Blames of slow runs outside any aggregate, by trace and version; oldest dropped first. */
  private readonly blames = new Map<string, RunBlame | null>();

  constructor(private readonly sources: PerformanceSources, private readonly now: () => number = Date.now) {}

  async report(params: WorkflowPerformanceRequest.Params): Promise<WorkflowPerformanceReport> {
    const untilMs = this.now();
    const aggregate = await this.caughtUp(params.appName, params.sinceMs, untilMs, params.backend);
    return reportOf(params.appName, params.sinceMs, untilMs, aggregate.runs);
  }

  /**
   * Per app, its p95 over the window and the runs slower than it, with what to blame: the Runs
   * view's marker and filter. An app whose performance view keeps an aggregate answers from it;
   * any other is answered from its runs' summaries, profiling only the slow ones for their blame:
   * listing the Runs view must not make the trace server read every run's spans.
   */
  async slowRuns(params: SlowRunsRequest.Params): Promise<SlowRunsRequest.Result> {
    const untilMs = this.now();
    const apps = await Promise.all(params.appNames.map((appName) => this.slowRunsOf(appName, params.sinceMs, untilMs, params.backend)));
    return { sinceMs: params.sinceMs, minRunsForSlow: MIN_RUNS_FOR_SLOW, apps };
  }

  private async slowRunsOf(appName: string, sinceMs: number, untilMs: number, backend: string | undefined): Promise<SlowRunsRequest.Result['apps'][number]> {
    const kept = this.apps.get(keyOf(appName, backend));
    // Caught up over its own window (asking with a shorter one would make it drop what its view shows).
    if (kept !== undefined && kept.completeSinceMs !== undefined && untilMs - kept.windowMs <= sinceMs) {
      const { runs } = await this.caughtUp(appName, untilMs - kept.windowMs, untilMs, backend);
      const inWindow = runs.ordered().filter((r) => r.summary.startMs >= sinceMs);
      const p95Us = p95Of(inWindow.map((r) => r.summary.durationUs));
      const slow = inWindow.length < MIN_RUNS_FOR_SLOW ? [] : inWindow.filter((r) => r.summary.durationUs > p95Us);
      return { appName, runs: inWindow.length, p95Us, slow: slow.map((r) => ({ traceId: r.summary.traceId, durationUs: r.summary.durationUs, ...(r.view.blame ? { blame: r.view.blame } : {}) })) };
    }
    const listed = await this.listAll(appName, sinceMs, untilMs, backend);
    const p95Us = p95Of(listed.map((r) => r.durationUs));
    const slow = listed.length < MIN_RUNS_FOR_SLOW ? [] : listed.filter((r) => r.durationUs > p95Us);
    const withBlame = await Promise.all(slow.map(async (run) => ({ traceId: run.traceId, durationUs: run.durationUs, ...(await this.blameOf(run)) })));
    return { appName, runs: listed.length, p95Us, slow: withBlame };
  }

  /** A slow run's blame, profiled once per version of the run. */
  private async blameOf(run: RunSummary): Promise<{ blame?: RunBlame }> {
    const key = `${run.traceId}|${fingerprintOf(run)}`;
    let blame = this.blames.get(key);
    if (blame === undefined) {
      const trace = await this.sources.traceSpans({ traceId: run.traceId }).catch(() => null);
      blame = trace === null ? null : (runProfileOf(trace.spans, run.traceId, trace.counterparts ?? []).blame ?? null);
      if (this.blames.size >= MAX_BLAMES) this.blames.delete(this.blames.keys().next().value!);
      this.blames.set(key, blame);
    }
    return blame === null ? {} : { blame };
  }

  /** Traces of the embedded store that changed (the server's runs-changed event): read at the next catch-up. */
  noteChanged(traceIds: readonly string[]): void {
    for (const aggregate of this.apps.values()) if (aggregate.runs.backend === undefined) for (const id of traceIds) aggregate.changed.add(id);
  }

  /**
   * Brings every aggregate a view or the Runs view has asked for up to date with the runs that
   * arrived, over the window it was last asked for: so the next question finds the numbers ready.
   */
  async catchUpAll(): Promise<void> {
    const untilMs = this.now();
    for (const [key, aggregate] of this.apps) {
      if (untilMs - aggregate.askedMs > IDLE_AGGREGATE_MS) {
        this.apps.delete(key);
        continue;
      }
      await this.caughtUp(aggregate.runs.appName, untilMs - aggregate.windowMs, untilMs, aggregate.runs.backend, false);
    }
  }

  private async caughtUp(appName: string, sinceMs: number, untilMs: number, backend: string | undefined, asked = true): Promise<AppAggregate> {
    const key = keyOf(appName, backend);
    let aggregate = this.apps.get(key);
    if (aggregate === undefined) {
      aggregate = { runs: new AppRuns(appName, backend), windowMs: untilMs - sinceMs, askedMs: untilMs, completeSinceMs: undefined, changed: new Set(), pending: Promise.resolve() };
      this.apps.set(key, aggregate);
    }
    aggregate.windowMs = untilMs - sinceMs;
    if (asked) aggregate.askedMs = untilMs;
    const target = aggregate;
    const work = target.pending.then(() => this.catchUp(target, sinceMs, untilMs));
    target.pending = work.catch(() => undefined);
    await work;
    return target;
  }

  private async catchUp(aggregate: AppAggregate, sinceMs: number, untilMs: number): Promise<void> {
    const runOf = this.sources.embeddedRunOf;
    const { runs } = aggregate;
    if (runs.backend === undefined && runOf !== undefined && aggregate.completeSinceMs !== undefined && aggregate.changed.size <= MAX_CHANGED_ONE_BY_ONE) {
      // A window reaching further back than the runs known: only the stretch before them is listed.
      if (sinceMs < aggregate.completeSinceMs) {
        const earlier = await this.listAll(runs.appName, sinceMs, aggregate.completeSinceMs - 1, undefined);
        await this.profileAll(runs, earlier.filter((r) => r.startMs < aggregate.completeSinceMs! && runs.get(r.traceId)?.fingerprint !== fingerprintOf(r)));
        aggregate.completeSinceMs = sinceMs;
      }
      await this.catchUpChanged(aggregate, sinceMs, untilMs, runOf);
      return;
    }
    aggregate.changed.clear();
    const listed = await this.listAll(runs.appName, sinceMs, untilMs, runs.backend);
    aggregate.completeSinceMs = sinceMs;
    const inWindow = new Set(listed.map((r) => r.traceId));
    for (const traceId of runs.traceIds()) if (!inWindow.has(traceId)) runs.drop(traceId);
    await this.profileAll(runs, listed.filter((r) => runs.get(r.traceId)?.fingerprint !== fingerprintOf(r)));
  }

  /** Only the traces reported changed, each read as the run it belongs to; runs older than the window leave. */
  private async catchUpChanged(aggregate: AppAggregate, sinceMs: number, untilMs: number, runOf: (traceId: string) => Promise<RunSummary | undefined>): Promise<void> {
    const { runs } = aggregate;
    const changed = [...aggregate.changed];
    aggregate.changed.clear();
    const due = new Map<string, RunSummary>();
    for (const traceId of changed) {
      const run = await runOf(traceId);
      // Gone, or no longer this app's (a run classified again under its real app name).
      if (run === undefined || run.appName !== runs.appName) {
        runs.drop(run?.traceId ?? traceId);
        continue;
      }
      if (run.startMs >= sinceMs && run.startMs <= untilMs && runs.get(run.traceId)?.fingerprint !== fingerprintOf(run)) due.set(run.traceId, run);
    }
    for (const run of runs.ordered()) {
      if (run.summary.startMs >= sinceMs) break;
      runs.drop(run.summary.traceId);
    }
    aggregate.completeSinceMs = sinceMs;
    await this.profileAll(runs, [...due.values()]);
  }

  private async profileAll(runs: AppRuns, due: readonly RunSummary[]): Promise<void> {
    for (let i = 0; i < due.length; i += CONCURRENCY) await Promise.all(due.slice(i, i + CONCURRENCY).map((run) => this.profile(runs, run)));
  }

  private async profile(runs: AppRuns, summary: RunSummary): Promise<void> {
    const trace = await this.sources.traceSpans({ traceId: summary.traceId }).catch(() => null);
    runs.put(summary, trace === null ? undefined : runProfileOf(trace.spans, summary.traceId, trace.counterparts ?? []));
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

const keyOf = (appName: string, backend: string | undefined): string => `${backend ?? ''}\u0000${appName}`;

/** The nearest-rank p95 of the runs' durations, as the node figures are taken. */
const p95Of = (durations: number[]): number => nearestRank(durations.sort((a, b) => a - b), durations.length, 0.95);
