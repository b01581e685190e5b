import { defaultPerformanceWindow, performanceProtocolVersion, performanceWindows, type HostToPerformanceView, type PerformancePanelState } from '../../../src/shared/performanceViewProtocol';
import { timeShareLabels, type PerformanceRun, type WorkflowPerformanceReport } from '../../../src/shared/workflowPerformance';
import { onHostMessage, postToHost, savedState, saveState } from './bridge';
import { button, el } from './dom';
import { clockTime, formatDuration, windowLabel } from './format';
import { renderNodeCharts } from './nodeCharts';
import { renderNodeTable } from './nodeTable';

/**
 * The workflow performance page: a header with the run figures and the window, the slowest runs with
 * the span that made each slow, the per-node table, and the selected node's charts. It holds the last
 * report only to draw it; the host sends a fresh one on `ready`, on a new window and as runs arrive.
 */
const app = document.getElementById('app')!;
const saved = savedState();
let state: PerformancePanelState | undefined =
  typeof saved.appName === 'string' ? { appName: saved.appName, windowHours: saved.windowHours ?? defaultPerformanceWindow, ...(saved.selectedNode === undefined ? {} : { selectedNode: saved.selectedNode }), ...(saved.backend === undefined ? {} : { backend: saved.backend }) } : undefined;
let report: WorkflowPerformanceReport | undefined;
let loading = false;

onHostMessage((message: HostToPerformanceView) => {
  switch (message.type) {
    case 'loading':
      loading = true;
      remember({ ...(state ?? {}), appName: message.appName, windowHours: message.windowHours, ...(message.backend === undefined ? {} : { backend: message.backend }) });
      // The report shown stays until the new one is in: only a first load shows a placeholder.
      if (report === undefined || report.appName !== message.appName) placeholder(`Reading the runs of ${message.appName} over the ${windowLabel(message.windowHours)}…`);
      else markBusy(true);
      break;
    case 'report':
      if (message.protocol !== performanceProtocolVersion) {
        placeholder('This view is from another version of the extension: close it and open it again.');
        return;
      }
      loading = false;
      report = message.report;
      remember({ ...(state ?? {}), appName: message.report.appName, windowHours: message.windowHours });
      render();
      break;
    case 'failed':
      loading = false;
      placeholder(message.message, true);
      break;
  }
});

let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => report && render(), 100);
});

postToHost({ type: 'ready' });

function remember(next: PerformancePanelState): void {
  state = next;
  saveState(next);
}

function placeholder(text: string, isError = false): void {
  const p = el('p', isError ? 'placeholder error' : 'placeholder', text);
  if (isError) p.setAttribute('role', 'alert');
  app.replaceChildren(p);
  if (isError) app.append(button('Refresh', 'Read the runs again', () => postToHost({ type: 'refresh' }), 'action'));
  markBusy(!isError);
}

function markBusy(busy: boolean): void {
  app.setAttribute('aria-busy', String(busy));
  document.body.classList.toggle('busy', busy);
}

function render(): void {
  if (report === undefined || state === undefined) return;
  const r = report;
  const focusedId = document.activeElement?.id;
  const selected = r.nodes.find((n) => n.identity === state!.selectedNode) ?? pickDefaultNode(r);
  const openRun = (runIndex: number): void => {
    const run = r.runs[runIndex];
    if (run) postToHost({ type: 'openRun', traceId: run.traceId });
  };
  const width = Math.max(320, app.clientWidth - 24);
  const parts: HTMLElement[] = [header(r)];
  if (r.runs.length === 0) {
    parts.push(el('p', 'placeholder', `No runs of ${r.appName} in the ${windowLabel(state.windowHours)}. Choose a longer window, or run the app.`));
  } else {
    parts.push(slowestRuns(r, openRun));
    parts.push(
      renderNodeTable(r, selected?.identity, {
        selectNode: (identity) => {
          remember({ ...state!, selectedNode: identity });
          render();
          document.querySelector<HTMLButtonElement>(`tr[data-identity="${CSS.escape(identity)}"] .node-name`)?.focus();
        },
        openRun,
      }),
    );
    if (selected) parts.push(renderNodeCharts(r, selected, width, openRun));
  }
  app.replaceChildren(...parts);
  markBusy(loading);
  if (focusedId) document.getElementById(focusedId)?.focus();
}

