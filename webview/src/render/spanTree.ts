import { select } from 'd3-selection';
import { scaleLinear } from 'd3-scale';
import { formatDuration } from '../../../src/model/units';
import { OutlineFlag } from '../../../src/shared/traceView';
import { flagAt, hasChildren, nameAt, serviceAt, spansBelow, traceIdAt, type Outline } from '../layout/outline';

/**
 * The `data-vscode-context` of a span row: which span the webview context menu's commands act on
 * (`difyTrace.goToSource` receives this object), and whether Go to Source is offered.
 */
export function spanContext(outline: Outline, index: number): string {
  return JSON.stringify({
    webviewSection: 'span',
    traceId: traceIdAt(outline, index),
    spanId: outline.spanId[index],
    spanMayHaveSource: flagAt(outline, index, OutlineFlag.mayHaveSource),
    preventDefaultContextMenuItems: true,
  });
}

export const rowHeight = 24;
const overscan = 10;
/** More slots than rows ever in the window (a 4K screen shows ~90 rows of 24 px, plus overscan). */
const rowPool = 512;

export interface SpanTreeView {
  /** Replaces the visible rows (depth-first indices) after expand/collapse or a new trace. */
  setRows(rows: Int32Array): void;
  /** The selected row position, -1 for none. */
  setSelected(row: number): void;
  /** Scrolls the row into view: just enough (`nearest`, keyboard steps) or to the middle (`center`, a jump). */
  scrollToRow(row: number, align?: 'nearest' | 'center'): void;
  /** Marks search matches (by depth-first index), and the one navigated to (-1 for none). */
  setMatches(matches: Uint8Array | undefined, current: number): void;
  /** The time window the bars are drawn in, microseconds relative to the trace start. */
  setTimeWindow(startUs: number, endUs: number): void;
}

export interface SpanTreeCallbacks {
  readonly onSelect: (row: number) => void;
  readonly onToggle: (row: number) => void;
}

interface Item {
  readonly row: number;
  readonly index: number;
}

/**
 * A virtualised tree grid: only the rows in the scroll window are in the DOM (d3 join keyed by
 * span index), so a 100k-span trace costs the same to scroll as a small one. All text goes through
 * `.text()`; span names are untrusted.
 */
