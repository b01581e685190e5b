import * as vscode from 'vscode';
import type { RunSummary } from '../../shared/runSummary';
import { appDescription, runDescription, runLabel, runTooltip, statusIcon, statusLabel } from './runPresentation';

export type RunsNode =
  | { readonly kind: 'app'; readonly appName: string; readonly runs: readonly RunSummary[] }
  | { readonly kind: 'run'; readonly run: RunSummary }
  | { readonly kind: 'loadMore' };

export const openRunCommand = 'difyTrace.openRun';
export const loadMoreRunsCommand = 'difyTrace.loadMoreRuns';

/** Runs grouped by app (apps ordered by their newest run), newest run first within each app. */
export function groupByApp(runs: readonly RunSummary[]): RunsNode[] {
  const groups = new Map<string, RunSummary[]>();
  for (const run of runs) groups.set(run.appName, [...(groups.get(run.appName) ?? []), run]);
  return [...groups].map(([appName, appRuns]) => ({ kind: 'app', appName, runs: appRuns }));
}

/** The Runs tree, fed by `RunsView`; it holds no state of its own beyond the page. */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode> {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private nodes: RunsNode[] = [];
  private count = 0;

  setRuns(runs: readonly RunSummary[], hasMore: boolean): void {
    this.nodes = groupByApp(runs);
    if (hasMore) this.nodes.push({ kind: 'loadMore' });
    this.count = runs.length;
    this.changeEmitter.fire();
  }

  get runCount(): number {
    return this.count;
  }

  getChildren(element?: RunsNode): RunsNode[] {
    if (element === undefined) return this.nodes;
    return element.kind === 'app' ? element.runs.map((run) => ({ kind: 'run', run })) : [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'loadMore': {
        const item = new vscode.TreeItem('Load more runs…');
        item.iconPath = new vscode.ThemeIcon('more');
        item.command = { command: loadMoreRunsCommand, title: 'Load More Runs' };
        return item;
      }
      case 'app': {
        const item = new vscode.TreeItem(node.appName, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `app:${node.appName}`;
        item.description = appDescription(node.runs);
        item.iconPath = new vscode.ThemeIcon('symbol-class');
        item.contextValue = 'app';
        return item;
      }
      case 'run': {
        const { run } = node;
        const item = new vscode.TreeItem(runLabel(run));
        item.id = run.traceId;
        item.description = runDescription(run);
        item.tooltip = runTooltip(run);
        item.iconPath = statusIcon(run.status);
        // `.source`: the run has a root cause span, so Go to Source is offered on it.
        item.contextValue = `run.${run.status}${run.rootCause ? '.source' : ''}`;
        item.accessibilityInformation = { label: `${run.appName} ${runLabel(run)}, ${statusLabel(run.status)}, ${runDescription(run)}` };
        item.command = { command: openRunCommand, title: 'Open Run', arguments: [run.traceId] };
        return item;
      }
    }
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
