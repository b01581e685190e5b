/**
 * The "Filter Runs…" quick pick as data: one multi-select list in sections (status, app, run kind,
 * time range, keyword, error type, node type, plugin, min duration, min tokens), each choice with
 * its run count from the server's facets, and the filter that the picked choices stand for.
 * Pure; runFilterPicker.ts turns it into a vscode QuickPick.
 */
import { errorKindLabel, type ErrorKind } from '../../shared/errorKind';
import type { FacetCount, RunFacets, RunKind, RunStatus } from '../../shared/runSummary';
import { formatDuration } from '../../model/units';
import { compactSpec, timePresetLabel, timePresets, type RunFilterSpec, type TimePreset } from './runFilterSpec';
import { hiddenErrorsWords, kindWords, slowWords, statusWords, timeRangeWords } from './runFilterText';

/** A value typed into an input box after the pick. */
export type InputField = 'text' | 'time' | 'minDuration' | 'minTokens';

export type FilterOption =
  | { readonly field: 'status'; readonly value: RunStatus }
  | { readonly field: 'hiddenErrors' }
  | { readonly field: 'slow' }
  | { readonly field: 'app'; readonly value: string }
  | { readonly field: 'kind'; readonly value: RunKind }
  | { readonly field: 'preset'; readonly value: TimePreset }
  | { readonly field: 'errorKind'; readonly value: ErrorKind }
  | { readonly field: 'nodeType'; readonly value: string }
  | { readonly field: 'plugin'; readonly value: string }
  | { readonly field: 'conversation' }
  | { readonly field: 'input'; readonly input: InputField };

export type PickEntry =
  | { readonly type: 'separator'; readonly label: string }
  | {
      readonly type: 'option';
      readonly option: FilterOption;
      readonly label: string;
      readonly description?: string;
      readonly picked: boolean;
      /** Whether the entry shows an "edit value" button (inputs that have a value). */
      readonly editable?: boolean;
    };

const inputLabels: Readonly<Record<InputField, string>> = {
  text: 'Keyword…',
  time: 'Custom time range…',
  minDuration: 'Minimum duration…',
  minTokens: 'Minimum tokens…',
};

/**
 * The entries for `facets`, with the choices of `spec` picked. Values in the filter that the
 * store no longer has (a saved filter's app with no runs now) are listed with 0 so they can be
 * unpicked.
 */
export function filterPickEntries(facets: RunFacets, spec: RunFilterSpec): PickEntry[] {
  const entries: PickEntry[] = [];
  const section = <T extends string>(label: string, counts: readonly FacetCount<T>[], chosen: readonly T[] | undefined, option: (value: T) => FilterOption, words: (value: T) => string) => {
    const all = withChosen(counts, chosen ?? []);
    if (all.length === 0) return;
    entries.push({ type: 'separator', label });
    for (const { value, count } of all) {
      entries.push({ type: 'option', option: option(value), label: words(value), description: runCount(count), picked: (chosen ?? []).includes(value) });
    }
  };
  section('Status', facets.statuses, spec.status, (value) => ({ field: 'status', value }), (v) => statusWords[v]);
  if (facets.hiddenErrors > 0 || spec.hiddenErrors === true) {
    entries.push({ type: 'option', option: { field: 'hiddenErrors' }, label: hiddenErrorsWords, description: runCount(facets.hiddenErrors), picked: spec.hiddenErrors === true });
  }
  // No count: slowness is per app over the time range, and the facets are not.
  entries.push({ type: 'option', option: { field: 'slow' }, label: slowWords, description: 'over the time range, else the last 24 hours', picked: spec.slow === true });
  section('App', facets.apps, spec.appNames, (value) => ({ field: 'app', value }), (v) => v);
  section('Run kind', facets.kinds, spec.kinds, (value) => ({ field: 'kind', value }), (v) => kindWords[v]);

  entries.push({ type: 'separator', label: 'Time range (one)' });
  for (const preset of timePresets) {
    const picked = spec.time?.kind === 'last' && spec.time.preset === preset;
    entries.push({ type: 'option', option: { field: 'preset', value: preset }, label: capitalise(timePresetLabel[preset]), picked });
  }
  entries.push(inputEntry('time', spec.time?.kind === 'between' ? timeRangeWords(spec.time) : undefined));

  entries.push({ type: 'separator', label: 'Keyword' });
  entries.push(inputEntry('text', spec.text ? `“${spec.text}” in ids, errors, span names, attributes, prompts, outputs and logs` : 'in ids, errors, span names, attributes, prompts, outputs and logs', spec.text !== undefined));

  section('Error type', facets.errorKinds, spec.errorKinds, (value) => ({ field: 'errorKind', value }), (v) => errorKindLabel[v]);
  section('Node type', facets.nodeTypes, spec.nodeTypes, (value) => ({ field: 'nodeType', value }), (v) => v);
  section('Plugin', facets.plugins, spec.plugins, (value) => ({ field: 'plugin', value }), (v) => v);

  entries.push({ type: 'separator', label: 'Size' });
  entries.push(inputEntry('minDuration', spec.minDurationUs ? `≥ ${formatDuration(spec.minDurationUs)}` : undefined));
  entries.push(inputEntry('minTokens', spec.minTokens ? `≥ ${spec.minTokens.toLocaleString('en-US')} tokens` : undefined));

  if (spec.conversationId) {
    entries.push({ type: 'separator', label: 'Conversation' });
    entries.push({ type: 'option', option: { field: 'conversation' }, label: spec.conversationId, picked: true });
  }
  return entries;
}

