import type { NodePerformanceReport } from '../../../src/shared/workflowPerformance';

/**
 * The run behind a figure of a node (its p50, p95 or max): the run whose time in the node is
 * closest to it, the latest of equals. An index into the report's runs; undefined without points.
 */
export function runNearest(points: NodePerformanceReport['points'], valueUs: number): number | undefined {
  let best: number | undefined;
  let bestGap = Number.POSITIVE_INFINITY;
  for (let i = 0; i < points.run.length; i++) {
    const gap = Math.abs(points.durationUs[i]! - valueUs);
    if (gap <= bestGap) {
      bestGap = gap;
      best = points.run[i];
    }
  }
  return best;
}

/** The latest run in which the node failed, for its error rate. */
export function latestFailedRun(points: NodePerformanceReport['points']): number | undefined {
  for (let i = points.run.length - 1; i >= 0; i--) if (points.failed[i] === 1) return points.run[i];
  return undefined;
}

/** The runs whose time in the node falls in a histogram bin (the last bin includes its upper edge). */
export function runsInBin(node: NodePerformanceReport, bin: number): number[] {
  const { edgesUs } = node.histogram;
  const low = edgesUs[bin];
  const high = edgesUs[bin + 1];
  if (low === undefined || high === undefined) return [];
  const last = bin === edgesUs.length - 2;
  const runs: number[] = [];
  node.points.durationUs.forEach((us, i) => {
    if (us >= low && (us < high || (last && us <= high))) runs.push(node.points.run[i]!);
  });
  return runs;
}
