import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Span } from '../../src/model/span';
import type { TraceId } from '../../src/model/units';
import { BackendRegistry } from '../../src/server/backends/backendRegistry';
import { EmbeddedBackend } from '../../src/server/backends/embeddedBackend';
import { OtlpFileSource } from '../../src/server/backends/remote/otlpFileSource';
import { phoenixSpansToModel } from '../../src/server/backends/remote/phoenixSpans';
import { PhoenixSource } from '../../src/server/backends/remote/phoenixSource';
import { SourceError, type SearchWindow, type TraceSource } from '../../src/server/backends/remote/traceSource';
import { zipkinSpansToModel } from '../../src/server/backends/remote/zipkinSpans';
import { traceLine } from '../../src/server/exchange/otlpJsonLines';
import { LogStore } from '../../src/server/store/logStore';
import { MemoryTraceStore } from '../../src/server/store/memoryTraceStore';
import { RunIndex } from '../../src/server/store/runIndex';
import { apiResource, span, traceId } from './spanBuilder';

const str = (v: string) => ({ string_value: v, int_value: null, double_value: null, bool_value: null, bytes_value: null, array_value: null, kvlist_value: null });

describe('Phoenix spans', () => {
  it('folds the JSON attributes Phoenix stores parsed (metadata) back into the JSON string Dify sent', () => {
    const [s] = phoenixSpansToModel('my-project', [
      {
        trace_id: '87f5c823323f1b8657cf5ed79e075a89',
        span_id: 'a4b6a30de6e38de8',
        parent_span_id: '969539deedf043f9',
        name: 'code',
        kind: 'SPAN_KIND_INTERNAL',
        start_time_unix_nano: 1796248349620134144,
        end_time_unix_nano: '1796248349700000000',
        attributes: [
          { key: 'openinference.span.kind', value: str('CHAIN') },
          { key: 'metadata.node_type', value: str('code') },
          { key: 'metadata.total_tokens', value: { ...str(''), string_value: null, int_value: 0 } },
          { key: 'metadata.tool_info.provider_type', value: str('builtin') },
          { key: 'metadata.files.0', value: str('a') },
          { key: 'metadata.files.1', value: str('b') },
          { key: 'llm.input_messages.0.message.role', value: str('user') },
        ],
        events: [{ name: 'exception', time_unix_nano: 1796248349690000000, attributes: [{ key: 'exception.message', value: str('division by zero') }] }],
        status: { code: 2, message: 'ZeroDivisionError: division by zero' },
      },
    ]);
    assert.ok(s);
    assert.equal(s.traceId, '87f5c823323f1b8657cf5ed79e075a89');
    assert.equal(s.parentSpanId, '969539deedf043f9');
    assert.deepEqual(JSON.parse(s.attributes['metadata'] as string), { node_type: 'code', total_tokens: 0, tool_info: { provider_type: 'builtin' }, files: ['a', 'b'] });
    assert.equal(s.attributes['metadata.node_type'], undefined);
    assert.equal(s.attributes['llm.input_messages.0.message.role'], 'user', 'OpenInference keys stay flat, as Dify sent them');
    assert.deepEqual(s.status, { code: 'error', message: 'ZeroDivisionError: division by zero' });
    assert.equal(s.events[0]?.attributes['exception.message'], 'division by zero');
    assert.equal(s.resource.attributes['openinference.project.name'], 'my-project');
    assert.equal(s.resource.serviceName, 'my-project (Phoenix export)');
  });
});

