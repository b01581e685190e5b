/**
 * Per-tool figures for plugin code: how often each workspace plugin tool ran in recent runs, how
 * long it took (p95) and how often it failed, placed on its `_invoke` method (CodeLens, hover).
 *
 * Dify's traces name the plugin and provider of a tool node (`tool_info`), not the tool. The tool
 * comes from the app's exported DSL (the node's `tool_name`) when it is in the workspace, else
 * from a provider that declares one tool; other calls are not attributed rather than guessed.
 * The plugin's own YAML says which Python file implements each tool (`extra.python.source`).
 */
import type { RunSummary } from '../../shared/runSummary';
import type { DslCache } from '../sourceLinks/codeNodeLocations';
import { pluginTools, toolSourcesOfCall, type ToolSource } from '../sourceLinks/pluginToolSources';
import type { FileAccess, WorkspaceSnapshot } from '../workspace/workspaceIndex';
import { runEndMs } from './failureIndex';

export type { ToolSource };

export interface ToolRunRef {
  readonly traceId: string;
  readonly startMs: number;
  readonly appName: string;
  readonly runId?: string;
  readonly failed: boolean;
  readonly durationUs: number;
}

export interface ToolStats {
  readonly source: ToolSource;
  /** Distinct runs that called the tool. */
  readonly runCount: number;
  readonly callCount: number;
  readonly errorCount: number;
  readonly p95Us: number;
  /** Newest first, at most `maxRunRefs`. */
  readonly runs: readonly ToolRunRef[];
  readonly lastError?: { readonly message: string; readonly traceId: string; readonly runId?: string; readonly endMs: number };
}

const maxRunRefs = 20;

function percentile95(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
}

/** Figures per workspace tool over the runs that ended at or after `sinceMs`. Tools that did not run get none. */
export function toolStats(runs: readonly RunSummary[], workspace: WorkspaceSnapshot, files: FileAccess, dsls: DslCache, sinceMs: number): ToolStats[] {
  const tools = workspace.pluginRoots.flatMap((root) => pluginTools(root, files));
  if (tools.length === 0) return [];
  type Acc = { source: ToolSource; runs: Map<string, ToolRunRef>; durations: number[]; errors: number; lastError?: ToolStats['lastError'] };
  const byTool = new Map<ToolSource, Acc>();
  for (const run of runs) {
    if (!run.toolCalls || runEndMs(run) < sinceMs) continue;
    for (const call of run.toolCalls) {
      for (const source of toolSourcesOfCall(run.appName, call, tools, workspace.yamlFiles, dsls)) {
        const acc: Acc = byTool.get(source) ?? { source, runs: new Map<string, ToolRunRef>(), durations: [], errors: 0 };
        acc.durations.push(call.durationUs);
        const before = acc.runs.get(run.traceId);
        acc.runs.set(run.traceId, {
          traceId: run.traceId,
          startMs: run.startMs,
          appName: run.appName,
          ...(run.runId ? { runId: run.runId } : {}),
          failed: (before?.failed ?? false) || call.failed,
          durationUs: (before?.durationUs ?? 0) + call.durationUs,
        });
        if (call.failed) {
          acc.errors++;
          const endMs = runEndMs(run);
          if (acc.lastError === undefined || endMs >= acc.lastError.endMs) {
            acc.lastError = { message: run.errorMessage ?? `Tool node "${call.title}" failed.`, traceId: run.traceId, ...(run.runId ? { runId: run.runId } : {}), endMs };
          }
        }
        byTool.set(source, acc);
      }
    }
  }
  return [...byTool.values()].map((acc) => ({
    source: acc.source,
    runCount: acc.runs.size,
    callCount: acc.durations.length,
    errorCount: acc.errors,
    p95Us: percentile95(acc.durations),
    runs: [...acc.runs.values()].sort((a, b) => b.startMs - a.startMs).slice(0, maxRunRefs),
    ...(acc.lastError ? { lastError: acc.lastError } : {}),
  }));
}

/** `2.87 s`, `412 ms`: durations as the Runs view prints them. */
export function formatDuration(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(2)} s`;
  if (us >= 1000) return `${Math.round(us / 1000)} ms`;
  return `${us} µs`;
}

/** `3 runs · p95 2.87 s · 1 error`: the CodeLens title. */
export function toolLensTitle(stats: ToolStats): string {
  const runs = stats.runCount === 1 ? '1 run' : `${stats.runCount} runs`;
  const errors = stats.errorCount === 1 ? '1 error' : `${stats.errorCount} errors`;
  return `${runs} · p95 ${formatDuration(stats.p95Us)} · ${errors}`;
}
