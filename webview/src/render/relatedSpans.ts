import { select } from 'd3-selection';
import type { RelatedSpanRef } from '../../../src/shared/traceView';

/**
 * The span-level Trace Link section of the details pane: one button per related span in the other
 * half (app-level ↔ infrastructure ↔ plugin daemon). Clicking reveals and selects that span by its
 * depth-first index in the outline.
 */
export function renderRelatedSpans(container: HTMLElement, related: readonly RelatedSpanRef[], reveal: (index: number) => void): void {
  if (related.length === 0) return;
  const section = select(container).append('section').attr('class', 'related').attr('aria-label', 'Trace Link');
  section.append('h3').text('Trace Link');
  for (const span of related) {
    const button = section.append('button').attr('type', 'button').attr('class', 'link-button related-span').attr('data-relation', span.relation);
    button.append('span').attr('class', 'codicon codicon-link').attr('aria-hidden', 'true');
    button.append('span').text(` ${span.relation}: ${span.name} (${span.serviceName})`);
    button.on('click', () => reveal(span.index));
  }
}
