/**
 * A filter in words: short for the Runs view's description, long for its message and tooltips.
 * Pure. App names, keywords and other values come from traces or the user and are shown as text.
 */
import { formatDuration } from '../../model/units';
import { errorKindLabel } from '../../shared/errorKind';
import type { ListRunsRequest } from '../../shared/lspProtocol';
import type { RunKind, RunStatus } from '../../shared/runSummary';
import { formatLocalTime } from './filterInputs';
import { timePresetLabel, type RunFilterSpec, type TimeRange } from './runFilterSpec';

export const statusWords: Readonly<Record<RunStatus, string>> = {
  succeeded: 'succeeded',
  failed: 'failed',
  'partial-succeeded': 'partially succeeded',
  running: 'running',
  stopped: 'stopped',
  unknown: 'status unknown',
};

/** A succeeded run that failed somewhere all the same (RunSummary.hiddenErrors). */
export const hiddenErrorsWords = 'succeeded with hidden errors';

/** A run slower than its app's p95 over the time range (RunFilter.slow). */
export const slowWords = 'slower than its app\'s p95';

export const kindWords: Readonly<Record<RunKind, string>> = {
  workflow: 'workflow',
  chatflow: 'chatflow',
  chat: 'chat',
  agent: 'agent',
  completion: 'completion',
  unknown: 'unknown kind',
};

export interface FilterPart {
  /** What the part filters on, for the long form: "Status", "App", ... */
  readonly field: string;
  /** The short words: "failed", "Travel Assistant", "“timeout”". */
  readonly value: string;
}

/** The filter's parts in a fixed order (the order of the filter picker). */
export function filterParts(spec: RunFilterSpec): FilterPart[] {
  const parts: FilterPart[] = [];
  const list = (field: string, values: readonly string[] | undefined, many: string) => {
    if (values === undefined || values.length === 0) return;
    parts.push({ field, value: values.length <= 2 ? values.join(' or ') : `${values.length} ${many}` });
  };
  list('Status', [...(spec.status?.map((s) => statusWords[s]) ?? []), ...(spec.hiddenErrors === true ? [hiddenErrorsWords] : []), ...(spec.slow === true ? [slowWords] : [])], 'statuses');
  list('App', spec.appNames, 'apps');
  list('Kind', spec.kinds?.map((k) => kindWords[k]), 'kinds');
  if (spec.time) parts.push({ field: 'Time', value: timeRangeWords(spec.time) });
  if (spec.text) parts.push({ field: 'Keyword', value: `“${spec.text}”` });
  list('Error type', spec.errorKinds?.map((k) => errorKindLabel[k]), 'error types');
  list('Node type', spec.nodeTypes?.map((t) => `${t} node`), 'node types');
  list('Plugin', spec.plugins, 'plugins');
  if (spec.minDurationUs) parts.push({ field: 'Duration', value: `≥ ${formatDuration(spec.minDurationUs)}` });
  if (spec.minTokens) parts.push({ field: 'Tokens', value: `≥ ${spec.minTokens.toLocaleString('en-US')} tokens` });
  if (spec.conversationId) parts.push({ field: 'Conversation', value: `conversation ${spec.conversationId.slice(0, 8)}…` });
  return parts;
}

export function timeRangeWords(time: TimeRange): string {
  if (time.kind === 'last') return timePresetLabel[time.preset];
  if (time.sinceMs !== undefined && time.untilMs !== undefined) return `${formatLocalTime(time.sinceMs)} – ${formatLocalTime(time.untilMs)}`;
  if (time.sinceMs !== undefined) return `since ${formatLocalTime(time.sinceMs)}`;
  return `before ${formatLocalTime(time.untilMs ?? 0)}`;
}

