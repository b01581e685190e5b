import type { Selection } from 'd3-selection';
import type { AttributeValue, Attributes } from '../../../src/model/span';
import { jsonContainerOf } from '../../../src/shared/jsonValue';
import { jsonTree } from './details/jsonTree';

export type Sel = Selection<HTMLElement, unknown, null, undefined>;

/** Characters of an attribute value or message shown before "Show all": a screenful, not a wall. */
export const previewChars = 2_000;

/** Longest text rendered at once by default; the rest is behind "Show all" so a 1 MB attribute cannot stall the view. */
export const maxInlineChars = 10_000;

/** Text that may be huge: shown truncated to `limit` characters, with a button that reveals the rest. */
export function longText(parent: Sel, text: string, className: string, limit = maxInlineChars): void {
  const pre = parent.append('pre').attr('class', className).text(text.length > limit ? `${text.slice(0, limit)}…` : text);
  if (text.length > limit) {
    const button = parent.append('button').attr('type', 'button').attr('class', 'link-button').text(`Show all (${text.length.toLocaleString('en-US')} characters)`);
    button.on('click', () => {
      pre.text(text);
      button.remove();
    });
  }
}

/**
 * An attribute value: objects and arrays (structured, or JSON strings below the parse cap) as a
 * collapsible tree, everything else as possibly long text. Never HTML.
 */
export function attributeValue(parent: Sel, value: AttributeValue, className = 'value'): void {
  const container = jsonContainerOf(value);
  if (container) jsonTree(parent, container);
  else longText(parent, typeof value === 'string' ? value : JSON.stringify(value), className, previewChars);
}

/** Attributes sorted by key, each value as a tree or readable (possibly long) text; nothing when there are none. */
export function attributeTable(parent: Sel, attributes: Attributes, caption: string): void {
  const keys = Object.keys(attributes).sort();
  if (keys.length === 0) return;
  const table = parent.append('table').attr('class', 'attributes');
  table.append('caption').text(caption);
  for (const key of keys) {
    const row = table.append('tr');
    row.append('th').attr('scope', 'row').text(key);
    attributeValue(row.append('td') as unknown as Sel, attributes[key] ?? null);
  }
}
