import { select } from 'd3-selection';
import type { SpanKey } from '../../../src/model/buildTrace';

export interface RelatedSpan {
  readonly key: SpanKey;
  /** What the other span is to this one, e.g. "Infrastructure span". */
  readonly relation: string;
  readonly name: string;
  readonly serviceName: string;
}

/**
 * The span-level Trace Link section of the details pane: one button per related span in the other
 * half (app-level ↔ infrastructure ↔ plugin daemon). Clicking reveals and selects that span.
 */
export function renderRelatedSpans(container: HTMLElement, related: readonly RelatedSpan[], reveal: (key: SpanKey) => void): void {
  if (related.length === 0) return;
  const section = select(container).insert('section', 'table').attr('class', 'related').attr('aria-label', 'Trace Link');
  section.append('h3').text('Trace Link');
  for (const span of related) {
    const button = section.append('button').attr('class', 'link-button related-span').attr('data-relation', span.relation);
    button.append('span').attr('class', 'codicon codicon-link').attr('aria-hidden', 'true');
    button.append('span').text(` ${span.relation}: ${span.name} (${span.serviceName})`);
    button.on('click', () => reveal(span.key));
  }
}
