// Langfuse's ingestion API on the embedded receiver: what Dify's Langfuse exporter sends when its
// host points at the editor (Dify ≤ 1.13 through langfuse-python 2.51, 1.14 through 4.x).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isoToMicros } from '../../src/server/receiver/langfuse/ingestionWire';
import { TraceService } from '../../src/server/traceService';
import type { RunSummary } from '../../src/shared/runSummary';
import { spansFromSnapshot } from '../../src/shared/traceSnapshotCodec';

interface Captured {
  readonly headers: Record<string, string>;
  readonly body: { readonly batch: readonly { readonly id: string }[] };
}

const captured = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'langfuse', 'sdk-2.51.5-ingestion.json'), 'utf8')) as Captured;
const basic = (publicKey: string): string => `Basic ${Buffer.from(`${publicKey}:sk-lf-secret`).toString('base64')}`;

/** A workflow app run whose Python Code node failed, as Dify 1.13.3's langfuse_trace.py workflow_trace builds it (no run span: nodes are roots). */
function failingWorkflowBatch(traceId: string, runId: string): unknown {
  const error = 'Traceback (most recent call last):\n  File "<fd3>", line 9, in <module>\n  File "<fd3>", line 3, in main\nZeroDivisionError: division by zero\n';
  const meta = { workflow_id: 'wf-1', conversation_id: null, workflow_run_id: runId, tenant_id: 't-1', elapsed_time: 0.8, status: 'failed', version: '2026-11-30 10:00:00', total_tokens: 0, file_list: [], triggered_from: 'app-run', user_id: 'u-1', app_id: '6b9f149c-d3a4-4f9a-b79d-92eb6a300f77', workflow_app_log_id: null };
  const node = (id: string, name: string, type: string, start: string, end: string, failed: boolean): unknown => ({
    id: `env-${id}`,
    type: 'span-create',
    timestamp: '2026-11-30T10:00:09.000000Z',
    body: { traceId, name, startTime: start, endTime: end, input: {}, output: {}, level: failed ? 'ERROR' : 'DEFAULT', statusMessage: failed ? error : '', id, metadata: { workflow_run_id: runId, node_execution_id: id, tenant_id: 't-1', app_id: meta.app_id, node_name: name, node_type: type, status: failed ? 'failed' : 'succeeded' }, trace: { release: null } },
  });
  return {
    batch: [
      { id: 'env-trace', type: 'trace-create', timestamp: '2026-11-30T10:00:09.000000Z', body: { id: traceId, timestamp: '2026-11-30T10:00:09.000000Z', name: 'workflow', userId: 'u-1', input: { a: 1 }, output: {}, version: meta.version, metadata: meta, tags: ['workflow'] } },
      node('7a1c0f8e-0000-4000-8000-000000000001', 'Start', 'start', '2026-11-30T10:00:00.000000Z', '2026-11-30T10:00:00.010000Z', false),
      node('7a1c0f8e-0000-4000-8000-000000000002', 'Split Shipments', 'code', '2026-11-30T10:00:00.020000Z', '2026-11-30T10:00:00.700000Z', true),
    ],
    metadata: { batch_size: 3, sdk_name: 'python', sdk_version: '2.51.5', public_key: 'Order Router' },
  };
}

