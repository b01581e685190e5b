import { create, toBinary, toJsonString } from '@bufbuild/protobuf';
import { StatusSchema } from './gen/google/rpc/status_pb';
import { ExportTraceServiceResponseSchema } from './gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import type { OtlpEncoding } from './otlpBody';

export interface EncodedResponse {
  readonly contentType: string;
  readonly body: Buffer;
}

const contentTypes: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** 200 body: an ExportTraceServiceResponse, with partial_success only when spans were rejected. */
export function exportResponse(encoding: OtlpEncoding, rejected: number, errorMessage?: string): EncodedResponse {
  const message = create(ExportTraceServiceResponseSchema, rejected > 0 ? { partialSuccess: { rejectedSpans: BigInt(rejected), errorMessage: errorMessage ?? '' } } : {});
  const body = encoding === 'json' ? Buffer.from(toJsonString(ExportTraceServiceResponseSchema, message)) : Buffer.from(toBinary(ExportTraceServiceResponseSchema, message));
  return { contentType: contentTypes[encoding], body };
}

/** 4xx/5xx body: a google.rpc.Status whose message says what was wrong (OTLP/HTTP "Failures"). */
export function statusResponse(encoding: OtlpEncoding, message: string): EncodedResponse {
  const status = create(StatusSchema, { message });
  const body = encoding === 'json' ? Buffer.from(toJsonString(StatusSchema, status)) : Buffer.from(toBinary(StatusSchema, status));
  return { contentType: contentTypes[encoding], body };
}
