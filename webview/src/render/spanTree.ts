import { select } from 'd3-selection';
import { scaleLinear } from 'd3-scale';
import { formatDuration } from '../../../src/model/units';
import type { Row } from '../layout/visibleRows';
import type { Span } from '../../../src/model/span';
import type { SpanKey } from '../../../src/model/buildTrace';
import type { CriticalPath } from '../../../src/model/criticalPath';
import { mayHaveSource } from './details';

/**
 * The `data-vscode-context` of a span row: which span the webview context menu's commands act on
 * (`difyTrace.goToSource` receives this object), and whether Go to Source is offered.
 */
export function spanContext(span: Span): string {
  return JSON.stringify({ webviewSection: 'span', traceId: span.traceId, spanId: span.spanId, spanMayHaveSource: mayHaveSource(span), preventDefaultContextMenuItems: true });
}

export const rowHeight = 24;
const overscan = 10;

export interface SpanTreeView {
  /** Replaces the rows (after expand/collapse or a new trace). */
  setRows(rows: readonly Row[]): void;
  setSelected(index: number): void;
  scrollToIndex(index: number): void;
  /** Marks search matches, and the one navigated to. */
  setMatches(matches: ReadonlySet<SpanKey>, current: SpanKey | undefined): void;
}

export interface SpanTreeCallbacks {
  readonly onSelect: (index: number) => void;
  readonly onToggle: (index: number) => void;
}

/**
 * A virtualised tree grid: only the rows in the scroll window are in the DOM (d3 join keyed by
 * span), so a 100k-span trace costs the same to scroll as a small one. All text goes through
 * `.text()`; span names are untrusted.
 */
export function createSpanTree(scroller: HTMLElement, traceStartUs: number, traceEndUs: number, rootCauseKey: string | undefined, critical: CriticalPath, callbacks: SpanTreeCallbacks): SpanTreeView {
  const spacer = select(scroller).append('div').attr('class', 'spacer');
  const x = scaleLinear().domain([traceStartUs, Math.max(traceEndUs, traceStartUs + 1)]).range([0, 100]).clamp(true);
  let rows: readonly Row[] = [];
  let selected = -1;
  let matches: ReadonlySet<SpanKey> = new Set();
  let currentMatch: SpanKey | undefined;

  const render = (): void => {
    const first = Math.max(0, Math.floor(scroller.scrollTop / rowHeight) - overscan);
    const last = Math.min(rows.length, Math.ceil((scroller.scrollTop + scroller.clientHeight) / rowHeight) + overscan);
    const windowRows = rows.slice(first, last).map((row, i) => ({ row, index: first + i }));
    spacer
      .selectAll<HTMLDivElement, { row: Row; index: number }>('div.row')
      .data(windowRows, (d) => d.row.key)
      .join((enter) => {
        const div = enter.append('div').attr('class', 'row').attr('role', 'treeitem');
        const label = div.append('div').attr('class', 'label');
        label.append('span').attr('class', 'twisty codicon');
        label.append('span').attr('class', 'status-icon codicon');
        label.append('span').attr('class', 'name');
        label.append('span').attr('class', 'service');
        // Stated in words for screen readers; the bar segment says it visually.
        label.append('span').attr('class', 'cp-text sr-only');
        const timeline = div.append('div').attr('class', 'timeline');
        timeline.append('div').attr('class', 'bar');
        timeline.append('span').attr('class', 'duration');
        div.on('click', (event: MouseEvent, d) => {
          if ((event.target as HTMLElement).classList.contains('twisty')) callbacks.onToggle(d.index);
          else callbacks.onSelect(d.index);
        });
        return div;
      })
      .attr('id', (d) => `row-${d.index}`)
      .style('top', (d) => `${d.index * rowHeight}px`)
      .attr('aria-level', (d) => d.row.depth + 1)
      .attr('aria-expanded', (d) => (d.row.hasChildren ? String(!d.row.collapsed) : null))
      .attr('aria-selected', (d) => String(d.index === selected))
      .attr('aria-setsize', rows.length)
      .attr('aria-posinset', (d) => d.index + 1)
      .attr('data-status', (d) => d.row.span.status.code)
      // VS Code's webview context menu reads this (package.json "webview/context"); set as an attribute, never parsed as HTML.
      .attr('data-vscode-context', (d) => spanContext(d.row.span))
      .classed('selected', (d) => d.index === selected)
      .classed('linked-root', (d) => d.row.linkedTraceRoot)
      .classed('root-cause', (d) => d.row.key === rootCauseKey)
      .classed('critical', (d) => critical.keys.has(d.row.key))
      .classed('match', (d) => matches.has(d.row.key))
      .classed('current-match', (d) => d.row.key === currentMatch)
      .each(function (d) {
        const div = select(this);
        const { span } = d.row;
        const isError = span.status.code === 'error';
        div.select('.label').style('padding-left', `${d.row.depth * 14 + 4}px`);
        div.select('.twisty').attr('class', `twisty codicon ${d.row.hasChildren ? (d.row.collapsed ? 'codicon-chevron-right' : 'codicon-chevron-down') : 'codicon-blank'}`);
        div.select('.status-icon').attr('class', `status-icon codicon ${isError ? 'codicon-error' : ''}`).attr('title', isError ? 'error' : null);
        const marker = d.row.key === rootCauseKey ? ' (error, root cause)' : isError ? ' (error)' : '';
        div.select('.name').text(`${span.name || '(unnamed)'}${marker}`);
        div.select('.service').text(d.row.linkedTraceRoot ? `${span.resource.serviceName} · linked trace` : span.resource.serviceName);
        const left = x(span.startUs);
        const width = Math.max(0.2, x(span.endUs) - left);
        div.select('.bar').style('left', `${left}%`).style('width', `${width}%`);
        div.select('.duration').text(formatDuration(span.endUs - span.startUs));
        const onPath = critical.keys.has(d.row.key);
        div.select('.cp-text').text(onPath ? ', on critical path' : '');
        div
          .select('.timeline')
          .selectAll('div.cp-segment')
          .data(critical.sectionsByKey.get(d.row.key) ?? [])
          .join('div')
          .attr('class', 'cp-segment')
          .attr('aria-hidden', 'true')
          .style('left', (s) => `${x(s.startUs)}%`)
          .style('width', (s) => `${Math.max(0.2, x(s.endUs) - x(s.startUs))}%`);
      });
  };

  scroller.addEventListener('scroll', () => requestAnimationFrame(render), { passive: true });
  new ResizeObserver(() => render()).observe(scroller);

  return {
    setRows(next) {
      rows = next;
      spacer.style('height', `${rows.length * rowHeight}px`);
      render();
    },
    setSelected(index) {
      selected = index;
      scroller.setAttribute('aria-activedescendant', `row-${index}`);
      // The context menu key on the focused tree acts on the selected span.
      const span = rows[index]?.span;
      if (span) scroller.setAttribute('data-vscode-context', spanContext(span));
      render();
    },
    setMatches(next, current) {
      matches = next;
      currentMatch = current;
      render();
    },
    scrollToIndex(index) {
      const top = index * rowHeight;
      if (top < scroller.scrollTop) scroller.scrollTop = top;
      else if (top + rowHeight > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = top + rowHeight - scroller.clientHeight;
      render();
    },
  };
}