describe('Langfuse ingestion API', () => {
  const service = new TraceService({ receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 4 }, store: { maxSpans: 100_000 } }, { runsChanged: () => {}, statusChanged: () => {}, log: () => {} });
  let url = '';
  const post = async (path: string, body: unknown, auth = basic('Order Router')): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, json: await res.json().catch(() => undefined) };
  };
  const runs = async (): Promise<readonly RunSummary[]> => (await service.backend.listRuns({ filter: {}, limit: 100 })).runs;

  before(async () => {
    await service.start();
    const state = service.status().receiver;
    assert.equal(state.state, 'listening');
    if (state.state === 'listening') url = state.url;
  });
  after(() => service.stop());

  it('answers the SDK credential check with a project list both SDK generations accept', async () => {
    const res = await fetch(`${url}/api/public/projects`, { headers: { authorization: basic('pk-lf-1') } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: { id: string; name: string; organization: { id: string }; metadata: object }[] };
    assert.equal(body.data.length, 1);
    assert.ok(body.data[0]!.id && body.data[0]!.organization.id && typeof body.data[0]!.metadata === 'object');
  });

  it('takes a batch as langfuse-python 2.51.5 sends it and answers 207 naming every event', async () => {
    const res = await fetch(`${url}/api/public/ingestion`, { method: 'POST', headers: { ...captured.headers }, body: JSON.stringify(captured.body) });
    assert.equal(res.status, 207);
    const body = (await res.json()) as { successes: { id: string; status: number }[]; errors: unknown[] };
    assert.deepEqual(body.errors, []);
    assert.deepEqual(body.successes.map((s) => s.id).sort(), captured.body.batch.map((e) => e.id).sort());
    const run = (await runs()).find((r) => r.workflowRunId === '3bf636f9-1920-43ec-a7d2-f66dc6c54afb');
    assert.ok(run, 'the chatflow run is listed');
    assert.equal(run.source, 'langfuse');
    assert.equal(run.kind, 'chatflow');
    assert.equal(run.status, 'succeeded');
    assert.equal(run.conversationId, '892b7de2-3e60-428e-bfb0-f1a72e910552');
    assert.equal(run.messageId, '2807b4b6-bb40-41b2-b3fd-7413b840b2c7');
    // The run span is the chatflow's workflow span: its 1.5 s, not the export time.
    assert.equal(run.durationUs, 1_500_000);
  });

  it('lists a failed workflow app run with its failing Code node and the sandbox error, named by the public key', async () => {
    const traceId = 'f1e2d3c4b5a697887766554433221100';
    const res = await post('/api/public/ingestion', failingWorkflowBatch(traceId, '0d5b5c43-5a2b-4a36-9df4-3c2b1a2d9e10'));
    assert.equal(res.status, 207);
    const run = (await runs()).find((r) => r.workflowRunId === '0d5b5c43-5a2b-4a36-9df4-3c2b1a2d9e10');
    assert.ok(run);
    assert.equal(run.kind, 'workflow');
    assert.equal(run.status, 'failed');
    assert.equal(run.appName, 'Order Router');
    assert.deepEqual(run.failingNode, { title: 'Split Shipments', nodeType: 'code' });
    assert.equal(run.errorKind, 'sandbox');
    assert.equal(run.rootCause?.name, 'Split Shipments');
    // A 32-hex Langfuse trace id is the infrastructure trace id: once Dify's own spans arrive, both halves share the trace.
    assert.equal(run.traceId, traceId);
    assert.deepEqual(run.linkedTraceIds, []);
    const infraSpan = { traceId, spanId: '00f067aa0ba902b7', name: 'POST /v1/workflows/run', kind: 2, startTimeUnixNano: '1796032799990000000', endTimeUnixNano: '1796032800900000000', attributes: [{ key: 'http.route', value: { stringValue: '/v1/workflows/run' } }] };
    const infra = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'langgenius/dify' } }] }, scopeSpans: [{ scope: { name: 'opentelemetry.instrumentation.flask' }, spans: [infraSpan] }] }] }) });
    assert.equal(infra.status, 200);
    const joined = (await runs()).find((r) => r.workflowRunId === '0d5b5c43-5a2b-4a36-9df4-3c2b1a2d9e10');
    assert.deepEqual(joined?.linkedTraceIds, [traceId]);
    assert.equal(joined?.source, 'langfuse', 'the shared trace is still the Langfuse run, not an infrastructure one');
    const snapshot = await service.backend.getTrace({ traceId });
    const spans = snapshot === null ? [] : spansFromSnapshot(snapshot);
    const trace = spans.find((s) => s.name === 'workflow');
    assert.ok(trace);
    assert.ok(spans.filter((s) => s !== trace && s.scopeName === 'langfuse-ingestion').every((s) => s.parentSpanId === trace.spanId), 'nodes hang under the trace');
    assert.equal(trace.endUs - trace.startUs, 800_000, 'the trace lasts the run\'s elapsed_time from its first node');
  });

  it('stores a batch the SDK sends again (after an error) once', async () => {
    const traceId = 'a1a2a3a4a5a6a7a8a9a0b1b2b3b4b5b6';
    const batch = failingWorkflowBatch(traceId, '5f5f5f5f-1111-4222-8333-944444444444');
    await post('/api/public/ingestion', batch);
    const before = service.store.spansOf(traceId as never)?.length;
    await post('/api/public/ingestion', batch);
    assert.equal(service.store.spansOf(traceId as never)?.length, before);
  });

  it('refuses what is not an ingestion batch with 400, and a bad event alone in errors', async () => {
    assert.equal((await post('/api/public/ingestion', '{not json')).status, 400);
    assert.equal((await post('/api/public/ingestion', { events: [] })).status, 400);
    const res = await post('/api/public/ingestion', { batch: [{ id: 'e1', type: 'span-create' }, { id: 'e2', type: 'span-create', body: { name: 'x' } }, { id: 'e3', type: 'score-create', body: { name: 's' } }] });
    assert.equal(res.status, 207);
    const body = res.json as { successes: { id: string }[]; errors: { id: string; status: number; message: string }[] };
    assert.deepEqual(body.errors.map((e) => [e.id, e.status]), [['e1', 400], ['e2', 400]]);
    assert.match(body.errors[1]!.message, /traceId/);
    assert.deepEqual(body.successes.map((s) => s.id), ['e3']);
  });

  it('reads the times langfuse-python writes, with or without a zone', () => {
    assert.equal(isoToMicros('2026-03-25T12:00:00.123456Z'), Date.UTC(2026, 2, 25, 12) * 1000 + 123_456);
    assert.equal(isoToMicros('2026-03-25T20:00:00.5+08:00'), Date.UTC(2026, 2, 25, 12) * 1000 + 500_000);
    assert.equal(isoToMicros('2026-03-25T12:00:00'), Date.UTC(2026, 2, 25, 12) * 1000);
    assert.equal(isoToMicros('yesterday'), undefined);
  });
});

describe('spans sent again', () => {
  it('are stored once, whoever sends them again (an exporter retrying after a timeout)', async () => {
    const { sampleProtobuf } = await import('./otlpFixtures');
    const service = new TraceService({ receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 4 }, store: { maxSpans: 10_000 } }, { runsChanged: () => {}, statusChanged: () => {}, log: () => {} });
    await service.start();
    try {
      const state = service.status().receiver;
      assert.equal(state.state, 'listening');
      if (state.state !== 'listening') return;
      for (let i = 0; i < 3; i++) assert.equal((await fetch(`${state.url}/v1/traces`, { method: 'POST', body: sampleProtobuf(), headers: { 'content-type': 'application/x-protobuf' } })).status, 200);
      assert.equal(service.store.stats().spans, 1);
    } finally {
      await service.stop();
    }
  });
});
