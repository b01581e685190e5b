// Grafana Tempo is not installed here (AGPL-3.0): its adapter is tested against a server answering
// exactly as Tempo's HTTP API is documented to (grafana/tempo docs/sources/tempo/api_docs):
// `/api/search` with trace ids that are not left-padded, `/api/v2/traces/{id}` with OTLP/JSON under
// `trace` and ids in base64 (gogo jsonpb writes bytes so), and on an older Tempo without the v2
// route, `/api/traces/{id}` as protobuf. The traces it serves are what a real Dify 1.13.3 sent
// (test/recorded), and the runs read through the adapter must be the embedded receiver's.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { toBinary, toJson } from '@bufbuild/protobuf';
import type { Span } from '../../src/model/span';
import { RemoteBackend } from '../../src/server/backends/remote/remoteBackend';
import { TempoSource } from '../../src/server/backends/remote/tempoSource';
import { traceRequestOf } from '../../src/server/exchange/modelToOtlp';
import { ExportTraceServiceRequestSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { TraceService } from '../../src/server/traceService';
import type { RunSummary } from '../../src/shared/runSummary';
import { loadRecordedCorpus, replayRecordedTraces } from '../recorded/recordedCorpus';
import { listenOnLoopback } from './listenOnLoopback';

const corpus = loadRecordedCorpus('dify-1.13.3');
const everything = { sinceMs: 0, untilMs: Date.now() + 3_600_000 };
const key = (r: RunSummary) =>
  [r.traceId, r.status, r.kind, r.appName, r.failingNode?.title ?? '', `${r.rootCause?.name ?? ''}@${r.rootCause?.serviceName ?? ''}`, r.errorKind ?? '', r.linkedTraceIds.join(',')].join(' | ');

/** A Tempo: `modern` has the v2 trace API (2.5 and later), otherwise only v1. */
function fakeTempo(traces: ReadonlyMap<string, Span[]>, modern: boolean, asked: string[]): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    asked.push(url.pathname);
    const v2 = /^\/api\/v2\/traces\/([0-9a-f]+)$/.exec(url.pathname);
    const v1 = /^\/api\/traces\/([0-9a-f]+)$/.exec(url.pathname);
    if (url.pathname === '/api/search') {
      const [start, end, limit] = ['start', 'end', 'limit'].map((k) => Number(url.searchParams.get(k)));
      assert.equal(url.searchParams.get('q'), '{}');
      const found = [...traces]
        .map(([id, spans]) => ({ id, startUs: Math.min(...spans.map((s) => s.startUs)), spans }))
        .filter((t) => t.startUs / 1e6 >= start! && t.startUs / 1e6 < end!)
        .sort((a, b) => b.startUs - a.startUs)
        .slice(0, limit);
      res.setHeader('content-type', 'application/json');
      // Tempo does not left-pad search ids by default: a leading zero is dropped.
      res.end(JSON.stringify({ traces: found.map((t) => ({ traceID: t.id.replace(/^0+/, ''), rootServiceName: t.spans[0]!.resource.serviceName, rootTraceName: t.spans[0]!.name, startTimeUnixNano: String(t.startUs * 1000), durationMs: 1 })), metrics: { inspectedBytes: '1' } }));
      return;
    }
    if (v2 && modern) {
      const spans = traces.get(v2[1]!);
      res.setHeader('content-type', 'application/json');
      if (spans === undefined) res.writeHead(404).end(JSON.stringify({ error: 'trace not found' }));
      else res.end(JSON.stringify({ trace: toJson(ExportTraceServiceRequestSchema, traceRequestOf(spans)), status: 'COMPLETE' }));
      return;
    }
    if (v1 && !modern) {
      const spans = traces.get(v1[1]!);
      assert.equal(req.headers.accept, 'application/protobuf');
      if (spans === undefined) res.writeHead(404).end('trace not found');
      else res.writeHead(200, { 'content-type': 'application/protobuf' }).end(toBinary(ExportTraceServiceRequestSchema, traceRequestOf(spans)));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
  });
}

describe('Tempo backend, against Tempo\'s documented API serving a real Dify\'s traces', () => {
  const reference = new TraceService({ receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 20 }, store: { maxSpans: 500_000 } }, { runsChanged: () => {}, statusChanged: () => {}, log: () => {} });
  const traces = new Map<string, Span[]>();
  const askedModern: string[] = [];
  const askedOld: string[] = [];
  const modern = fakeTempo(traces, true, askedModern);
  const old = fakeTempo(traces, false, askedOld);
  let modernUrl = '';
  let oldUrl = '';

  before(async () => {
    await reference.start();
    const state = reference.status().receiver;
    assert.ok(state.state === 'listening');
    await replayRecordedTraces(state.url, corpus, (spans) => {
      for (const span of spans) {
        const list = traces.get(span.traceId) ?? [];
        list.push(span);
        traces.set(span.traceId, list);
      }
    });
    [modernUrl, oldUrl] = [await listenOnLoopback(modern), await listenOnLoopback(old)];
  });

  after(async () => {
    modern.close();
    old.close();
    await reference.stop();
  });

  it('lists the runs the receiver lists: search, then each trace by id (v2 JSON, base64 ids)', async () => {
    const expected = (await reference.backend.listRuns({ filter: everything, limit: 1_000 })).runs.map(key).sort();
    assert.ok(expected.length >= 26);
    const remote = new RemoteBackend('tempo', new TempoSource({ url: modernUrl }), { searchLimit: 20_000 });
    const page = await remote.listRuns({ filter: everything, limit: 1_000 });
    assert.deepEqual(page.runs.map(key).sort(), expected);
    assert.equal(page.fetched?.traces, traces.size);
    assert.ok(askedModern.filter((p) => p.startsWith('/api/v2/traces/')).length >= traces.size);
  });

  it('opens a run on a Tempo without the v2 trace API, from v1 protobuf, with its Trace Link', async () => {
    const run = (await reference.backend.listRuns({ filter: { ...everything, status: ['failed'], appName: 'wf-plugin-error-aliyun' }, limit: 1 })).runs[0];
    assert.ok(run && run.linkedTraceIds.length > 0);
    const remote = new RemoteBackend('tempo', new TempoSource({ url: oldUrl }));
    const snapshot = await remote.getTrace({ traceId: run.traceId });
    const here = await reference.backend.getTrace({ traceId: run.traceId });
    assert.ok(snapshot && here);
    assert.deepEqual([...snapshot.traceIds].sort(), [...here.traceIds].sort());
    assert.equal(snapshot.spans.length, here.spans.length);
    assert.equal(askedOld.filter((p) => p.startsWith('/api/v2/')).length, 1, 'the missing v2 route is learnt once');
    assert.equal(await new TempoSource({ url: oldUrl }).trace('0123456789abcdef0123456789abcdef' as never), undefined);
  });
});
