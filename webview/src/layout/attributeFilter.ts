/**
 * The attribute filter of the details pane: which rows match a query (case-insensitive substring of
 * the key or the value). The searchable text of each row is built once per rendered span, so a
 * keystroke costs one `includes` per row, not a JSON.stringify of every value.
 */
import type { AttributeValue, Attributes } from '../../../src/model/span';

export interface SearchableAttribute {
  readonly key: string;
  readonly value: AttributeValue;
  /** Key and value, lower-cased, for matching. */
  readonly haystack: string;
}

function valueSearchText(value: AttributeValue): string {
  if (typeof value === 'string') return value;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** Attributes sorted by key, each with its lower-cased search text. */
export function searchableAttributes(attributes: Attributes): SearchableAttribute[] {
  return Object.keys(attributes)
    .sort()
    .map((key) => {
      const value = attributes[key] ?? null;
      return { key, value, haystack: `${key}\n${valueSearchText(value)}`.toLowerCase() };
    });
}

/** True when the row matches the query; an empty or blank query matches everything. */
export function attributeMatches(row: SearchableAttribute, query: string): boolean {
  const needle = query.trim().toLowerCase();
  return needle === '' || row.haystack.includes(needle);
}

/** "3 of 14", or "14" when nothing is filtered out. */
export function filterCountText(shown: number, total: number, query: string): string {
  return query.trim() === '' ? `${total.toLocaleString('en-US')}` : `${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`;
}
