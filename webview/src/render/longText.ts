import type { Selection } from 'd3-selection';
import type { Attributes } from '../../../src/model/span';
import { maxInlineChars, valueText } from './text';

export type Sel = Selection<HTMLElement, unknown, null, undefined>;

/** Text that may be huge: shown truncated, with a button that reveals the rest. */
export function longText(parent: Sel, text: string, className: string): void {
  const pre = parent.append('pre').attr('class', className).text(text.length > maxInlineChars ? `${text.slice(0, maxInlineChars)}…` : text);
  if (text.length > maxInlineChars) {
    const button = parent.append('button').attr('class', 'link-button').text(`Show all (${text.length.toLocaleString()} characters)`);
    button.on('click', () => {
      pre.text(text);
      button.remove();
    });
  }
}

/** Attributes sorted by key, each value as readable (possibly long) text; nothing when there are none. */
export function attributeTable(parent: Sel, attributes: Attributes, caption: string): void {
  const keys = Object.keys(attributes).sort();
  if (keys.length === 0) return;
  const table = parent.append('table').attr('class', 'attributes');
  table.append('caption').text(caption);
  for (const key of keys) {
    const row = table.append('tr');
    row.append('th').attr('scope', 'row').text(key);
    longText(row.append('td') as unknown as Sel, valueText(attributes[key] ?? null), 'value');
  }
}
