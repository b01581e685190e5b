/** Type-ahead in the span tree: the typed prefix resets after this long without a key. */
export const typeAheadResetMs = 500;

export interface TypeAhead {
  readonly prefix: string;
  /** Clock reading (ms) of the last key. */
  readonly at: number;
}

export const emptyTypeAhead: TypeAhead = { prefix: '', at: Number.NEGATIVE_INFINITY };

/** Whether a key event is a printable character for type-ahead (Space stays toggle; not with Ctrl/Alt/Meta). */
export function isTypeAheadKey(event: { readonly key: string; readonly ctrlKey: boolean; readonly altKey: boolean; readonly metaKey: boolean }): boolean {
  return [...event.key].length === 1 && event.key !== ' ' && !event.ctrlKey && !event.altKey && !event.metaKey;
}

/**
 * Pure: whether Space continues a prefix being typed (span names have spaces) rather than toggling:
 * only while a prefix is in progress, within the reset time of its last key.
 */
export function spaceContinuesTypeAhead(state: TypeAhead, now: number): boolean {
  return state.prefix !== '' && now - state.at <= typeAheadResetMs;
}

/** Pure: the prefix after typing `char` at time `now` (the clock is passed in). */
export function typeAheadAdd(state: TypeAhead, char: string, now: number): TypeAhead {
  const fresh = now - state.at > typeAheadResetMs;
  return { prefix: (fresh ? '' : state.prefix) + char, at: now };
}

/**
 * Pure: the index of the row to select for a prefix, or -1. A one-character prefix (or the same
 * character repeated, as in "ddd") moves to the next match after the current row, cycling; a longer
 * prefix keeps the current row if it still matches, else moves to the next one. Case-insensitive.
 */
export function typeAheadMatch(names: readonly string[], prefix: string, current: number): number {
  const count = names.length;
  if (count === 0 || prefix === '') return -1;
  const lower = prefix.toLocaleLowerCase();
  const chars = [...lower];
  const repeated = chars.every((c) => c === chars[0]);
  const needle = repeated ? chars[0]! : lower;
  const from = repeated ? current + 1 : current;
  for (let n = 0; n < count; n++) {
    const i = (((from + n) % count) + count) % count;
    if (names[i]!.toLocaleLowerCase().startsWith(needle)) return i;
  }
  return -1;
}
