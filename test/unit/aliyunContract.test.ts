// Alibaba Cloud's trace store is hosted only: its adapter is tested against a server answering as
// the xtrace 2019-08-08 OpenAPI is documented to (Alibaba Cloud help: SearchTraces, GetTrace;
// `PageBean.TraceInfos.TraceInfo`, `Spans.Span` with `Timestamp` in microseconds and `Duration` in
// milliseconds, tags as `TagEntryList.TagEntry` Key/Value strings, errors as `Code`/`Message`), which
// checks every request's signature with Alibaba Cloud's own signing library (@alicloud/openapi-util,
// a dev dependency only: the extension signs with node:crypto and sends with undici). The traces it
// serves are what a real Dify 1.13.3 sent (test/recorded), flattened to string tags as a Zipkin
// exporter flattens OpenTelemetry spans; the runs read back must be the embedded receiver's, but
// for the Trace Link Aliyun writes as a span link, which the store's span has no place for.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import OpenApiUtil from '@alicloud/openapi-util';
import type { Span } from '../../src/model/span';
import { acsSignedHeaders } from '../../src/server/backends/remote/acsSignature';
import { AliyunSource } from '../../src/server/backends/remote/aliyunSource';
import type { XtraceSpan } from '../../src/server/backends/remote/aliyunSpans';
import { RemoteBackend } from '../../src/server/backends/remote/remoteBackend';
import { SourceError } from '../../src/server/backends/remote/traceSource';
import { TraceService } from '../../src/server/traceService';
import type { RunSummary } from '../../src/shared/runSummary';
import { loadRecordedCorpus, replayRecordedTraces } from '../recorded/recordedCorpus';
import { listenOnLoopback } from './listenOnLoopback';

const corpus = loadRecordedCorpus('dify-1.13.3');
const everything = { sinceMs: 0, untilMs: Date.now() + 3_600_000 };
const accessKey = { id: 'LTAI5tTestAccessKeyId', secret: 'test-secret/with+odd=chars' };
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });
const bigTraceId = 'b1'.repeat(16);
const key = (r: RunSummary, keepsLinks: boolean) =>
  [r.traceId, r.status, r.kind, r.appName, r.failingNode?.title ?? '', r.failingNode?.within?.title ?? '', `${r.rootCause?.name ?? ''}@${r.rootCause?.serviceName ?? ''}`, r.errorKind ?? '', keepsLinks ? r.linkedTraceIds.join(',') : ''].join(' | ');

