/**
 * Where in the workspace recent runs failed: each failed run's root cause span resolved to source
 * locations (sourceResolver.ts: a plugin file's line, or a Code node's line in the app's DSL), and
 * runs that failed at the same place counted together. The sites feed diagnostics and hovers.
 * Pure apart from the injected backend and resolver.
 */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { ListRunsRequest, SourceLocation } from '../../shared/lspProtocol';
import type { RunStatus, RunSummary } from '../../shared/runSummary';
import type { SourceResolution } from '../sourceLinks/sourceResolver';

export const diagnosticSource = 'Dify Trace';

/** Runs whose failure shows on code: failed, and partly succeeded (a node failed, the run went on). */
export const failedStatuses: readonly RunStatus[] = ['failed', 'partial-succeeded'];

export interface RunFailure {
  readonly run: RunSummary;
  readonly resolution: SourceResolution;
}

/** Identifies the run and span a site's latest failure came from, for opening it. */
export interface FailureRef {
  /** The run's own trace (its app-level half), which the panel opens. */
  readonly runTraceId: string;
  /** The root cause span, possibly in a linked infrastructure trace. */
  readonly traceId: string;
  readonly spanId: string;
  readonly runId?: string;
  readonly appName: string;
}

/** One source line where runs failed. */
export interface FailureSite {
  readonly uri: string;
  readonly range: SourceLocation['range'];
  /** The exception of the latest run that failed here, e.g. `KeyError: 'max_temp_c'`. */
  readonly exception: string;
  readonly runCount: number;
  /** Epoch milliseconds when the latest of those runs ended. */
  readonly lastSeenMs: number;
  readonly latest: FailureRef;
  /** How far up the stack this line is from the innermost frame of the user's code (0: it raised here). */
  readonly frameDepth: number;
  readonly label: string;
}

/** What a diagnostic carries in `data`: the code action and the hover open the run from it. */
export type FailureDiagnosticData = FailureRef;

type RunLister = { listRuns(params: ListRunsRequest.Params): Promise<ListRunsRequest.Result> };
type Resolve = (traceId: string, spanId: string) => Promise<SourceResolution | null>;

export function runEndMs(run: RunSummary): number {
  return run.startMs + Math.round(run.durationUs / 1000);
}

/**
 * Resolutions per root cause span (`traceId/spanId`). Resolving reads the trace and the workspace,
 * and a span's answer changes only when its trace or the workspace changes, so each refresh
 * resolves only the traces reported as changed.
 */
export class ResolutionCache {
  private readonly resolved = new Map<string, SourceResolution | null>();

  invalidate(traceIds: Iterable<string>): void {
    const changed = new Set(traceIds);
    for (const key of this.resolved.keys()) if (changed.has(key.slice(0, key.indexOf('/')))) this.resolved.delete(key);
  }

  /** After a workspace or settings change every answer may differ. */
  clear(): void {
    this.resolved.clear();
  }

  async get(resolve: Resolve, traceId: string, spanId: string): Promise<SourceResolution | null> {
    const key = `${traceId}/${spanId}`;
    if (this.resolved.has(key)) return this.resolved.get(key) ?? null;
    const resolution = await resolve(traceId, spanId);
    this.resolved.set(key, resolution);
    return resolution;
  }

  retainOnly(keys: ReadonlySet<string>): void {
    for (const key of this.resolved.keys()) if (!keys.has(key)) this.resolved.delete(key);
  }
}

