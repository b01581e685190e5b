// The Phoenix backend against a real Arize Phoenix (installed from PyPI by scripts/ensure-phoenix.sh;
// its `phoenix` executable in PHOENIX_BINARY, set by scripts/test-backends.sh): what a real Dify
// 1.13.3 sent to its Phoenix tracing (test/recorded) goes to Phoenix and to the embedded receiver
// alike, and the runs read back through Phoenix's REST API must be the receiver's, field for field.
// Trace Link across backends: with Dify's infrastructure telemetry in a real Jaeger, a Phoenix run
// opens with its infrastructure trace from Jaeger in the same snapshot.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BackendRegistry } from '../../src/server/backends/backendRegistry';
import { PhoenixSource } from '../../src/server/backends/remote/phoenixSource';
import { RemoteBackend } from '../../src/server/backends/remote/remoteBackend';
import { SourceError } from '../../src/server/backends/remote/traceSource';
import { TraceService } from '../../src/server/traceService';
import type { RunSummary } from '../../src/shared/runSummary';
import { loadRecordedCorpus, postRecordedBody } from '../recorded/recordedCorpus';
import { startJaeger, type JaegerProcess } from './jaegerProcess';
import { startPhoenix, type PhoenixProcess } from './phoenixProcess';

const phoenixBinary = process.env['PHOENIX_BINARY'];
const jaegerBinary = process.env['JAEGER_BINARY'];
const corpus = loadRecordedCorpus('dify-1.13.3');
const everything = { sinceMs: 0, untilMs: Date.now() + 3_600_000 };
const key = (r: RunSummary) =>
  [r.traceId, r.status, r.kind, r.appName, r.failingNode?.title ?? '', r.failingNode?.within?.title ?? '', `${r.rootCause?.name ?? ''}@${r.rootCause?.serviceName ?? ''}`, r.errorKind ?? '', r.hiddenErrors?.count ?? 0, r.linkedTraceIds.join(',')].join(' | ');

function referenceService(): TraceService {
  return new TraceService({ receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 20 }, store: { maxSpans: 500_000 } }, { runsChanged: () => {}, statusChanged: () => {}, log: () => {} });
}

async function receiverUrl(service: TraceService): Promise<string> {
  await service.start();
  const state = service.status().receiver;
  assert.equal(state.state, 'listening');
  return state.state === 'listening' ? state.url : '';
}

