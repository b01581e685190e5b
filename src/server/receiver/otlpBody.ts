import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { fromBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { ExportLogsServiceRequestSchema, type ExportLogsServiceRequest } from './gen/opentelemetry/proto/collector/logs/v1/logs_service_pb';
import { ExportTraceServiceRequestSchema, type ExportTraceServiceRequest } from './gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { decodeLogsJson, decodeTraceJson } from './otlpJson';
import { ReceiverError } from './receiverError';

const gunzipAsync = promisify(gunzip);

export type OtlpEncoding = 'protobuf' | 'json';

/** The encoding named by a Content-Type header, ignoring parameters such as charset. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return undefined;
}

/** Undoes Content-Encoding; the limit applies after decompression too (OTLP/HTTP spec). */
export async function decompress(body: Buffer, contentEncoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding !== 'gzip') throw new ReceiverError('badRequest', `Unsupported Content-Encoding "${encoding}"; send gzip or none.`);
  try {
    return await gunzipAsync(body, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ReceiverError('tooLarge', `Body exceeds ${maxBytes} bytes once decompressed.`, { cause: e });
    }
    throw new ReceiverError('badRequest', `Body is not valid gzip: ${(e as Error).message}`, { cause: e });
  }
}

function decodeProtobuf<Desc extends DescMessage>(body: Buffer, schema: Desc): MessageShape<Desc> {
  try {
    return fromBinary(schema, body);
  } catch (e) {
    throw new ReceiverError('badRequest', `Body is not a protobuf ${schema.name}: ${(e as Error).message}`, { cause: e });
  }
}

export function decodeTraceRequest(body: Buffer, encoding: OtlpEncoding): ExportTraceServiceRequest {
  return encoding === 'json' ? decodeTraceJson(body) : decodeProtobuf(body, ExportTraceServiceRequestSchema);
}

export function decodeLogsRequest(body: Buffer, encoding: OtlpEncoding): ExportLogsServiceRequest {
  return encoding === 'json' ? decodeLogsJson(body) : decodeProtobuf(body, ExportLogsServiceRequestSchema);
}
