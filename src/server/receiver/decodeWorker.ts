// Worker thread entry (dist/decodeWorker.js): decodes OTLP bodies and maps them to the store's
// model, bounded by the span limits, so a request that takes seconds to decode (a gzip bomb of
// nested messages) holds this thread, never the one that answers the editor.
import { parentPort } from 'node:worker_threads';
import { decodeLogsRequest, type OtlpEncoding } from './otlpBody';
import { tracesToModel } from './otlpDecoder';
import { logsRequestToModel } from './otlpLogsToModel';
import { ReceiverError } from './receiverError';

export interface DecodeJob {
  readonly id: number;
  readonly signal: 'traces' | 'logs';
  readonly encoding: OtlpEncoding;
  readonly body: Uint8Array;
}

export type DecodeResult =
  | { readonly id: number; readonly ok: true; readonly mapped: unknown }
  | { readonly id: number; readonly ok: false; readonly kind: ReceiverError['kind'] | undefined; readonly message: string };

parentPort?.on('message', (job: DecodeJob) => {
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    const mapped = job.signal === 'logs' ? logsRequestToModel(decodeLogsRequest(body, job.encoding)) : tracesToModel(body, job.encoding);
    parentPort!.postMessage({ id: job.id, ok: true, mapped } satisfies DecodeResult);
  } catch (e) {
    const result: DecodeResult = { id: job.id, ok: false, kind: ReceiverError.is(e) ? e.kind : undefined, message: e instanceof Error ? e.message : String(e) };
    parentPort!.postMessage(result);
  }
});
