// The demo traces, sent by the real OpenTelemetry SDK and OTLP exporter, through the real
// receiver into the store: three runs recognised, failures named, Trace Links joined.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_RUNS } from '../demo/demoRuns';
import type { TraceSnapshot, WireSpan } from '../../src/shared/lspProtocol';
import type { TraceId } from '../../src/model/units';
import { layoutTrace } from '../../src/server/traceView/traceLayout';
import { quietTraceService, startAndSendDemo } from './demoService';

describe('demo traces through the receiver', () => {
  const service = quietTraceService();

  before(async () => {
    await startAndSendDemo(service);
  });
  after(() => service.stop());

  it('lists one run per demo run, with the status and failing node Dify recorded', async () => {
    const page = await service.backend.listRuns({ filter: {}, limit: 50 });
    assert.equal(page.runs.length, DEMO_RUNS.length);
    for (const demo of DEMO_RUNS) {
      const run = page.runs.find((r) => r.traceId === demo.appTraceId);
      assert.ok(run, `run ${demo.index} is listed`);
      assert.equal(run.source, 'aliyun');
      assert.equal(run.kind, 'workflow');
      assert.equal(run.appName, demo.appName);
      assert.equal(run.runId, demo.workflowRunId);
      assert.equal(run.status, demo.status);
      assert.deepEqual(run.linkedTraceIds, [demo.infraTraceId]);
      if (demo.failingNodeTitle) {
        assert.equal(run.failingNode?.title, demo.failingNodeTitle);
        assert.equal(run.errorMessage, demo.errorMessage);
      }
    }
  });

  it('finds the root cause across both halves and classifies the error', async () => {
    const page = await service.backend.listRuns({ filter: {}, limit: 50 });
    const [, pluginDemo, codeDemo] = DEMO_RUNS;
    const pluginRun = page.runs.find((r) => r.traceId === pluginDemo.appTraceId)!;
    const runtime = pluginDemo.failingSpans.find((s) => s.traceId === pluginDemo.infraTraceId)!;
    // The plugin runtime span of the infrastructure half is deeper than the tool node span.
    assert.deepEqual(pluginRun.rootCause, { traceId: runtime.traceId, spanId: runtime.spanId, name: runtime.name, serviceName: runtime.service });
    assert.equal(pluginRun.errorKind, 'pluginInvoke');
    assert.deepEqual(pluginRun.failingNode, { title: 'Get Weather', nodeType: 'tool' });
    const codeRun = page.runs.find((r) => r.traceId === codeDemo.appTraceId)!;
    assert.equal(codeRun.errorKind, 'sandbox');
    assert.equal(codeRun.failingNode?.title, 'Build Itinerary');
    assert.ok((codeRun.tokens?.total ?? 0) > 0, 'the LLM node\'s token usage is summed');
    const succeeded = page.runs.find((r) => r.status === 'succeeded')!;
    assert.equal(succeeded.rootCause, undefined);
    assert.equal(succeeded.gaps, undefined);
  });

  it('returns the app trace merged with its linked infrastructure trace', async () => {
    const demo = DEMO_RUNS[1];
    const snapshot = await service.backend.getTrace({ traceId: demo.appTraceId });
    assert.ok(snapshot);
    assert.deepEqual(snapshot.traceIds, [demo.appTraceId, demo.infraTraceId]);
    assert.deepEqual(snapshot.warnings, []);
    for (const failing of demo.failingSpans) {
      const span: WireSpan | undefined = snapshot.spans.find((s) => s.traceId === failing.traceId && s.spanId === failing.spanId);
      assert.ok(span, `${failing.name} is in the snapshot`);
      assert.equal(span.status.code, 'error');
      assert.equal(span.name, failing.name);
      assert.equal(snapshot.resources[span.resource]?.serviceName, failing.service);
    }
  });

  it('pairs each app-level node span with its infrastructure span through the node execution id', async () => {
    const demo = DEMO_RUNS[1];
    const snapshot = await service.backend.getTrace({ traceId: demo.appTraceId });
    const counterparts = snapshot?.counterparts ?? [];
    const name = (ref: { traceId: string; spanId: string }): string => snapshot?.spans.find((s) => s.traceId === ref.traceId && s.spanId === ref.spanId)?.name ?? '?';
    const byVia = (via: string): string[] => counterparts.filter((c) => c.via === via).map((c) => `${name(c.app)} -> ${name(c.infra)}`).sort();
    // Every executed node pairs exactly (Aliyun span id = SHA-256 of the execution id that infra spans carry).
    assert.deepEqual(byVia('nodeExecutionId'), ['Get Weather -> Get Weather', 'Plan Trip -> Plan Trip', 'Search Travel Guides -> Search Travel Guides', 'Start -> Start']);
    assert.deepEqual(byVia('nodeTitle'), []);
    assert.deepEqual(byVia('traceRoot'), ['workflow -> POST /v1/workflows/run']);
    // Nodes served by the plugin daemon also point at the daemon's span (the tool, and the LLM and embedding calls).
    assert.ok(byVia('pluginDaemon').includes('Get Weather -> POST /plugin/:tenant_id/dispatch/tool/invoke'), byVia('pluginDaemon').join('; '));
  });

  it('hands the trace view the spans it stores, the same as the snapshot sent to the editor says, Trace Links read when asked', async () => {
    const demo = DEMO_RUNS[1];
    const held = await service.backend.traceSpans({ traceId: demo.appTraceId });
    const sent = JSON.parse(JSON.stringify(await service.backend.getTrace({ traceId: demo.appTraceId }))) as TraceSnapshot;
    assert.ok(held && sent);
    const stored = service.store.spansOf(demo.appTraceId as TraceId) ?? [];
    assert.ok(stored.length > 0 && stored.every((s) => held.spans.includes(s)), 'the stored span objects, not copies');
    assert.deepEqual(held.traceIds, sent.traceIds);
    assert.equal(held.spans.length, sent.spans.length);
    assert.deepEqual(held.counterparts, sent.counterparts, 'the snapshot carries the Trace Links through JSON');
    assert.ok((held.counterparts?.length ?? 0) > 0);
    const layout = (trace: Parameters<typeof layoutTrace>[0]) => layoutTrace(trace, 't:1', 20_000);
    assert.deepEqual(layout(held).columns, layout(sent).columns, 'the same layout either way');
  });

  it('finds a run by text that only its log records contain', async () => {
    // The plugin's KeyError line survives in the API's error log record, not in any span name.
    const page = await service.backend.listRuns({ filter: { text: 'Error in stream response for plugin' }, limit: 50 });
    assert.deepEqual(page.runs.map((r) => r.traceId), [DEMO_RUNS[1].appTraceId]);
  });

  it('opens an infrastructure trace together with the app run that links to it', async () => {
    const demo = DEMO_RUNS[2];
    const snapshot = await service.backend.getTrace({ traceId: demo.infraTraceId });
    assert.deepEqual(snapshot?.traceIds, [demo.infraTraceId, demo.appTraceId]);
  });
});
