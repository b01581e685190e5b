/**
 * The Runs view's filter as the user chose it, and its translation into the server's `RunFilter`.
 * Pure (no vscode): relative time stays relative here, so a saved "last hour" still means the last
 * hour when it is applied a day later, and a live view's window moves with the clock.
 */
import type { ErrorKind } from '../../shared/errorKind';
import type { RunFilter, RunKind, RunStatus } from '../../shared/runSummary';

export type TimePreset = '15m' | '1h' | '24h' | '7d';

export const timePresets: readonly TimePreset[] = ['15m', '1h', '24h', '7d'];

export const timePresetMs: Readonly<Record<TimePreset, number>> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
};

export const timePresetLabel: Readonly<Record<TimePreset, string>> = {
  '15m': 'last 15 min',
  '1h': 'last hour',
  '24h': 'last 24 hours',
  '7d': 'last 7 days',
};

export type TimeRange =
  | { readonly kind: 'last'; readonly preset: TimePreset }
  /** Absolute, epoch milliseconds; at least one bound. */
  | { readonly kind: 'between'; readonly sinceMs?: number; readonly untilMs?: number };

/** The server's `RunFilter` fields, with time as the user chose it (relative or absolute) instead of since/until. */
export type RunFilterSpec = Omit<RunFilter, 'appName' | 'sinceMs' | 'untilMs'> & {
  readonly time?: TimeRange;
};

export const runStatuses: readonly RunStatus[] = ['failed', 'partial-succeeded', 'succeeded', 'running', 'stopped', 'unknown'];
export const runKinds: readonly RunKind[] = ['workflow', 'chatflow', 'chat', 'agent', 'completion', 'unknown'];
export const errorKinds: readonly ErrorKind[] = [
  'pluginInvoke',
  'pluginDaemon',
  'sandbox',
  'llmRateLimit',
  'llmAuthorization',
  'llmBadRequest',
  'llmConnection',
  'llmServerUnavailable',
  'llmContextLength',
  'llmContentFilter',
  'httpNode',
  'timeout',
  'vectorDatabase',
  'other',
];

/** The server's filter at `nowMs`. One app goes as `appName` too, which every server understands. */
export function toRunFilter(spec: RunFilterSpec, nowMs: number): RunFilter {
  // The other fields mean the same in both, so the compacted spec's are the filter's.
  const { appNames = [], time, ...sameFields } = compactSpec(spec);
  const range = timeBounds(time, nowMs);
  return {
    ...sameFields,
    ...(appNames.length === 1 ? { appName: appNames[0]! } : appNames.length > 1 ? { appNames } : {}),
    ...(range.sinceMs !== undefined ? { sinceMs: range.sinceMs } : {}),
    ...(range.untilMs !== undefined ? { untilMs: range.untilMs } : {}),
  };
}

export function timeBounds(time: TimeRange | undefined, nowMs: number): { sinceMs?: number; untilMs?: number } {
  if (time === undefined) return {};
  if (time.kind === 'last') return { sinceMs: nowMs - timePresetMs[time.preset] };
  return { ...(time.sinceMs !== undefined ? { sinceMs: time.sinceMs } : {}), ...(time.untilMs !== undefined ? { untilMs: time.untilMs } : {}) };
}

export function isEmptySpec(spec: RunFilterSpec): boolean {
  return Object.keys(toRunFilter(spec, 0)).length === 0;
}

/** Drops empty fields, so equal filters compare and store equally. */
export function compactSpec(spec: RunFilterSpec): RunFilterSpec {
  return {
    ...(nonEmpty(spec.status) ? { status: spec.status } : {}),
    ...(spec.hiddenErrors === true ? { hiddenErrors: true } : {}),
    ...(spec.slow === true ? { slow: true } : {}),
    ...(nonEmpty(spec.appNames) ? { appNames: spec.appNames } : {}),
    ...(nonEmpty(spec.kinds) ? { kinds: spec.kinds } : {}),
    ...(spec.time !== undefined && (spec.time.kind === 'last' || spec.time.sinceMs !== undefined || spec.time.untilMs !== undefined) ? { time: spec.time } : {}),
    ...(spec.text !== undefined && spec.text.trim() !== '' ? { text: spec.text.trim() } : {}),
    ...(nonEmpty(spec.errorKinds) ? { errorKinds: spec.errorKinds } : {}),
    ...(nonEmpty(spec.nodeTypes) ? { nodeTypes: spec.nodeTypes } : {}),
    ...(nonEmpty(spec.plugins) ? { plugins: spec.plugins } : {}),
    ...(spec.minDurationUs !== undefined && spec.minDurationUs > 0 ? { minDurationUs: spec.minDurationUs } : {}),
    ...(spec.minTokens !== undefined && spec.minTokens > 0 ? { minTokens: spec.minTokens } : {}),
    ...(spec.conversationId !== undefined && spec.conversationId !== '' ? { conversationId: spec.conversationId } : {}),
  };
}

/**
 * A filter read back from storage (workspace state, older versions of this extension): every
 * field checked, unknown values dropped; undefined when nothing usable is left of an object.
 */
export function readSpec(value: unknown): RunFilterSpec | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const spec: RunFilterSpec = {
    ...optional('status', oneOfList(v['status'], runStatuses)),
    ...optional('hiddenErrors', v['hiddenErrors'] === true ? true : undefined),
    ...optional('slow', v['slow'] === true ? true : undefined),
    ...optional('appNames', stringList(v['appNames'])),
    ...optional('kinds', oneOfList(v['kinds'], runKinds)),
    ...optional('time', readTime(v['time'])),
    ...optional('text', typeof v['text'] === 'string' ? v['text'].slice(0, 500) : undefined),
    ...optional('errorKinds', oneOfList(v['errorKinds'], errorKinds)),
    ...optional('nodeTypes', stringList(v['nodeTypes'])),
    ...optional('plugins', stringList(v['plugins'])),
    ...optional('minDurationUs', nonNegative(v['minDurationUs'])),
    ...optional('minTokens', nonNegative(v['minTokens'])),
    ...optional('conversationId', typeof v['conversationId'] === 'string' ? v['conversationId'].slice(0, 200) : undefined),
  };
  return compactSpec(spec);
}

function readTime(value: unknown): TimeRange | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const t = value as Record<string, unknown>;
  if (t['kind'] === 'last') return timePresets.includes(t['preset'] as TimePreset) ? { kind: 'last', preset: t['preset'] as TimePreset } : undefined;
  if (t['kind'] !== 'between') return undefined;
  const sinceMs = nonNegative(t['sinceMs']);
  const untilMs = nonNegative(t['untilMs']);
  if (sinceMs === undefined && untilMs === undefined) return undefined;
  return { kind: 'between', ...optional('sinceMs', sinceMs), ...optional('untilMs', untilMs) };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function nonEmpty<T>(list: readonly T[] | undefined): list is readonly T[] {
  return list !== undefined && list.length > 0;
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const list = value.filter((s): s is string => typeof s === 'string' && s !== '').slice(0, 100);
  return list.length > 0 ? list : undefined;
}

function oneOfList<T extends string>(value: unknown, allowed: readonly T[]): T[] | undefined {
  const list = stringList(value)?.filter((s): s is T => (allowed as readonly string[]).includes(s));
  return list !== undefined && list.length > 0 ? list : undefined;
}

function nonNegative(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
