/**
 * Per-node performance across runs of a workflow (issue 15's performance view): for each node, how
 * often it ran, its duration and self time percentiles, its error rate, tokens and price, and one
 * point per run for the chart. Kept as runs arrive (`add`, `remove`): running sums, durations in
 * sorted columns, chart columns appended to; a new run recomputes only the nodes it ran.
 */
import type { NodeExecution } from '../../shared/runComparison';
import type { RunStatus } from '../../shared/runSummary';
import type { NodePerformanceReport, TimeShare, TimeSplit } from '../../shared/workflowPerformance';
import { identityOf } from './alignRuns';
import { SortedColumn } from './sortedColumn';

export type { Spread } from '../../shared/workflowPerformance';

/** A run as the aggregate reads it: its node executions (`nodeExecutionsOf`), with their time split when known (`runProfileOf`). */
export interface RunNodes {
  readonly traceId: string;
  readonly startMs: number;
  readonly status: RunStatus;
  readonly executions: readonly (NodeExecution & { readonly split?: TimeSplit })[];
  /** The caller's number for the run, carried into the chart's points so it can find its runs without a lookup by trace id. */
  readonly ordinal?: number;
}

/** A node's chart, one point per run it ran in (all its executions: iteration items add up), oldest first, as columns. */
export interface NodeRunPoints {
  readonly traceIds: readonly string[];
  /** `RunNodes.ordinal` of each point's run (-1 without one). */
  readonly ordinals: Int32Array;
  readonly startMs: Float64Array;
  readonly durationUs: Float64Array;
  /** 1 where one of its executions in that run failed. */
  readonly failed: Uint8Array;
}

/** A node's figures as the report sends them, with its chart as columns (the report turns them into runs' places). */
export type NodeStats = Omit<NodePerformanceReport, 'points' | 'histogram'> & { readonly points: NodeRunPoints };

/** What one run added to a node: kept to take it back when the run is classified again or leaves. */
interface RunShare {
  readonly startMs: number;
  readonly ordinal: number;
  readonly durations: number[];
  readonly selfTimes: number[];
  failed: number;
  tokens: number;
  price: number;
  readonly split: TimeSplit;
}

interface NodeEntry {
  title: string;
  nodeType: string | undefined;
  /** Execution order in the newest run that ran it, for the table's order. */
  order: number;
  readonly durations: SortedColumn;
  readonly selfTimes: SortedColumn;
  executions: number;
  failed: number;
  tokens: number;
  price: number;
  readonly split: TimeSplit;
  readonly byRun: Map<string, RunShare>;
  /** The chart's columns, rebuilt when a run left or arrived out of order, else appended to. */
  points: PointColumns | undefined;
  stats: NodeStats | undefined;
}

export class NodePerformance {
  private readonly nodes = new Map<string, NodeEntry>();
  private readonly runs = new Set<string>();
  private cached: NodeStats[] | undefined;
  /** The newest run's start: the newest run names the nodes and orders the table. */
  private newestStartMs = Number.NEGATIVE_INFINITY;

  /** Adds a run, or replaces it (it was classified again). */
  add(run: RunNodes): void {
    this.remove(run.traceId);
    this.runs.add(run.traceId);
    const newest = run.startMs >= this.newestStartMs;
    if (newest) this.newestStartMs = run.startMs;
    const touched = new Set<NodeEntry>();
    const ordered = [...run.executions].sort((a, b) => a.startUs - b.startUs);
    ordered.forEach((execution, position) => {
      const identity = identityOf(execution);
      let node = this.nodes.get(identity);
      if (node === undefined) {
        node = { title: execution.title, nodeType: execution.nodeType, order: position, durations: new SortedColumn(), selfTimes: new SortedColumn(), executions: 0, failed: 0, tokens: 0, price: 0, split: {}, byRun: new Map(), points: new PointColumns(), stats: undefined };
        this.nodes.set(identity, node);
      } else if (newest && !touched.has(node)) {
        // The newest run names it (a renamed node) and orders the table.
        node.title = execution.title;
        node.nodeType = execution.nodeType;
        node.order = position;
      }
      touched.add(node);
      let share = node.byRun.get(run.traceId);
      if (share === undefined) {
        share = { startMs: run.startMs, ordinal: run.ordinal ?? -1, durations: [], selfTimes: [], failed: 0, tokens: 0, price: 0, split: {} };
        node.byRun.set(run.traceId, share);
      }
      share.durations.push(execution.durationUs);
      share.selfTimes.push(execution.selfTimeUs);
      if (execution.status === 'error') share.failed++;
      share.tokens += execution.tokens ?? 0;
      share.price += execution.price ?? 0;
      if (execution.split !== undefined) addSplit(share.split, execution.split, 1);
    });
    for (const node of touched) {
      const share = node.byRun.get(run.traceId)!;
      for (const d of share.durations) node.durations.add(d);
      for (const d of share.selfTimes) node.selfTimes.add(d);
      node.executions += share.durations.length;
      node.failed += share.failed;
      node.tokens += share.tokens;
      node.price += share.price;
      addSplit(node.split, share.split, 1);
      const points = node.points;
      if (points !== undefined && (points.size === 0 || points.startMs[points.size - 1]! <= run.startMs)) points.append(run.traceId, share);
      else node.points = undefined;
      node.stats = undefined;
    }
    this.cached = undefined;
  }

