import * as vscode from 'vscode';
import type { RunSummary } from '../../shared/runSummary';
import { appDescription, runDescription, runLabel, runTooltip, runIcon, statusLabel, type SlowMark } from './runPresentation';
import { groupRuns, type RunGroup, type RunGrouping } from './runGrouping';

export type RunsNode =
  | { readonly kind: 'group'; readonly grouping: RunGrouping; readonly group: RunGroup }
  /** `withApp`: the label names the app (the flat list, where no group does). */
  | { readonly kind: 'run'; readonly run: RunSummary; readonly withApp?: boolean }
  | { readonly kind: 'loadMore'; readonly remaining: number }
  | { readonly kind: 'newRuns'; readonly count: number }
  | { readonly kind: 'action'; readonly action: RunsViewAction };

/** A next step offered at the top of the view when listing failed (Retry, Set Credentials, ...). */
export interface RunsViewAction {
  readonly label: string;
  readonly detail: string;
  readonly icon: string;
  readonly command: string;
  readonly args?: readonly unknown[];
}

export const openRunCommand = 'difyTrace.openRun';
export const loadMoreRunsCommand = 'difyTrace.loadMoreRuns';
export const refreshRunsCommand = 'difyTrace.refreshRuns';

export interface RunsTreeContent {
  readonly runs: readonly RunSummary[];
  readonly grouping: RunGrouping;
  /** Matching runs not loaded yet; a "Load more" row when above 0. */
  readonly remaining: number;
  /** Runs that arrived while live updates are paused; a row at the top when above 0. */
  readonly newRuns: number;
  /** Next steps when the listing failed, above the runs still shown. */
  readonly actions?: readonly RunsViewAction[];
  /** Runs slower than their workflow's p95, by trace id. */
  readonly slow?: ReadonlyMap<string, SlowMark>;
}

/**
 * The Runs tree, fed by `RunsView`; it holds no state of its own beyond what it shows. Every item
 * has a stable id (trace id, group key), so VS Code keeps the selection, focus and expanded state
 * when the runs are replaced as new ones arrive.
 */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode> {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private nodes: RunsNode[] = [];
  private count = 0;
  private slow: ReadonlyMap<string, SlowMark> = new Map();

  setContent(content: RunsTreeContent): void {
    const top: RunsNode[] = [...(content.actions ?? []).map((action): RunsNode => ({ kind: 'action', action })), ...(content.newRuns > 0 ? [{ kind: 'newRuns', count: content.newRuns } as const] : [])];
    const body: RunsNode[] =
      content.grouping === 'none'
        ? content.runs.map((run) => ({ kind: 'run', run, withApp: true }))
        : groupRuns(content.runs, content.grouping).map((group) => ({ kind: 'group', grouping: content.grouping, group }));
    const bottom: RunsNode[] = content.remaining > 0 ? [{ kind: 'loadMore', remaining: content.remaining }] : [];
    this.nodes = [...top, ...body, ...bottom];
    this.count = content.runs.length;
    this.slow = content.slow ?? new Map();
    this.changeEmitter.fire();
  }

  get runCount(): number {
    return this.count;
  }

  getChildren(element?: RunsNode): RunsNode[] {
    if (element === undefined) return this.nodes;
    return element.kind === 'group' ? element.group.runs.map((run) => ({ kind: 'run', run })) : [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'loadMore': {
        const item = new vscode.TreeItem('Load more runs…');
        item.id = 'loadMore';
        item.description = `${node.remaining.toLocaleString()} more`;
        item.iconPath = new vscode.ThemeIcon('more');
        item.command = { command: loadMoreRunsCommand, title: 'Load More Runs' };
        return item;
      }
      case 'newRuns': {
        const item = new vscode.TreeItem(`${node.count.toLocaleString()} new run${node.count === 1 ? '' : 's'} — show`);
        item.id = 'newRuns';
        item.description = 'live updates paused';
        item.tooltip = 'Runs arrived while live updates are paused. Click to show them, or resume live updates from the view title.';
        item.iconPath = new vscode.ThemeIcon('arrow-up');
        item.command = { command: refreshRunsCommand, title: 'Show New Runs' };
        return item;
      }
      case 'action': {
        const item = new vscode.TreeItem(node.action.label);
        item.id = `action:${node.action.command}`;
        item.description = node.action.detail;
        item.iconPath = new vscode.ThemeIcon(node.action.icon);
        item.command = { command: node.action.command, title: node.action.label, ...(node.action.args === undefined ? {} : { arguments: [...node.action.args] }) };
        return item;
      }
      case 'group':
        return groupItem(node.group, node.grouping);
      case 'run':
        return runItem(node.run, node.withApp === true, this.slow.get(node.run.traceId));
    }
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}

function groupItem(group: RunGroup, grouping: RunGrouping): vscode.TreeItem {
  const item = new vscode.TreeItem(group.label, vscode.TreeItemCollapsibleState.Expanded);
  item.id = group.id;
  item.description = appDescription(group.runs);
  item.tooltip = group.what;
  item.iconPath = new vscode.ThemeIcon(grouping === 'conversation' ? 'comment-discussion' : 'symbol-class');
  item.contextValue = grouping === 'conversation' ? 'conversation' : 'app';
  return item;
}

function runItem(run: RunSummary, withApp: boolean, slow: SlowMark | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(withApp ? `${run.appName} · ${runLabel(run)}` : runLabel(run));
  item.id = run.traceId;
  item.description = runDescription(run, slow);
  item.tooltip = runTooltip(run, slow);
  item.iconPath = runIcon(run, slow);
  // `.source`: the run has a root cause span, so Go to Source is offered on it.
  item.contextValue = `run.${run.status}${run.rootCause ? '.source' : ''}`;
  item.accessibilityInformation = { label: `${run.appName} ${runLabel(run)}, ${statusLabel(run.status)}, ${runDescription(run, slow)}` };
  item.command = { command: openRunCommand, title: 'Open Run', arguments: [run.traceId] };
  return item;
}
