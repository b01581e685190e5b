import type { AttributeValue, Span } from '../../model/span';
import { isEmptyQuery, type SpanQuery } from '../../shared/traceView';
import type { TraceLayout } from './traceLayout';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Case-insensitive substring test without lowering every value (100k spans × a dozen KB-sized values). */
function valueMatches(value: AttributeValue, needle: RegExp): boolean {
  if (value === null) return needle.test('null');
  if (typeof value === 'string') return needle.test(value);
  if (typeof value === 'number' || typeof value === 'boolean') return needle.test(String(value));
  if (Array.isArray(value)) return value.some((v: AttributeValue) => valueMatches(v, needle));
  return Object.entries(value).some(([k, v]) => needle.test(k) || valueMatches(v, needle));
}

function textMatches(span: Span, needle: RegExp): boolean {
  if (needle.test(span.name) || needle.test(span.resource.serviceName)) return true;
  if (span.status.message !== undefined && needle.test(span.status.message)) return true;
  for (const key in span.attributes) {
    if (needle.test(key) || valueMatches(span.attributes[key]!, needle)) return true;
  }
  return span.events.some((e) => needle.test(e.name) || Object.entries(e.attributes).some(([k, v]) => needle.test(k) || valueMatches(v, needle)));
}

/**
 * Depth-first indices of the spans matching a query: a case-insensitive substring of the name,
 * service, status message, or an attribute or event key or value; errors only; a minimum duration;
 * a node type. An empty query matches nothing.
 */
export function searchLayout(layout: TraceLayout, query: SpanQuery): number[] {
  if (isEmptyQuery(query)) return [];
  const text = query.text.trim();
  const needle = text === '' ? undefined : new RegExp(escapeRegExp(text), 'i');
  const minDuration = query.minDurationUs !== undefined && query.minDurationUs > 0 ? query.minDurationUs : 0;
  const nodeType = query.nodeType ? layout.header.nodeTypes.indexOf(query.nodeType) : -1;
  if (query.nodeType && nodeType < 0) return [];
  const { status, durationUs, nodeType: nodeTypes } = layout.columns;
  const indices: number[] = [];
  for (let i = 0; i < layout.spans.length; i++) {
    if (query.errorsOnly && status[i] !== 2) continue;
    if (durationUs[i]! < minDuration) continue;
    if (nodeType >= 0 && nodeTypes[i] !== nodeType) continue;
    if (needle && !textMatches(layout.spans[i]!, needle)) continue;
    indices.push(i);
  }
  return indices;
}
