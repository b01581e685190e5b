/** Branded ids and units. Ids are lowercase hex; times are integer microseconds since the Unix epoch. */

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** 32 lowercase hex characters. */
export type TraceId = Brand<string, 'TraceId'>;
/** 16 lowercase hex characters. */
export type SpanId = Brand<string, 'SpanId'>;
/** Integer microseconds; exact for any date before year 2255 (2^53 µs). */
export type Microseconds = Brand<number, 'Microseconds'>;

const traceIdPattern = /^[0-9a-f]{32}$/;
const spanIdPattern = /^[0-9a-f]{16}$/;
const allZeros = /^0+$/;

export function asTraceId(hex: string): TraceId | undefined {
  const lower = hex.toLowerCase();
  return traceIdPattern.test(lower) && !allZeros.test(lower) ? (lower as TraceId) : undefined;
}

export function asSpanId(hex: string): SpanId | undefined {
  const lower = hex.toLowerCase();
  return spanIdPattern.test(lower) && !allZeros.test(lower) ? (lower as SpanId) : undefined;
}

export function microseconds(n: number): Microseconds {
  return Math.round(n) as Microseconds;
}

/** Formats a duration for people: 850 µs, 12.3 ms, 4.56 s, 2 min 5 s. */
export function formatDuration(us: number): string {
  if (us < 999.5) return `${Math.max(0, Math.round(us))} µs`;
  // Bounds at x.5 below the next unit, so rounding to 3 digits never prints "1.00e+3 ms".
  if (us < 999_500) return `${(us / 1000).toPrecision(3)} ms`;
  if (us < 59_950_000) return `${(us / 1_000_000).toPrecision(3)} s`;
  const totalSeconds = Math.round(us / 1_000_000);
  return `${Math.floor(totalSeconds / 60)} min ${totalSeconds % 60} s`;
}
