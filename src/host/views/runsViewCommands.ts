import * as vscode from 'vscode';
import type { RunFacets } from '../../shared/runSummary';
import { addBackend } from '../addBackend';
import { configSection, readBackends, writeRunsGrouping } from '../settings';
import type { TraceServerClient } from '../traceServerClient';
import { groupingLabel, runGroupings } from './runGrouping';
import { askFilterInput, pickRunFilter } from './runFilterPicker';
import { facetsOfRuns } from './runFilterPicks';
import { embeddedBackend, type RunsView } from './runsView';
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
  chooseBackend: 'difyTrace.chooseBackend',
  addBackend: 'difyTrace.addBackend',
} as const;

type Report = (what: string) => (e: unknown) => void;

/** The Runs view's title-bar and palette commands: filter, search, saved filters, live updates, grouping. */
export function registerRunsViewCommands(
  view: RunsView,
  client: Pick<TraceServerClient, 'runFacets' | 'listRuns' | 'testBackend'>,
  workspaceState: vscode.Memento,
  output: vscode.LogOutputChannel,
  report: Report,
  /** Sends the current settings (and backend credentials) to the trace server, before a new backend is listed. */
  applySettings: () => Promise<void>,
): vscode.Disposable[] {
  const saved = new SavedFilterCommands(view, workspaceState);
  const register = (id: string, what: string, run: () => Promise<void>) => vscode.commands.registerCommand(id, () => run().catch(report(what)));
  return [
    register(runsViewCommands.filter, 'Filtering runs', async () => {
      const spec = await pickRunFilter(view.filter, loadFacets(client, output, view.backend));
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
    register(runsViewCommands.chooseBackend, 'Choosing the backend', async () => {
      const id = await pickBackend(view.backend);
      if (id === addBackendPick) await vscode.commands.executeCommand(runsViewCommands.addBackend);
      else if (id !== undefined) await view.setBackend(id);
    }),
    register(runsViewCommands.addBackend, 'Adding a backend', async () => {
      const id = await addBackend(client);
      if (id === undefined) return;
      // The trace server learns of the new backend from the settings first, then the view lists it.
      await applySettings();
      await view.setBackend(id);
    }),
  ];
}

/** The pick that leads to Add Backend… */
const addBackendPick = '$add';

/** The embedded receiver or one of `difyTrace.backends`; undefined when dismissed. */
async function pickBackend(current: string): Promise<string | undefined> {
  const configured = readBackends(vscode.workspace.getConfiguration(configSection).get<unknown>('backends', []));
  const items: (vscode.QuickPickItem & { id?: string })[] = [
    { id: embeddedBackend, label: 'Embedded receiver', description: current === embeddedBackend ? 'current' : '', detail: 'The runs Dify sent to this editor (OTLP on the receiver\'s ports), kept on disk.' },
    ...configured.map((b) => ({ id: b.id, label: b.id, description: `${b.kind} · ${b.url}${b.id === current ? ' · current' : ''}`, detail: 'Runs are fetched from it by time range; the other filters are applied here.' })),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { id: addBackendPick, label: '$(add) Add Backend…', detail: 'A Jaeger query URL, tested before it is saved to difyTrace.backends.' },
    { label: '$(gear) Edit Backends in Settings…', detail: 'difyTrace.backends: an id, its kind (jaeger) and its query URL.' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Dify Trace: Choose Backend', placeHolder: 'Where the Runs view lists runs from' });
  if (picked === undefined) return undefined;
  if (picked.id === undefined) {
    await vscode.commands.executeCommand('workbench.action.openSettings', `${configSection}.backends`);
    return undefined;
  }
  return picked.id;
}

/**
 * The counts for the filter picker. A server without `difyTrace/runFacets` gets the newest
 * thousand runs counted here instead (logged), so the picker works either way.
 */
async function loadFacets(client: Pick<TraceServerClient, 'runFacets' | 'listRuns'>, output: vscode.LogOutputChannel, backend: string): Promise<RunFacets> {
  const chosen = backend === embeddedBackend ? {} : { backend };
  try {
    return await client.runFacets({ filter: {}, ...chosen });
  } catch (e) {
    output.warn('The trace server did not answer difyTrace/runFacets; counting the newest 1000 runs instead.', e);
    const page = await client.listRuns({ filter: {}, limit: 1000, ...chosen });
    return { ...facetsOfRuns(page.runs), total: page.totalMatching };
  }
}
