import type { ListRunsRequest, SlowRunsRequest } from '../../shared/lspProtocol';
import type { RunFilter, RunSummary } from '../../shared/runSummary';

/** Without a time range, a run is slow against its app's runs of the last day (as the Runs view's marker). */
export const SLOW_WINDOW_MS = 24 * 3_600_000;
const PAGE = 1000;

export interface SlowFilterSources {
  listRuns(params: ListRunsRequest.Params, signal?: AbortSignal): Promise<ListRunsRequest.Result>;
  slowRuns(params: SlowRunsRequest.Params): Promise<SlowRunsRequest.Result>;
}

/**
 * A listing with `filter.slow`: the runs matching the rest of the filter that are slower than their
 * app's p95 over the filter's time range, newest first, paged by offset. The backends know nothing
 * of slowness; the per-app figures come from the performance aggregate, which keeps them as runs arrive.
 */
export async function listSlowRuns(params: ListRunsRequest.Params, sources: SlowFilterSources, now: number, signal?: AbortSignal): Promise<ListRunsRequest.Result> {
  const filter = Object.fromEntries(Object.entries(params.filter).filter(([key]) => key !== 'slow')) as RunFilter;
  const backend = params.backend === undefined ? {} : { backend: params.backend };
  const matching: RunSummary[] = [];
  let pageToken: string | undefined;
  do {
    const page = await sources.listRuns({ filter, limit: PAGE, ...(pageToken === undefined ? {} : { pageToken }), ...backend }, signal);
    matching.push(...page.runs);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  const appNames = [...new Set(matching.map((r) => r.appName))];
  const slowIds = new Set<string>();
  if (appNames.length > 0) {
    const result = await sources.slowRuns({ appNames, sinceMs: filter.sinceMs ?? now - SLOW_WINDOW_MS, ...backend });
    for (const app of result.apps) for (const run of app.slow) slowIds.add(run.traceId);
  }
  const slowRuns = matching.filter((r) => slowIds.has(r.traceId));
  const offset = Number(params.pageToken ?? '0') || 0;
  const end = offset + params.limit;
  return { runs: slowRuns.slice(offset, end), totalMatching: slowRuns.length, ...(end < slowRuns.length ? { nextPageToken: String(end) } : {}) };
}
