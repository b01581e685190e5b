import * as vscode from 'vscode';
import type { RunSummary } from '../../shared/runSummary';
import { runDescription, runTooltip, statusIcon, statusLabel } from './runPresentation';

export type RunsNode = { readonly kind: 'run'; readonly run: RunSummary } | { readonly kind: 'loadMore' };

export const openRunCommand = 'difyTrace.openRun';
export const loadMoreRunsCommand = 'difyTrace.loadMoreRuns';

/** Flat list of runs, newest first, fed by `RunsView`; it holds no state of its own beyond the page. */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode> {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private nodes: RunsNode[] = [];

  setRuns(runs: readonly RunSummary[], hasMore: boolean): void {
    this.nodes = runs.map((run) => ({ kind: 'run', run }));
    if (hasMore) this.nodes.push({ kind: 'loadMore' });
    this.changeEmitter.fire();
  }

  get runCount(): number {
    return this.nodes.filter((n) => n.kind === 'run').length;
  }

  getChildren(element?: RunsNode): RunsNode[] {
    return element === undefined ? this.nodes : [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'loadMore') {
      const item = new vscode.TreeItem('Load more runs…');
      item.iconPath = new vscode.ThemeIcon('more');
      item.command = { command: loadMoreRunsCommand, title: 'Load More Runs' };
      return item;
    }
    const { run } = node;
    const item = new vscode.TreeItem(run.appName);
    item.id = run.traceId;
    item.description = runDescription(run);
    item.tooltip = runTooltip(run);
    item.iconPath = statusIcon(run.status);
    item.contextValue = `run.${run.status}`;
    item.accessibilityInformation = { label: `${run.appName}, ${statusLabel(run.status)}, ${runDescription(run)}` };
    item.command = { command: openRunCommand, title: 'Open Run', arguments: [run.traceId] };
    return item;
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
