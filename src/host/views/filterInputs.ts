/**
 * What the filter's input boxes accept: an absolute time range, a minimum duration and a minimum
 * token count. Pure; each parser returns the value or the sentence to show under the input.
 */

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

export const timeRangeHint = 'Local time: "2026-03-02 09:00" (since), "2026-03-02 09:00 .. 2026-03-02 12:00", ".. 2026-03-02" (until), or "14:30" for today.';

/**
 * `since`, `since .. until` or `.. until`; each bound a date, a date and time (local, or ISO with
 * a zone) or a time of day today. A date alone as the upper bound means the end of that day.
 */
export function parseTimeRange(input: string, nowMs: number): Parsed<{ sinceMs?: number; untilMs?: number }> {
  const text = input.trim();
  if (text === '') return fail(timeRangeHint);
  const parts = text.split(/\s*(?:\.\.|–|—|\bto\b)\s*/);
  if (parts.length > 2) return fail(`Use one "..". ${timeRangeHint}`);
  const [sinceText = '', untilText] = parts;
  const since = sinceText === '' ? undefined : parseInstant(sinceText, nowMs, 'start');
  const until = untilText === undefined || untilText === '' ? undefined : parseInstant(untilText, nowMs, 'end');
  if (since === null) return fail(`"${sinceText}" is not a date or time. ${timeRangeHint}`);
  if (until === null) return fail(`"${untilText ?? ''}" is not a date or time. ${timeRangeHint}`);
  if (since === undefined && until === undefined) return fail(timeRangeHint);
  if (since !== undefined && until !== undefined && since >= until) return fail('The start must be before the end.');
  return ok({ ...(since !== undefined ? { sinceMs: since } : {}), ...(until !== undefined ? { untilMs: until } : {}) });
}

/** Epoch ms; null when not understood. */
function parseInstant(text: string, nowMs: number, bound: 'start' | 'end'): number | null {
  const t = text.trim();
  const timeOfDay = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (timeOfDay) {
    const [h, m, s] = [Number(timeOfDay[1]), Number(timeOfDay[2]), Number(timeOfDay[3] ?? 0)];
    if (h > 23 || m > 59 || s > 59) return null;
    const d = new Date(nowMs);
    d.setHours(h, m, s, 0);
    return d.getTime();
  }
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (local) {
    const [y, mo, d] = [Number(local[1]), Number(local[2]), Number(local[3])];
    const hasTime = local[4] !== undefined;
    const [h, mi, s] = hasTime ? [Number(local[4]), Number(local[5]), Number(local[6] ?? 0)] : [0, 0, 0];
    const date = new Date(y, mo - 1, d, h, mi, s, 0);
    // Rejects 2026-02-30 and 25:00, which Date would roll over.
    if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d || date.getHours() !== h || date.getMinutes() !== mi) return null;
    if (!hasTime && bound === 'end') date.setDate(date.getDate() + 1);
    return date.getTime();
  }
  // ISO 8601 with a zone (copied from a log line).
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i.test(t)) {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/** `2026-03-02 09:00`, local time: what `parseTimeRange` reads back. */
export function formatLocalTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function formatTimeRangeInput(range: { sinceMs?: number; untilMs?: number }): string {
  const since = range.sinceMs === undefined ? '' : formatLocalTime(range.sinceMs);
  return range.untilMs === undefined ? since : `${since}${since === '' ? '' : ' '}.. ${formatLocalTime(range.untilMs)}`;
}

const durationUnits: Readonly<Record<string, number>> = { us: 1, µs: 1, ms: 1_000, s: 1_000_000, sec: 1_000_000, m: 60_000_000, min: 60_000_000, h: 3_600_000_000 };

export const durationHint = 'A duration such as "2s", "500ms", "1.5 min" or "1m30s"; a number alone is seconds.';

/** Microseconds. */
export function parseDuration(input: string): Parsed<number> {
  const text = input.trim().toLowerCase();
  if (/^\d+(?:\.\d+)?$/.test(text)) return ok(Math.round(Number(text) * 1_000_000));
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)\s*(µs|us|ms|sec|min|s|m|h)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed.replace(/\s/g, '') !== text.replace(/\s/g, '')) return fail(durationHint);
  const us = parts.reduce((sum, p) => sum + Number(p[1]) * durationUnits[p[2]!]!, 0);
  return ok(Math.round(us));
}

/** Whole units where they fit: `2s`, `500ms`, `1m30s`; read back by `parseDuration`. */
export function formatDurationInput(us: number): string {
  if (us % 60_000_000 === 0) return `${us / 60_000_000}m`;
  if (us >= 60_000_000 && us % 1_000_000 === 0) return `${Math.floor(us / 60_000_000)}m${(us % 60_000_000) / 1_000_000}s`;
  if (us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us % 1_000 === 0) return `${us / 1_000}ms`;
  return `${us}us`;
}

export const tokensHint = 'A number of tokens such as "2000", "2,000" or "2k".';

export function parseTokens(input: string): Parsed<number> {
  const text = input.trim().toLowerCase().replace(/[,_\s]/g, '');
  const m = /^(\d+(?:\.\d+)?)(k|m)?$/.exec(text);
  if (!m) return fail(tokensHint);
  const n = Number(m[1]) * (m[2] === 'k' ? 1_000 : m[2] === 'm' ? 1_000_000 : 1);
  return Number.isInteger(n) ? ok(n) : fail(tokensHint);
}
