/**
 * Trace-derived diagnostics: where in the workspace's plugin code recent runs failed. For each
 * failed run, the root cause span's stack traces give the innermost user frame in a plugin (the
 * frame Go to Source opens); runs that failed at the same file and line are counted together.
 * Pure apart from the injected file lookup: the server wires it to node:fs and LSP.
 */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { SourceFrame, SourceFramesRequest, ListRunsRequest, SourceStack } from '../../shared/lspProtocol';
import type { RunSummary } from '../../shared/runSummary';
import { bestPluginFrame } from '../../shared/sourceTargets';

export const diagnosticSource = 'Dify Trace';

/** A plugin project in a workspace folder: the folder of its `manifest.yaml`. */
export interface PluginRoot {
  readonly author: string;
  readonly name: string;
  readonly version?: string;
  /** File system path of the folder. */
  readonly path: string;
}

export interface RunFailure {
  readonly run: RunSummary;
  readonly stacks: readonly SourceStack[];
}

/** One source line where runs failed. */
export interface FailureSite {
  readonly uri: string;
  /** 1-based, as the traceback prints it. */
  readonly line: number;
  /** The exception of the latest run that failed here, e.g. `KeyError: 'max_temp_c'`. */
  readonly exception: string;
  readonly runCount: number;
  /** Epoch milliseconds when the latest of those runs ended. */
  readonly lastSeenMs: number;
  readonly latest: { readonly traceId: string; readonly spanId: string; readonly runId?: string; readonly appName: string };
}

/** What a diagnostic carries in `data`, so a later code action or command can open the run. */
export interface FailureDiagnosticData {
  readonly traceId: string;
  readonly spanId: string;
  readonly runId?: string;
}

type Backend = {
  listRuns(params: ListRunsRequest.Params): Promise<ListRunsRequest.Result>;
  sourceFrames(params: SourceFramesRequest.Params): Promise<SourceFramesRequest.Result>;
};

/**
 * Stack traces already parsed per root cause span (`traceId/spanId`). Parsing is the costly part
 * of a refresh and a span's stacks change only when its trace (spans or log records) changes, so
 * each refresh re-parses only the traces reported as changed.
 */
export class SourceStackCache {
  private readonly stacks = new Map<string, readonly SourceStack[]>();

  invalidate(traceIds: Iterable<string>): void {
    const changed = new Set(traceIds);
    for (const key of this.stacks.keys()) if (changed.has(key.slice(0, key.indexOf('/')))) this.stacks.delete(key);
  }

  async get(backend: Backend, traceId: string, spanId: string): Promise<readonly SourceStack[]> {
    const key = `${traceId}/${spanId}`;
    const known = this.stacks.get(key);
    if (known !== undefined) return known;
    const stacks = (await backend.sourceFrames({ traceId, spanId }))?.stacks ?? [];
    this.stacks.set(key, stacks);
    return stacks;
  }

  /** Drops the spans that are no longer a failed run's root cause. */
  retainOnly(keys: ReadonlySet<string>): void {
    for (const key of this.stacks.keys()) if (!keys.has(key)) this.stacks.delete(key);
  }
}

