import * as vscode from 'vscode';
import { formatDuration } from '../../model/units';
import { errorKindLabel } from '../../shared/errorKind';
import type { RunStatus, RunSummary } from '../../shared/runSummary';
import { timeShareLabels, type RunBlame } from '../../shared/workflowPerformance';

/** A run slower than its workflow's p95 over the window (the trace server's `slowRuns`), with what held it up. */
export interface SlowMark {
  readonly p95Us: number;
  /** Runs of the app in the window the p95 is over. */
  readonly runs: number;
  readonly windowLabel: string;
  readonly blame?: RunBlame;
}

/** Icon and words for a run status; the words carry the status so colour is never the only cue. */
const statusLook: Record<RunStatus, { icon: string; color?: string; label: string }> = {
  succeeded: { icon: 'pass', color: 'testing.iconPassed', label: 'succeeded' },
  failed: { icon: 'error', color: 'testing.iconFailed', label: 'failed' },
  'partial-succeeded': { icon: 'warning', color: 'list.warningForeground', label: 'partially succeeded' },
  running: { icon: 'loading~spin', label: 'running' },
  stopped: { icon: 'debug-stop', label: 'stopped' },
  unknown: { icon: 'question', label: 'status unknown' },
};

export function statusIcon(status: RunStatus): vscode.ThemeIcon {
  const look = statusLook[status];
  return new vscode.ThemeIcon(look.icon, look.color ? new vscode.ThemeColor(look.color) : undefined);
}

export function statusLabel(status: RunStatus): string {
  return statusLook[status].label;
}

function startTime(run: RunSummary): string {
  return new Date(run.startMs).toLocaleTimeString();
}

/** A run under its app: when it started, and what kind of run it was. */
export function runLabel(run: RunSummary): string {
  return `${startTime(run)} ${run.kind === 'unknown' ? 'run' : run.kind}`;
}

/** A succeeded run with hidden errors looks like a warning, and says so in words. */
export function runIcon(run: RunSummary, slow?: SlowMark): vscode.ThemeIcon {
  // A failure says more than slowness: only a run that otherwise looks fine shows the stopwatch.
  if (slow !== undefined && run.status === 'succeeded' && !run.hiddenErrors) return new vscode.ThemeIcon('watch', new vscode.ThemeColor('charts.orange'));
  return run.hiddenErrors ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : statusIcon(run.status);
}

/** `Check Item (item 13 of Process Items)`: the node where the error started, and the Iteration or Loop item it ran in. */
export function failingNodeWords(node: NonNullable<RunSummary['failingNode']>): string {
  if (node.within === undefined) return node.title;
  const item = node.within.itemIndex === undefined ? 'in' : `item ${node.within.itemIndex + 1} of`;
  return `${node.title} (${item} ${node.within.title})`;
}

/** `Get Weather → execute_tool get_weather`: where a slow run's time went. */
export function blameWords(blame: RunBlame): string {
  return `${blame.node === undefined ? '' : `${blame.node.title} → `}${blame.span.name}`;
}

export function runDescription(run: RunSummary, slow?: SlowMark): string {
  const parts = [statusLabel(run.status)];
  if (slow !== undefined) parts.push(slow.blame === undefined ? 'slow' : `slow in ${blameWords(slow.blame)}`);
  if (run.hiddenErrors) {
    parts.push(`hidden error${run.hiddenErrors.node ? ` in ${run.hiddenErrors.node.title}` : ''}`);
    if (run.errorKind) parts.push(errorKindLabel[run.errorKind]);
  }
  if (run.failingNode && run.status !== 'succeeded') parts.push(`at ${failingNodeWords(run.failingNode)}`);
  if (run.errorKind && run.status !== 'succeeded') parts.push(errorKindLabel[run.errorKind]);
  parts.push(formatDuration(run.durationUs));
  if (run.tokens?.total !== undefined) parts.push(`${run.tokens.total.toLocaleString()} tokens`);
  return parts.join(' · ');
}

