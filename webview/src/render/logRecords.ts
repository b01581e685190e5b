import { select } from 'd3-selection';
import type { LogRecord } from '../../../src/model/logRecord';
import { formatDuration } from '../../../src/model/units';
import { severityOf } from '../layout/spanLogs';
import { attributeTable, attributeValue, type Sel } from './longText';

function offsetText(offsetUs: number): string {
  return offsetUs >= 0 ? `+${formatDuration(offsetUs)}` : `−${formatDuration(-offsetUs)}`;
}

/** Records rendered at once; the rest wait behind a button so a chatty span cannot stall the pane. */
const firstBatch = 50;

function renderRecord(list: Sel, record: LogRecord, traceStartUs: number): void {
  const severity = severityOf(record);
  const item = list.append('li').attr('class', `log-record severity-${severity.level}`) as unknown as Sel;
  const head = item.append('div').attr('class', 'log-head');
  head.append('span').attr('class', `codicon ${severity.icon}`).attr('aria-hidden', 'true');
  head.append('span').attr('class', 'log-severity').text(severity.label);
  head.append('span').attr('class', 'log-time').attr('title', new Date(record.timeUs / 1000).toISOString()).text(offsetText(record.timeUs - traceStartUs));
  const source = record.eventName || record.scopeName;
  if (source) head.append('span').attr('class', 'log-source').text(source);
  attributeValue(item, record.body, 'value log-body');
  const attributeCount = Object.keys(record.attributes).length;
  if (attributeCount > 0) {
    const more = item.append('details').attr('class', 'log-attributes') as unknown as Sel;
    more.append('summary').text(`Attributes (${attributeCount})`);
    attributeTable(more, record.attributes, 'Log record attributes');
  }
}

/**
 * A "Logs (N)" section: each record's time from the trace start, severity in words and icon, body
 * (long text behind "Show all") and its attributes folded away. Records arrive oldest first. Renders
 * nothing when there are none. Bodies and attributes are sender-controlled: text only, never HTML.
 */
export function renderLogRecords(parent: HTMLElement, records: readonly LogRecord[], traceStartUs: number): void {
  if (records.length === 0) return;
  const section = select(parent).append('section').attr('class', 'logs');
  section.append('h3').text(`Logs (${records.length.toLocaleString()})`);
  const list = section.append('ol').attr('class', 'log-records') as unknown as Sel;
  for (const record of records.slice(0, firstBatch)) renderRecord(list, record, traceStartUs);
  if (records.length > firstBatch) {
    const button = section.append('button').attr('type', 'button').attr('class', 'link-button').text(`Show ${(records.length - firstBatch).toLocaleString()} more`);
    button.on('click', () => {
      button.remove();
      for (const record of records.slice(firstBatch)) renderRecord(list, record, traceStartUs);
    });
  }
}