/** Every failed run in the store with the stack traces of its root cause span. */
export async function collectRunFailures(backend: Backend, cache: SourceStackCache = new SourceStackCache()): Promise<RunFailure[]> {
  const failures: RunFailure[] = [];
  const used = new Set<string>();
  let pageToken: string | undefined;
  do {
    const page = await backend.listRuns({ filter: { status: ['failed'] }, limit: 1000, ...(pageToken === undefined ? {} : { pageToken }) });
    for (const run of page.runs) {
      if (!run.rootCause) continue;
      used.add(`${run.rootCause.traceId}/${run.rootCause.spanId}`);
      const stacks = await cache.get(backend, run.rootCause.traceId, run.rootCause.spanId);
      if (stacks.length > 0) failures.push({ run, stacks });
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  cache.retainOnly(used);
  return failures;
}

/**
 * The workspace files a plugin frame stands for: the roots whose manifest has the frame's author
 * and name (those with its version too, when any has), where the file exists.
 */
export function resolvePluginFrame(
  frame: SourceFrame,
  roots: readonly PluginRoot[],
  fileUri: (root: PluginRoot, relativePath: string) => string | undefined,
): string[] {
  const plugin = frame.plugin;
  if (!plugin) return [];
  const named = roots.filter((r) => r.author === plugin.author && r.name === plugin.name);
  const sameVersion = named.filter((r) => r.version === plugin.version);
  const candidates = sameVersion.length > 0 ? sameVersion : named;
  const uris = candidates.map((r) => fileUri(r, plugin.relativePath)).filter((u): u is string => u !== undefined);
  return [...new Set(uris)];
}

/** Failures aggregated per file and line; the latest run decides the message. */
export function failureSites(failures: readonly RunFailure[], resolve: (frame: SourceFrame) => readonly string[]): FailureSite[] {
  const sites = new Map<string, FailureSite>();
  for (const { run, stacks } of failures) {
    const target = bestPluginFrame(stacks);
    if (!target || !run.rootCause) continue;
    const endMs = run.startMs + Math.round(run.durationUs / 1000);
    const exception = exceptionText(target.stack) ?? run.errorMessage ?? 'The run failed here.';
    for (const uri of resolve(target.frame)) {
      const key = `${uri}#${target.frame.line}`;
      const before = sites.get(key);
      const isLatest = before === undefined || endMs >= before.lastSeenMs;
      const latest = { traceId: run.rootCause.traceId, spanId: run.rootCause.spanId, ...(run.runId ? { runId: run.runId } : {}), appName: run.appName };
      sites.set(key, {
        uri,
        line: target.frame.line,
        exception: isLatest ? exception : before.exception,
        runCount: (before?.runCount ?? 0) + 1,
        lastSeenMs: isLatest ? endMs : before.lastSeenMs,
        latest: isLatest ? latest : before.latest,
      });
    }
  }
  return [...sites.values()];
}

function exceptionText(stack: SourceStack): string | undefined {
  if (stack.exceptionType && stack.message) return `${stack.exceptionType}: ${stack.message}`;
  return stack.exceptionType ?? stack.message;
}

/** `2026-11-25 17:41:07 UTC`: the same in every locale and time zone. */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function toDiagnostic(site: FailureSite): Diagnostic {
  const runs = site.runCount === 1 ? '1 run' : `${site.runCount} runs`;
  const run = site.latest.runId ? `run ${site.latest.runId}` : `trace ${site.latest.traceId}`;
  const data: FailureDiagnosticData = { traceId: site.latest.traceId, spanId: site.latest.spanId, ...(site.latest.runId ? { runId: site.latest.runId } : {}) };
  const line = Math.max(0, site.line - 1);
  return {
    severity: DiagnosticSeverity.Error,
    // To the end of the line: LSP clamps a character past the line's length to its end.
    range: { start: { line, character: 0 }, end: { line, character: 2 ** 31 - 1 } },
    message: `${site.exception}\nFailed ${runs} of ${site.latest.appName} here, last seen ${formatUtc(site.lastSeenMs)}; latest: ${run} (trace ${site.latest.traceId}).`,
    source: diagnosticSource,
    data,
  };
}

/** Diagnostics per file URI, each file's sorted by line. */
export function diagnosticsByUri(sites: readonly FailureSite[]): Map<string, Diagnostic[]> {
  const byUri = new Map<string, Diagnostic[]>();
  for (const site of [...sites].sort((a, b) => a.line - b.line)) {
    const list = byUri.get(site.uri) ?? [];
    list.push(toDiagnostic(site));
    byUri.set(site.uri, list);
  }
  return byUri;
}

/**
 * Remembers which files carry diagnostics, so that a file whose failures are gone (traces evicted,
 * plugin folder removed) is cleared with an empty list.
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