export function createSpanTree(scroller: HTMLElement, outline: Outline, isCollapsed: (index: number) => boolean, callbacks: SpanTreeCallbacks): SpanTreeView {
  const spacer = select(scroller).append('div').attr('class', 'spacer');
  const total = Math.max(1, outline.header.endUs - outline.header.startUs);
  const x = scaleLinear().domain([0, total]).range([0, 100]);
  let rows: Int32Array = new Int32Array(0);
  let selected = -1;
  let matches: Uint8Array | undefined;
  let currentMatch = -1;
  let scheduled = false;

  /** Bumped by every change that can alter a row already drawn; a row drawn at this version and position is left alone. */
  let version = 0;
  const drawn = new WeakMap<HTMLDivElement, string>();

  /** Writes everything a row shows; only for rows entering the window or after a change. */
  const update = (element: HTMLDivElement, d: Item, windowStart: number, windowEnd: number): void => {
    const div = select<HTMLDivElement, Item>(element);
    const i = d.index;
    const isError = outline.status[i] === 2;
    const children = hasChildren(outline, i);
    const collapsed = children && isCollapsed(i);
    div
      .attr('id', `row-${d.row}`)
      .style('top', `${d.row * rowHeight}px`)
      .attr('aria-level', outline.depth[i]! + 1)
      .attr('aria-expanded', children ? String(!collapsed) : null)
      .attr('aria-selected', String(d.row === selected))
      .attr('aria-setsize', rows.length)
      .attr('aria-posinset', d.row + 1)
      .attr('data-status', isError ? 'error' : outline.status[i] === 1 ? 'ok' : 'unset')
      // VS Code's webview context menu reads this (package.json "webview/context"); set as an attribute, never parsed as HTML.
      .attr('data-vscode-context', spanContext(outline, i))
      .classed('selected', d.row === selected)
      .classed('linked-root', flagAt(outline, i, OutlineFlag.linkedRoot))
      .classed('root-cause', flagAt(outline, i, OutlineFlag.rootCause))
      .classed('critical', flagAt(outline, i, OutlineFlag.critical))
      .classed('group', flagAt(outline, i, OutlineFlag.group))
      .classed('match', matches?.[i] === 1)
      .classed('current-match', i === currentMatch);
    div.select('.label').style('padding-left', `${outline.depth[i]! * 14 + 4}px`);
    div.select('.twisty').attr('class', `twisty codicon ${children ? (collapsed ? 'codicon-chevron-right' : 'codicon-chevron-down') : 'codicon-blank'}`);
    div.select('.status-icon').attr('class', `status-icon codicon ${isError ? 'codicon-error' : ''}`).attr('title', isError ? 'error' : null);
    const rootCause = flagAt(outline, i, OutlineFlag.rootCause);
    const marker = rootCause ? ' (error, root cause)' : isError ? ' (error)' : '';
    const truncated = flagAt(outline, i, OutlineFlag.nameTruncated) ? '…' : '';
    div.select('.name').text(`${nameAt(outline, i) || '(unnamed)'}${truncated}${marker}`);
    // A collapsed group says how much it hides, so a 2,000-item iteration is one readable row.
    const hidden = spansBelow(outline, i);
    div.select('.group-count').text(collapsed ? ` ${hidden.toLocaleString()} span${hidden === 1 ? '' : 's'}` : '');
    div.select('.service').text(flagAt(outline, i, OutlineFlag.linkedRoot) ? `${serviceAt(outline, i)} · linked trace` : serviceAt(outline, i));
    const start = outline.startUs[i]!;
    const end = start + outline.durationUs[i]!;
    const visible = end >= windowStart && start <= windowEnd;
    const left = x(Math.max(start, windowStart));
    const width = Math.max(0.2, x(Math.min(end, windowEnd)) - left);
    div.select('.bar').style('display', visible ? 'block' : 'none').style('left', `${left}%`).style('width', `${width}%`);
    div.select('.duration').text(formatDuration(outline.durationUs[i]!));
    const onPath = flagAt(outline, i, OutlineFlag.critical);
    div.select('.cp-text').text(onPath ? ', on critical path' : '');
    const sections = outline.criticalSections.get(i) ?? [];
    const pairs: Array<[number, number]> = [];
    for (let k = 0; k + 1 < sections.length; k += 2) {
      if (sections[k + 1]! >= windowStart && sections[k]! <= windowEnd) pairs.push([Math.max(sections[k]!, windowStart), Math.min(sections[k + 1]!, windowEnd)]);
    }
    div
      .select('.timeline')
      .selectAll('div.cp-segment')
      .data(pairs)
      .join('div')
      .attr('class', 'cp-segment')
      .attr('aria-hidden', 'true')
      .style('left', (p) => `${x(p[0])}%`)
      .style('width', (p) => `${Math.max(0.2, x(p[1]) - x(p[0]))}%`);
  };

  const render = (): void => {
    scheduled = false;
    const first = Math.max(0, Math.floor(scroller.scrollTop / rowHeight) - overscan);
    const last = Math.min(rows.length, Math.ceil((scroller.scrollTop + scroller.clientHeight) / rowHeight) + overscan);
    const items: Item[] = [];
    for (let r = first; r < last; r++) items.push({ row: r, index: rows[r]! });
    const [windowStart, windowEnd] = x.domain() as [number, number];
    const slots = Math.max(rowPool, items.length);
    spacer
      .selectAll<HTMLDivElement, Item>('div.row')
      // Keyed by slot (row position modulo the pool), not by span: while scrolling, a row leaving
      // the window hands its element to the row entering it, so no element is created or removed.
      .data(items, (d) => String(d.row % slots))
      .join((enter) => {
        const div = enter.append('div').attr('class', 'row').attr('role', 'treeitem');
        const label = div.append('div').attr('class', 'label');
        label.append('span').attr('class', 'twisty codicon');
        label.append('span').attr('class', 'status-icon codicon');
        label.append('span').attr('class', 'name');
        label.append('span').attr('class', 'group-count');
        label.append('span').attr('class', 'service');
        // Stated in words for screen readers; the bar segment says it visually.
        label.append('span').attr('class', 'cp-text sr-only');
        const timeline = div.append('div').attr('class', 'timeline');
        timeline.append('div').attr('class', 'bar');
        timeline.append('span').attr('class', 'duration');
        div.on('click', (event: MouseEvent, d) => {
          if ((event.target as HTMLElement).classList.contains('twisty')) callbacks.onToggle(d.row);
          else callbacks.onSelect(d.row);
        });
        return div;
      })
      .each(function (d) {
        // While scrolling, rows already drawn at this version and position cost nothing.
        const stamp = `${version}:${d.row}`;
        if (drawn.get(this) === stamp) return;
        drawn.set(this, stamp);
        update(this, d, windowStart, windowEnd);
      });
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(render);
  };

  scroller.addEventListener('scroll', schedule, { passive: true });
  new ResizeObserver(() => render()).observe(scroller);

  return {
    setRows(next) {
      rows = next;
      version++;
      spacer.style('height', `${rows.length * rowHeight}px`);
      render();
    },
    setSelected(row) {
      version += row === selected ? 0 : 1;
      selected = row;
      scroller.setAttribute('aria-activedescendant', `row-${row}`);
      // The context menu key on the focused tree acts on the selected span.
      const index = rows[row];
      if (index !== undefined) scroller.setAttribute('data-vscode-context', spanContext(outline, index));
      render();
    },
    setMatches(next, current) {
      version++;
      matches = next;
      currentMatch = current;
      render();
    },
    setTimeWindow(startUs, endUs) {
      version++;
      x.domain([startUs, Math.max(endUs, startUs + 1)]);
      render();
    },
    scrollToRow(row, align = 'nearest') {
      const top = row * rowHeight;
      const outside = top < scroller.scrollTop || top + rowHeight > scroller.scrollTop + scroller.clientHeight;
      if (align === 'center' && outside) scroller.scrollTop = Math.max(0, top - (scroller.clientHeight - rowHeight) / 2);
      else if (top < scroller.scrollTop) scroller.scrollTop = top;
      else if (top + rowHeight > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = top + rowHeight - scroller.clientHeight;
      render();
    },
  };
}