describe('Zipkin spans', () => {
  it('gives back status, scope, resource attributes and event attributes from what an OpenTelemetry exporter tagged', () => {
    const [s, short] = zipkinSpansToModel([
      {
        traceId: '20a2158dfe9414dd7f921a86feffd49f',
        id: '1111111111111111',
        parentId: '2222222222222222',
        name: 'code 2',
        kind: 'CLIENT',
        timestamp: 1_000_000,
        duration: 250,
        localEndpoint: { serviceName: 'dify-app' },
        annotations: [{ timestamp: 1_000_100, value: 'exception|{"exception.message":"division by zero","exception.escaped":"False"}|0' }, { timestamp: 1_000_200, value: 'cache miss' }],
        tags: { 'otel.status_code': 'ERROR', error: 'ZeroDivisionError: division by zero', 'otel.scope.name': 'dify_trace_aliyun', 'acs.arms.service.feature': 'genai_app', 'host.name': 'worker-1', 'gen_ai.span.kind': 'TASK' },
      },
      { traceId: '7f921a86feffd49f', id: '3333333333333333', name: 'get', timestamp: 5, duration: 1, localEndpoint: { serviceName: 'nginx' } },
    ]);
    assert.ok(s && short);
    assert.equal(s.kind, 'client');
    assert.equal(s.endUs - s.startUs, 250);
    assert.deepEqual(s.status, { code: 'error', message: 'ZeroDivisionError: division by zero' });
    assert.equal(s.scopeName, 'dify_trace_aliyun');
    assert.equal(s.resource.attributes['acs.arms.service.feature'], 'genai_app');
    assert.equal(s.resource.attributes['host.name'], 'worker-1');
    assert.deepEqual(s.attributes, { 'gen_ai.span.kind': 'TASK' });
    assert.deepEqual(s.events.map((e) => [e.name, e.attributes['exception.message']]), [['exception', 'division by zero'], ['cache miss', undefined]]);
    assert.equal(short.traceId, '00000000000000007f921a86feffd49f', 'a 64-bit trace id is the 128-bit one with zeros in front');
    assert.equal(short.kind, 'internal');
  });
});

describe('Phoenix source, against a fake that pages badly', () => {
  let cursorCalls = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/v1/projects') {
      res.end(JSON.stringify({ data: [{ id: 'UHJvamVjdDox', name: 'loop' }], next_cursor: null }));
      return;
    }
    if (url.pathname === '/v1/projects/loop/traces') {
      cursorCalls++;
      // The same cursor every time: a server that would have us page forever.
      res.end(JSON.stringify({ data: [{ trace_id: `${String(cursorCalls).padStart(32, '0')}`, start_time: '2026-12-01T11:00:00+00:00' }], next_cursor: 'c2FtZQ==' }));
      return;
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ detail: 'Not Found' }));
  });
  let base = '';
  before(async () => {
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('stops on a repeated page cursor with a clear error instead of paging forever', async () => {
    const source = new PhoenixSource({ url: base });
    await assert.rejects(source.search({ sinceMs: 0, untilMs: Date.now(), limit: 5_000 }), (e: unknown) => e instanceof SourceError && /gave the same page cursor twice/.test(e.message));
    assert.equal(cursorCalls, 2);
  });
});

/** A source over fixed spans (one backend of several). */
class Fixed implements TraceSource {
  readonly kind = 'fixed';
  constructor(readonly label: string, private readonly spans: readonly Span[]) {}
  /** As every real source does: whole traces, those that start in the window. */
  async search(window: SearchWindow): Promise<readonly Span[]> {
    const startMs = new Map<string, number>();
    for (const s of this.spans) startMs.set(s.traceId, Math.min(startMs.get(s.traceId) ?? Infinity, s.startUs / 1000));
    return this.spans.filter((s) => {
      const start = startMs.get(s.traceId) ?? Infinity;
      return start >= window.sinceMs && start <= window.untilMs;
    });
  }
  async trace(id: TraceId): Promise<readonly Span[] | undefined> {
    const spans = this.spans.filter((s) => s.traceId === id);
    return spans.length === 0 ? undefined : spans;
  }
  uiUrl(id: string): string {
    return `http://127.0.0.1:1/${id}`;
  }
}

