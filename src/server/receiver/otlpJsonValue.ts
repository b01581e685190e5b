import type { ExportTraceServiceRequest } from './gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';

/**
 * An OTLP/JSON trace export already parsed (a remote backend's answer: Jaeger's `result`, Tempo's
 * `trace`, what the Phoenix adapter builds) as the message `exportRequestToModel` reads, without the
 * reflective `fromJson` the receiver uses for request bodies. Reading a 10k-span trace from Jaeger
 * spent most of its time there; this walks the fields `exportRequestToModel` reads and nothing else.
 * It reads what `decodeTraceJson` reads (hex or base64 ids, enum names or numbers, int64 as string
 * or number, lowerCamel or original field names), and `test/unit/otlpJsonValue.test.ts` holds the two
 * to the same spans on every recorded Dify request. Malformed input throws.
 */
export function traceJsonToMessage(json: unknown): ExportTraceServiceRequest {
  return { resourceSpans: list(json, 'resourceSpans', 'resource_spans').map(resourceSpansOf) } as unknown as ExportTraceServiceRequest;
}

type Json = Record<string, unknown>;

function record(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not an object`);
  return value as Json;
}

function field(json: unknown, camel: string, snake: string): unknown {
  const r = json as Json;
  return r[camel] ?? r[snake];
}

function list(json: unknown, camel: string, snake: string): unknown[] {
  const value = field(record(json, 'an OTLP message'), camel, snake);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${camel} is not a list`);
  return value;
}

function resourceSpansOf(value: unknown): unknown {
  const r = record(value, 'resourceSpans[]');
  const resource = r['resource'];
  return {
    resource: resource === undefined || resource === null ? undefined : { attributes: keyValues(resource) },
    scopeSpans: list(r, 'scopeSpans', 'scope_spans').map((s) => {
      const scope = field(record(s, 'scopeSpans[]'), 'scope', 'scope');
      return { scope: scope === undefined || scope === null ? undefined : { name: text(field(scope, 'name', 'name')) }, spans: list(s, 'spans', 'spans').map(spanOf) };
    }),
  };
}

function spanOf(value: unknown): unknown {
  const s = record(value, 'a span');
  const status = field(s, 'status', 'status');
  return {
    traceId: id(field(s, 'traceId', 'trace_id'), 16),
    spanId: id(field(s, 'spanId', 'span_id'), 8),
    parentSpanId: id(field(s, 'parentSpanId', 'parent_span_id'), 8),
    name: text(field(s, 'name', 'name')),
    kind: enumValue(field(s, 'kind', 'kind'), spanKinds),
    startTimeUnixNano: int64(field(s, 'startTimeUnixNano', 'start_time_unix_nano')),
    endTimeUnixNano: int64(field(s, 'endTimeUnixNano', 'end_time_unix_nano')),
    attributes: keyValues(s),
    events: list(s, 'events', 'events').map((e) => ({ name: text(field(e, 'name', 'name')), timeUnixNano: int64(field(e, 'timeUnixNano', 'time_unix_nano')), attributes: keyValues(e) })),
    links: list(s, 'links', 'links').map((l) => ({ traceId: id(field(l, 'traceId', 'trace_id'), 16), spanId: id(field(l, 'spanId', 'span_id'), 8), attributes: keyValues(l) })),
    status: status === undefined || status === null ? undefined : { code: enumValue(field(status, 'code', 'code'), statusCodes), message: text(field(status, 'message', 'message')) },
  };
}

function keyValues(json: unknown): unknown[] {
  return list(json, 'attributes', 'attributes').map((kv) => {
    const r = record(kv, 'an attribute');
    return { key: text(r['key']), value: anyValue(r['value']) };
  });
}

function anyValue(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  const v = record(value, 'an attribute value');
  let found: unknown;
  if ((found = v['stringValue'] ?? v['string_value']) !== undefined && found !== null) return { value: { case: 'stringValue', value: text(found) } };
  if ((found = v['boolValue'] ?? v['bool_value']) !== undefined && found !== null) {
    if (typeof found !== 'boolean') throw new Error('boolValue is not a boolean');
    return { value: { case: 'boolValue', value: found } };
  }
  if ((found = v['intValue'] ?? v['int_value']) !== undefined && found !== null) return { value: { case: 'intValue', value: int64(found) } };
  if ((found = v['doubleValue'] ?? v['double_value']) !== undefined && found !== null) return { value: { case: 'doubleValue', value: double(found) } };
  if ((found = v['bytesValue'] ?? v['bytes_value']) !== undefined && found !== null) return { value: { case: 'bytesValue', value: Buffer.from(text(found), 'base64') } };
  if ((found = v['arrayValue'] ?? v['array_value']) !== undefined && found !== null) return { value: { case: 'arrayValue', value: { values: list(found, 'values', 'values').map(anyValue) } } };
  if ((found = v['kvlistValue'] ?? v['kvlist_value']) !== undefined && found !== null) return { value: { case: 'kvlistValue', value: { values: keyValues({ attributes: field(found, 'values', 'values') }) } } };
  return { value: { case: undefined } };
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new Error('a string field is not a string');
  return value;
}

const emptyId = new Uint8Array(0);

/** OTLP/JSON ids are hex; some senders (Tempo, gogo jsonpb) write base64: the length tells them apart. */
function id(value: unknown, bytes: 16 | 8): Uint8Array {
  if (value === undefined || value === null || value === '') return emptyId;
  const s = text(value);
  if (s.length === bytes * 2) {
    // Buffer's hex decoding stops at the first character that is not hex: a short result was not hex.
    const hex = Buffer.from(s, 'hex');
    if (hex.length === bytes) return hex;
  }
  return Buffer.from(s, 'base64');
}

function int64(value: unknown): bigint {
  if (value === undefined || value === null || value === '') return 0n;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`${value} is not an integer`);
    return BigInt(value);
  }
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new Error(`${JSON.stringify(value)} is not an int64`);
}

function double(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new Error(`${JSON.stringify(value)} is not a double`);
}

const spanKinds: Record<string, number> = { SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5 };
const statusCodes: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

function enumValue(value: unknown, names: Record<string, number>): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && value in names) return names[value]!;
  throw new Error(`${JSON.stringify(value)} is not one of ${Object.keys(names).join(', ')}`);
}
