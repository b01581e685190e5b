import * as vscode from 'vscode';
import type { RunSummary } from '../../shared/runSummary';
import type { PerformancePanels } from '../panel/performancePanels';
import type { TraceServerClient } from '../traceServerClient';

type Client = Pick<TraceServerClient, 'runFacets'>;

/**
 * The app a "Show Workflow Performance" invocation is about: a run or an app group of the Runs view
 * (their tree nodes), an app name (tests, links), else none (the palette: pick one).
 */
export function appNameOfArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg.length > 0 ? arg : undefined;
  if (typeof arg !== 'object' || arg === null) return undefined;
  const node = arg as { kind?: unknown; run?: RunSummary; group?: { runs?: readonly RunSummary[] }; grouping?: unknown };
  if (node.kind === 'run' && typeof node.run?.appName === 'string') return node.run.appName;
  if (node.kind === 'group' && node.grouping === 'app') return node.group?.runs?.[0]?.appName;
  return undefined;
}

/** Opens the performance view of the app the invocation names, or of one the user picks from the apps with runs. */
export async function showPerformance(arg: unknown, panels: Pick<PerformancePanels, 'open'>, client: Client, backend: string | undefined): Promise<void> {
  const named = appNameOfArg(arg);
  if (named !== undefined) {
    panels.open(named, backend);
    return;
  }
  const facets = await client.runFacets({ filter: {}, ...(backend === undefined ? {} : { backend }) });
  if (facets.apps.length === 0) {
    void vscode.window.showInformationMessage('No Dify runs yet, so there is no workflow to measure. Send traces to the receiver (Dify Trace: Show Setup Guide), then try again.');
    return;
  }
  const picked = await vscode.window.showQuickPick(
    facets.apps.map((app) => ({ label: app.value, description: `${app.count.toLocaleString()} run${app.count === 1 ? '' : 's'}` })),
    { title: 'Dify Trace: Show Workflow Performance', placeHolder: 'Pick the app whose runs to measure' },
  );
  if (picked) panels.open(picked.label, backend);
}