function inputEntry(input: InputField, description: string | undefined, hasValue = description !== undefined): PickEntry {
  return { type: 'option', option: { field: 'input', input }, label: inputLabels[input], ...(description === undefined ? {} : { description }), picked: hasValue, editable: hasValue };
}

function withChosen<T extends string>(counts: readonly FacetCount<T>[], chosen: readonly T[]): FacetCount<T>[] {
  const missing = chosen.filter((value) => !counts.some((c) => c.value === value)).map((value) => ({ value, count: 0 }));
  return [...counts, ...missing];
}

function runCount(n: number): string {
  return `${n.toLocaleString('en-US')} run${n === 1 ? '' : 's'}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export interface PickOutcome {
  /** The filter with every list-valued field set from the picks; unpicked inputs cleared. */
  readonly spec: RunFilterSpec;
  /** Inputs picked that have no value yet: ask for them, in this order. */
  readonly ask: readonly InputField[];
}

/** The filter the picked options stand for, given the filter the pick was opened with. */
export function specFromPicks(previous: RunFilterSpec, picked: readonly FilterOption[]): PickOutcome {
  const values = (field: FilterOption['field']): string[] => picked.flatMap((o) => (o.field === field && 'value' in o ? [o.value] : []));
  const inputs = new Set(picked.flatMap((o) => (o.field === 'input' ? [o.input] : [])));
  const preset = values('preset').at(-1) as TimePreset | undefined;
  const hadCustomTime = previous.time?.kind === 'between';
  const time = preset !== undefined ? { kind: 'last' as const, preset } : inputs.has('time') && hadCustomTime ? previous.time : undefined;
  const spec = compactSpec({
    status: values('status') as RunStatus[],
    ...(picked.some((o) => o.field === 'hiddenErrors') ? { hiddenErrors: true } : {}),
    ...(picked.some((o) => o.field === 'slow') ? { slow: true } : {}),
    appNames: values('app'),
    kinds: values('kind') as RunKind[],
    ...(time ? { time } : {}),
    ...(inputs.has('text') && previous.text !== undefined ? { text: previous.text } : {}),
    errorKinds: values('errorKind') as ErrorKind[],
    nodeTypes: values('nodeType'),
    plugins: values('plugin'),
    ...(inputs.has('minDuration') && previous.minDurationUs !== undefined ? { minDurationUs: previous.minDurationUs } : {}),
    ...(inputs.has('minTokens') && previous.minTokens !== undefined ? { minTokens: previous.minTokens } : {}),
    ...(picked.some((o) => o.field === 'conversation') && previous.conversationId !== undefined ? { conversationId: previous.conversationId } : {}),
  });
  const ask: InputField[] = [];
  if (inputs.has('time') && preset === undefined && !hadCustomTime) ask.push('time');
  if (inputs.has('text') && spec.text === undefined) ask.push('text');
  if (inputs.has('minDuration') && spec.minDurationUs === undefined) ask.push('minDuration');
  if (inputs.has('minTokens') && spec.minTokens === undefined) ask.push('minTokens');
  return { spec, ask };
}

/**
 * The time range is one choice: when the user picks a preset or "Custom…", the other time entries
 * are unpicked. Returns the options to keep picked given the previous and the new selection.
 */
export function keepOneTimeChoice(before: readonly FilterOption[], after: readonly FilterOption[]): FilterOption[] {
  const isTime = (o: FilterOption) => o.field === 'preset' || (o.field === 'input' && o.input === 'time');
  const beforeKeys = new Set(before.map(optionKey));
  const added = after.filter((o) => isTime(o) && !beforeKeys.has(optionKey(o)));
  if (added.length === 0) return [...after];
  const keep = optionKey(added.at(-1)!);
  return after.filter((o) => !isTime(o) || optionKey(o) === keep);
}

/** A string that identifies an option, e.g. `status:failed`, `input:text`. */
export function optionKey(o: FilterOption): string {
  if (o.field === 'input') return `input:${o.input}`;
  if (o.field === 'conversation' || o.field === 'hiddenErrors' || o.field === 'slow') return o.field;
  return `${o.field}:${o.value}`;
}

/** Facets computed from a page of runs, for a server that does not answer `difyTrace/runFacets`. */
export function facetsOfRuns(runs: readonly { appName: string; status: RunStatus; kind: RunKind; errorKind?: ErrorKind; failingNode?: { nodeType?: string }; toolCalls?: readonly { pluginId: string }[]; hiddenErrors?: object }[]): RunFacets {
  const count = <T extends string>(values: (T | undefined)[]): FacetCount<T>[] => {
    const m = new Map<T, number>();
    for (const v of values) if (v !== undefined) m.set(v, (m.get(v) ?? 0) + 1);
    return [...m].map(([value, n]) => ({ value, count: n })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
  };
  return {
    total: runs.length,
    apps: count(runs.map((r) => r.appName)),
    statuses: count(runs.map((r) => r.status)),
    kinds: count(runs.map((r) => r.kind)),
    errorKinds: count(runs.map((r) => r.errorKind)),
    hiddenErrors: runs.filter((r) => r.hiddenErrors !== undefined).length,
    nodeTypes: count(runs.map((r) => r.failingNode?.nodeType)),
    plugins: count(runs.flatMap((r) => [...new Set((r.toolCalls ?? []).map((c) => c.pluginId))])),
  };
}
