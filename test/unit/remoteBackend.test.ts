import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Span } from '../../src/model/span';
import type { TraceId } from '../../src/model/units';
import { BackendRegistry, UnknownBackendError } from '../../src/server/backends/backendRegistry';
import { EmbeddedBackend } from '../../src/server/backends/embeddedBackend';
import { JaegerSource } from '../../src/server/backends/remote/jaegerSource';
import { RemoteBackend } from '../../src/server/backends/remote/remoteBackend';
import { SourceError, type SearchWindow, type TraceSource } from '../../src/server/backends/remote/traceSource';
import { traceLine } from '../../src/server/exchange/otlpJsonLines';
import { LogStore } from '../../src/server/store/logStore';
import { MemoryTraceStore } from '../../src/server/store/memoryTraceStore';
import { RunIndex } from '../../src/server/store/runIndex';
import { aliyunResource, apiResource, span, traceId } from './spanBuilder';

const minute = 60_000;
const nowMs = Date.parse('2026-12-01T12:00:00Z');

/** A Dify workflow run in the Aliyun exporter's shape (trace `n`), linked to its infrastructure trace `n + 100`, failing in a Code node. */
function run(n: number, startMs: number): Span[] {
  const trace = traceId(n);
  const infra = traceId(n + 100);
  const links = [{ traceId: infra, attributes: {} }];
  const us = startMs * 1000;
  return [
    span({ trace, id: 1, name: 'workflow', resource: aliyunResource, start: us, end: us + 500_000, links, error: 'ZeroDivisionError: division by zero' }),
    span({ trace, id: 2, parent: 1, name: 'Code', resource: aliyunResource, start: us + 1, end: us + 400_000, links, error: 'ZeroDivisionError: division by zero' }),
    span({ trace: infra, id: 3, name: 'POST /v1/workflows/run', resource: apiResource, start: us - 10, end: us + 600_000 }),
  ];
}

/** A source over fixed spans that records what it was asked. */
class FakeSource implements TraceSource {
  readonly kind = 'fake';
  readonly label = 'Fake at http://127.0.0.1:1';
  readonly searches: SearchWindow[] = [];
  readonly fetched: string[] = [];
  constructor(private readonly spans: readonly Span[], private readonly failing = false) {}
  async search(window: SearchWindow): Promise<readonly Span[]> {
    this.searches.push(window);
    if (this.failing) throw new SourceError(`${this.label} could not be reached: ECONNREFUSED.`);
    const starts = new Map<string, number>();
    for (const s of this.spans) starts.set(s.traceId, Math.min(starts.get(s.traceId) ?? Infinity, s.startUs / 1000));
    const inWindow = [...starts].filter(([, t]) => t >= window.sinceMs && t <= window.untilMs).sort((a, b) => b[1] - a[1]).slice(0, window.limit).map(([id]) => id);
    return this.spans.filter((s) => inWindow.includes(s.traceId));
  }
  async trace(id: TraceId): Promise<readonly Span[] | undefined> {
    this.fetched.push(id);
    if (this.failing) throw new SourceError(`${this.label} could not be reached: ECONNREFUSED.`);
    const spans = this.spans.filter((s) => s.traceId === id);
    return spans.length === 0 ? undefined : spans;
  }
  uiUrl(id: string): string {
    return `http://127.0.0.1:1/trace/${id}`;
  }
}

