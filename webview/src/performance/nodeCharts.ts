import { scaleLinear, scaleTime } from 'd3-scale';
import { select } from 'd3-selection';
import type { NodePerformanceReport, WorkflowPerformanceReport } from '../../../src/shared/workflowPerformance';
import { el } from './dom';
import { runsInBin } from './figureRuns';
import { clockTime, formatDuration } from './format';

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 180;
const MARGIN = { top: 10, right: 16, bottom: 26, left: 64 };
/** Points drawn at most; the newest are kept (the table's figures still count every run). */
const MAX_POINTS = 5_000;

/**
 * A node's time per run over the window (points coloured by status, click or Enter to open the run)
 * and its latency histogram. The chart is one focusable element: Left and Right walk its points,
 * Enter opens the run of the focused one, and a live region says which it is.
 */
export function renderNodeCharts(report: WorkflowPerformanceReport, node: NodePerformanceReport, width: number, openRun: (runIndex: number) => void): HTMLElement {
  const section = el('section', 'node-charts');
  section.setAttribute('aria-label', `Runs of ${node.title}`);
  section.append(el('h2', undefined, `${node.title}: time per run`));
  section.append(runChart(report, node, width, openRun));
  section.append(el('h2', undefined, `${node.title}: latency histogram`));
  section.append(histogram(report, node, width, openRun));
  return section;
}

function svgOf(width: number, label: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(HEIGHT));
  svg.setAttribute('role', 'group');
  svg.setAttribute('aria-label', label);
  return svg;
}

function runChart(report: WorkflowPerformanceReport, node: NodePerformanceReport, width: number, openRun: (runIndex: number) => void): HTMLElement {
  const wrap = el('div', 'chart');
  const from = Math.max(0, node.points.run.length - MAX_POINTS);
  const indexes = Array.from({ length: node.points.run.length - from }, (_, i) => i + from);
  // The runs' own span of time, not the whole window: a day's window with an hour of runs would squeeze them into a corner.
  const starts = indexes.map((i) => report.runs[node.points.run[i]!]!.startMs);
  const first = Math.min(...starts);
  const last = Math.max(...starts);
  const pad = Math.max(60_000, (last - first) * 0.03);
  const x = scaleTime()
    .domain([new Date(first - pad), new Date(last + pad)])
    .range([MARGIN.left, width - MARGIN.right]);
  const maxUs = Math.max(1, ...indexes.map((i) => node.points.durationUs[i]!));
  const y = scaleLinear().domain([0, maxUs]).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const svg = svgOf(width, `${node.title}: its time in each of ${indexes.length} runs. Left and Right move between runs, Enter opens one.`);
  svg.setAttribute('tabindex', '0');
  const root = select(svg);
  axes(root, x.ticks(5).map((t) => [x(t), t.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })] as const), y.ticks(4).map((t) => [y(t), formatDuration(t)] as const), width);
  const points = root
    .append('g')
    .selectAll('circle')
    .data(indexes)
    .join('circle')
    .attr('class', (i) => `point ${node.points.failed[i] === 1 ? 'failed' : 'ok'}${report.runs[node.points.run[i]!]!.slow ? ' slow' : ''}`)
    .attr('cx', (i) => x(new Date(report.runs[node.points.run[i]!]!.startMs)))
    .attr('cy', (i) => y(node.points.durationUs[i]!))
    .attr('r', (i) => (report.runs[node.points.run[i]!]!.slow ? 5 : 3.5))
    .on('click', (_event, i) => openRun(node.points.run[i]!));
  points.append('title').text((i) => pointWords(report, node, i));
  const live = el('div', 'visually-hidden');
  live.setAttribute('aria-live', 'polite');
  let focused = indexes.length - 1;
  const show = (): void => {
    points.classed('focused', (i) => i === indexes[focused]);
    const i = indexes[focused];
    live.textContent = i === undefined ? '' : pointWords(report, node, i);
  };
  svg.addEventListener('focus', show);
  svg.addEventListener('blur', () => points.classed('focused', false));
  svg.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowLeft' || event.key === 'ArrowRight' || event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      focused = event.key === 'Home' ? 0 : event.key === 'End' ? indexes.length - 1 : Math.max(0, Math.min(indexes.length - 1, focused + (event.key === 'ArrowLeft' ? -1 : 1)));
      show();
    } else if (event.key === 'Enter' || event.key === ' ') {
      const i = indexes[focused];
      if (i === undefined) return;
      event.preventDefault();
      openRun(node.points.run[i]!);
    }
  });
  wrap.append(svg, live);
  if (from > 0) wrap.append(el('p', 'note', `The newest ${MAX_POINTS.toLocaleString()} of ${node.points.run.length.toLocaleString()} runs are drawn; the table counts them all.`));
  return wrap;
}