/** The node of the slowest run's blame, else the one with the largest p95: where a reader looks first. */
function pickDefaultNode(r: WorkflowPerformanceReport): WorkflowPerformanceReport['nodes'][number] | undefined {
  const slowest = r.slowest[0] === undefined ? undefined : r.runs[r.slowest[0]];
  const blamed = slowest?.blame?.node?.identity;
  return r.nodes.find((n) => n.identity === blamed) ?? [...r.nodes].sort((a, b) => b.durationUs.p95 - a.durationUs.p95)[0];
}

function header(r: WorkflowPerformanceReport): HTMLElement {
  const head = el('header', 'perf-header');
  head.append(el('h1', undefined, `Performance: ${r.appName}`));
  const figures = r.runs.length === 0 ? 'no runs' : `${r.runs.length.toLocaleString()} run${r.runs.length === 1 ? '' : 's'} · p50 ${formatDuration(r.runDurationUs.p50)} · p95 ${formatDuration(r.runDurationUs.p95)} · slowest ${formatDuration(r.runDurationUs.max)}`;
  head.append(el('p', 'figures', figures));
  const controls = el('div', 'controls');
  const label = el('label', undefined, 'Window ');
  const windowSelect = el('select');
  windowSelect.id = 'window';
  for (const hours of performanceWindows) {
    const option = el('option', undefined, windowLabel(hours));
    option.value = String(hours);
    option.selected = hours === state?.windowHours;
    windowSelect.append(option);
  }
  windowSelect.addEventListener('change', () => postToHost({ type: 'setWindow', windowHours: Number(windowSelect.value) }));
  label.append(windowSelect);
  const refresh = button('Refresh', 'Read the runs again', () => postToHost({ type: 'refresh' }), 'action');
  refresh.id = 'refresh';
  controls.append(label, refresh);
  head.append(controls);
  const notes: string[] = [];
  if (r.runs.length > 0 && r.runs.length < r.minRunsForSlow) notes.push(`Runs are called slow from ${r.minRunsForSlow} runs in the window on: a p95 of fewer says little.`);
  if (r.withoutSpans > 0) notes.push(`${r.withoutSpans} run(s) have no spans left in the trace server; their nodes are not counted.`);
  for (const note of notes) head.append(el('p', 'note', note));
  return head;
}

/** The slowest runs, each a button to open it, naming the node and the span that held it up. */
function slowestRuns(r: WorkflowPerformanceReport, openRun: (runIndex: number) => void): HTMLElement {
  const section = el('section', 'slowest');
  section.setAttribute('aria-labelledby', 'slowest-title');
  const title = el('h2', undefined, 'Slowest runs');
  title.id = 'slowest-title';
  section.append(title);
  const list = el('ol');
  for (const index of r.slowest.slice(0, 5)) {
    const run = r.runs[index]!;
    const item = el('li', run.slow ? 'slow' : undefined);
    item.append(button(`${formatDuration(run.durationUs)} · ${clockTime(run.startMs)}`, `Open the run of ${clockTime(run.startMs)}, ${formatDuration(run.durationUs)}, ${run.status}`, () => openRun(index)));
    if (run.slow) item.append(el('span', 'badge', `slower than p95`));
    item.append(el('span', 'status', run.status));
    const blame = blameWords(run);
    if (blame) item.append(el('span', 'blame', blame));
    list.append(item);
  }
  section.append(list);
  return section;
}

function blameWords(run: PerformanceRun): string | undefined {
  const blame = run.blame;
  if (blame === undefined) return undefined;
  const where = blame.node === undefined ? '' : `${blame.node.title} → `;
  return `${where}${blame.span.name} (${blame.span.serviceName}, ${timeShareLabels[blame.share]}): ${formatDuration(blame.selfTimeUs)} on the critical path`;
}
