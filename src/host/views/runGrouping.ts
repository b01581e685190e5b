/**
 * How the Runs view groups its runs: by app, by conversation, or not at all. Pure. Groups keep the
 * order of their newest run (the runs come newest first), and their ids are stable so the tree
 * keeps expansion and selection when runs arrive.
 */
import type { RunSummary } from '../../shared/runSummary';

export type RunGrouping = 'app' | 'conversation' | 'none';

export const runGroupings: readonly RunGrouping[] = ['app', 'conversation', 'none'];

export const groupingLabel: Readonly<Record<RunGrouping, string>> = {
  app: 'By App',
  conversation: 'By Conversation',
  none: 'None (a flat list, newest first)',
};

export interface RunGroup {
  /** Stable tree item id. */
  readonly id: string;
  readonly label: string;
  /** For the accessibility label and tooltip: what the group is. */
  readonly what: string;
  readonly runs: readonly RunSummary[];
}

export function isRunGrouping(value: unknown): value is RunGrouping {
  return typeof value === 'string' && (runGroupings as readonly string[]).includes(value);
}

/** Groups in order of their newest run; `none` gives no groups. */
export function groupRuns(runs: readonly RunSummary[], grouping: RunGrouping): RunGroup[] {
  if (grouping === 'none') return [];
  const groups = new Map<string, { label: string; what: string; runs: RunSummary[] }>();
  for (const run of runs) {
    const { key, label, what } = grouping === 'app' ? appKey(run) : conversationKey(run);
    const group = groups.get(key);
    if (group) group.runs.push(run);
    else groups.set(key, { label, what, runs: [run] });
  }
  return [...groups].map(([id, g]) => ({ id, ...g }));
}

function appKey(run: RunSummary): { key: string; label: string; what: string } {
  return { key: `app:${run.appName}`, label: run.appName, what: `App ${run.appName}` };
}

/** Workflow runs have no conversation; they go into one group per app. */
function conversationKey(run: RunSummary): { key: string; label: string; what: string } {
  if (run.conversationId === undefined || run.conversationId === '') {
    return { key: `noconv:${run.appName}`, label: `${run.appName} · no conversation`, what: `Runs of ${run.appName} outside a conversation` };
  }
  return { key: `conv:${run.conversationId}`, label: `${run.appName} · conversation ${run.conversationId.slice(0, 8)}`, what: `Conversation ${run.conversationId} of ${run.appName}` };
}
