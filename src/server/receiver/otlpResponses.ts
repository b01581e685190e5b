import { create, toBinary, toJsonString, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { StatusSchema } from './gen/google/rpc/status_pb';
import { ExportLogsServiceResponseSchema } from './gen/opentelemetry/proto/collector/logs/v1/logs_service_pb';
import { ExportTraceServiceResponseSchema } from './gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import type { OtlpEncoding } from './otlpBody';

export interface EncodedResponse {
  readonly contentType: string;
  readonly body: Buffer;
}

const contentTypes: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

function encode<Desc extends DescMessage>(encoding: OtlpEncoding, schema: Desc, message: MessageShape<Desc>): EncodedResponse {
  const body = encoding === 'json' ? Buffer.from(toJsonString(schema, message)) : Buffer.from(toBinary(schema, message));
  return { contentType: contentTypes[encoding], body };
}

/**
 * 200 body: the signal's Export…ServiceResponse, with partial_success only when items were rejected.
 * (An empty response encodes the same for every signal, so accepted-and-dropped metrics use the trace one.)
 */
export function exportResponse(encoding: OtlpEncoding, signal: 'traces' | 'logs', rejected: number, errorMessage?: string): EncodedResponse {
  const message = errorMessage ?? '';
  if (signal === 'logs') {
    const partial = rejected > 0 ? { partialSuccess: { rejectedLogRecords: BigInt(rejected), errorMessage: message } } : {};
    return encode(encoding, ExportLogsServiceResponseSchema, create(ExportLogsServiceResponseSchema, partial));
  }
  const partial = rejected > 0 ? { partialSuccess: { rejectedSpans: BigInt(rejected), errorMessage: message } } : {};
  return encode(encoding, ExportTraceServiceResponseSchema, create(ExportTraceServiceResponseSchema, partial));
}

/** 4xx/5xx body: a google.rpc.Status whose message says what was wrong (OTLP/HTTP "Failures"). */
export function statusResponse(encoding: OtlpEncoding, message: string): EncodedResponse {
  return encode(encoding, StatusSchema, create(StatusSchema, { message }));
}
