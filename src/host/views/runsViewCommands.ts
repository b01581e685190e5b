import * as vscode from 'vscode';
import type { RunFacets } from '../../shared/runSummary';
import { writeRunsGrouping } from '../settings';
import type { TraceServerClient } from '../traceServerClient';
import { groupingLabel, runGroupings } from './runGrouping';
import { askFilterInput, pickRunFilter } from './runFilterPicker';
import { facetsOfRuns } from './runFilterPicks';
import type { RunsView } from './runsView';
import { SavedFilterCommands } from './savedFilterCommands';

export const runsViewCommands = {
  filter: 'difyTrace.filterRuns',
  search: 'difyTrace.searchRuns',
  clearFilter: 'difyTrace.clearRunFilter',
  saveFilter: 'difyTrace.saveRunFilter',
  applySavedFilter: 'difyTrace.applySavedRunFilter',
  deleteSavedFilter: 'difyTrace.deleteSavedRunFilter',
  pause: 'difyTrace.pauseLiveRuns',
  resume: 'difyTrace.resumeLiveRuns',
  group: 'difyTrace.groupRuns',
} as const;

type Report = (what: string) => (e: unknown) => void;

/** The Runs view's title-bar and palette commands: filter, search, saved filters, live updates, grouping. */
export function registerRunsViewCommands(
  view: RunsView,
  client: Pick<TraceServerClient, 'runFacets' | 'listRuns'>,
  workspaceState: vscode.Memento,
  output: vscode.LogOutputChannel,
  report: Report,
): vscode.Disposable[] {
  const saved = new SavedFilterCommands(view, workspaceState);
  const register = (id: string, what: string, run: () => Promise<void>) => vscode.commands.registerCommand(id, () => run().catch(report(what)));
  return [
    register(runsViewCommands.filter, 'Filtering runs', async () => {
      const spec = await pickRunFilter(view.filter, loadFacets(client, output));
      if (spec !== undefined) await view.setFilter(spec);
    }),
    register(runsViewCommands.search, 'Searching runs', async () => {
      const spec = await askFilterInput('text', view.filter);
      if (spec !== undefined) await view.setFilter(spec);
    }),
    register(runsViewCommands.clearFilter, 'Clearing the filter', () => view.setFilter({})),
    register(runsViewCommands.saveFilter, 'Saving the filter', () => saved.save()),
    register(runsViewCommands.applySavedFilter, 'Applying a saved filter', () => saved.apply()),
    register(runsViewCommands.deleteSavedFilter, 'Deleting saved filters', () => saved.delete()),
    register(runsViewCommands.pause, 'Pausing live updates', () => view.setLive(false)),
    register(runsViewCommands.resume, 'Resuming live updates', () => view.setLive(true)),
    register(runsViewCommands.group, 'Grouping runs', async () => {
      const current = view.currentGrouping;
      const picked = await vscode.window.showQuickPick(
        runGroupings.map((grouping) => ({ label: groupingLabel[grouping], description: grouping === current ? 'current' : '', grouping })),
        { title: 'Group Runs', placeHolder: 'How the Runs view groups its runs (remembered in difyTrace.runs.groupBy)' },
      );
      if (!picked) return;
      view.setGrouping(picked.grouping);
      await writeRunsGrouping(picked.grouping);
    }),
  ];
}

/**
 * The counts for the filter picker. A server without `difyTrace/runFacets` gets the newest
 * thousand runs counted here instead (logged), so the picker works either way.
 */
async function loadFacets(client: Pick<TraceServerClient, 'runFacets' | 'listRuns'>, output: vscode.LogOutputChannel): Promise<RunFacets> {
  try {
    return await client.runFacets({ filter: {} });
  } catch (e) {
    output.warn('The trace server did not answer difyTrace/runFacets; counting the newest 1000 runs instead.', e);
    const page = await client.listRuns({ filter: {}, limit: 1000 });
    return { ...facetsOfRuns(page.runs), total: page.totalMatching };
  }
}
