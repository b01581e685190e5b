// Langfuse cannot run here (its v3/v4 stack needs ClickHouse 24+, MinIO, Redis, Postgres; see the
// README's backend table): its adapter is tested against a server answering as Langfuse's classic
// public API is documented to (langfuse fern/apis/server/definition trace.yml, observations.yml:
// `GET /api/public/traces` paged, `GET /api/public/traces/{id}` as TraceWithFullDetails, observation
// types in capitals, updates merged into their observation), holding what a real Dify sent to
// Langfuse's ingestion API (test/recorded). The runs read through the adapter must be the receiver's.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { LangfuseSource } from '../../src/server/backends/remote/langfuseSource';
import { RemoteBackend } from '../../src/server/backends/remote/remoteBackend';
import { SourceError } from '../../src/server/backends/remote/traceSource';
import { TraceService } from '../../src/server/traceService';
import type { RunSummary } from '../../src/shared/runSummary';
import { loadRecordedCorpus, postRecordedBody } from '../recorded/recordedCorpus';
import { listenOnLoopback } from './listenOnLoopback';

const everything = { sinceMs: 0, untilMs: Date.now() + 3_600_000 };
const key = (r: RunSummary) => [r.traceId, r.status, r.kind, r.appName, r.failingNode?.title ?? '', r.errorKind ?? '', r.workflowRunId ?? ''].join(' | ');
const basic = `Basic ${Buffer.from('pk-lf-recorded:sk-lf-secret').toString('base64')}`;

type Body = Record<string, unknown>;

/** What Langfuse stores of ingestion events: a trace per id, an observation per id with later updates merged in. */
function store(batches: readonly Body[]): { traces: Map<string, Body>; observations: Map<string, Body> } {
  const traces = new Map<string, Body>();
  const observations = new Map<string, Body>();
  const merge = (into: Map<string, Body>, id: string, body: Body) => into.set(id, { ...into.get(id), ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null && v !== undefined)) });
  for (const batch of batches) {
    for (const event of batch['batch'] as Body[]) {
      const body = event['body'] as Body;
      const type = String(event['type']);
      if (type === 'trace-create') merge(traces, String(body['id']), { ...body, timestamp: body['timestamp'] ?? event['timestamp'] });
      else if (/^(span|generation|event)-(create|update)$/.test(type)) merge(observations, String(body['id']), { ...body, type: type.split('-')[0]!.toUpperCase() });
    }
  }
  return { traces, observations };
}

function fakeLangfuse(data: ReturnType<typeof store>, eventsOnly: boolean): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== basic) {
      res.writeHead(401).end(JSON.stringify({ message: 'Invalid credentials' }));
      return;
    }
    if (eventsOnly) {
      res.writeHead(404).end(JSON.stringify({ message: 'This endpoint is not available on deployments running in Langfuse v4 events_only mode' }));
      return;
    }
    const one = /^\/api\/public\/traces\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === '/api/public/traces') {
      const [page, limit] = [Number(url.searchParams.get('page')), Number(url.searchParams.get('limit'))];
      const from = Date.parse(url.searchParams.get('fromTimestamp')!);
      const to = Date.parse(url.searchParams.get('toTimestamp')!);
      assert.equal(url.searchParams.get('orderBy'), 'timestamp.desc');
      const all = [...data.traces.values()].filter((t) => Date.parse(String(t['timestamp'])) >= from && Date.parse(String(t['timestamp'])) <= to).sort((a, b) => Date.parse(String(b['timestamp'])) - Date.parse(String(a['timestamp'])));
      res.end(JSON.stringify({ data: all.slice((page - 1) * limit, page * limit).map((t) => ({ id: t['id'], timestamp: t['timestamp'], name: t['name'] })), meta: { page, limit, totalItems: all.length, totalPages: Math.ceil(all.length / limit) } }));
      return;
    }
    if (one) {
      const trace = data.traces.get(decodeURIComponent(one[1]!));
      if (trace === undefined) {
        res.writeHead(404).end(JSON.stringify({ message: `Trace ${one[1]} not found within authorized project` }));
        return;
      }
      const observations = [...data.observations.values()].filter((o) => o['traceId'] === trace['id']);
      res.end(JSON.stringify({ ...trace, htmlPath: `/project/p/traces/${String(trace['id'])}`, scores: [], observations }));
      return;
    }
    res.writeHead(404).end(JSON.stringify({ message: 'Not found' }));
  });
}

