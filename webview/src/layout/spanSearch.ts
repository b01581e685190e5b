import { spanKey, type SpanKey } from '../../../src/model/buildTrace';
import type { AttributeValue, Span } from '../../../src/model/span';

export interface SpanQuery {
  /** Case-insensitive substring of the span name, an attribute key or an attribute value. */
  readonly text: string;
  readonly errorsOnly: boolean;
  /** Spans shorter than this do not match; undefined or 0 for no limit. */
  readonly minDurationUs?: number | undefined;
}

/** True when the query asks for nothing, so no span is highlighted as a match. */
export function isEmptyQuery(query: SpanQuery): boolean {
  return query.text.trim() === '' && !query.errorsOnly && !(query.minDurationUs !== undefined && query.minDurationUs > 0);
}

function valueContains(value: AttributeValue, needle: string): boolean {
  if (value === null) return 'null'.includes(needle);
  if (typeof value === 'string') return value.toLowerCase().includes(needle);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).toLowerCase().includes(needle);
  if (Array.isArray(value)) return value.some((v: AttributeValue) => valueContains(v, needle));
  return Object.entries(value).some(([k, v]) => k.toLowerCase().includes(needle) || valueContains(v, needle));
}

function spanMatches(span: Span, needle: string, query: SpanQuery): boolean {
  if (query.errorsOnly && span.status.code !== 'error') return false;
  if (query.minDurationUs !== undefined && query.minDurationUs > 0 && span.endUs - span.startUs < query.minDurationUs) return false;
  if (needle === '') return true;
  if (span.name.toLowerCase().includes(needle)) return true;
  for (const [k, v] of Object.entries(span.attributes)) {
    if (k.toLowerCase().includes(needle) || valueContains(v, needle)) return true;
  }
  return false;
}

/**
 * Pure: the keys of the spans matching a query, in the order given (the tree's depth-first display
 * order). An empty query matches nothing. O(n · attributes).
 */
export function searchSpans(spans: readonly Span[], query: SpanQuery): SpanKey[] {
  if (isEmptyQuery(query)) return [];
  const needle = query.text.trim().toLowerCase();
  const keys: SpanKey[] = [];
  for (const span of spans) if (spanMatches(span, needle, query)) keys.push(spanKey(span));
  return keys;
}

/** Parses the min-duration field (milliseconds, decimals allowed) into microseconds; blank or bad input is no limit. */
export function parseMinDurationMs(text: string): number | undefined {
  const n = Number(text.trim());
  return text.trim() === '' || !Number.isFinite(n) || n <= 0 ? undefined : Math.round(n * 1000);
}
