import type { Span } from '../../model/span';
import { nodeInputsOutputs } from '../../shared/nodeInputsOutputs';
import { parentIndex } from '../../dify/spanDepth';
import type { TraceSpans } from '../backends/traceSpans';

/** What exporters put in place of a value they cut or hid; a key holding one is marked in the replay. */
const cutMarker = /\[(?:truncated|redacted)\]|\((?:truncated|redacted)\)|\.\.\.\[\d+ chars?\]|…$/i;

export function cutKeys(values: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(values).filter(([, value]) => typeof value === 'string' && cutMarker.test(value)).map(([key]) => key);
}

/**
 * A node's inputs as the trace recorded them: on the span asked about, else on its Trace Link
 * counterpart (the app-level node span holds them when the infrastructure span does not), else on
 * the spans above it (a plugin runtime span lies a few levels under its node), each with its counterpart.
 */
export function recordedInputs(span: Span, trace: TraceSpans): unknown {
  const byKey = new Map(trace.spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
  const counterpartsOf = (of: Span): Span[] =>
    (trace.counterparts ?? []).flatMap((pair) => {
      const other = pair.app.spanId === of.spanId && pair.app.traceId === of.traceId ? pair.infra : pair.infra.spanId === of.spanId && pair.infra.traceId === of.traceId ? pair.app : undefined;
      const found = other === undefined ? undefined : byKey.get(`${other.traceId}/${other.spanId}`);
      return found ? [found] : [];
    });
  const parentOf = parentIndex(trace.spans);
  let current: Span | undefined = span;
  for (let depth = 0; current !== undefined && depth < 6; depth++, current = parentOf(current)) {
    for (const candidate of [current, ...counterpartsOf(current)]) {
      const inputs = nodeInputsOutputs(candidate.attributes).inputs;
      if (inputs !== undefined) return inputs.value;
    }
  }
  return undefined;
}

/** The recorded inputs as a JSON object, or why they are not one. */
export function inputsObject(recorded: unknown, what: string): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  let value: unknown = recorded;
  if (typeof recorded === 'string') {
    try {
      value = JSON.parse(recorded);
    } catch {
      return { ok: false, reason: `The inputs recorded for ${what} are not JSON (${recorded.slice(0, 80)}${recorded.length > 80 ? '…' : ''}); the exporter may have cut them.` };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: `The inputs recorded for ${what} are not a JSON object of named inputs.` };
  return { ok: true, value: value as Record<string, unknown> };
}