describe('remote backend', () => {
  const spans = [...run(1, nowMs - 30 * minute), ...run(2, nowMs - 5 * minute), ...run(3, nowMs - 3 * 24 * 60 * minute)];

  it('lists the runs a time-range search fetched, classified as the receiver would, and says what was fetched', async () => {
    const source = new FakeSource(spans);
    const backend = new RemoteBackend('staging', source, { now: () => nowMs, searchLimit: 50 });
    const page = await backend.listRuns({ filter: { status: ['failed'] }, limit: 10 });
    assert.deepEqual(page.runs.map((r) => r.traceId), [traceId(2), traceId(1)], 'the last 24 h by default, newest first; run 3 is older');
    assert.equal(page.runs[0]!.failingNode?.title, 'Code');
    assert.deepEqual(page.runs[0]!.linkedTraceIds, [traceId(102)], 'Trace Link joined from what the search fetched');
    assert.deepEqual(page.fetched, { source: source.label, traces: 4, limit: 50, sinceMs: nowMs - 24 * 60 * minute, untilMs: nowMs });
    // The same range again within seconds (facets, a refresh burst) is not searched again.
    await backend.runFacets({ filter: {} });
    assert.equal(source.searches.length, 1);
    // A wider range is.
    const wider = await backend.listRuns({ filter: { sinceMs: nowMs - 4 * 24 * 60 * minute }, limit: 10 });
    assert.equal(wider.runs.length, 3);
    assert.equal(source.searches.length, 2);
  });

  it('opens a trace it has not listed by asking the source for it and for the trace its run links to', async () => {
    const source = new FakeSource(spans);
    const backend = new RemoteBackend('staging', source, { now: () => nowMs });
    const snapshot = await backend.getTrace({ traceId: traceId(3) });
    assert.ok(snapshot);
    assert.deepEqual([...snapshot.traceIds].sort(), [traceId(3), traceId(103)]);
    assert.deepEqual(source.fetched, [traceId(3), traceId(103)]);
    assert.equal(await backend.getTrace({ traceId: traceId(9) }), null, 'unknown to the source');
    const found = await backend.findTraces({ kind: 'traceId', traceId: traceId(3) });
    assert.deepEqual(found.matches.map((m) => m.traceId), [traceId(3)]);
    assert.deepEqual(found.searched, ['staging']);
  });

  it('passes a source failure on with the source named', async () => {
    const backend = new RemoteBackend('staging', new FakeSource(spans, true), { now: () => nowMs });
    await assert.rejects(backend.listRuns({ filter: {}, limit: 10 }), (e: unknown) => e instanceof SourceError && /Fake at http:\/\/127\.0\.0\.1:1 could not be reached/.test(e.message));
  });
});

describe('backend registry', () => {
  const store = new MemoryTraceStore(10_000);
  const runs = new RunIndex(store);
  runs.markChanged(store.add(run(1, nowMs - minute)).touched);
  const embedded = new EmbeddedBackend(store, runs, new LogStore(0));

  it('lists from the backend asked for, finds a trace wherever it is, and names backends it could not ask', async () => {
    const logged: string[] = [];
    // The registry's remote backends search the last 24 h of the real clock.
    const registry = new BackendRegistry(embedded, (m) => logged.push(m), (config) => (config.id === 'down' ? new FakeSource([], true) : new FakeSource(run(5, Date.now() - minute))));
    registry.configure([{ id: 'staging', kind: 'jaeger', url: 'http://127.0.0.1:1' }, { id: 'down', kind: 'jaeger', url: 'http://127.0.0.1:2' }]);
    assert.deepEqual((await registry.listRuns({ filter: {}, limit: 10 })).runs.map((r) => r.traceId), [traceId(1)], 'no backend: the embedded store');
    assert.deepEqual((await registry.listRuns({ filter: {}, limit: 10, backend: 'staging' })).runs.map((r) => r.traceId), [traceId(5)]);
    assert.throws(() => registry.backend('gone'), (e: unknown) => e instanceof UnknownBackendError && /difyTrace\.backends/.test(e.message));
    assert.ok(await registry.getTrace({ traceId: traceId(1) }), 'from the embedded store');
    assert.ok(await registry.getTrace({ traceId: traceId(5) }), 'from the remote backend that has it');
    assert.deepEqual(registry.linkOf(traceId(5)), { url: `http://127.0.0.1:1/trace/${traceId(5)}`, backend: 'staging', source: 'Fake at http://127.0.0.1:1' }, 'Open in Trace Backend: where it was fetched from');
    assert.equal(registry.linkOf(traceId(1)), null, 'the embedded receiver\'s own trace has no other home');
    assert.equal(await registry.getTrace({ traceId: traceId(7) }), null);
    assert.ok(logged.some((m) => /Fake at http:\/\/127\.0\.0\.1:1 could not be reached/.test(m)), 'the failing backend is logged, not thrown');
    const found = await registry.findTraces({ kind: 'traceId', traceId: traceId(5) });
    assert.deepEqual(found.matches.map((m) => m.traceId), [traceId(5)]);
    assert.deepEqual(found.searched, ['embedded', 'staging', 'down']);
    assert.equal(found.failed?.length, 1);
    assert.match(found.failed?.[0] ?? '', /^down: /);
  });

  it('tests a backend before it is added: what it answered, or why it could not', async () => {
    const registry = new BackendRegistry(embedded, () => {}, (config) => (config.id === 'down' ? new FakeSource([], true) : new FakeSource(run(5, nowMs - minute))));
    assert.deepEqual(await registry.test({ id: 'new', kind: 'jaeger', url: 'http://127.0.0.1:1' }, undefined, nowMs), { ok: true, traces: 1, source: 'Fake at http://127.0.0.1:1' });
    const down = await registry.test({ id: 'down', kind: 'jaeger', url: 'http://127.0.0.1:2' }, undefined, nowMs);
    assert.equal(down.ok, false);
    assert.match(down.ok ? '' : down.message, /could not be reached: ECONNREFUSED/);
  });

  it('keeps the cache of a backend whose settings did not change', async () => {
    let made = 0;
    const registry = new BackendRegistry(embedded, () => {}, () => (made++, new FakeSource([])));
    const config = { id: 'staging', kind: 'jaeger' as const, url: 'http://127.0.0.1:1' };
    registry.configure([config]);
    const first = registry.backend('staging');
    registry.configure([{ ...config }]);
    assert.equal(registry.backend('staging'), first);
    registry.configure([{ ...config, url: 'http://127.0.0.1:3' }]);
    assert.notEqual(registry.backend('staging'), first);
    assert.equal(made, 2);
  });
});

