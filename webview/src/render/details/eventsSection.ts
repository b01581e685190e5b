/**
 * The span's events; exceptions marked. The raw stack trace is shown open when the server found no
 * frames for it, and folded behind "Raw stack trace" when the Stack trace section already shows them.
 */
import type { SpanEvent } from '../../../../src/model/span';
import { formatDuration } from '../../../../src/model/units';
import { attributeTable, longText, type Sel } from '../longText';

const isException = (event: SpanEvent): boolean => event.name === 'exception' || event.name === 'log.exception';

export function eventsSection(parent: Sel, events: readonly SpanEvent[], traceStartUs: number, framesShown: boolean): void {
  if (events.length === 0) return;
  const section = parent.append('section').attr('class', 'events');
  section.append('h3').text(`Events (${events.length.toLocaleString('en-US')})`);
  for (const event of events) {
    const item = section.append('div').attr('class', `event${isException(event) ? ' exception' : ''}`) as unknown as Sel;
    item.append('h4').text(`${event.name} · +${formatDuration(event.timeUs - traceStartUs)}`);
    const { ['exception.stacktrace']: stack, ...rest } = event.attributes;
    attributeTable(item, rest, 'Event attributes');
    if (typeof stack !== 'string') continue;
    if (framesShown) {
      const raw = item.append('details').attr('class', 'raw-stack') as unknown as Sel;
      raw.append('summary').text('Raw stack trace');
      // Not `.stacktrace`: the frames above are the span's stack trace; this is its text.
      longText(raw, stack, 'stacktrace-raw');
    } else {
      longText(item, stack, 'stacktrace');
    }
  }
}
