// Worker thread entry (dist/decodeWorker.js): decodes OTLP bodies and maps them to the store's
// model, bounded by the span limits, so a request that takes seconds to decode (a gzip bomb of
// nested messages) holds this thread, never the one that answers the editor. When the job names the
// trace database, the spans are also written there (committed) before they are handed back: that
// write was half the main thread's time under a flood of spans, while this thread was mostly idle.
import { parentPort, workerData } from 'node:worker_threads';
import { SpanArchive } from '../store/spanArchive';
import { soleWriter, yieldingTurn } from '../store/writeTurn';
import { decodeLogsRequest, type OtlpEncoding } from './otlpBody';
import { tracesToModel } from './otlpDecoder';
import { logsRequestToModel } from './otlpLogsToModel';
import type { MappedSpans } from './otlpToModel';
import { ReceiverError } from './receiverError';

export interface DecodeJob {
  readonly id: number;
  readonly signal: 'traces' | 'logs';
  readonly encoding: OtlpEncoding;
  readonly body: Uint8Array;
  /** The trace database to write decoded spans to; none: the trace server keeps them in memory only. */
  readonly writeTo?: string;
}

export interface DecodeWorkerData {
  /** The main thread's announced writes to the trace database, which this thread lets go first (WriteTurn). */
  readonly writeTurns: SharedArrayBuffer;
}

export type DecodeResult =
  | { readonly id: number; readonly ok: true; readonly mapped: unknown }
  | { readonly id: number; readonly ok: false; readonly kind: ReceiverError['kind'] | undefined; readonly message: string };

/** This thread's connection to the trace database, opened on first use, replaced when the path changes. */
let archive: SpanArchive | undefined;
const turn = (workerData as DecodeWorkerData | undefined)?.writeTurns === undefined ? soleWriter : yieldingTurn((workerData as DecodeWorkerData).writeTurns);

parentPort?.on('message', (job: DecodeJob) => {
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    const mapped = job.signal === 'logs' ? logsRequestToModel(decodeLogsRequest(body, job.encoding)) : writeSpans(tracesToModel(body, job.encoding), job.writeTo);
    parentPort!.postMessage({ id: job.id, ok: true, mapped } satisfies DecodeResult);
  } catch (e) {
    const result: DecodeResult = { id: job.id, ok: false, kind: ReceiverError.is(e) ? e.kind : undefined, message: e instanceof Error ? e.message : String(e) };
    parentPort!.postMessage(result);
  }
});

/** Writes the spans to the database at `path` in one transaction; a failure is handed back for the trace server to write them itself. */
function writeSpans(mapped: MappedSpans, path: string | undefined): MappedSpans {
  if (archive !== undefined && archive.path !== path) closeArchive();
  if (path === undefined || mapped.spans.length === 0) return mapped;
  try {
    archive ??= SpanArchive.attach(path, turn);
    archive.add(mapped.spans);
    return { ...mapped, writtenTo: path };
  } catch (e) {
    closeArchive();
    return { ...mapped, writeFailure: e instanceof Error ? e.message : String(e) };
  }
}

function closeArchive(): void {
  try {
    archive?.close();
  } catch {
    // already unusable
  }
  archive = undefined;
}
