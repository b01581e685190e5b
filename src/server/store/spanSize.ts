import type { AttributeValue, Attributes, Span } from '../../model/span';

/** Bytes a JavaScript object, array or number costs beyond its strings (V8: header, pointers). */
const objectCost = 64;
const valueCost = 16;

/**
 * About how many bytes a span holds in the trace server's memory: its strings at two bytes a
 * character (V8 keeps non-Latin-1 text that way, and the bound must hold for CJK prompts too) plus
 * a fixed cost per object and value. The resource is shared by the spans of a request, so it is not
 * counted per span. An estimate for the store's bound, not a measurement: tested against the heap.
 */
export function approximateSpanBytes(span: Span): number {
  let bytes = 4 * objectCost + 2 * (span.traceId.length + span.spanId.length + (span.parentSpanId?.length ?? 0) + span.name.length + span.scopeName.length + (span.status.message?.length ?? 0));
  bytes += attributesBytes(span.attributes);
  for (const event of span.events) bytes += objectCost + 2 * event.name.length + attributesBytes(event.attributes);
  for (const link of span.links) bytes += objectCost + 2 * (link.traceId.length + (link.spanId?.length ?? 0)) + attributesBytes(link.attributes);
  return bytes;
}

function attributesBytes(attributes: Attributes): number {
  let bytes = objectCost;
  for (const key in attributes) bytes += valueCost + 2 * key.length + valueBytes(attributes[key]!);
  return bytes;
}

/** Iterative over nested arrays and maps: a value nested a thousand deep must not overflow the stack here. */
function valueBytes(root: AttributeValue): number {
  let bytes = 0;
  const stack: AttributeValue[] = [root];
  while (stack.length > 0) {
    const value = stack.pop()!;
    if (typeof value === 'string') bytes += valueCost + 2 * value.length;
    else if (value === null || typeof value !== 'object') bytes += valueCost;
    else if (Array.isArray(value)) {
      bytes += objectCost;
      for (const item of value as readonly AttributeValue[]) stack.push(item);
    } else {
      bytes += objectCost;
      for (const [key, item] of Object.entries(value)) {
        bytes += 2 * key.length;
        stack.push(item);
      }
    }
  }
  return bytes;
}
