import type { WriteTurn } from '../store/writeTurn';
import type { OtlpEncoding } from './otlpBody';
import { decodeLogsRequest, decodeTraceRequest } from './otlpBody';
import { logsRequestToModel, type MappedLogs } from './otlpLogsToModel';
import { exportRequestToModel, type MappedSpans } from './otlpToModel';
import { protobufTracesToModel } from './otlpWireTraces';

/** A trace request body as model spans: protobuf read straight into the model, JSON through its message. */
export function tracesToModel(body: Buffer, encoding: OtlpEncoding): MappedSpans {
  return encoding === 'protobuf' ? protobufTracesToModel(body) : exportRequestToModel(decodeTraceRequest(body, encoding));
}

/**
 * Turns an OTLP request body (already decompressed) into the store's model. The receivers share one,
 * so OTLP/HTTP and OTLP/gRPC decode, bound and map spans the same way.
 */
export interface OtlpDecoder {
  traces(body: Buffer, encoding: OtlpEncoding): Promise<MappedSpans>;
  logs(body: Buffer, encoding: OtlpEncoding): Promise<MappedLogs>;
  /**
   * Where a decoder that can write decoded spans to the trace database itself (off the main thread)
   * should; undefined: nowhere. Spans it wrote come back with `writtenTo`.
   */
  writeSpansTo?(path: string | undefined): void;
  /** The main thread's turn at writing that database, alongside the decoder's writes (WriteTurn). */
  readonly mainWriteTurn?: WriteTurn;
  close(): Promise<void>;
}

/** Decodes on the calling thread: for tests, imports, and where a worker cannot start. */
export const inlineDecoder: OtlpDecoder = {
  traces: (body, encoding) => Promise.resolve().then(() => tracesToModel(body, encoding)),
  logs: (body, encoding) => Promise.resolve().then(() => logsRequestToModel(decodeLogsRequest(body, encoding))),
  close: () => Promise.resolve(),
};
