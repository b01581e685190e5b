import * as vscode from 'vscode';
import type { CompareRunsRequest, NodeValuesRequest } from '../../shared/lspProtocol';
import type { AlignedRow } from '../../shared/runComparison';
import type { RunSummary } from '../../shared/runSummary';
import type { TracePanels } from '../panel/tracePanels';
import type { TraceServerClient } from '../traceServerClient';
import { runDescription, runLabel } from '../views/runPresentation';
import { traceIdOfRunArg } from './exportImport';
import { rowText } from './comparisonText';

export const compareWithLastSuccessCommand = 'difyTrace.compareWithLastSuccess';
export const compareWithCommand = 'difyTrace.compareWith';
export const nodeValueScheme = 'dify-trace-node';

type Client = Pick<TraceServerClient, 'compareRuns' | 'nodeValues' | 'listRuns'>;

/** Read-only documents holding a node's inputs or outputs, for `vscode.diff`; kept until closed. */
export class NodeValueDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private next = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** A document named `name` (what the diff editor's tab shows) holding `content`. */
  add(name: string, content: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: nodeValueScheme, path: `/${name.replace(/[/\\?#]/g, '_')}.json`, query: String(++this.next) });
    this.contents.set(uri.toString(), content);
    return uri;
  }

  forget(uri: vscode.Uri): void {
    this.contents.delete(uri.toString());
  }
}

interface RowItem extends vscode.QuickPickItem {
  readonly row: AlignedRow;
}

const outputsButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('output'), tooltip: 'Diff Outputs' };
const inputsButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('diff'), tooltip: 'Diff Inputs' };

/**
 * "Compare with Last Success" and "Compare with…": two runs aligned node by node in a quick pick,
 * opened on the first node where they took another path; Enter diffs that node's inputs in VS Code's
 * diff editor (its button, the outputs).
 */
export class RunCompare {
  constructor(
    private readonly client: Client,
    private readonly panels: Pick<TracePanels, 'activeTraceId'>,
    private readonly documents: NodeValueDocuments,
  ) {}

  async withLastSuccess(arg: unknown): Promise<void> {
    const nowTraceId = traceIdOfRunArg(arg) ?? this.panels.activeTraceId();
    if (nowTraceId === undefined) {
      void vscode.window.showInformationMessage('Compare with Last Success compares a run: right-click it in the Runs view, or run the command with its trace open.');
      return;
    }
    await this.compare({ nowTraceId });
  }

  /**
   * `selection`: the runs selected in the Runs view, when the command came from its context menu;
   * two of them are compared with each other, the older as the run before.
   */
  async withPicked(arg: unknown, selection?: unknown): Promise<void> {
    const selected = Array.isArray(selection) ? selection.filter((node) => traceIdOfRunArg(node) !== undefined) as { run: RunSummary }[] : [];
    if (selected.length === 2) {
      const [older, newer] = [...selected].sort((a, b) => a.run.startMs - b.run.startMs);
      await this.compare({ nowTraceId: newer!.run.traceId, beforeTraceId: older!.run.traceId });
      return;
    }
    const nowTraceId = traceIdOfRunArg(arg) ?? this.panels.activeTraceId();
    if (nowTraceId === undefined) {
      void vscode.window.showInformationMessage('Compare with… compares a run: right-click it in the Runs view, or run the command with its trace open.');
      return;
    }
    const appName = typeof arg === 'object' && arg !== null ? (arg as { run?: RunSummary }).run?.appName : undefined;
    const page = await this.client.listRuns({ filter: appName === undefined ? {} : { appName }, limit: 200 });
    const others = page.runs.filter((r) => r.traceId !== nowTraceId);
    type Item = vscode.QuickPickItem & { readonly run: RunSummary };
    const picked = await vscode.window.showQuickPick<Item>(others.map((run) => ({ label: `${run.appName} · ${runLabel(run)}`, description: runDescription(run), run })), {
      title: 'Dify Trace: Compare with…',
      placeHolder: others.length === 0 ? 'No other run to compare with' : 'Pick the run to compare with',
      matchOnDescription: true,
    });
    if (picked) await this.compare({ nowTraceId, beforeTraceId: picked.run.traceId });
  }

  private async compare(params: CompareRunsRequest.Params): Promise<void> {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Comparing the runs…', cancellable: true }, (_p, token) => this.client.compareRuns(params, token));
    if (!result.ok) {
      const pick = 'Compare with…';
      const chosen = await vscode.window.showWarningMessage(result.reason, ...(params.beforeTraceId === undefined ? [pick] : []));
      if (chosen === pick) await this.withPicked(params.nowTraceId);
      return;
    }
    this.show(result.before, result.now, result.comparison.rows, result.comparison.firstDivergence);
  }

  private show(before: RunSummary, now: RunSummary, rows: readonly AlignedRow[], firstDivergence: number): void {
    const pick = vscode.window.createQuickPick<RowItem>();
    pick.title = `${now.appName}: ${runLabel(now)} (${now.status}) compared with ${runLabel(before)} (${before.status})`;
    pick.placeholder = firstDivergence < 0 ? 'The runs ran the same nodes with the same results. Enter: diff a node\'s inputs' : 'Opened on the first node where the runs took another path. Enter: diff its inputs';
    pick.matchOnDescription = true;
    pick.matchOnDetail = true;
    pick.items = rows.map((row) => ({ ...rowText(row), row, buttons: [inputsButton, outputsButton] }));
    const first = pick.items[firstDivergence] ?? pick.items[0];
    if (first) pick.activeItems = [first];
    pick.onDidAccept(() => {
      const item = pick.activeItems[0];
      if (item) void this.diff(item.row, 'inputs', before, now);
    });
    pick.onDidTriggerItemButton(({ item, button }) => void this.diff(item.row, button === outputsButton ? 'outputs' : 'inputs', before, now));
    pick.onDidHide(() => pick.dispose());
    pick.show();
  }

  /** The node's inputs or outputs, the run before on the left; a side that did not run it is empty. */
  private async diff(row: AlignedRow, which: 'inputs' | 'outputs', before: RunSummary, now: RunSummary): Promise<void> {
    const [then, current] = await Promise.all([row.before ? this.client.nodeValues(row.before.span) : null, row.now ? this.client.nodeValues(row.now.span) : null]);
    const title = (row.now ?? row.before)!.title;
    const text = (ran: boolean, values: NodeValuesRequest.Result): string =>
      !ran ? '(the node did not run)\n' : values === null ? '(the span is no longer in the trace server)\n' : values[which] ?? `(no ${which} recorded on this span)\n`;
    const left = this.documents.add(`${title} ${which} (${runLabel(before)})`, text(row.before !== undefined, then));
    const right = this.documents.add(`${title} ${which} (${runLabel(now)})`, text(row.now !== undefined, current));
    await vscode.commands.executeCommand('vscode.diff', left, right, `${title} ${which}: ${before.status} run ↔ ${now.status} run`, { preview: true, preserveFocus: false });
  }
}