/** A span as the store keeps one an OpenTelemetry exporter sent: string tags, whole milliseconds. */
function toXtrace(span: Span): XtraceSpan {
  const tags: Record<string, string> = {};
  const tag = (k: string, v: unknown) => (tags[k] = typeof v === 'string' ? v : JSON.stringify(v));
  for (const [k, v] of Object.entries(span.resource.attributes)) if (k !== 'service.name') tag(k, v);
  for (const [k, v] of Object.entries(span.attributes)) tag(k, v);
  if (span.scopeName !== '') tags['otel.scope.name'] = span.scopeName;
  if (span.status.code !== 'unset') tags['otel.status_code'] = span.status.code === 'ok' ? 'OK' : 'ERROR';
  if (span.status.code === 'error') tags['error'] = span.status.message ?? '';
  if (span.kind !== 'internal' && span.kind !== 'unspecified') tags['span.kind'] = span.kind;
  return {
    TraceID: span.traceId,
    SpanId: span.spanId,
    ParentSpanId: span.parentSpanId ?? '',
    OperationName: span.name,
    ServiceName: span.resource.serviceName,
    ServiceIp: '192.168.0.1',
    Timestamp: span.startUs,
    Duration: Math.round((span.endUs - span.startUs) / 1000),
    ResultCode: span.status.code === 'error' ? '1' : '0',
    RpcId: '0',
    TagEntryList: { TagEntry: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
    LogEventList: { LogEvent: span.events.map((e) => ({ Timestamp: e.timeUs, TagEntryList: { TagEntry: [{ Key: 'event', Value: e.name }, ...Object.entries(e.attributes).map(([Key, Value]) => ({ Key, Value: typeof Value === 'string' ? Value : JSON.stringify(Value) }))] } })) },
  };
}

/** Checks a request's signature as the service would, with Alibaba Cloud's library; the error it answers otherwise. */
function signatureError(req: IncomingMessage, url: URL): { Code: string; Message: string } | undefined {
  const auth = req.headers.authorization ?? '';
  const id = /Credential=([^,]+)/.exec(auth)?.[1];
  if (id !== accessKey.id) return { Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.' };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'authorization') headers[k] = v;
  const query = Object.fromEntries(url.searchParams);
  const expected = OpenApiUtil.getAuthorization({ pathname: url.pathname, method: req.method ?? 'GET', query, headers } as never, 'ACS3-HMAC-SHA256', headers['x-acs-content-sha256'] ?? '', accessKey.id, accessKey.secret);
  return expected === auth ? undefined : { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.' };
}

function fakeXtrace(traces: ReadonlyMap<string, XtraceSpan[]>, asked: URL[], throttle: { on: boolean }): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    asked.push(url);
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify({ RequestId: 'E5A1B7B4-0000-4000-8000-000000000000', ...(body as object) }));
    const denied = signatureError(req, url);
    if (denied) return send(denied.Code === 'SignatureDoesNotMatch' ? 400 : 404, denied);
    if (throttle.on) return send(400, { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' });
    assert.equal(req.headers['x-acs-version'], '2019-08-08');
    assert.equal(url.searchParams.get('RegionId'), 'cn-hangzhou');
    const action = req.headers['x-acs-action'];
    const pageNumber = Number(url.searchParams.get('PageNumber') ?? '1');
    const pageSize = Math.min(100, Number(url.searchParams.get('PageSize') ?? '100'));
    if (action === 'SearchTraces') {
      const [start, end] = ['StartTime', 'EndTime'].map((k) => Number(url.searchParams.get(k)));
      const found = [...traces]
        .map(([id, spans]) => ({ id, spans, startUs: Math.min(...spans.map((s) => s.Timestamp!)) }))
        .filter((t) => t.startUs / 1000 >= start! && t.startUs / 1000 <= end!)
        .sort((a, b) => (url.searchParams.get('Reverse') === 'true' ? b.startUs - a.startUs : a.startUs - b.startUs));
      const page = found.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
      return send(200, { PageBean: { PageNumber: pageNumber, PageSize: pageSize, TotalCount: found.length, TraceInfos: { TraceInfo: page.map((t) => ({ TraceID: t.id, OperationName: t.spans[0]!.OperationName, ServiceName: t.spans[0]!.ServiceName, ServiceIp: '192.168.0.1', Duration: 1, Timestamp: Math.round(t.startUs / 1000) })) } } });
    }
    if (action === 'GetTrace') {
      const spans = traces.get(url.searchParams.get('TraceID') ?? '') ?? [];
      return send(200, { Spans: { Span: spans.slice((pageNumber - 1) * pageSize, pageNumber * pageSize) } });
    }
    return send(404, { Code: 'InvalidAction.NotFound', Message: 'Specified api is not found, please check your url and method.' });
  });
}

describe("Alibaba Cloud backend, against the xtrace OpenAPI's documented answers serving a real Dify's traces", () => {
  const reference = new TraceService({ receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 20 }, store: { maxSpans: 500_000 } }, { runsChanged: () => {}, statusChanged: () => {}, log: () => {} });
  const traces = new Map<string, XtraceSpan[]>();
  const linkedBySpanLink = new Set<string>();
  const asked: URL[] = [];
  const throttle = { on: false };
  const server = fakeXtrace(traces, asked, throttle);
  let url = '';
  const source = (extra: Partial<ConstructorParameters<typeof AliyunSource>[0]> = {}) => new AliyunSource({ url, region: 'cn-hangzhou', headers: basic(accessKey.id, accessKey.secret), ...extra });

  before(async () => {
    await reference.start();
    const state = reference.status().receiver;
    assert.ok(state.state === 'listening');
    await replayRecordedTraces(state.url, corpus, (spans) => {
      for (const span of spans) {
        if (span.links.length > 0) linkedBySpanLink.add(span.traceId);
        const list = traces.get(span.traceId) ?? [];
        list.push(toXtrace(span));
        traces.set(span.traceId, list);
      }
    });
    // No recorded trace has more than a page of spans (100): one that has 250, as a worker's long batch would.
    const start = 1_775_000_000_000_000;
    traces.set(bigTraceId, Array.from({ length: 250 }, (_, i): XtraceSpan => ({ TraceID: bigTraceId, SpanId: (i + 1).toString(16).padStart(16, '0'), ParentSpanId: i === 0 ? '' : '0000000000000001', OperationName: i === 0 ? 'celery.run' : `SELECT ${i}`, ServiceName: 'langgenius/dify', Timestamp: start + i * 1000, Duration: 1, RpcId: i === 0 ? '0' : `0.${i}`, TagEntryList: { TagEntry: [{ Key: 'span.kind', Value: i === 0 ? 'consumer' : 'client' }] } })));
    url = await listenOnLoopback(server);
  });

  after(async () => {
    server.close();
    await reference.stop();
  });

  it('signs requests as Alibaba Cloud\'s own library does, for parameters that need encoding', () => {
    const call = { version: '2019-08-08', action: 'SearchTraces', params: { RegionId: 'cn-hangzhou', OperationName: "/api/x y*(z)!'~", 'Tag.1.Key': 'gen_ai.framework', 'Tag.1.Value': 'dify 工作流' } };
    const now = new Date('2026-12-03T10:00:00.123Z');
    const headers = acsSignedHeaders(call, 'xtrace.cn-hangzhou.aliyuncs.com', accessKey, now, 'nonce-1');
    assert.equal(headers['x-acs-date'], '2026-12-03T10:00:00Z');
    const { authorization, ...signed } = headers;
    const expected = OpenApiUtil.getAuthorization({ pathname: '/', method: 'GET', query: call.params, headers: signed } as never, 'ACS3-HMAC-SHA256', createHash('sha256').update('').digest('hex'), accessKey.id, accessKey.secret);
    assert.equal(authorization, expected);
  });

  it('lists the runs the receiver lists: SearchTraces newest first, then each trace by GetTrace, paged', async () => {
    const expected = (await reference.backend.listRuns({ filter: everything, limit: 1_000 })).runs;
    assert.ok(expected.length >= 26);
    const remote = new RemoteBackend('aliyun', source(), { searchLimit: 20_000 });
    const page = await remote.listRuns({ filter: everything, limit: 1_000 });
    assert.deepEqual(page.runs.map((r) => key(r, !linkedBySpanLink.has(r.traceId))).sort(), expected.map((r) => key(r, !linkedBySpanLink.has(r.traceId))).sort());
    assert.equal(page.fetched?.traces, traces.size);
    assert.ok(asked.some((u) => u.searchParams.get('PageNumber') === '2' && !u.searchParams.has('TraceID')), 'SearchTraces was paged');
  });

  it('reads a trace of more than a page of spans whole, with its kinds and hierarchy', async () => {
    const from = asked.length;
    const spans = await source().trace(bigTraceId as never);
    assert.equal(spans?.length, 250);
    assert.deepEqual(asked.slice(from).filter((u) => u.searchParams.get('TraceID') === bigTraceId).map((u) => u.searchParams.get('PageNumber')), ['1', '2', '3']);
    assert.equal(spans.filter((s) => s.parentSpanId === '0000000000000001' && s.kind === 'client').length, 249);
    assert.equal(spans[0]!.kind, 'consumer');
    assert.equal(spans[0]!.endUs - spans[0]!.startUs, 1000, 'durations are milliseconds');
  });

  it('opens a failed run with its failing node and the error Dify recorded', async () => {
    const run = (await reference.backend.listRuns({ filter: { ...everything, status: ['failed'], appName: 'wf-code-py-error-aliyun' }, limit: 1 })).runs[0];
    assert.ok(run?.failingNode);
    const snapshot = await new RemoteBackend('aliyun', source()).getTrace({ traceId: run.traceId });
    const here = await reference.backend.getTrace({ traceId: run.traceId });
    assert.ok(snapshot && here);
    assert.equal(snapshot.spans.length, here.spans.length);
    const failed = snapshot.spans.filter((s) => s.status.code === 'error').map((s) => [s.name, s.status.message]);
    assert.deepEqual(failed, here.spans.filter((s) => s.status.code === 'error').map((s) => [s.name, s.status.message]));
  });

  it('says what to do when the credentials are missing, wrong or throttled, without sending the secret', async () => {
    const before = asked.length;
    await assert.rejects(source({ headers: {} }).trace('0'.repeat(32) as never), (e: unknown) => e instanceof SourceError && e.kind === 'unauthorized' && /Set Backend Credentials/.test(e.message));
    assert.equal(asked.length, before, 'nothing is asked without an AccessKey pair');
    await assert.rejects(source({ headers: basic(accessKey.id, 'wrong') }).trace('0'.repeat(32) as never), (e: unknown) => e instanceof SourceError && e.kind === 'unauthorized' && /SignatureDoesNotMatch/.test(e.message) && !e.message.includes('wrong'));
    await assert.rejects(source({ headers: basic('LTAI-unknown', accessKey.secret) }).trace('0'.repeat(32) as never), (e: unknown) => e instanceof SourceError && e.kind === 'unauthorized' && /InvalidAccessKeyId/.test(e.message));
    throttle.on = true;
    try {
      await assert.rejects(source().search({ sinceMs: 0, untilMs: Date.now(), limit: 5 }), (e: unknown) => e instanceof SourceError && e.kind === 'rateLimited' && /SearchTraces/.test(e.message));
    } finally {
      throttle.on = false;
    }
    for (const u of asked) assert.ok(!u.search.includes(encodeURIComponent(accessKey.secret)) && !u.search.includes(accessKey.secret));
    await assert.rejects(new AliyunSource({ url, headers: basic(accessKey.id, accessKey.secret) }).trace('0'.repeat(32) as never), (e: unknown) => e instanceof SourceError && /region/.test(e.message));
    assert.equal(new AliyunSource({ url: 'https://xtrace.ap-southeast-1.aliyuncs.com' }).label, 'Alibaba Cloud at https://xtrace.ap-southeast-1.aliyuncs.com');
  });

  it('gives undefined for a trace the store does not have', async () => {
    assert.equal(await source().trace('0123456789abcdef0123456789abcdef' as never), undefined);
  });
});
