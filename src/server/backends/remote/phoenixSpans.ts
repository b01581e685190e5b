import type { Span } from '../../../model/span';
import { traceJsonToMessage } from '../../receiver/otlpJsonValue';
import { exportRequestToModel } from '../../receiver/otlpToModel';

/**
 * Phoenix's `GET /v1/projects/{project}/spans/otlpv1` answer (arize-phoenix 20.x,
 * `phoenix/server/api/routers/v1/spans.py`, `OtlpSpan`): OTLP field names in snake_case, hex ids,
 * no resource, no links, and attributes flattened from how Phoenix stores them.
 */
export interface PhoenixOtlpSpan {
  readonly trace_id?: string | null;
  readonly span_id?: string | null;
  readonly parent_span_id?: string | null;
  readonly name?: string | null;
  readonly kind?: string | number | null;
  readonly start_time_unix_nano?: number | string | null;
  readonly end_time_unix_nano?: number | string | null;
  readonly attributes?: readonly PhoenixKeyValue[] | null;
  readonly events?: readonly { readonly name?: string | null; readonly time_unix_nano?: number | string | null; readonly attributes?: readonly PhoenixKeyValue[] | null }[] | null;
  readonly status?: { readonly code?: number | null; readonly message?: string | null } | null;
}

interface PhoenixKeyValue {
  readonly key?: string | null;
  readonly value?: PhoenixAnyValue | null;
}

interface PhoenixAnyValue {
  readonly string_value?: string | null;
  readonly bool_value?: boolean | null;
  readonly int_value?: number | string | null;
  readonly double_value?: number | string | null;
  readonly bytes_value?: string | null;
  readonly array_value?: { readonly values?: readonly PhoenixAnyValue[] | null } | null;
}

/**
 * Attributes Phoenix parses from a JSON string when it stores a span and gives back flattened
 * (`metadata.node_type`, ...): `JSON_STRING_ATTRIBUTES` in `phoenix/trace/attributes.py`
 * (document.metadata, llm.prompt_template.variables, metadata, tool.parameters). Dify sends
 * `metadata` as one JSON string (arize_phoenix_trace.py); it is folded back so a run read from
 * Phoenix is the run Dify sent.
 */
const jsonStringSuffixes = ['document.metadata', 'llm.prompt_template.variables', 'metadata', 'tool.parameters'];

/** Phoenix spans of one project as the model's spans, the project as their resource (as Dify's exporter set it). */
export function phoenixSpansToModel(project: string, spans: readonly PhoenixOtlpSpan[]): Span[] {
  const otlp = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'openinference.project.name', value: { stringValue: project } }] },
        scopeSpans: [{ scope: { name: 'phoenix' }, spans: spans.map(toOtlpJsonSpan) }],
      },
    ],
  };
  return exportRequestToModel(traceJsonToMessage(otlp)).spans;
}

function toOtlpJsonSpan(span: PhoenixOtlpSpan): Record<string, unknown> {
  return {
    traceId: span.trace_id ?? '',
    spanId: span.span_id ?? '',
    ...(span.parent_span_id ? { parentSpanId: span.parent_span_id } : {}),
    name: span.name ?? '',
    kind: typeof span.kind === 'string' ? span.kind : (span.kind ?? 'SPAN_KIND_INTERNAL'),
    startTimeUnixNano: String(span.start_time_unix_nano ?? 0),
    endTimeUnixNano: String(span.end_time_unix_nano ?? span.start_time_unix_nano ?? 0),
    attributes: refoldJsonStrings(span.attributes ?? []),
    events: (span.events ?? []).map((e) => ({ name: e.name ?? '', timeUnixNano: String(e.time_unix_nano ?? 0), attributes: (e.attributes ?? []).flatMap(toOtlpKeyValue) })),
    status: { code: span.status?.code ?? 0, ...(span.status?.message ? { message: span.status.message } : {}) },
  };
}

/** Flattened `metadata.*` keys (and the other JSON-string attributes) back into one JSON string each. */
export function refoldJsonStrings(attributes: readonly PhoenixKeyValue[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const folded = new Map<string, Record<string, unknown>>();
  for (const kv of attributes) {
    if (!kv.key) continue;
    const prefix = jsonPrefixOf(kv.key);
    if (prefix === undefined) {
      out.push(...toOtlpKeyValue(kv));
      continue;
    }
    let object = folded.get(prefix);
    if (object === undefined) folded.set(prefix, (object = {}));
    setPath(object, kv.key.slice(prefix.length + 1).split('.'), plainValue(kv.value));
  }
  for (const [key, object] of folded) out.push({ key, value: { stringValue: JSON.stringify(arraysOf(object)) } });
  return out;
}

/** The shortest dotted prefix of `key` that names a JSON-string attribute, when `key` lies inside one. */
function jsonPrefixOf(key: string): string | undefined {
  const parts = key.split('.');
  for (let end = 1; end < parts.length; end++) {
    const prefix = parts.slice(0, end).join('.');
    if (jsonStringSuffixes.some((s) => prefix === s || prefix.endsWith(`.${s}`))) return prefix;
  }
  return undefined;
}

function setPath(object: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = object;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else node = node[part] = {};
  }
  node[path[path.length - 1]!] = value;
}

/** Phoenix flattens lists to `.0`, `.1`, ... keys: an object whose keys are exactly 0..n-1 was a list. */
function arraysOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, arraysOf(v)] as const);
  const isList = entries.length > 0 && entries.every(([k], i) => k === String(i));
  return isList ? entries.map(([, v]) => v) : Object.fromEntries(entries);
}

function plainValue(value: PhoenixAnyValue | null | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (value.string_value !== null && value.string_value !== undefined) return value.string_value;
  if (value.bool_value !== null && value.bool_value !== undefined) return value.bool_value;
  if (value.int_value !== null && value.int_value !== undefined) return Number(value.int_value);
  if (value.double_value !== null && value.double_value !== undefined) return typeof value.double_value === 'number' ? value.double_value : Number(value.double_value);
  if (value.array_value) return (value.array_value.values ?? []).map(plainValue);
  return value.bytes_value ?? null;
}

function toOtlpKeyValue(kv: PhoenixKeyValue): Record<string, unknown>[] {
  if (!kv.key) return [];
  return [{ key: kv.key, value: toOtlpAnyValue(kv.value) }];
}

function toOtlpAnyValue(value: PhoenixAnyValue | null | undefined): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (value.string_value !== null && value.string_value !== undefined) return { stringValue: value.string_value };
  if (value.bool_value !== null && value.bool_value !== undefined) return { boolValue: value.bool_value };
  if (value.int_value !== null && value.int_value !== undefined) return { intValue: String(value.int_value) };
  // Phoenix writes non-finite doubles as the strings "NaN", "Infinity", "-Infinity", as proto3 JSON does.
  if (value.double_value !== null && value.double_value !== undefined) return { doubleValue: value.double_value };
  if (value.bytes_value !== null && value.bytes_value !== undefined) return { bytesValue: value.bytes_value };
  if (value.array_value) return { arrayValue: { values: (value.array_value.values ?? []).map(toOtlpAnyValue) } };
  return {};
}