/** Failed runs that ended at or after `sinceMs`, each with where its root cause lands in the workspace. */
export async function collectRunFailures(backend: RunLister, resolve: Resolve, cache: ResolutionCache, sinceMs = 0): Promise<RunFailure[]> {
  const failures: RunFailure[] = [];
  const used = new Set<string>();
  let pageToken: string | undefined;
  do {
    const page = await backend.listRuns({ filter: { status: failedStatuses }, limit: 1000, ...(pageToken === undefined ? {} : { pageToken }) });
    for (const run of page.runs) {
      if (!run.rootCause || runEndMs(run) < sinceMs) continue;
      used.add(`${run.rootCause.traceId}/${run.rootCause.spanId}`);
      const resolution = await cache.get(resolve, run.rootCause.traceId, run.rootCause.spanId);
      // A Code node found in several DSLs is a choice for the user, not a fact to mark in each file.
      const undecided = resolution !== null && resolution !== undefined && resolution.locations.length > 1 && resolution.locations.every((l) => l.via === 'dslCode');
      if (resolution && resolution.locations.length > 0 && !undecided) failures.push({ run, resolution });
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  cache.retainOnly(used);
  return failures;
}

/** Failures aggregated per file and line; the latest run decides the message. */
export function failureSites(failures: readonly RunFailure[]): FailureSite[] {
  const sites = new Map<string, FailureSite>();
  for (const { run, resolution } of failures) {
    if (!run.rootCause) continue;
    const endMs = runEndMs(run);
    const exception = resolution.exception ?? run.errorMessage ?? 'The run failed here.';
    const latest: FailureRef = { runTraceId: run.traceId, traceId: run.rootCause.traceId, spanId: run.rootCause.spanId, ...(run.runId ? { runId: run.runId } : {}), appName: run.appName };
    for (const location of resolution.locations) {
      const key = `${location.uri}#${location.range.start.line}`;
      const before = sites.get(key);
      const isLatest = before === undefined || endMs >= before.lastSeenMs;
      sites.set(key, {
        uri: location.uri,
        range: isLatest ? location.range : before.range,
        exception: isLatest ? exception : before.exception,
        runCount: (before?.runCount ?? 0) + 1,
        lastSeenMs: isLatest ? endMs : before.lastSeenMs,
        latest: isLatest ? latest : before.latest,
        frameDepth: isLatest ? location.frameDepth : before.frameDepth,
        label: isLatest ? location.label : before.label,
      });
    }
  }
  return [...sites.values()];
}

/** `2026-11-25 17:41:07 UTC`: the same in every locale and time zone. */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function runsText(count: number): string {
  return count === 1 ? '1 run' : `${count} runs`;
}

export function toDiagnostic(site: FailureSite): Diagnostic {
  const run = site.latest.runId ? `run ${site.latest.runId}` : `trace ${site.latest.runTraceId}`;
  const raised = site.frameDepth === 0 ? '' : `Raised ${site.frameDepth} call(s) below this line (in code outside the workspace): `;
  return {
    severity: DiagnosticSeverity.Error,
    // The line's text, so the squiggle sits under the statement, not its indentation.
    range: site.range.start.line === site.range.end.line && site.range.start.character === site.range.end.character
      ? { start: site.range.start, end: { line: site.range.start.line, character: 2 ** 31 - 1 } }
      : site.range,
    message: `${raised}${site.exception}\nFailed ${runsText(site.runCount)} of ${site.latest.appName} here, last seen ${formatUtc(site.lastSeenMs)}; latest: ${run} (trace ${site.latest.traceId}).`,
    source: diagnosticSource,
    code: 'run-failure',
    data: site.latest satisfies FailureDiagnosticData,
  };
}

/** Diagnostics per file URI, each file's sorted by line. */
export function diagnosticsByUri(sites: readonly FailureSite[]): Map<string, Diagnostic[]> {
  const byUri = new Map<string, Diagnostic[]>();
  for (const site of [...sites].sort((a, b) => a.range.start.line - b.range.start.line)) {
    const list = byUri.get(site.uri) ?? [];
    list.push(toDiagnostic(site));
    byUri.set(site.uri, list);
  }
  return byUri;
}

/**
 * Remembers which files carry diagnostics, so that a file whose failures are gone (traces evicted,
 * runs older than the window, plugin folder removed) is cleared with an empty list.
 */
export class PublishedDiagnostics {
  private published = new Set<string>();

  /** The `publishDiagnostics` to send for the new state: every file with failures, and empty lists for the rest. */
  update(next: ReadonlyMap<string, Diagnostic[]>): { readonly uri: string; readonly diagnostics: Diagnostic[] }[] {
    const out = [...next].map(([uri, diagnostics]) => ({ uri, diagnostics }));
    for (const uri of this.published) if (!next.has(uri)) out.push({ uri, diagnostics: [] });
    this.published = new Set(next.keys());
    return out;
  }
}
