/**
 * The palette lookup's recent entries (in `globalState`, so they follow the user across
 * workspaces): what was looked up and what it found. Pure.
 */

export interface RecentLookup {
  /** The id or URL as looked up. */
  readonly text: string;
  /** What it found, in words: "Travel Assistant · workflow · failed", "3 runs of a conversation", "not found". */
  readonly found: string;
  readonly atMs: number;
}

export const recentLookupsKey = 'difyTrace.recentLookups';
export const maxRecentLookups = 10;
const maxTextLength = 2000;

export function readRecentLookups(value: unknown): RecentLookup[] {
  if (!Array.isArray(value)) return [];
  const list: RecentLookup[] = [];
  for (const entry of value.slice(0, maxRecentLookups) as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { text, found, atMs } = entry as Record<string, unknown>;
    if (typeof text !== 'string' || text.trim() === '' || text.length > maxTextLength) continue;
    if (typeof found !== 'string' || typeof atMs !== 'number' || !Number.isFinite(atMs)) continue;
    if (list.some((r) => r.text === text)) continue;
    list.push({ text, found: found.slice(0, 200), atMs });
  }
  return list;
}

/** The entry first, an older entry for the same text dropped, at most `maxRecentLookups`. */
export function rememberLookup(list: readonly RecentLookup[], entry: RecentLookup): RecentLookup[] {
  if (entry.text.length > maxTextLength) return [...list];
  return [entry, ...list.filter((r) => r.text !== entry.text)].slice(0, maxRecentLookups);
}

export function forgetLookup(list: readonly RecentLookup[], text: string): RecentLookup[] {
  return list.filter((r) => r.text !== text);
}

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function ageText(atMs: number, nowMs: number): string {
  const minutes = Math.floor((nowMs - atMs) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}
