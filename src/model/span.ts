import type { Microseconds, SpanId, TraceId } from './units';

/** Attribute values as OTLP allows them, in JSON-safe form (int64 beyond 2^53 becomes a decimal string). */
export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | readonly AttributeValue[]
  | { readonly [key: string]: AttributeValue };

export type Attributes = Readonly<Record<string, AttributeValue>>;

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type StatusCode = 'unset' | 'ok' | 'error';

export interface SpanStatus {
  readonly code: StatusCode;
  readonly message?: string;
}

export interface SpanEvent {
  readonly name: string;
  readonly timeUs: Microseconds;
  readonly attributes: Attributes;
}

export interface SpanLink {
  readonly traceId: TraceId;
  /** Absent when the sender linked a whole trace (Dify's Trace Link uses an all-zero span id). */
  readonly spanId?: SpanId;
  readonly attributes: Attributes;
}

/** The resource that emitted a span; shared by reference between the spans of one batch. */
export interface Resource {
  readonly serviceName: string;
  readonly attributes: Attributes;
}

export interface Span {
  readonly traceId: TraceId;
  readonly spanId: SpanId;
  readonly parentSpanId?: SpanId;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startUs: Microseconds;
  readonly endUs: Microseconds;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly events: readonly SpanEvent[];
  readonly links: readonly SpanLink[];
  readonly resource: Resource;
  readonly scopeName: string;
}

export function stringAttribute(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function numberAttribute(attributes: Attributes, key: string): number | undefined {
  const value = attributes[key];
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}
