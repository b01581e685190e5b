/**
 * The time axis above the span tree: tick labels over the timeline column, the shown range in
 * words, and "Reset zoom" while zoomed in.
 *
 * Wiring (main.ts): create it in a container placed directly above the tree scroller, passing the
 * scroller as `alignWith` (its vertical scrollbar narrows the rows, so the axis is narrowed by the
 * same amount); call `update(window, totalUs)` whenever the time window changes; `onReset` sets the
 * window to `fullWindow(totalUs)` (same path as any other change: tree, minimap, persisted state).
 *
 * Geometry mirrors a tree row (styles/trace.css): `.label` is the names column (`--name-column`, 45%
 * until the user drags the divider), `.timeline` takes the rest minus its 76 px right margin (where
 * durations are printed), so ticks line up with the bars.
 */
import { select } from 'd3-selection';
import { formatDuration } from '../../../src/model/units';
import { formatTick, isFull, niceTicks, tickStep, type TimeWindow } from '../layout/timeWindow';

export interface TimeAxisOptions {
  readonly onReset: () => void;
  /** The tree scroller: its scrollbar's width is taken off the axis so ticks stay over the bars. */
  readonly alignWith?: HTMLElement;
}

export interface TimeAxisView {
  update(window: TimeWindow, totalUs: number): void;
  dispose(): void;
}

interface Tick {
  readonly us: number;
  readonly label: string;
  readonly percent: number;
}

/** One label per this many pixels of timeline, so labels like "1.25 s" never touch. */
const pixelsPerTick = 90;

export function createTimeAxis(container: HTMLElement, options: TimeAxisOptions): TimeAxisView {
  const root = select(container).append('div').attr('class', 'time-axis');
  const label = root.append('div').attr('class', 'time-axis-label');
  // Not a live region: a drag would announce every frame; the minimap's slider says the range.
  const range = label.append('span').attr('class', 'time-axis-range');
  const reset = label
    .append('button')
    .attr('type', 'button')
    .attr('class', 'time-axis-reset link-button inline')
    .attr('title', 'Show the whole trace (0)')
    .text('Reset zoom')
    .on('click', () => options.onReset());
  const ticks = root.append('div').attr('class', 'time-axis-ticks').attr('aria-hidden', 'true');
  const ticksNode = ticks.node()!;

  let current: TimeWindow = { startUs: 0, endUs: 0 };
  let total = 0;

  const render = (): void => {
    const width = current.endUs - current.startUs;
    const count = Math.max(2, Math.floor(ticksNode.clientWidth / pixelsPerTick));
    const step = tickStep(width, count);
    const data: Tick[] =
      width > 0
        ? niceTicks(current, count).map((us) => ({ us, label: formatTick(us, step, current.endUs), percent: ((us - current.startUs) / width) * 100 }))
        : [{ us: 0, label: formatTick(0, 1, 0), percent: 0 }];
    ticks
      .selectAll<HTMLDivElement, Tick>('div.time-tick')
      .data(data, (d) => d.us)
      .join((enter) => {
        const tick = enter.append('div').attr('class', 'time-tick');
        tick.append('span').attr('class', 'time-tick-label');
        return tick;
      })
      .style('left', (d) => `${d.percent}%`)
      // Labels sit right of their tick, except at the end where they would leave the column.
      .classed('at-end', (d) => d.percent > 92)
      .select('.time-tick-label')
      .text((d) => d.label);
    const zoomed = !isFull(current, total);
    range.text(zoomed ? `${formatDuration(current.startUs)} – ${formatDuration(current.endUs)} of ${formatDuration(total)}` : '');
    reset.style('display', zoomed ? 'inline' : 'none');
  };

  const align = (): void => {
    const scroller = options.alignWith;
    if (!scroller) return;
    root.style('padding-right', `${Math.max(0, scroller.offsetWidth - scroller.clientWidth)}px`);
  };

  const observer = new ResizeObserver(() => {
    align();
    render();
  });
  observer.observe(ticksNode);
  if (options.alignWith) observer.observe(options.alignWith);

  return {
    update(window, totalUs) {
      current = window;
      total = totalUs;
      align();
      render();
    },
    dispose() {
      observer.disconnect();
      root.remove();
    },
  };
}
