/** Pure helpers of the search bar (the search itself runs in the trace server, where the attributes are). */

/** Parses the min-duration field (milliseconds, decimals allowed) into microseconds; blank or bad input is no limit. */
export function parseMinDurationMs(text: string): number | undefined {
  const n = Number(text.trim());
  return text.trim() === '' || !Number.isFinite(n) || n <= 0 ? undefined : Math.round(n * 1000);
}

/** The min-duration field's text for a saved query. */
export function formatMinDurationMs(us: number | undefined): string {
  return us === undefined || us <= 0 ? '' : String(us / 1000);
}
