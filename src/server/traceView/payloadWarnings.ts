import type { TraceTree } from '../../model/buildTrace';
import type { AttributeValue, Span } from '../../model/span';
import type { TraceWarning } from '../../model/traceWarning';
import { formatDuration } from '../../model/units';
import { outlineNameLimit } from '../../shared/traceView';

/** Text longer than this is shown cut, with "show all", in the details pane. */
export const oversizedTextLimit = 64 * 1024;
/** A child starting this far outside its parent, in another service, is taken as clock skew rather than rounding. */
const skewToleranceUs = 1000;

function longestString(value: AttributeValue, limit: number): boolean {
  if (typeof value === 'string') return value.length > limit;
  if (Array.isArray(value)) return value.some((v: AttributeValue) => longestString(v, limit));
  if (value !== null && typeof value === 'object') return Object.values(value).some((v) => longestString(v, limit));
  return false;
}

function anyOversized(attributes: Span['attributes']): boolean {
  for (const key in attributes) if (longestString(attributes[key]!, oversizedTextLimit)) return true;
  return false;
}

function oversized(span: Span): boolean {
  if (span.name.length > outlineNameLimit) return true;
  if ((span.status.message?.length ?? 0) > oversizedTextLimit) return true;
  return anyOversized(span.attributes) || span.events.some((e) => anyOversized(e.attributes));
}

/**
 * Problems in what spans carry rather than in how they link: names or values too long to show
 * whole, and children of another service that start before their parent or after it ended (clock
 * skew between hosts; their bars are drawn as reported, and the critical path clips them).
 */
export function payloadWarnings(tree: Pick<TraceTree, 'spans' | 'keys' | 'childrenOf'>): TraceWarning[] {
  const { spans, keys, childrenOf } = tree;
  const warnings: TraceWarning[] = [];
  let big = 0;
  let skewed = 0;
  let worstSkewUs = 0;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    if (oversized(span)) big++;
    // The tree's own keys: no "trace/span" string made and hashed again per span.
    for (const child of childrenOf.get(keys[i]!) ?? []) {
      if (child.resource.serviceName === span.resource.serviceName) continue;
      // Only the start says skew: a child that starts inside its parent may outlive it (a streamed
      // LLM response ends after the HTTP client span that requested it), but none starts before it.
      const outside = Math.max(span.startUs - child.startUs, child.startUs - Math.max(span.endUs, span.startUs));
      if (outside > skewToleranceUs) {
        skewed++;
        worstSkewUs = Math.max(worstSkewUs, outside);
      }
    }
  }
  if (big > 0) {
    warnings.push({ kind: 'oversizedText', count: big, message: `${big} span(s) carry a name over ${outlineNameLimit} characters or a value over ${oversizedTextLimit / 1024} KB; the tree shows names cut, and the details show long values cut with "Show all".` });
  }
  if (skewed > 0) {
    warnings.push({ kind: 'clockSkew', count: skewed, message: `${skewed} span(s) start outside their parent's time in another service, by up to ${formatDuration(worstSkewUs)}: the clocks of those services disagree. Their bars are drawn as reported; the critical path clips them to the parent.` });
  }
  return warnings;
}
