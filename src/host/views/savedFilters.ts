/** Named filters kept per workspace (in `workspaceState`). Pure: the list and its edits. */
import { compactSpec, isEmptySpec, readSpec, type RunFilterSpec } from './runFilterSpec';

export interface SavedFilter {
  readonly name: string;
  readonly spec: RunFilterSpec;
}

export const savedFiltersKey = 'difyTrace.savedFilters';
const maxSaved = 50;
const maxNameLength = 80;

/** The stored list, every entry checked; entries that are not a name and a usable filter are dropped. */
export function readSavedFilters(value: unknown): SavedFilter[] {
  if (!Array.isArray(value)) return [];
  const list: SavedFilter[] = [];
  for (const entry of value.slice(0, maxSaved) as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { name, spec } = entry as { name?: unknown; spec?: unknown };
    const read = readSpec(spec);
    if (typeof name !== 'string' || name.trim() === '' || read === undefined || isEmptySpec(read)) continue;
    if (list.some((s) => sameName(s.name, name))) continue;
    list.push({ name: name.trim().slice(0, maxNameLength), spec: read });
  }
  return list;
}

/** Adds the filter, replacing one of the same name (names compare case-insensitively); sorted by name. */
export function withSavedFilter(list: readonly SavedFilter[], name: string, spec: RunFilterSpec): SavedFilter[] {
  const entry = { name: name.trim(), spec: compactSpec(spec) };
  return [...list.filter((s) => !sameName(s.name, name)), entry].sort((a, b) => a.name.localeCompare(b.name)).slice(0, maxSaved);
}

export function withoutSavedFilter(list: readonly SavedFilter[], name: string): SavedFilter[] {
  return list.filter((s) => !sameName(s.name, name));
}

export function findSavedFilter(list: readonly SavedFilter[], name: string): SavedFilter | undefined {
  return list.find((s) => sameName(s.name, name));
}

/** The message for the name input box, or undefined when the name is fine. */
export function validateFilterName(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return 'Enter a name for the filter.';
  if (trimmed.length > maxNameLength) return `Use at most ${maxNameLength} characters.`;
  return undefined;
}

function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
