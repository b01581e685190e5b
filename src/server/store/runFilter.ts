import type { RunFilter, RunSummary } from '../../shared/runSummary';
import type { RunEntry } from './runEntry';

export type EntryPredicate = (entry: RunEntry) => boolean;

/** Newest first; trace id breaks ties so paging is stable. */
export function compareRuns(a: RunSummary, b: Pick<RunSummary, 'startMs' | 'traceId'>): number {
  return b.startMs - a.startMs || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0);
}

/** Dify writes UUIDs with dashes, the Aliyun exporter turns them into dashless trace ids: compare without. */
export function normaliseId(id: string): string {
  return id.replaceAll('-', '').toLowerCase();
}

const present = <T>(values: readonly T[] | undefined): values is readonly T[] => values !== undefined && values.length > 0;

/**
 * The checks of a filter that the run's entry answers alone: everything except the time range (the
 * index walks only the runs inside it) and the keyword (the keyword index answers it). Fields combine
 * with AND; an empty list means "any"; lists match any of their values. Undefined when nothing is asked.
 */
export function fieldPredicate(filter: RunFilter): EntryPredicate | undefined {
  const checks: EntryPredicate[] = [];
  if (present(filter.status)) {
    const statuses = new Set<string>(filter.status);
    checks.push((e) => statuses.has(e.run.status));
  }
  if (filter.appName !== undefined) {
    const app = filter.appName;
    checks.push((e) => e.run.appName === app);
  }
  if (present(filter.appNames)) {
    const apps = new Set(filter.appNames);
    checks.push((e) => apps.has(e.run.appName));
  }
  if (present(filter.kinds)) {
    const kinds = new Set<string>(filter.kinds);
    checks.push((e) => kinds.has(e.run.kind));
  }
  if (filter.hiddenErrors === true) checks.push((e) => e.run.hiddenErrors !== undefined);
  if (present(filter.errorKinds)) {
    const kinds = new Set<string>(filter.errorKinds);
    checks.push((e) => e.run.errorKind !== undefined && kinds.has(e.run.errorKind));
  }
  if (present(filter.nodeTypes)) {
    const types = new Set(filter.nodeTypes);
    checks.push((e) => e.nodeTypes.some((t) => types.has(t)));
  }
  if (present(filter.plugins)) {
    const plugins = new Set(filter.plugins);
    checks.push((e) => e.plugins.some((p) => plugins.has(p)));
  }
  if (filter.minDurationUs !== undefined) {
    const min = filter.minDurationUs;
    checks.push((e) => e.run.durationUs >= min);
  }
  if (filter.minTokens !== undefined) {
    const min = filter.minTokens;
    checks.push((e) => e.totalTokens !== undefined && e.totalTokens >= min);
  }
  if (filter.conversationId !== undefined) {
    const conversation = normaliseId(filter.conversationId);
    checks.push((e) => e.run.conversationId !== undefined && normaliseId(e.run.conversationId) === conversation);
  }
  if (checks.length === 0) return undefined;
  if (checks.length === 1) return checks[0];
  return (e) => checks.every((check) => check(e));
}

/** Indices [from, to) of the runs (newest first) that started in [sinceMs, untilMs), by binary search. */
export function timeWindow(runs: readonly RunEntry[], filter: RunFilter): { from: number; to: number } {
  const firstBefore = (ms: number): number => {
    let lo = 0;
    let hi = runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (runs[mid]!.run.startMs < ms) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const from = filter.untilMs === undefined ? 0 : firstBefore(filter.untilMs);
  const to = filter.sinceMs === undefined ? runs.length : firstBefore(filter.sinceMs);
  return { from, to: Math.max(from, to) };
}

/** Index of the first run after the page token's cursor (`startMs:traceId` of the last run shown). */
export function afterCursor(runs: readonly RunEntry[], pageToken: string | undefined): number {
  if (pageToken === undefined) return 0;
  const separator = pageToken.indexOf(':');
  const startMs = Number(pageToken.slice(0, separator));
  if (separator < 0 || !Number.isFinite(startMs)) return 0;
  const cursor = { startMs, traceId: pageToken.slice(separator + 1) };
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRuns(runs[mid]!.run, cursor) > 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function pageToken(run: RunSummary): string {
  return `${run.startMs}:${run.traceId}`;
}
