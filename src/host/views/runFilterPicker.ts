import * as vscode from 'vscode';
import type { RunFacets } from '../../shared/runSummary';
import { durationHint, formatDurationInput, formatTimeRangeInput, parseDuration, parseTimeRange, parseTokens, timeRangeHint, tokensHint, type Parsed } from './filterInputs';
import { filterPickEntries, keepOneTimeChoice, optionKey, specFromPicks, type FilterOption, type InputField } from './runFilterPicks';
import { timeBounds, type RunFilterSpec } from './runFilterSpec';

interface OptionItem extends vscode.QuickPickItem {
  readonly option?: FilterOption;
}

type PickResult = { readonly kind: 'accept'; readonly picked: readonly FilterOption[] } | { readonly kind: 'edit'; readonly input: InputField } | { readonly kind: 'clear' };

const editButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('edit'), tooltip: 'Change the value' };
const clearButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('clear-all'), tooltip: 'Clear Filter' };

/**
 * "Filter Runs…": one multi-select quick pick in sections, choices with run counts; then an input
 * box for each newly picked value (keyword, custom time range, minimum duration, minimum tokens).
 * Resolves to the new filter, or undefined when cancelled.
 */
export async function pickRunFilter(current: RunFilterSpec, facets: Promise<RunFacets>): Promise<RunFilterSpec | undefined> {
  let spec = current;
  for (;;) {
    const result = await showFilterPick(spec, facets);
    if (result === undefined) return undefined;
    if (result.kind === 'clear') return {};
    if (result.kind === 'edit') {
      spec = (await askFilterInput(result.input, spec)) ?? spec;
      continue;
    }
    const outcome = specFromPicks(spec, result.picked);
    let next = outcome.spec;
    for (const input of outcome.ask) {
      const answered = await askFilterInput(input, next);
      if (answered === undefined) return undefined;
      next = answered;
    }
    return next;
  }
}

async function showFilterPick(spec: RunFilterSpec, facets: Promise<RunFacets>): Promise<PickResult | undefined> {
  const pick = vscode.window.createQuickPick<OptionItem>();
  pick.title = 'Filter Runs';
  pick.placeholder = 'Pick what the runs must match (Space toggles, Enter applies; type to narrow the list)';
  pick.canSelectMany = true;
  pick.matchOnDescription = true;
  pick.ignoreFocusOut = true;
  pick.buttons = [clearButton];
  pick.busy = true;
  pick.show();
  const disposables: vscode.Disposable[] = [];
  try {
    let counts: RunFacets;
    try {
      counts = await facets;
    } finally {
      pick.busy = false;
    }
    const entries = filterPickEntries(counts, spec);
    const items = entries.map((entry): OptionItem =>
      entry.type === 'separator'
        ? { label: entry.label, kind: vscode.QuickPickItemKind.Separator }
        : { label: entry.label, ...(entry.description === undefined ? {} : { description: entry.description }), option: entry.option, ...(entry.editable ? { buttons: [editButton] } : {}) },
    );
    const pickedKeys = new Set(entries.flatMap((e) => (e.type === 'option' && e.picked ? [optionKey(e.option)] : [])));
    pick.items = items;
    pick.selectedItems = items.filter((i) => i.option !== undefined && pickedKeys.has(optionKey(i.option)));
    pick.title = `Filter Runs (${counts.total.toLocaleString()} runs in memory)`;
    let selection = pick.selectedItems.flatMap((i) => (i.option ? [i.option] : []));
    return await new Promise<PickResult | undefined>((resolve) => {
      disposables.push(
        pick.onDidChangeSelection((selected) => {
          const after = selected.flatMap((i) => (i.option ? [i.option] : []));
          const kept = keepOneTimeChoice(selection, after);
          selection = kept;
          if (kept.length !== after.length) {
            const keys = new Set(kept.map(optionKey));
            pick.selectedItems = items.filter((i) => i.option !== undefined && keys.has(optionKey(i.option)));
          }
        }),
        pick.onDidTriggerButton((button) => {
          if (button === clearButton) resolve({ kind: 'clear' });
        }),
        pick.onDidTriggerItemButton(({ item }) => {
          if (item.option?.field === 'input') resolve({ kind: 'edit', input: item.option.input });
        }),
        pick.onDidAccept(() => resolve({ kind: 'accept', picked: selection })),
        pick.onDidHide(() => resolve(undefined)),
      );
    });
  } finally {
    for (const d of disposables) d.dispose();
    pick.dispose();
  }
}

/** Asks for one value of the filter; an empty answer clears it. Undefined when cancelled. */
export async function askFilterInput(input: InputField, spec: RunFilterSpec): Promise<RunFilterSpec | undefined> {
  switch (input) {
    case 'text': {
      const answer = await vscode.window.showInputBox({
        title: 'Search Runs',
        prompt: 'Runs whose ids, error, span names, attribute values (node inputs and outputs, LLM prompts and completions) or log records contain this text, ignoring case. Empty clears the keyword.',
        placeHolder: 'e.g. timeout, max_temp_c, a user id',
        value: spec.text ?? '',
        ignoreFocusOut: true,
        validateInput: (value) => (value.length > 500 ? 'Use at most 500 characters.' : undefined),
      });
      if (answer === undefined) return undefined;
      const rest = omit(spec, 'text');
      return answer.trim() === '' ? rest : { ...rest, text: answer.trim() };
    }
    case 'time': {
      const bounds = timeBounds(spec.time, Date.now());
      const answer = await askParsed('Filter Runs: Time Range', timeRangeHint, formatTimeRangeInput(bounds), (v) => parseTimeRange(v, Date.now()));
      if (answer === undefined) return undefined;
      const rest = omit(spec, 'time');
      return answer === null ? rest : { ...rest, time: { kind: 'between', ...answer } };
    }
    case 'minDuration': {
      const answer = await askParsed('Filter Runs: Minimum Duration', `Runs that took at least this long. ${durationHint}`, spec.minDurationUs ? formatDurationInput(spec.minDurationUs) : '', parseDuration);
      if (answer === undefined) return undefined;
      const rest = omit(spec, 'minDurationUs');
      return answer === null ? rest : { ...rest, minDurationUs: answer };
    }
    case 'minTokens': {
      const answer = await askParsed('Filter Runs: Minimum Tokens', `Runs that used at least this many tokens in all. ${tokensHint}`, spec.minTokens ? String(spec.minTokens) : '', parseTokens);
      if (answer === undefined) return undefined;
      const rest = omit(spec, 'minTokens');
      return answer === null ? rest : { ...rest, minTokens: answer };
    }
  }
}

/** The parsed value; null for an empty answer (clears the field); undefined when cancelled. */
async function askParsed<T>(title: string, prompt: string, value: string, parse: (text: string) => Parsed<T>): Promise<T | null | undefined> {
  const answer = await vscode.window.showInputBox({
    title,
    prompt: `${prompt} Empty clears it.`,
    value,
    ignoreFocusOut: true,
    validateInput: (text) => {
      if (text.trim() === '') return undefined;
      const parsed = parse(text);
      return parsed.ok ? undefined : parsed.message;
    },
  });
  if (answer === undefined) return undefined;
  if (answer.trim() === '') return null;
  const parsed = parse(answer);
  return parsed.ok ? parsed.value : undefined;
}

function omit(spec: RunFilterSpec, key: keyof RunFilterSpec): RunFilterSpec {
  const copy: { -readonly [K in keyof RunFilterSpec]?: RunFilterSpec[K] } = { ...spec };
  delete copy[key];
  return copy;
}
