import { select } from 'd3-selection';
import { spanKey } from '../../../src/model/buildTrace';
import { formatDuration } from '../../../src/model/units';
import type { Span } from '../../../src/model/span';
import { mayHaveSource } from '../../../src/model/spanSource';
import type { SpanLogIndex } from '../layout/spanLogs';
import { renderLogRecords } from './logRecords';
import { attributeTable, longText, type Sel } from './longText';

export interface DetailsActions {
  readonly copy: (text: string) => void;
  readonly followLink: (traceId: string) => void;
  /** Asks the host to open the source of the span's innermost plugin frame. */
  readonly goToSource: (traceId: string, spanId: string) => void;
}

export { mayHaveSource } from '../../../src/model/spanSource';

/**
 * Renders one span's details: status, timing, ids, attributes, events (exceptions with stacks), the
 * log records logged in it (`logs`: the snapshot's records indexed once by `indexLogsBySpan`), links.
 */
export interface SpanTiming {
  /** Duration minus the time covered by its children (`selfTimeUs`). */
  readonly selfTimeUs: number;
  readonly onCriticalPath: boolean;
}

export function renderDetails(container: HTMLElement, span: Span | undefined, traceStartUs: number, actions: DetailsActions, logs?: SpanLogIndex, timing?: SpanTiming): void {
  const root = select(container);
  root.selectAll('*').remove();
  if (!span) {
    root.append('p').attr('class', 'placeholder').text('Select a span to see its attributes and events.');
    return;
  }
  root.append('h2').text(span.name || '(unnamed span)');
  if (mayHaveSource(span)) {
    const { traceId, spanId } = span;
    root
      .append('div')
      .attr('class', 'details-actions')
      .append('button')
      .attr('type', 'button')
      .attr('class', 'action-button go-to-source')
      .attr('title', 'Open the source line this span failed at: the plugin file, or the Code node\'s line in the app\'s DSL (Enter on the span)')
      .text('Go to Source')
      .on('click', () => actions.goToSource(traceId, spanId));
  }
  const facts = root.append('dl').attr('class', 'facts');
  const fact = (term: string, text: string): void => {
    facts.append('dt').text(term);
    facts.append('dd').text(text);
  };
  fact('Status', span.status.code === 'error' ? 'Error' : span.status.code === 'ok' ? 'OK' : 'Unset');
  fact('Service', span.resource.serviceName);
  fact('Duration', formatDuration(span.endUs - span.startUs));
  if (timing) {
    fact('Self time', formatDuration(timing.selfTimeUs));
    if (timing.onCriticalPath) fact('Critical path', 'On the critical path');
  }
  fact('Starts at', `+${formatDuration(span.startUs - traceStartUs)}`);
  fact('Kind', span.kind);
  if (span.scopeName) fact('Scope', span.scopeName);
  const ids = root.append('div').attr('class', 'ids');
  for (const [label, id] of [['Span id', span.spanId], ['Trace id', span.traceId]] as const) {
    ids.append('code').text(`${label}: ${id}`);
    ids.append('button').attr('class', 'icon-button codicon codicon-copy').attr('title', `Copy ${label.toLowerCase()}`).attr('aria-label', `Copy ${label.toLowerCase()}`).on('click', () => actions.copy(id));
  }
  if (span.status.code === 'error' && span.status.message) {
    const error = root.append('section').attr('class', 'error-message').attr('role', 'alert');
    error.append('h3').text('Error');
    longText(error, span.status.message, 'value');
  }
  attributeTable(root, span.attributes, 'Attributes');
  if (span.events.length > 0) {
    const events = root.append('section').attr('class', 'events');
    events.append('h3').text(`Events (${span.events.length})`);
    for (const event of span.events) {
      const item = events.append('div').attr('class', `event${event.name === 'exception' || event.name === 'log.exception' ? ' exception' : ''}`);
      item.append('h4').text(`${event.name} · +${formatDuration(event.timeUs - traceStartUs)}`);
      const { ['exception.stacktrace']: stack, ...rest } = event.attributes;
      attributeTable(item as unknown as Sel, rest, 'Event attributes');
      if (typeof stack === 'string') longText(item as unknown as Sel, stack, 'stacktrace');
    }
  }
  if (logs) renderLogRecords(container, logs.get(spanKey(span)) ?? [], traceStartUs);
  if (span.links.length > 0) {
    const links = root.append('section').attr('class', 'links');
    links.append('h3').text('Links');
    for (const link of span.links) {
      links
        .append('button')
        .attr('class', 'link-button')
        .text(`Trace Link → ${link.traceId}${link.spanId ? ` / ${link.spanId}` : ''}`)
        .on('click', () => actions.followLink(link.traceId));
    }
  }
}