describe('Jaeger source (query API v3)', () => {
  // Answers as Jaeger v1.75.0 does: OTLP/JSON in {"result": ...}, hex ids; 404 with its error envelope.
  const stored = run(1, nowMs - minute);
  const asked: string[] = [];
  const authorizations: (string | undefined)[] = [];
  let server: Server;
  let base = '';
  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      asked.push(`${url.pathname}?${url.searchParams.toString()}`);
      authorizations.push(req.headers.authorization);
      const reply = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      const otlp = (traces: readonly Span[]) => `{"result":${traceLine(traces)}}`;
      if (url.pathname === '/jaeger/api/v3/traces') return reply(200, otlp(stored));
      if (url.pathname === `/jaeger/api/v3/traces/${traceId(1)}`) return reply(200, otlp(stored.filter((s) => s.traceId === traceId(1))));
      if (url.pathname === `/jaeger/api/v3/traces/${traceId(8)}`) return reply(500, '{"error":{"httpCode":500,"message":"storage is down"}}');
      if (url.pathname === `/jaeger/api/v3/traces/${traceId(9)}`) return reply(200, '<html>login</html>');
      return reply(404, '{"error":{"httpCode":404,"message":"trace not found"}}');
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jaeger`;
  });
  after(() => server.close());

  it('searches by time (snake_case parameters of v1.75) and reads traces back as spans', async () => {
    const source = new JaegerSource({ url: base });
    const found = await source.search({ sinceMs: nowMs - 60 * minute, untilMs: nowMs, limit: 20 });
    assert.equal(found.length, stored.length);
    assert.deepEqual(found.map((s) => `${s.traceId}/${s.spanId} ${s.name}`), stored.map((s) => `${s.traceId}/${s.spanId} ${s.name}`));
    assert.equal(found[0]!.links[0]?.traceId, traceId(101));
    assert.match(asked.at(-1)!, /query\.start_time_min=2026-12-01T11%3A00%3A00\.000Z&query\.start_time_max=2026-12-01T12%3A00%3A00\.000Z&query\.num_traces=20/);
    assert.equal((await source.trace(traceId(1)))?.length, 2);
    assert.equal(source.uiUrl(traceId(1)), `${base}/trace/${traceId(1)}`);
  });

  it('sends the credentials set for the backend, and never names them in an error', async () => {
    const registry = new BackendRegistry(new EmbeddedBackend(new MemoryTraceStore(10), new RunIndex(new MemoryTraceStore(10)), new LogStore(0)));
    registry.configure([{ id: 'secured', kind: 'jaeger', url: base, headers: { authorization: 'Bearer s3cret-token' } }]);
    await registry.getTrace({ traceId: traceId(1) });
    assert.equal(authorizations.at(-1), 'Bearer s3cret-token');
    const source = new JaegerSource({ url: base, headers: { authorization: 'Bearer s3cret-token' } });
    await assert.rejects(source.trace(traceId(8)), (e: unknown) => e instanceof SourceError && !e.message.includes('s3cret'));
  });

  it('reads a 404 as not there, and says what failed otherwise', async () => {
    const source = new JaegerSource({ url: base });
    assert.equal(await source.trace(traceId(2)), undefined);
    await assert.rejects(source.trace(traceId(8)), /Jaeger at http:\/\/127\.0\.0\.1:\d+\/jaeger \(GET \/jaeger\/api\/v3\/traces\/0+8\) answered HTTP 500: storage is down/);
    await assert.rejects(source.trace(traceId(9)), /not JSON \(is the URL the backend's query API\?\)/);
    const closed = new JaegerSource({ url: 'http://127.0.0.1:9' });
    await assert.rejects(closed.search({ sinceMs: 0, untilMs: 1, limit: 1 }), (e: unknown) => e instanceof SourceError && /Jaeger at http:\/\/127\.0\.0\.1:9 \(GET \/api\/v3\/traces\) could not be reached: .*ECONNREFUSED/.test(e.message));
  });
});
