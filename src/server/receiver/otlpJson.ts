import { fromJson, type DescMessage, type JsonValue, type MessageShape } from '@bufbuild/protobuf';
import { ExportLogsServiceRequestSchema, type ExportLogsServiceRequest } from './gen/opentelemetry/proto/collector/logs/v1/logs_service_pb';
import { ExportTraceServiceRequestSchema, type ExportTraceServiceRequest } from './gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { ReceiverError } from './receiverError';

/**
 * OTLP/JSON is proto3 JSON with one deviation: trace and span ids are hex, not base64
 * (opentelemetry-proto docs/specification.md, "JSON Protobuf Encoding"). Some senders still send
 * base64; the lengths tell them apart (16 bytes: 32 hex vs 24 base64 chars; 8 bytes: 16 vs 12).
 */
function hexIdToBase64(value: unknown, hexLength: 32 | 16): unknown {
  if (typeof value !== 'string' || value.length !== hexLength || !/^[0-9a-fA-F]+$/.test(value)) return value;
  return Buffer.from(value, 'hex').toString('base64');
}

function fixIds(target: unknown, keys: ReadonlyArray<readonly [string, 32 | 16]>): void {
  if (typeof target !== 'object' || target === null) return;
  const record = target as Record<string, unknown>;
  for (const [key, length] of keys) {
    if (key in record) record[key] = hexIdToBase64(record[key], length);
  }
}

const spanIdKeys = [['traceId', 32], ['spanId', 16], ['parentSpanId', 16]] as const;
const linkIdKeys = [['traceId', 32], ['spanId', 16]] as const;
const logIdKeys = [['traceId', 32], ['spanId', 16]] as const;

function each(value: unknown, visit: (item: unknown) => void): void {
  if (Array.isArray(value)) for (const item of value) visit(item);
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** resourceSpans[].scopeSpans[].spans[] and their links[]. */
function fixTraceIds(json: unknown): void {
  each(field(json, 'resourceSpans'), (rs) =>
    each(field(rs, 'scopeSpans'), (ss) =>
      each(field(ss, 'spans'), (span) => {
        fixIds(span, spanIdKeys);
        each(field(span, 'links'), (link) => fixIds(link, linkIdKeys));
      }),
    ),
  );
}

/** resourceLogs[].scopeLogs[].logRecords[]. */
function fixLogIds(json: unknown): void {
  each(field(json, 'resourceLogs'), (rl) => each(field(rl, 'scopeLogs'), (sl) => each(field(sl, 'logRecords'), (record) => fixIds(record, logIdKeys))));
}

/** Parses an OTLP/JSON export of one signal; throws `ReceiverError('badRequest')` with the parser's reason. */
function decodeOtlpJson<Desc extends DescMessage>(body: Buffer, schema: Desc, fixSignalIds: (json: unknown) => void): MessageShape<Desc> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new ReceiverError('badRequest', `Body is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  fixSignalIds(json);
  try {
    return fromJson(schema, json as JsonValue, { ignoreUnknownFields: true });
  } catch (e) {
    throw new ReceiverError('badRequest', `Body is not an OTLP/JSON ${schema.name}: ${(e as Error).message}`, { cause: e });
  }
}

export function decodeTraceJson(body: Buffer): ExportTraceServiceRequest {
  return decodeOtlpJson(body, ExportTraceServiceRequestSchema, fixTraceIds);
}

export function decodeLogsJson(body: Buffer): ExportLogsServiceRequest {
  return decodeOtlpJson(body, ExportLogsServiceRequestSchema, fixLogIds);
}