export function appDescription(runs: readonly RunSummary[]): string {
  const failed = runs.filter((r) => r.status === 'failed').length;
  return `${runs.length} run${runs.length === 1 ? '' : 's'}${failed > 0 ? ` · ${failed} failed` : ''}`;
}

/** Markdown tooltip; every value from the trace is escaped or fenced, never trusted. */
export function runTooltip(run: RunSummary, slow?: SlowMark): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.supportHtml = false;
  md.isTrusted = false;
  md.appendMarkdown(`$(${statusLook[run.status].icon}) **`).appendText(run.appName).appendMarkdown(`** — ${statusLabel(run.status)}\n\n`);
  // The root cause first: it is where to look.
  if (run.rootCause) md.appendMarkdown('Root cause: ').appendText(`${run.rootCause.name} in ${run.rootCause.serviceName}`).appendMarkdown('\n\n');
  if (run.failingNode && run.status !== 'succeeded') {
    md.appendMarkdown('Failed at node: ').appendText(failingNodeWords(run.failingNode)).appendText(run.failingNode.nodeType ? ` (${run.failingNode.nodeType})` : '').appendMarkdown('\n\n');
  }
  if (slow !== undefined) {
    md.appendMarkdown(`$(watch) Slow: ${formatDuration(run.durationUs)}, above the p95 of ${formatDuration(slow.p95Us)} over ${slow.runs} runs of this app in the ${slow.windowLabel}.`);
    if (slow.blame) {
      md.appendMarkdown(' Held up most by ').appendText(slow.blame.node === undefined ? '' : `node ${slow.blame.node.title}, `).appendMarkdown('span ');
      md.appendText(`${slow.blame.span.name} (${slow.blame.span.serviceName}, ${timeShareLabels[slow.blame.share]}): ${formatDuration(slow.blame.selfTimeUs)} of its own on the critical path.`);
    }
    md.appendMarkdown('\n\n');
  }
  if (run.errorKind && run.status !== 'succeeded') md.appendMarkdown('Error type: ').appendText(errorKindLabel[run.errorKind]).appendMarkdown('\n\n');
  if (run.hiddenErrors) {
    md.appendMarkdown('$(warning) Dify reported success, but ').appendText(`${run.hiddenErrors.count} span(s) failed`).appendMarkdown(run.hiddenErrors.node ? ' in node ' : '').appendText(run.hiddenErrors.node?.title ?? '');
    md.appendMarkdown(run.errorKind ? ' (' : '').appendText(run.errorKind ? errorKindLabel[run.errorKind] : '').appendMarkdown(run.errorKind ? ')' : '').appendMarkdown(':\n\n');
    md.appendCodeblock(run.hiddenErrors.message, 'text');
  }
  if (run.errorMessage) md.appendCodeblock(run.errorMessage.length > 2000 ? `${run.errorMessage.slice(0, 2000)}…` : run.errorMessage, 'text');
  if (run.tokens?.total !== undefined) md.appendMarkdown(`\n\n${run.tokens.total} tokens${run.tokens.prompt !== undefined ? ` (${run.tokens.prompt} prompt, ${run.tokens.completion ?? 0} completion)` : ''}`);
  if (run.price) md.appendMarkdown(`\n\nPrice: ${run.price.amount.toPrecision(3)} ${run.price.currency}`);
  md.appendMarkdown(`\n\n${formatDuration(run.durationUs)} · started ${new Date(run.startMs).toLocaleString()} · ${run.spanCount} spans · ${run.kind} · from ${run.source}\n\n`);
  if (run.runId) md.appendMarkdown('Run id: ').appendText(run.runId).appendMarkdown('\n\n');
  if (run.conversationId) md.appendMarkdown('Conversation: ').appendText(run.conversationId).appendMarkdown('\n\n');
  md.appendMarkdown('Trace id: ').appendText(run.traceId);
  for (const gap of run.gaps ?? []) md.appendMarkdown('\n\n$(warning) ').appendText(gap.message);
  return md;
}
