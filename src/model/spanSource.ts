import type { Span } from './span';

/** Spans that may carry a stack trace: an error status or an exception event. Go to Source is offered on them; the resolver says when none maps. */
export function mayHaveSource(span: Span): boolean {
  return span.status.code === 'error' || span.events.some((e) => e.name === 'exception' || e.name === 'log.exception');
}