describe('Trace Link across backends', () => {
  it('opens an app-level run from one backend with its infrastructure trace from another, and a trace split between two in one piece', async () => {
    const nowUs = Date.now() * 1000;
    const phoenixProject = { serviceName: 'my-app (Phoenix export)', attributes: { 'openinference.project.name': 'my-app' } };
    const app = traceId(1);
    const infra = traceId(2);
    const appSpans = [
      span({ trace: app, id: 1, parent: 9, name: 'Dify', resource: phoenixProject, start: nowUs, attributes: { 'openinference.span.kind': 'CHAIN', dify_trace_id: infra, dify_project_name: 'my-app' } }),
      span({ trace: app, id: 2, parent: 1, name: 'workflow', resource: phoenixProject, start: nowUs + 1, attributes: { 'openinference.span.kind': 'CHAIN', metadata: JSON.stringify({ workflow_run_id: '43cd6b7e-7824-44aa-bb53-6a42e7ce0fbe', status: 'succeeded', app_id: 'a' }) } }),
    ];
    // The worker's task span, parent of Phoenix's root, in the same trace id but stored in the other backend.
    const workerSpan = span({ trace: app, id: 9, name: 'run ops_trace', resource: apiResource, start: nowUs - 5 });
    const infraSpans = [span({ trace: infra, id: 3, name: 'POST /v1/workflows/run', resource: apiResource, start: nowUs - 10 }), workerSpan];
    const empty = new MemoryTraceStore(10);
    const registry = new BackendRegistry(new EmbeddedBackend(empty, new RunIndex(empty), new LogStore(0)), () => {}, (config) => (config.kind === 'phoenix' ? new Fixed('Phoenix', appSpans) : new Fixed('Jaeger', infraSpans)));
    registry.configure([{ id: 'phoenix', kind: 'phoenix', url: 'http://127.0.0.1:1' }, { id: 'jaeger', kind: 'jaeger', url: 'http://127.0.0.1:2' }]);
    const run = (await registry.listRuns({ backend: 'phoenix', filter: {}, limit: 10 })).runs[0];
    assert.ok(run);
    assert.deepEqual(run.linkedTraceIds, [infra]);
    const snapshot = await registry.getTrace({ traceId: app });
    assert.ok(snapshot);
    assert.deepEqual([...snapshot.traceIds].sort(), [app, infra].sort());
    assert.deepEqual(snapshot.spans.map((s) => s.name).sort(), ['Dify', 'POST /v1/workflows/run', 'run ops_trace', 'workflow']);
  });
});

describe('OTLP file source', () => {
  it('reads a folder of Collector file-exporter output (JSON Lines, rotated, gzip), again when a file grows, and says when the path is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otlp-files-'));
    try {
      const us = Date.now() * 1000;
      const first = [span({ trace: traceId(1), id: 1, name: 'POST /v1/workflows/run', start: us - 60_000_000 })];
      const second = [span({ trace: traceId(2), id: 2, name: 'GET /health', start: us - 1_000_000 })];
      writeFileSync(join(dir, 'traces-2026-12-03T10-00-00.000.json.gz'), gzipSync(`${traceLine(first)}\n`));
      // The file the Collector is appending to: its last line is not complete yet.
      writeFileSync(join(dir, 'traces.jsonl'), `${traceLine(second)}\n{"resourceSpans":[{"reso`);
      writeFileSync(join(dir, 'notes.txt'), 'not traces');
      const source = new OtlpFileSource({ path: pathToFileURL(dir).toString() });
      const found = await source.search({ sinceMs: Date.now() - 3_600_000, untilMs: Date.now(), limit: 10 });
      assert.deepEqual(found.map((s) => s.name).sort(), ['GET /health', 'POST /v1/workflows/run']);
      assert.deepEqual((await source.search({ sinceMs: Date.now() - 3_600_000, untilMs: Date.now(), limit: 1 })).map((s) => s.name), ['GET /health'], 'the newest first, up to the limit');
      const third = [span({ trace: traceId(3), id: 3, name: 'POST /console/api/apps', start: us })];
      writeFileSync(join(dir, 'traces.jsonl'), `${traceLine(second)}\n${traceLine(third)}\n`);
      assert.equal((await source.trace(traceId(3)))?.[0]?.name, 'POST /console/api/apps');
      assert.equal(await source.trace(traceId(9)), undefined);
      const missing = new OtlpFileSource({ path: join(dir, 'gone') });
      await assert.rejects(missing.search({ sinceMs: 0, untilMs: Date.now(), limit: 1 }), (e: unknown) => e instanceof SourceError && e.kind === 'notFound' && /OTLP files at .*gone cannot be read/.test(e.message));
      const garbage = join(dir, 'garbage.json');
      writeFileSync(garbage, 'this is not JSON');
      await assert.rejects(new OtlpFileSource({ path: garbage }).search({ sinceMs: 0, untilMs: Date.now(), limit: 1 }), (e: unknown) => e instanceof SourceError && /no trace could be read \(.*garbage\.json line 1: not JSON/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