describe('Langfuse backend, against Langfuse\'s documented classic API holding what a real Dify sent', () => {
  for (const release of ['dify-1.13.3-langfuse', 'dify-1.9.2-basic']) {
    describe(release, () => {
      const corpus = loadRecordedCorpus(release);
      const ingestion = corpus.bodies.filter((b) => b.path === '/api/public/ingestion');
      const reference = new TraceService({ receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 20 }, store: { maxSpans: 500_000 } }, { runsChanged: () => {}, statusChanged: () => {}, log: () => {} });
      const server = fakeLangfuse(store(ingestion.map((b) => JSON.parse(b.body.toString('utf8')) as Body)), false);
      let url = '';

      before(async () => {
        await reference.start();
        const state = reference.status().receiver;
        assert.ok(state.state === 'listening');
        // The receiver is given the ingestion requests only, as Langfuse was.
        for (const body of ingestion) assert.equal(await postRecordedBody(state.url, body), 207, "Langfuse answers ingestion with 207 Multi-Status");
        url = await listenOnLoopback(server);
      });
      after(async () => {
        server.close();
        await reference.stop();
      });

      it('lists the runs the receiver lists from the same export: status, kind, app, failing node, error kind, run id', async () => {
        const expected = (await reference.backend.listRuns({ filter: everything, limit: 1_000 })).runs.map(key).sort();
        assert.ok(expected.length > 0, 'the recording has runs sent to Langfuse');
        const remote = new RemoteBackend('langfuse', new LangfuseSource({ url, headers: { authorization: basic } }), { searchLimit: 1_000 });
        assert.deepEqual((await remote.listRuns({ filter: everything, limit: 1_000 })).runs.map(key).sort(), expected);
      });

      it('finds a listed run by its workflow run id (Dify names its Langfuse trace by the infrastructure trace id)', async () => {
        const run = (await reference.backend.listRuns({ filter: everything, limit: 1_000 })).runs.find((r) => r.workflowRunId !== undefined);
        assert.ok(run?.workflowRunId);
        const remote = new RemoteBackend('langfuse', new LangfuseSource({ url, headers: { authorization: basic } }));
        await remote.listRuns({ filter: everything, limit: 10 });
        const found = await remote.findTraces({ kind: 'difyId', uuid: run.workflowRunId, traceIdCandidate: run.workflowRunId.replace(/-/g, '') });
        assert.equal(found.matches[0]?.run?.workflowRunId, run.workflowRunId);
      });
    });
  }

  it('says what is wrong: the wrong keys, a Langfuse v4 in events-only mode', async () => {
    const v4 = fakeLangfuse({ traces: new Map(), observations: new Map() }, true);
    const url = await listenOnLoopback(v4);
    try {
      await assert.rejects(new LangfuseSource({ url, headers: { authorization: 'Basic d3Jvbmc6a2V5' } }).search({ ...everything, limit: 10 }), (e: unknown) => e instanceof SourceError && e.kind === 'unauthorized' && !e.message.includes('d3Jvbmc'));
      await assert.rejects(new LangfuseSource({ url, headers: { authorization: basic } }).search({ ...everything, limit: 10 }), (e: unknown) => e instanceof SourceError && /events-only mode, where the classic trace API is off/.test(e.message));
    } finally {
      v4.close();
    }
  });
});