describe('Phoenix backend, against Arize Phoenix from PyPI, with Jaeger v1.75.0 for the infrastructure half', () => {
  let phoenix: PhoenixProcess;
  let jaeger: JaegerProcess;
  /** The receiver given what Dify sent to Phoenix, and the receiver given that and the infrastructure telemetry. */
  const phoenixOnly = referenceService();
  const bothHalves = referenceService();

  before(async () => {
    assert.ok(phoenixBinary, 'PHOENIX_BINARY names the Phoenix executable (scripts/test-backends.sh sets it)');
    assert.ok(jaegerBinary, 'JAEGER_BINARY names the Jaeger build (scripts/test-backends.sh sets it)');
    [phoenix, jaeger] = await Promise.all([startPhoenix(phoenixBinary), startJaeger(jaegerBinary, { maxTraces: 100_000 })]);
    const [phoenixOnlyUrl, bothUrl] = [await receiverUrl(phoenixOnly), await receiverUrl(bothHalves)];
    let toPhoenix = 0;
    for (const body of corpus.bodies) {
      if (body.sink === 'phoenix') {
        // Phoenix takes OTLP/HTTP protobuf on /v1/traces, as Dify's exporter sends it.
        assert.equal(await postRecordedBody(phoenix.url, body), 200);
        assert.equal(await postRecordedBody(phoenixOnlyUrl, body), 200);
        assert.equal(await postRecordedBody(bothUrl, body), 200);
        toPhoenix++;
      } else if (body.sink === 'infra') {
        assert.equal(await postRecordedBody(jaeger.otlp, body), 200);
        assert.equal(await postRecordedBody(bothUrl, body), 200);
      }
    }
    assert.ok(toPhoenix > 50, 'the recording has the Phoenix exporter\'s requests');
  });

  after(async () => {
    phoenix?.stop();
    jaeger?.stop();
    await phoenixOnly.stop();
    await bothHalves.stop();
  });

  it('lists the runs the receiver lists from the same traces: status, kind, app, failing node, root cause, error kind, Trace Link', async () => {
    const expected = (await phoenixOnly.backend.listRuns({ filter: everything, limit: 1_000 })).runs.map(key).sort();
    assert.ok(expected.length >= 13, `the recording has 13 Phoenix runs, the receiver listed ${expected.length}`);
    // Phoenix stores spans as they arrive; the REST API may lag the last OTLP response by a moment.
    const remote = new RemoteBackend('phoenix', new PhoenixSource({ url: phoenix.url }), { searchLimit: 5_000, searchReuseMs: 0 });
    let listed: string[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      listed = (await remote.listRuns({ filter: everything, limit: 1_000 })).runs.map(key).sort();
      if (listed.length >= expected.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(listed, expected);
    // A filter the API cannot apply is applied to what was fetched, as the embedded store applies it.
    const failed = (await remote.listRuns({ filter: { ...everything, status: ['failed'], text: 'ZeroDivisionError' }, limit: 1_000 })).runs.map(key).sort();
    const failedHere = (await phoenixOnly.backend.listRuns({ filter: { ...everything, status: ['failed'], text: 'ZeroDivisionError' }, limit: 1_000 })).runs.map(key).sort();
    assert.ok(failedHere.length > 0);
    assert.deepEqual(failed, failedHere);
    // One project, as a Dify app's Phoenix config names it.
    const oneProject = new RemoteBackend('phoenix', new PhoenixSource({ url: phoenix.url, projects: ['wf-code-py-error-phoenix'] }));
    const projectRuns = (await oneProject.listRuns({ filter: everything, limit: 1_000 })).runs;
    assert.ok(projectRuns.length > 0 && projectRuns.every((r) => r.rootCause === undefined || r.rootCause.serviceName.startsWith('wf-code-py-error-phoenix')), JSON.stringify(projectRuns.map((r) => [r.appName, r.rootCause?.serviceName])));
  });

  it('Trace Link across backends: a Phoenix run opens with its infrastructure trace from Jaeger, as the receiver joins them', async () => {
    const registry = new BackendRegistry(referenceService().backend);
    registry.configure([
      { id: 'phoenix', kind: 'phoenix', url: phoenix.url },
      { id: 'jaeger', kind: 'jaeger', url: jaeger.query },
    ]);
    const runs = (await registry.listRuns({ backend: 'phoenix', filter: { ...everything, status: ['failed'] }, limit: 1_000 })).runs;
    const linked = runs.filter((r) => r.linkedTraceIds.length > 0);
    assert.ok(linked.length > 0, 'the recording has failed Phoenix runs whose dify_trace_id is their infrastructure trace');
    let joined = 0;
    for (const run of linked) {
      const here = await bothHalves.backend.getTrace({ traceId: run.traceId });
      const snapshot = await registry.getTrace({ traceId: run.traceId });
      assert.ok(here && snapshot);
      // The receiver also joins a run with the infrastructure trace that ran the same node executions
      // (an X-Trace-Id run whose dify_trace_id is not the infrastructure trace): that takes its index of
      // every stored trace, which a remote backend does not offer; what the link names must be joined.
      const named = here.traceIds.filter((t) => t === run.traceId || run.linkedTraceIds.includes(t));
      assert.deepEqual([...snapshot.traceIds].sort(), [...named].sort(), `both halves of ${run.appName} ${run.traceId}`);
      const per = (s: typeof here) => JSON.stringify(named.map((t) => [t, s.spans.filter((x) => x.traceId === t).length]));
      assert.equal(per(snapshot), per(here), 'every span of both halves, the worker\'s spans in the Phoenix trace too');
      if (named.length > 1) joined++;
    }
    assert.ok(joined > 0, 'at least one run was joined with its infrastructure half');
  });

  it('says which backend failed, and why: a project Phoenix does not have, a URL that is not Phoenix', async () => {
    const wrongProject = new PhoenixSource({ url: phoenix.url, projects: ['no-such-project'] });
    await assert.rejects(wrongProject.search({ ...everything, limit: 10 }), (e: unknown) => e instanceof SourceError && e.kind === 'notFound' && /has no project "no-such-project"/.test(e.message));
    const notPhoenix = new PhoenixSource({ url: jaeger.query });
    await assert.rejects(notPhoenix.search({ ...everything, limit: 10 }), (e: unknown) => e instanceof SourceError && /Phoenix at http:\/\/127\.0\.0\.1:\d+/.test(e.message));
  });
});
