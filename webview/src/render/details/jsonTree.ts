/**
 * JSON values as a collapsible tree of `<details>` elements: the top level open, deeper levels
 * closed and rendered only when first opened, so a 10k-entry output costs nothing until asked for.
 * Objects and arrays show their first `jsonPageSize` entries, the rest behind "Show more". Keys
 * and values are sender-controlled: text only. A string leaf that is itself JSON (Dify nests JSON
 * in strings) opens as a tree too.
 */
import type { AttributeValue } from '../../../../src/model/span';
import { jsonContainerOf, jsonEntries, jsonLeafText, jsonPageSize, jsonSize, jsonSummary, type JsonContainer } from '../../../../src/shared/jsonValue';
import type { Sel } from '../longText';

const leafLimit = 2_000;

function leaf(parent: Sel, value: AttributeValue): void {
  const type = value === null ? 'null' : typeof value;
  const text = jsonLeafText(value);
  const span = parent.append('span').attr('class', `json-value json-${type}`).text(text.length > leafLimit ? `${text.slice(0, leafLimit)}…` : text);
  if (text.length > leafLimit) {
    const button = parent.append('button').attr('type', 'button').attr('class', 'link-button inline').text(`Show all (${text.length.toLocaleString('en-US')} characters)`);
    button.on('click', () => {
      span.text(text);
      button.remove();
    });
  }
}

function renderEntries(list: Sel, container: JsonContainer, from: number): void {
  const total = jsonSize(container);
  const count = Math.max(jsonPageSize, from);
  for (const [key, value] of jsonEntries(container, from, count)) {
    const item = list.append('li').attr('class', 'json-entry') as unknown as Sel;
    const nested = typeof value === 'object' && value !== null ? value : typeof value === 'string' && value.length > 1 ? jsonContainerOf(value) : undefined;
    if (nested) {
      jsonNode(item, nested, key, false, typeof value === 'string');
    } else {
      item.append('span').attr('class', 'json-key').text(key);
      item.append('span').attr('class', 'json-colon').text(': ');
      leaf(item, value);
    }
  }
  const shown = from + count;
  if (shown < total) {
    const next = Math.min(total - shown, Math.max(jsonPageSize, shown));
    const more = list.append('li').attr('class', 'json-more') as unknown as Sel;
    more
      .append('button')
      .attr('type', 'button')
      .attr('class', 'link-button inline')
      .text(next === total - shown ? `Show the other ${next.toLocaleString('en-US')}` : `Show ${next.toLocaleString('en-US')} more (${(total - shown).toLocaleString('en-US')} left)`)
      .on('click', () => {
        more.remove();
        renderEntries(list, container, shown);
      });
  }
}

/** One collapsible object or array; its entries are rendered when it is first opened. */
export function jsonNode(parent: Sel, container: JsonContainer, label: string, open: boolean, fromString = false): void {
  const details = parent.append('details').attr('class', 'json-node') as unknown as Sel;
  const summary = details.append('summary');
  if (label !== '') {
    summary.append('span').attr('class', 'json-key').text(label);
    summary.append('span').attr('class', 'json-colon').text(': ');
  }
  summary.append('span').attr('class', 'json-summary').text(`${jsonSummary(container)}${fromString ? ' (JSON text)' : ''}`);
  let rendered = false;
  const render = (): void => {
    if (rendered) return;
    rendered = true;
    renderEntries(details.append('ul').attr('class', 'json-entries') as unknown as Sel, container, 0);
  };
  details.on('toggle', () => {
    if ((details.node() as HTMLDetailsElement).open) render();
  });
  if (open) {
    details.property('open', true);
    render();
  }
}

/** A JSON value as a tree with its top level open. */
export function jsonTree(parent: Sel, container: JsonContainer): void {
  const root = parent.append('div').attr('class', 'json-tree') as unknown as Sel;
  jsonNode(root, container, '', true);
}
