// Dify with OTEL_EXPORTER_OTLP_PROTOCOL=grpc: the infrastructure half (API, plugin daemon and
// runtime spans, the API's logs) arrives over OTLP/gRPC from the real OpenTelemetry exporters, the
// app-level half over OTLP/HTTP. The trace service must list the same runs as when all of it comes
// over HTTP: one store, one decode path.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunSummary } from '../../src/shared/runSummary';
import { TraceService } from '../../src/server/traceService';
import { emitDemoTraces } from '../demo/emitDemoTraces';

function serviceWithGrpc(): TraceService {
  return new TraceService(
    { receiver: { enabled: true, host: '127.0.0.1', port: 0, grpcPort: 0, maxBodyMiB: 64 }, store: { maxSpans: 100_000, maxLogRecords: 1000 } },
    { runsChanged: () => {}, statusChanged: () => {}, log: () => {} },
  );
}

/** What a user sees of a run, without the times that differ between two sends. */
function comparable(run: RunSummary): unknown {
  return { traceId: run.traceId, status: run.status, appName: run.appName, failingNode: run.failingNode, errorKind: run.errorKind, rootCause: run.rootCause, linkedTraceIds: run.linkedTraceIds };
}

describe('the demo with its infrastructure half over OTLP/gRPC', () => {
  const overGrpc = serviceWithGrpc();
  const overHttp = serviceWithGrpc();
  const now = Date.now();
  let grpcSummary: Awaited<ReturnType<typeof emitDemoTraces>> | undefined;

  before(async () => {
    await Promise.all([overGrpc.start(), overHttp.start()]);
    const status = overGrpc.status();
    assert.equal(status.receiver.state, 'listening');
    assert.equal(status.grpc?.state, 'listening', 'both receivers listen');
    const url = (s: TraceService) => {
      const r = s.status().receiver;
      return r.state === 'listening' ? r.url : '';
    };
    const grpcUrl = status.grpc?.state === 'listening' ? status.grpc.url : '';
    grpcSummary = await emitDemoTraces({ endpoint: url(overGrpc), grpcEndpoint: grpcUrl, now });
    await emitDemoTraces({ endpoint: url(overHttp), now });
  });
  after(() => Promise.all([overGrpc.stop(), overHttp.stop()]));

  it('lists the same runs, failures, root causes and Trace Links as over OTLP/HTTP', async () => {
    const grpcRuns = (await overGrpc.backend.listRuns({ filter: {}, limit: 50 })).runs;
    const httpRuns = (await overHttp.backend.listRuns({ filter: {}, limit: 50 })).runs;
    assert.equal(grpcRuns.length, 3);
    for (const run of grpcRuns) assert.equal(run.linkedTraceIds?.length, 1, `${run.appName}: the infrastructure half is joined`);
    assert.deepEqual(grpcRuns.map(comparable), httpRuns.map(comparable));
  });

  it('stores every span and log record sent over gRPC', () => {
    const grpcStats = overGrpc.status();
    const httpStats = overHttp.status();
    assert.equal(grpcStats.spans, grpcSummary?.totalSpans);
    assert.equal(grpcStats.spans, httpStats.spans);
    assert.equal(grpcStats.logRecords, grpcSummary?.logRecords);
    assert.equal(grpcStats.rejectedRequests, 0);
    // API, plugin daemon and runtime spans, and the API's logs, each in one gRPC export; the Aliyun half over HTTP.
    assert.deepEqual(grpcStats.acceptedRequests, { grpc: 4, http: 1 });
    assert.deepEqual(httpStats.acceptedRequests, { grpc: 0, http: 5 });
  });
});
