// The Zipkin backend against a real Zipkin server (3.6.1 from Maven Central, fetched by
// scripts/ensure-zipkin.sh; its jar in ZIPKIN_JAR, set by scripts/test-backends.sh). What a real
// Dify 1.13.3 sent over OTLP (test/recorded) is given to the embedded receiver, and to Zipkin as an
// OpenTelemetry Zipkin exporter would send it (test/backends/modelToZipkin.ts); the runs read back
// through Zipkin's v2 API must be the receiver's, up to what Zipkin itself keeps: it lowercases
// names and has no span links (Aliyun's Trace Link is a span link).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { RemoteBackend } from '../../src/server/backends/remote/remoteBackend';
import { SourceError } from '../../src/server/backends/remote/traceSource';
import { ZipkinSource } from '../../src/server/backends/remote/zipkinSource';
import { TraceService } from '../../src/server/traceService';
import type { RunSummary } from '../../src/shared/runSummary';
import { loadRecordedCorpus, replayRecordedTraces } from '../recorded/recordedCorpus';
import { modelToZipkin } from './modelToZipkin';
import { startZipkin, type ZipkinProcess } from './zipkinProcess';

const jar = process.env['ZIPKIN_JAR'];
const corpus = loadRecordedCorpus('dify-1.13.3');
const everything = { sinceMs: 0, untilMs: Date.now() + 3_600_000 };
/** Zipkin keeps names lowercase; links are not in its model, so the Trace Link it can keep is Phoenix's (an attribute). */
const key = (r: RunSummary, keepsLinks: boolean) =>
  [r.traceId, r.status, r.kind, r.appName.toLowerCase(), (r.failingNode?.title ?? '').toLowerCase(), (r.failingNode?.within?.title ?? '').toLowerCase(), `${r.rootCause?.name ?? ''}@${r.rootCause?.serviceName ?? ''}`.toLowerCase(), r.errorKind ?? '', keepsLinks ? r.linkedTraceIds.join(',') : ''].join(' | ');

describe('Zipkin backend, against Zipkin 3.6.1', () => {
  let zipkin: ZipkinProcess;
  const reference = new TraceService({ receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 20 }, store: { maxSpans: 500_000 } }, { runsChanged: () => {}, statusChanged: () => {}, log: () => {} });
  /** App-level runs whose Trace Link is a span link (Aliyun's): Zipkin drops it. */
  const linkedBySpanLink = new Set<string>();

  before(async () => {
    assert.ok(jar, 'ZIPKIN_JAR names the Zipkin server jar (scripts/test-backends.sh sets it)');
    zipkin = await startZipkin(jar);
    await reference.start();
    const state = reference.status().receiver;
    assert.equal(state.state, 'listening');
    if (state.state !== 'listening') return;
    let spans = 0;
    await replayRecordedTraces(state.url, corpus, async (model) => {
      for (const s of model) if (s.links.length > 0) linkedBySpanLink.add(s.traceId);
      const response = await fetch(`${zipkin.url}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(model.map(modelToZipkin)) });
      assert.equal(response.status, 202, await response.text());
      spans += model.length;
    });
    assert.ok(spans > 5_000, `sent ${spans} spans`);
  });

  after(async () => {
    zipkin?.stop();
    await reference.stop();
  });

  it('lists the runs the receiver lists from the same traces (names lowercased, as Zipkin keeps them)', async () => {
    const expected = (await reference.backend.listRuns({ filter: everything, limit: 1_000 })).runs.map((r) => key(r, !linkedBySpanLink.has(r.traceId))).sort();
    assert.ok(expected.length >= 26, 'the recording has 26 runs');
    // Zipkin's collector stores asynchronously: the listing is repeated until it holds still.
    const remote = new RemoteBackend('zipkin', new ZipkinSource({ url: zipkin.url }), { searchLimit: 20_000, searchReuseMs: 0 });
    let listed: string[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      const runs = (await remote.listRuns({ filter: everything, limit: 1_000 })).runs;
      listed = runs.map((r) => key(r, !linkedBySpanLink.has(r.traceId))).sort();
      if (listed.length >= expected.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(listed, expected);
  });

  it('opens a failed run by id with its error and the events that carry its traceback', async () => {
    const run = (await reference.backend.listRuns({ filter: { ...everything, status: ['failed'], text: 'ZeroDivisionError' }, limit: 1 })).runs[0];
    assert.ok(run);
    const remote = new RemoteBackend('zipkin', new ZipkinSource({ url: zipkin.url }));
    const snapshot = await remote.getTrace({ traceId: run.traceId });
    const here = await reference.backend.getTrace({ traceId: run.traceId });
    assert.ok(snapshot && here);
    const own = (s: typeof here) => s.spans.filter((x) => x.traceId === run.traceId);
    assert.equal(own(snapshot).length, own(here).length);
    const errors = (s: typeof here) => own(s).filter((x) => x.status.code === 'error').map((x) => x.status.message ?? '').sort();
    assert.deepEqual(errors(snapshot), errors(here));
    const exceptions = (s: typeof here) => own(s).flatMap((x) => x.events.filter((e) => e.name === 'exception').map((e) => JSON.stringify(e.attributes['exception.message'] ?? ''))).sort();
    assert.ok(exceptions(here).length > 0);
    assert.deepEqual(exceptions(snapshot), exceptions(here));
  });

  it('says which backend failed, and why, when Zipkin is gone', async () => {
    const remote = new RemoteBackend('zipkin', new ZipkinSource({ url: zipkin.url }));
    const exited = once(zipkin.process, 'exit');
    zipkin.stop();
    await exited;
    await assert.rejects(remote.listRuns({ filter: everything, limit: 10 }), (e: unknown) => e instanceof SourceError && e.kind === 'unreachable' && /^Zipkin at http:\/\/127\.0\.0\.1:\d+ \(GET \/api\/v2\/traces\) could not be reached: .*ECONNREFUSED/.test(e.message));
  });
});