  remove(traceId: string): void {
    if (!this.runs.delete(traceId)) return;
    for (const [identity, node] of this.nodes) {
      const share = node.byRun.get(traceId);
      if (share === undefined) continue;
      node.byRun.delete(traceId);
      if (node.byRun.size === 0) {
        this.nodes.delete(identity);
        continue;
      }
      for (const d of share.durations) node.durations.remove(d);
      for (const d of share.selfTimes) node.selfTimes.remove(d);
      node.executions -= share.durations.length;
      node.failed -= share.failed;
      node.tokens -= share.tokens;
      node.price -= share.price;
      addSplit(node.split, share.split, -1);
      node.points = undefined;
      node.stats = undefined;
    }
    this.cached = undefined;
  }

  /** Every node, in the order the newest run that ran it ran them. Only the nodes a change touched are computed again. */
  stats(): readonly NodeStats[] {
    this.cached ??= [...this.nodes.entries()].sort((a, b) => a[1].order - b[1].order).map(([identity, node]) => (node.stats ??= statsOf(identity, node)));
    return this.cached;
  }
}

function statsOf(identity: string, node: NodeEntry): NodeStats {
  node.points ??= pointsOf(node);
  const { points } = node;
  return {
    identity,
    title: node.title,
    ...(node.nodeType === undefined ? {} : { nodeType: node.nodeType }),
    runs: node.byRun.size,
    executions: node.executions,
    durationUs: { p50: node.durations.percentile(0.5), p95: node.durations.percentile(0.95), max: node.durations.max() },
    selfTimeUs: { p50: node.selfTimes.percentile(0.5), p95: node.selfTimes.percentile(0.95), max: node.selfTimes.max() },
    errorRate: node.executions === 0 ? 0 : node.failed / node.executions,
    tokens: node.tokens,
    price: node.price,
    split: { ...node.split },
    // Views of the columns as they are now: later runs append past their end.
    points: { traceIds: points.traceIds.slice(0, points.size), ordinals: points.ordinals.subarray(0, points.size), startMs: points.startMs.subarray(0, points.size), durationUs: points.durationUs.subarray(0, points.size), failed: points.failed.subarray(0, points.size) },
  };
}

function addSplit(into: TimeSplit, from: TimeSplit, sign: 1 | -1): void {
  for (const [share, us] of Object.entries(from) as [TimeShare, number][]) {
    const next = (into[share] ?? 0) + sign * us;
    // A share a leaving run alone gave goes, rather than staying as a rounding error.
    if (Math.abs(next) < 0.5) delete into[share];
    else into[share] = next;
  }
}

function pointsOf(node: NodeEntry): PointColumns {
  const columns = new PointColumns();
  for (const [traceId, share] of [...node.byRun.entries()].sort((a, b) => a[1].startMs - b[1].startMs)) columns.append(traceId, share);
  return columns;
}

/** Growable columns of a node's chart (capacity doubles), so a new run appends without copying them. */
class PointColumns {
  size = 0;
  traceIds: string[] = [];
  ordinals = new Int32Array(64);
  startMs = new Float64Array(64);
  durationUs = new Float64Array(64);
  failed = new Uint8Array(64);

  append(traceId: string, share: RunShare): void {
    if (this.size === this.startMs.length) {
      const grow = <T extends Float64Array | Uint8Array | Int32Array>(column: T, make: (n: number) => T): T => {
        const next = make(column.length * 2);
        next.set(column);
        return next;
      };
      this.ordinals = grow(this.ordinals, (n) => new Int32Array(n));
      this.startMs = grow(this.startMs, (n) => new Float64Array(n));
      this.durationUs = grow(this.durationUs, (n) => new Float64Array(n));
      this.failed = grow(this.failed, (n) => new Uint8Array(n));
    }
    this.traceIds[this.size] = traceId;
    this.ordinals[this.size] = share.ordinal;
    this.startMs[this.size] = share.startMs;
    this.durationUs[this.size] = share.durations.reduce((sum, d) => sum + d, 0);
    this.failed[this.size] = share.failed > 0 ? 1 : 0;
    this.size++;
  }
}
