import * as vscode from 'vscode';
import type { RunFilter, RunSummary } from '../../shared/runSummary';
import type { TracePanels } from '../panel/tracePanels';
import type { TraceServerClient } from '../traceServerClient';

export interface SpanTarget {
  readonly traceId: string;
  readonly spanId: string;
}

/** The root cause of the run whose trace is in front, when a trace panel is. */
export async function activeTraceRootCause(client: Pick<TraceServerClient, 'findTraces'>, panels: Pick<TracePanels, 'activeTraceId'>): Promise<SpanTarget | undefined> {
  const traceId = panels.activeTraceId();
  if (traceId === undefined) return undefined;
  const found = await client.findTraces({ kind: 'traceId', traceId });
  const rootCause = found.matches.find((m) => m.run?.rootCause !== undefined)?.run?.rootCause;
  return rootCause === undefined ? undefined : { traceId: rootCause.traceId, spanId: rootCause.spanId };
}

/** A pick of the recent failed runs that `filter` and `keep` select, by their root cause; says so when there is none. */
export async function pickFailedRun(
  client: Pick<TraceServerClient, 'listRuns'>,
  filter: RunFilter,
  keep: (run: RunSummary) => boolean,
  words: { readonly title: string; readonly placeHolder: string; readonly none: string; readonly step: string },
): Promise<SpanTarget | undefined> {
  const page = await client.listRuns({ filter, limit: 50 });
  const runs = page.runs.filter((r) => r.rootCause !== undefined && keep(r));
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(words.none);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({ label: `${run.appName} · ${run.failingNode?.title ?? words.step}`, description: `${new Date(run.startMs).toLocaleString()} · ${run.errorMessage?.split('\n').at(-1) ?? ''}`, run })),
    { title: words.title, placeHolder: words.placeHolder },
  );
  return picked?.run.rootCause === undefined ? undefined : { traceId: picked.run.rootCause.traceId, spanId: picked.run.rootCause.spanId };
}
