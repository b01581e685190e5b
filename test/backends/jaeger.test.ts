// The Jaeger backend against a real Jaeger v2 (v1.75.0, built by scripts/ensure-jaeger.sh; its path
// in JAEGER_BINARY, set by scripts/test-backends.sh): what a real Dify 1.13.3 sent (test/recorded)
// is sent to Jaeger and to the embedded receiver alike, and the runs read back from Jaeger's query
// API must be the receiver's, field for field.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { JaegerSource } from '../../src/server/backends/remote/jaegerSource';
import { RemoteBackend } from '../../src/server/backends/remote/remoteBackend';
import { SourceError } from '../../src/server/backends/remote/traceSource';
import { TraceService } from '../../src/server/traceService';
import type { RunSummary } from '../../src/shared/runSummary';
import { loadRecordedCorpus, postRecordedBody } from '../recorded/recordedCorpus';
import { startJaeger, type JaegerProcess } from './jaegerProcess';

const binary = process.env['JAEGER_BINARY'];
const corpus = loadRecordedCorpus('dify-1.13.3');
/** Every trace the recording holds is fetched (it has about 3,200, most of them the worker's). */
const searchLimit = 20_000;
const everything = { sinceMs: 0, untilMs: Date.now() + 3_600_000 };
const key = (r: RunSummary) =>
  [r.traceId, r.status, r.kind, r.appName, r.failingNode?.title ?? '', r.failingNode?.within?.title ?? '', `${r.rootCause?.name ?? ''}@${r.rootCause?.serviceName ?? ''}`, r.errorKind ?? '', r.hiddenErrors?.count ?? 0, r.linkedTraceIds.join(',')].join(' | ');

describe('Jaeger backend, against Jaeger v1.75.0', () => {
  let jaeger: JaegerProcess;
  const reference = new TraceService({ receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 20 }, store: { maxSpans: 500_000 } }, { runsChanged: () => {}, statusChanged: () => {}, log: () => {} });

  before(async () => {
    assert.ok(binary, 'JAEGER_BINARY names the Jaeger build (scripts/test-backends.sh sets it)');
    jaeger = await startJaeger(binary, { maxTraces: 100_000 });
    await reference.start();
    const state = reference.status().receiver;
    assert.equal(state.state, 'listening');
    if (state.state !== 'listening') return;
    // The OTLP bodies (infrastructure telemetry, the Aliyun and Phoenix exporters); Langfuse's ingestion API is not OTLP.
    let sent = 0;
    for (const body of corpus.bodies) {
      if (!/\/v1\/traces$|\/api\/otlp\/traces$/.test(body.path)) continue;
      const otlp = { ...body, path: '/v1/traces' };
      assert.equal(await postRecordedBody(jaeger.otlp, otlp), 200);
      assert.equal(await postRecordedBody(state.url, otlp), 200);
      sent++;
    }
    assert.ok(sent > 1_000);
  });

  after(async () => {
    jaeger?.stop();
    await reference.stop();
  });

  it('lists the runs the receiver lists from the same traces: status, kind, app, failing node, root cause, error kind, Trace Link', async () => {
    const expected = (await reference.backend.listRuns({ filter: everything, limit: 1_000 })).runs.map(key).sort();
    assert.ok(expected.length >= 26, 'the recording has 26 runs');
    const remote = new RemoteBackend('jaeger', new JaegerSource({ url: jaeger.query }), { searchLimit });
    const page = await remote.listRuns({ filter: everything, limit: 1_000 });
    assert.deepEqual(page.runs.map(key).sort(), expected);
    assert.ok(page.fetched && page.fetched.traces > 3_000 && page.fetched.traces < searchLimit, `fetched ${JSON.stringify(page.fetched)}`);
    // A filter is applied to what was fetched, as the embedded store applies it.
    const failed = await remote.listRuns({ filter: { ...everything, status: ['failed'], text: 'ZeroDivisionError' }, limit: 1_000 });
    const failedHere = await reference.backend.listRuns({ filter: { ...everything, status: ['failed'], text: 'ZeroDivisionError' }, limit: 1_000 });
    assert.ok(failedHere.runs.length > 0);
    assert.deepEqual(failed.runs.map(key).sort(), failedHere.runs.map(key).sort());
  });

  it('opens a run by id with its infrastructure trace, and finds a run by its workflow run id', async () => {
    const remote = new RemoteBackend('jaeger', new JaegerSource({ url: jaeger.query }), { searchLimit });
    const run = (await reference.backend.listRuns({ filter: { ...everything, status: ['failed'], appName: 'wf-plugin-error-aliyun' }, limit: 1 })).runs[0];
    assert.ok(run?.workflowRunId && run.linkedTraceIds.length > 0, 'the recording has a failed Aliyun plugin run linked to its infrastructure trace');
    const snapshot = await remote.getTrace({ traceId: run.traceId });
    const here = await reference.backend.getTrace({ traceId: run.traceId });
    assert.ok(snapshot && here);
    assert.deepEqual([...snapshot.traceIds].sort(), [...here.traceIds].sort(), 'both halves');
    assert.equal(snapshot.spans.length, here.spans.length);
    const found = await new RemoteBackend('jaeger', new JaegerSource({ url: jaeger.query })).findTraces({ kind: 'difyId', uuid: run.workflowRunId, traceIdCandidate: run.workflowRunId.replace(/-/g, '') });
    assert.equal(found.matches[0]?.traceId, run.traceId);
    assert.equal(found.matches[0]?.run?.status, 'failed');
  });

  it('says which backend failed, and why, when Jaeger is gone', async () => {
    const remote = new RemoteBackend('jaeger', new JaegerSource({ url: jaeger.query }), { searchLimit });
    const exited = once(jaeger.process, 'exit');
    jaeger.stop();
    await exited;
    await assert.rejects(remote.listRuns({ filter: everything, limit: 10 }), (e: unknown) => e instanceof SourceError && /^Jaeger at http:\/\/127\.0\.0\.1:\d+ \(GET \/api\/v3\/traces\) could not be reached: .*ECONNREFUSED/.test(e.message));
  });
});
