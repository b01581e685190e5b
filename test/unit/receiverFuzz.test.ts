// The short variant of the receiver fuzzer (the full 100k-request run is `npm run bench`,
// bench/fuzz.bench.ts): generated malformed and valid OTLP requests over HTTP and gRPC into the
// real trace service in a child process. No crash, no hang, every answer a status (never a reset
// connection), every acknowledged span stored, memory back near its baseline.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runFuzz } from '../fuzz/runFuzz';

const allowed = new Set(['200', '400', '404', '405', '413', 'grpc 0', 'grpc 3', 'grpc 8']);

it('survives 3,000 generated OTLP requests over HTTP and gRPC', { timeout: 240_000 }, async (t) => {
  const report = await runFuzz({ seed: 20261203, count: 3_000 });
  t.diagnostic(`${report.requests} requests (${report.byTransport.http} HTTP, ${report.byTransport.grpc} gRPC) in ${Math.round(report.durationMs)} ms; ${report.acknowledgedSpans} spans acknowledged; heap ${report.heapBaselineMiB.toFixed(1)} → ${report.heapAfterMiB.toFixed(1)} MiB with ${report.storedSpanMiB.toFixed(1)} MiB of spans stored`);
  assert.equal(report.crashed, undefined, 'the trace service is alive');
  assert.deepEqual(report.hangs, [], 'every request is answered in time');
  assert.equal(report.requests, 3_000);
  const unexpected = Object.entries(report.answers).flatMap(([kind, labels]) => Object.keys(labels).filter((l) => !allowed.has(l)).map((l) => `${kind}: ${l}`));
  assert.deepEqual(unexpected, [], 'every request gets an OTLP status');
  for (const [kind, labels] of Object.entries(report.answers)) {
    // (A truncated or random body may still be a valid request: cut at a field boundary, say.)
    if (/ (gzip bomb|over the limit|not gzip|wrong content type|wrong path|wrong method)$/.test(kind)) assert.equal(labels['200'] ?? labels['grpc 0'] ?? 0, 0, `${kind} is never acknowledged`);
  }
  assert.ok(report.acknowledgedSpans > 1_000, 'valid requests are part of the mix');
  assert.equal(report.missingSpans, 0, 'every acknowledged span is stored');
  const growth = report.heapAfterMiB - report.heapBaselineMiB - report.storedSpanMiB;
  assert.ok(growth < 48, `the heap holds ${growth.toFixed(1)} MiB beyond the stored spans`);
});
