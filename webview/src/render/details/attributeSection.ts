/**
 * The span's attributes with a filter box above them: rows match on key or value (case-insensitive),
 * a live count says "3 of 14", and each row has a button copying its value (objects as JSON). The
 * query survives selecting another span, like a find box, so the same key can be compared across spans.
 */
import type { Attributes } from '../../../../src/model/span';
import { attributeMatches, filterCountText, searchableAttributes } from '../../layout/attributeFilter';
import { copyTextOf } from '../../../../src/shared/jsonValue';
import { attributeValue, type Sel } from '../longText';

let query = '';
let nextId = 0;

export function attributeSection(parent: Sel, attributes: Attributes, copy: (text: string) => void): void {
  const rows = searchableAttributes(attributes);
  if (rows.length === 0) return;
  const section = parent.append('section').attr('class', 'attributes-section');
  const headingId = `attributes-heading-${nextId++}`;
  section.append('h3').attr('id', headingId).text('Attributes');
  const bar = section.append('div').attr('class', 'attribute-filter').attr('role', 'search').attr('aria-label', 'Attributes');
  const input = bar
    .append('input')
    .attr('type', 'search')
    .attr('placeholder', 'Filter attributes')
    .attr('aria-label', 'Filter attributes by key or value')
    .attr('spellcheck', 'false')
    .property('value', query);
  const count = bar.append('span').attr('class', 'attribute-count').attr('aria-live', 'polite');
  const table = section.append('table').attr('class', 'attributes').attr('aria-labelledby', headingId);
  const empty = table.append('tr').attr('class', 'attribute-empty');
  empty.append('td').attr('colspan', 3).text('No attribute matches the filter.');
  const rendered = rows.map((row) => {
    const tr = table.append('tr');
    tr.append('th').attr('scope', 'row').text(row.key);
    attributeValue(tr.append('td').attr('class', 'attribute-value') as unknown as Sel, row.value);
    tr.append('td')
      .attr('class', 'attribute-copy')
      .append('button')
      .attr('type', 'button')
      .attr('class', 'icon-button codicon codicon-copy')
      .attr('title', `Copy the value of ${row.key}`)
      .attr('aria-label', `Copy the value of ${row.key}`)
      .on('click', () => copy(copyTextOf(row.value)));
    return { row, tr };
  });
  const apply = (): void => {
    let shown = 0;
    for (const { row, tr } of rendered) {
      const match = attributeMatches(row, query);
      tr.property('hidden', !match);
      if (match) shown++;
    }
    empty.property('hidden', shown > 0);
    count.text(`${filterCountText(shown, rows.length, query)} attribute${rows.length === 1 ? '' : 's'}`);
  };
  input.on('input', (event: Event) => {
    query = (event.target as HTMLInputElement).value;
    apply();
  });
  input.on('keydown', (event: KeyboardEvent) => {
    if (event.key === 'Escape' && query !== '') {
      event.stopPropagation();
      query = '';
      input.property('value', '');
      apply();
    }
  });
  apply();
}