function pointWords(report: WorkflowPerformanceReport, node: NodePerformanceReport, i: number): string {
  const run = report.runs[node.points.run[i]!]!;
  const blame = run.slow && run.blame ? `; slow run, held up by ${run.blame.span.name} (${run.blame.span.serviceName})` : '';
  return `${clockTime(run.startMs)}: ${formatDuration(node.points.durationUs[i]!)} in ${node.title}, ${node.points.failed[i] === 1 ? 'failed' : 'ok'}; run ${formatDuration(run.durationUs)}, ${run.status}${blame}`;
}

function histogram(report: WorkflowPerformanceReport, node: NodePerformanceReport, width: number, openRun: (runIndex: number) => void): HTMLElement {
  const wrap = el('div', 'chart');
  const { edgesUs, counts } = node.histogram;
  if (counts.length === 0) return wrap;
  const x = scaleLinear().domain([edgesUs[0]!, edgesUs.at(-1)! > edgesUs[0]! ? edgesUs.at(-1)! : edgesUs[0]! + 1]).range([MARGIN.left, width - MARGIN.right]);
  const y = scaleLinear().domain([0, Math.max(1, ...counts)]).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const svg = svgOf(width, `${node.title}: how many runs took how long in it. Each bar is a button that opens the slowest run in its range.`);
  const root = select(svg);
  axes(root, x.ticks(5).map((t) => [x(t), formatDuration(t)] as const), y.ticks(4).filter((t) => Number.isInteger(t)).map((t) => [y(t), String(t)] as const), width);
  const bars = root
    .append('g')
    .selectAll('rect')
    .data(counts.map((count, bin) => ({ count, bin })))
    .join('rect')
    .attr('class', 'bar')
    .attr('x', (d) => x(edgesUs[d.bin]!) + 1)
    .attr('width', (d) => Math.max(1, x(edgesUs[d.bin + 1]!) - x(edgesUs[d.bin]!) - 2))
    .attr('y', (d) => y(d.count))
    .attr('height', (d) => y(0) - y(d.count))
    .attr('tabindex', (d) => (d.count > 0 ? '0' : null))
    .attr('role', (d) => (d.count > 0 ? 'button' : null))
    .attr('aria-label', (d) => `${d.count} run${d.count === 1 ? '' : 's'} from ${formatDuration(edgesUs[d.bin]!)} to ${formatDuration(edgesUs[d.bin + 1]!)}`);
  bars.append('title').text((d) => `${d.count} run${d.count === 1 ? '' : 's'}: ${formatDuration(edgesUs[d.bin]!)} – ${formatDuration(edgesUs[d.bin + 1]!)}`);
  const open = (bin: number): void => {
    const runs = runsInBin(node, bin);
    const slowest = runs.sort((a, b) => report.runs[b]!.durationUs - report.runs[a]!.durationUs)[0];
    if (slowest !== undefined) openRun(slowest);
  };
  bars.on('click', (_event, d) => open(d.bin)).on('keydown', (event: KeyboardEvent, d) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    open(d.bin);
  });
  wrap.append(svg);
  return wrap;
}

type Root = ReturnType<typeof select<SVGSVGElement, unknown>>;

function axes(root: Root, xTicks: readonly (readonly [number, string])[], yTicks: readonly (readonly [number, string])[], width: number): void {
  const g = root.append('g').attr('class', 'axis').attr('aria-hidden', 'true');
  g.append('line').attr('x1', MARGIN.left).attr('x2', width - MARGIN.right).attr('y1', HEIGHT - MARGIN.bottom).attr('y2', HEIGHT - MARGIN.bottom);
  g.selectAll('text.x').data(xTicks).join('text').attr('class', 'x').attr('x', (d) => d[0]).attr('y', HEIGHT - 8).attr('text-anchor', 'middle').text((d) => d[1]);
  g.selectAll('line.grid').data(yTicks).join('line').attr('class', 'grid').attr('x1', MARGIN.left).attr('x2', width - MARGIN.right).attr('y1', (d) => d[0]).attr('y2', (d) => d[0]);
  g.selectAll('text.y').data(yTicks).join('text').attr('class', 'y').attr('x', MARGIN.left - 6).attr('y', (d) => d[0] + 4).attr('text-anchor', 'end').text((d) => d[1]);
}
