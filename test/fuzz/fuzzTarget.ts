// Child process for the receiver fuzzer: the real TraceService with both receivers and the decode
// worker, as the trace server runs them, so a crash or a hang is the process's, not the fuzzer's.
// Run with --expose-gc: memory is measured after a full collection.
import { TraceService } from '../../src/server/traceService';
import { WorkerDecoder } from '../../src/server/receiver/workerDecoder';
import type { TraceId } from '../../src/model/units';

const maxBodyMiB = Number(process.env['FUZZ_MAX_BODY_MIB'] ?? '1');
const decoder = new WorkerDecoder();
let announced = false;
const service = new TraceService(
  { receiver: { enabled: true, host: '127.0.0.1', port: 0, grpcPort: 0, maxBodyMiB }, store: { maxSpans: 10_000_000, maxMemoryMiB: 4096 } },
  {
    runsChanged: () => {},
    statusChanged: (status) => {
      if (announced || status.receiver.state !== 'listening' || status.grpc?.state !== 'listening') return;
      announced = true;
      process.send?.({ ready: { http: status.receiver.url, grpc: status.grpc.url } });
    },
    log: () => {},
  },
  Date.now,
  decoder,
);

export type FuzzTargetRequest = { readonly memory: true } | { readonly missing: readonly (readonly [string, string])[] };

process.on('message', (message: FuzzTargetRequest) => {
  if ('memory' in message) {
    (globalThis as { gc?: () => void }).gc?.();
    const status = service.status();
    process.send?.({ memory: { heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss, spanBytes: status.spanBytes ?? 0, spans: status.spans, refused: status.rejectedRequests } });
  } else {
    let missing = 0;
    for (const [traceId, spanId] of message.missing) {
      if (!service.store.spansOf(traceId as TraceId)?.some((s) => s.spanId === spanId)) missing++;
    }
    process.send?.({ missing });
  }
});
process.on('disconnect', () => {
  void service.stop().then(() => decoder.close()).then(() => process.exit(0));
});
void service.start();
