import type { NodePerformanceReport, WorkflowPerformanceReport } from '../../../src/shared/workflowPerformance';
import { button, el } from './dom';
import { latestFailedRun, runNearest } from './figureRuns';
import { formatDuration, percent, price, splitEntries } from './format';

export interface NodeTableActions {
  readonly selectNode: (identity: string) => void;
  readonly openRun: (runIndex: number) => void;
}

const columns = ['Node', 'Runs', 'p50', 'p95', 'Max', 'Errors', 'Tokens', 'Price', 'Where the time went'] as const;

/**
 * The per-node figures as a real table (what a screen reader reads, and what the keyboard walks):
 * the node's name selects its chart; each figure is a button that opens the run behind it (the run
 * closest to the p50 or p95, the slowest, the latest failure). Arrow keys move between rows.
 */
export function renderNodeTable(report: WorkflowPerformanceReport, selected: string | undefined, actions: NodeTableActions): HTMLTableElement {
  const table = el('table', 'nodes');
  table.createCaption().textContent = `Per node over ${report.runs.length.toLocaleString()} run${report.runs.length === 1 ? '' : 's'}: duration percentiles, failed executions, tokens, price and where the time went. A figure opens the run behind it.`;
  const head = table.createTHead().insertRow();
  for (const name of columns) {
    const th = el('th', undefined, name);
    th.scope = 'col';
    head.append(th);
  }
  const body = table.createTBody();
  for (const node of report.nodes) body.append(nodeRow(node, report, node.identity === selected, actions));
  table.addEventListener('keydown', (event) => moveBetweenRows(event, table));
  return table;
}

function nodeRow(node: NodePerformanceReport, report: WorkflowPerformanceReport, isSelected: boolean, actions: NodeTableActions): HTMLTableRowElement {
  const row = el('tr', isSelected ? 'selected' : undefined);
  row.dataset['identity'] = node.identity;
  const name = el('th');
  name.scope = 'row';
  const select = button(node.title, `Show the runs of ${node.title}`, () => actions.selectNode(node.identity), 'node-name');
  select.setAttribute('aria-pressed', String(isSelected));
  name.append(select);
  if (node.nodeType !== undefined) name.append(el('span', 'node-type', node.nodeType));
  row.append(name);
  // Counts and sums stand for all the node's runs: they show them, in the chart below.
  const showRuns = (text: string, what: string): HTMLTableCellElement => {
    const td = el('td', 'figure');
    td.append(button(text, `${what} of ${node.title}: ${text}; show its runs`, () => actions.selectNode(node.identity)));
    return td;
  };
  row.append(showRuns(String(node.runs), node.executions === node.runs ? 'Runs' : `Runs (${node.executions} executions)`));
  const figure = (us: number, what: string, run: number | undefined): HTMLTableCellElement => {
    const td = el('td', 'figure');
    const label = `${formatDuration(us)}`;
    if (run === undefined) td.textContent = label;
    else td.append(button(label, `${what} of ${node.title}: ${label}; open the run (${formatDuration(report.runs[run]!.durationUs)} in all)`, () => actions.openRun(run)));
    return td;
  };
  row.append(figure(node.durationUs.p50, 'p50', runNearest(node.points, node.durationUs.p50)));
  row.append(figure(node.durationUs.p95, 'p95', runNearest(node.points, node.durationUs.p95)));
  row.append(figure(node.durationUs.max, 'Slowest', runNearest(node.points, node.durationUs.max)));
  const errors = el('td', 'figure');
  const failed = latestFailedRun(node.points);
  const rate = node.errorRate === 0 ? '0%' : percent(node.errorRate);
  if (failed === undefined) errors.textContent = rate;
  else errors.append(button(rate, `${node.title} failed in ${rate} of its executions; open the latest failed run`, () => actions.openRun(failed), 'link failed'));
  row.append(errors);
  row.append(node.tokens === 0 ? cell('—') : showRuns(node.tokens.toLocaleString(), 'Tokens'));
  row.append(node.price === 0 ? cell(price(node.price)) : showRuns(price(node.price), 'Price'));
  row.append(splitCell(node));
  return row;
}

function cell(text: string): HTMLTableCellElement {
  return el('td', 'figure', text);
}

/** A stacked bar of the node's time by share, with the same in words for screen readers and hover. */
function splitCell(node: NodePerformanceReport): HTMLTableCellElement {
  const td = el('td', 'split');
  const entries = splitEntries(node.split);
  const words = entries.map((e) => `${e.label} ${percent(e.fraction)}`).join(', ');
  const bar = el('div', 'split-bar');
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', words || 'no time recorded');
  bar.title = entries.map((e) => `${e.label}: ${formatDuration(e.us)} (${percent(e.fraction)})`).join('\n');
  for (const e of entries) {
    const part = el('span', `share share-${e.share}`);
    part.style.width = `${(e.fraction * 100).toFixed(2)}%`;
    bar.append(part);
  }
  const top = entries.find((e) => e.share !== 'own');
  td.append(bar, el('span', 'split-words', top === undefined ? 'own work' : `${top.label} ${percent(top.fraction)}`));
  return td;
}

/** Up and Down move to the same column of the row above or below; Home and End to the first and last row. */
function moveBetweenRows(event: KeyboardEvent, table: HTMLTableElement): void {
  if (!['ArrowUp', 'ArrowDown', 'Home', 'End'].includes(event.key)) return;
  const target = event.target as HTMLElement | null;
  const cellOf = target?.closest('td, th') as HTMLTableCellElement | null;
  const row = cellOf?.parentElement as HTMLTableRowElement | null;
  if (cellOf === null || row === null || row.parentElement?.tagName !== 'TBODY') return;
  const rows = Array.from(table.tBodies[0]!.rows);
  const at = rows.indexOf(row);
  const next = event.key === 'ArrowUp' ? at - 1 : event.key === 'ArrowDown' ? at + 1 : event.key === 'Home' ? 0 : rows.length - 1;
  const nextRow = rows[next];
  if (nextRow === undefined) return;
  const focusable = (nextRow.cells[cellOf.cellIndex]?.querySelector('button') ?? nextRow.querySelector('button'));
  if (focusable === null) return;
  event.preventDefault();
  focusable.focus();
}
