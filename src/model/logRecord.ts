import type { AttributeValue, Attributes, Resource } from './span';
import type { Microseconds, SpanId, TraceId } from './units';

/**
 * An OTLP log record. Dify's Python tracebacks often survive only here (the API's
 * "Error in stream response for plugin ..." record), so records stay linked to their trace and span.
 */
export interface LogRecord {
  /** `timeUnixNano`, or `observedTimeUnixNano` when the sender left the former at 0. */
  readonly timeUs: Microseconds;
  /** OTLP SeverityNumber 1–24 (0 = unspecified). */
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: AttributeValue;
  readonly attributes: Attributes;
  readonly traceId?: TraceId;
  readonly spanId?: SpanId;
  readonly eventName?: string;
  readonly resource: Resource;
  readonly scopeName: string;
}