/** "failed · Travel Assistant · “timeout”", cut to `maxLength` characters with an ellipsis. */
export function shortFilterText(spec: RunFilterSpec, maxLength = 60): string {
  const text = filterParts(spec)
    .map((p) => p.value)
    .join(' · ');
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** "Status: failed; App: Travel Assistant; Keyword: “timeout”". */
export function longFilterText(spec: RunFilterSpec): string {
  return filterParts(spec)
    .map((p) => `${p.field}: ${p.value}`)
    .join('; ');
}

export interface RunsCounts {
  /** Runs in the tree. */
  readonly shown: number;
  /** Runs that match the filter in the store. */
  readonly matching: number;
  /** Runs in the store, when known. */
  readonly total?: number;
  /** Runs the keyword was looked for in their summary only (ListRunsRequest.Result.summaryOnly). */
  readonly summaryOnly?: number;
}

/** "3 runs", "100 of 240 runs", "2 of 40 runs" (filtered, 2 shown and matching, 40 in the store). */
export function countsText(counts: RunsCounts, filtered: boolean): string {
  const noun = (n: number) => `run${n === 1 ? '' : 's'}`;
  const { shown, matching, total } = counts;
  if (!filtered) return shown < matching ? `${shown} of ${matching} ${noun(matching)}` : `${matching} ${noun(matching)}`;
  const head = shown < matching ? `${shown} shown of ${matching} matching` : `${matching} matching`;
  return total === undefined ? head : `${head} of ${total} ${noun(total)}`;
}

export interface RunsViewText {
  readonly description: string;
  /** For the view's message; empty when there is nothing to say. */
  readonly message: string;
}

/**
 * The Runs view's description and message: the backend and the counts always, the filter short
 * in the description and in full in the message. The message is there because the description is
 * not shown while the view is the only one in its container (VS Code merges its header into the
 * container's title); a receiver problem comes first in it.
 */
export function runsViewText(spec: RunFilterSpec, counts: RunsCounts, backend: string, problem?: string, fetched?: FetchedTraces): RunsViewText {
  const parts = filterParts(spec);
  const filtered = parts.length > 0;
  const matched = counts.total === undefined ? `${counts.matching} matching` : `${counts.matching} of ${counts.total}`;
  const description = filtered ? `${shortFilterText(spec, 48)} · ${matched} · ${backend}` : `${countsText(counts, false)} · ${backend}`;
  const messages: string[] = [];
  if (problem) messages.push(problem);
  if (counts.shown > 0) {
    messages.push(filtered ? `Filter: ${longFilterText(spec)}. ${capitalise(countsText(counts, true))} (${backend}).` : `${capitalise(countsText(counts, false))} (${backend}).`);
  }
  if (counts.shown > 0 && fetched !== undefined) messages.push(fetchedText(fetched, parts.length > 0));
  if (counts.shown > 0 && spec.text && counts.summaryOnly !== undefined && counts.summaryOnly > 0) {
    const n = counts.summaryOnly;
    messages.push(`The keyword was matched against the ids, app, error and failing node only of ${n} older run${n === 1 ? '' : 's'} whose spans are in the trace database, not in memory (open a run to bring it back whole).`);
  }
  return { description, message: messages.join('\n') };
}

/** What a remote listing fetched before the filter was applied here. */
export type FetchedTraces = NonNullable<ListRunsRequest.Result['fetched']>;

/** "From Jaeger at …: the 2,000 most recent traces that started 10:00 – 11:00 (2,000 fetched); the filter was applied to them here." */
export function fetchedText(fetched: FetchedTraces, filtered: boolean): string {
  const range = `${formatLocalTime(fetched.sinceMs)} – ${formatLocalTime(fetched.untilMs)}`;
  const which = fetched.traces >= fetched.limit ? `the ${fetched.limit.toLocaleString('en-US')} most recent traces that started ${range} (there may be more: narrow the time range)` : `the ${fetched.traces.toLocaleString('en-US')} traces that started ${range}`;
  return `From ${fetched.source}: ${which}${filtered ? '; the filter was applied to them here' : ''}.`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
