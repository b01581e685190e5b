import type { AttributeValue } from '../../../src/model/span';

/** Longest text rendered at once; the rest is behind "Show all" so a 1 MB attribute cannot stall the view. */
export const maxInlineChars = 10_000;

/** Attribute values as readable text; JSON strings are pretty-printed. Always rendered with textContent. */
export function valueText(value: AttributeValue): string {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
      try {
        return JSON.stringify(JSON.parse(trimmed), null, 2);
      } catch {
        return value;
      }
    }
    return value;
  }
  return typeof value === 'object' && value !== null ? JSON.stringify(value, null, 2) : String(value);
}
