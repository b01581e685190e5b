import * as vscode from 'vscode';
import type { TracePanels } from '../panel/tracePanels';

export const showToolRunsCommand = 'difyTrace.showToolRuns';

interface ToolRunsArgs {
  readonly title: string;
  readonly runs: readonly { readonly traceId: string; readonly startMs: number; readonly appName: string; readonly runId?: string; readonly failed: boolean; readonly durationUs: number }[];
}

function isToolRunsArgs(value: unknown): value is ToolRunsArgs {
  if (typeof value !== 'object' || value === null) return false;
  const { title, runs } = value as { title?: unknown; runs?: unknown };
  return typeof title === 'string' && Array.isArray(runs) && runs.every((r: unknown) => typeof r === 'object' && r !== null && typeof (r as { traceId?: unknown }).traceId === 'string');
}

/** The CodeLens on a tool's `_invoke`: the tool's latest runs, newest first; the picked one opens in a panel. */
export async function showToolRuns(args: unknown, panels: TracePanels): Promise<void> {
  if (!isToolRunsArgs(args)) return;
  if (args.runs.length === 1 && args.runs[0]) {
    panels.open(args.runs[0].traceId);
    return;
  }
  const picked = await vscode.window.showQuickPick(
    args.runs.map((run) => ({
      label: `$(${run.failed ? 'error' : 'pass'}) ${run.appName}`,
      description: `${new Date(run.startMs).toLocaleString()} · ${run.failed ? 'tool failed' : 'tool succeeded'} · ${(run.durationUs / 1_000_000).toFixed(2)} s in the tool`,
      detail: run.runId ? `run ${run.runId}` : `trace ${run.traceId}`,
      traceId: run.traceId,
    })),
    { title: `Latest runs of ${args.title}`, placeHolder: 'Open which run?' },
  );
  if (picked) panels.open(picked.traceId);
}
