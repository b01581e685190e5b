import { NodePerformance } from '../../dify/compare/nodePerformance';
import type { RunProfile } from '../../dify/compare/runProfile';
import { SortedColumn } from '../../dify/compare/sortedColumn';
import type { RunSummary } from '../../shared/runSummary';
import type { PerformanceRun } from '../../shared/workflowPerformance';

/** One run in the aggregate, as it was when profiled. */
export interface ProfiledRun {
  /** What the run index said of it when it was profiled: a run classified again (its other half arrived) is profiled again. */
  readonly fingerprint: string;
  readonly summary: RunSummary;
  /** Its number in the aggregate, which its node points carry. */
  readonly ordinal: number;
  /** As the report lists it, but `slow`, which depends on the others. */
  readonly view: PerformanceRun;
  readonly withSpans: boolean;
}

export const fingerprintOf = (run: RunSummary): string => `${run.status}|${run.durationUs}|${run.spanCount}|${run.linkedTraceIds.join(',')}`;

/**
 * One app's runs on one backend, profiled, with what a report needs kept as they come and go: the
 * per-node aggregate, the runs' durations sorted (the p95 that makes a run slow) and the runs in
 * start order (a newer run is appended; anything else sorts them again when next asked).
 */
export class AppRuns {
  readonly nodes = new NodePerformance();
  private readonly runs = new Map<string, ProfiledRun>();
  private readonly durations = new SortedColumn();
  private inOrder: ProfiledRun[] | undefined = [];
  private nextOrdinal = 0;
  /**
   * Bumped whenever the runs' order changes other than by a newer run appended: until then a run's
   * place in `ordered()` stays, and so do the places a report gave its node points.
   */
  orderVersion = 0;
  /** The report's node points as last built, per node, to extend rather than rebuild (performanceReport.ts). */
  readonly pointsCache = new Map<string, { orderVersion: number; run: number[]; durationUs: number[]; failed: (0 | 1)[] }>();

  constructor(
    readonly appName: string,
    readonly backend: string | undefined,
  ) {}

  get size(): number {
    return this.runs.size;
  }

  get(traceId: string): ProfiledRun | undefined {
    return this.runs.get(traceId);
  }

  traceIds(): string[] {
    return [...this.runs.keys()];
  }

  /** Adds a run with its profile, or with none when its spans were gone; replaces it if it was there. */
  put(summary: RunSummary, profile: RunProfile | undefined): void {
    const replaced = this.drop(summary.traceId);
    const ordinal = this.nextOrdinal++;
    const view: PerformanceRun = { traceId: summary.traceId, startMs: summary.startMs, durationUs: summary.durationUs, status: summary.status, slow: false, ...(profile?.blame ? { blame: profile.blame } : {}) };
    const run: ProfiledRun = { fingerprint: fingerprintOf(summary), summary, ordinal, view, withSpans: profile !== undefined };
    this.runs.set(summary.traceId, run);
    this.durations.add(summary.durationUs);
    if (profile !== undefined) this.nodes.add({ traceId: summary.traceId, startMs: summary.startMs, status: summary.status, executions: profile.executions, ordinal });
    const last = this.inOrder?.at(-1);
    if (!replaced && this.inOrder !== undefined && (last === undefined || last.summary.startMs <= summary.startMs)) this.inOrder.push(run);
    else this.reorder();
  }

  /** Takes a run out; whether it was there. */
  drop(traceId: string): boolean {
    const run = this.runs.get(traceId);
    if (run === undefined) return false;
    this.runs.delete(traceId);
    this.durations.remove(run.summary.durationUs);
    this.nodes.remove(traceId);
    this.reorder();
    return true;
  }

  private reorder(): void {
    this.inOrder = undefined;
    this.orderVersion++;
  }

  /** Oldest first. */
  ordered(): readonly ProfiledRun[] {
    this.inOrder ??= [...this.runs.values()].sort((a, b) => a.summary.startMs - b.summary.startMs || (a.summary.traceId < b.summary.traceId ? -1 : 1));
    return this.inOrder;
  }

  /** Nearest-rank percentile of the runs' durations, as `SortedColumn` gives the node figures. */
  durationPercentile(p: number): number {
    return this.durations.percentile(p);
  }

  maxDuration(): number {
    return this.durations.max();
  }

  /** The largest ordinal given so far, plus one: the size of a lookup by ordinal. */
  get ordinalBound(): number {
    return this.nextOrdinal;
  }
}
