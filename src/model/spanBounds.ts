import type { Span } from './span';

/** The time the spans cover: the earliest start to the latest end (infinite bounds for none). */
export function spanBounds(spans: readonly Span[]): { startUs: number; endUs: number } {
  let startUs = Number.POSITIVE_INFINITY;
  let endUs = Number.NEGATIVE_INFINITY;
  for (const span of spans) {
    startUs = Math.min(startUs, span.startUs);
    endUs = Math.max(endUs, span.endUs);
  }
  return { startUs, endUs };
}
