// The demo's three runs sent in every exporter shape the demo knows (Aliyun, Arize Phoenix newest, Langfuse
// native OTLP) with the real OpenTelemetry SDK, through the real receiver: each run recognised per exporter.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppExporter } from '../demo/appShapes';
import { DEMO_RUNS } from '../demo/demoRuns';
import type { DemoSummary } from '../demo/emitDemoTraces';
import { quietTraceService, startAndSendDemo } from './demoService';

const EXPORTERS: readonly AppExporter[] = ['aliyun', 'phoenix', 'langfuse'];

/** Node type of the failing node as each shape states it (Aliyun: from gen_ai.span.kind, code -> TASK). */
/** Aliyun node spans carry no node type; the demo's linked infrastructure node span names it. */
function failingNodeType(_exporter: AppExporter, nodeType: string): string {
  return nodeType;
}

describe('demo traces in the Aliyun, Phoenix and Langfuse shapes', () => {
  const service = quietTraceService();
  let summary: DemoSummary;

  before(async () => {
    summary = await startAndSendDemo(service, { exporters: EXPORTERS });
  });
  after(() => service.stop());

  it('sends each run once per exporter, the infrastructure half once', async () => {
    assert.deepEqual(summary.appTraces.map((t) => `${t.exporter}:${t.runIndex}`), EXPORTERS.flatMap((e) => DEMO_RUNS.map((r) => `${e}:${r.index}`)));
    const byExporter = (e: AppExporter): string[] => summary.appTraces.filter((t) => t.exporter === e).map((t) => t.traceId);
    // Aliyun and Phoenix under their own trace ids; Langfuse (external trace id) in the infrastructure trace.
    assert.deepEqual(byExporter('aliyun'), DEMO_RUNS.map((r) => r.appTraceId));
    assert.equal(new Set([...byExporter('aliyun'), ...byExporter('phoenix')]).size, 2 * DEMO_RUNS.length);
    assert.deepEqual(byExporter('langfuse'), DEMO_RUNS.map((r) => r.infraTraceId));
    const page = await service.backend.listRuns({ filter: {}, limit: 50 });
    assert.equal(page.runs.length, EXPORTERS.length * DEMO_RUNS.length);
    const snapshot = await service.backend.getTrace({ traceId: DEMO_RUNS[1].infraTraceId });
    const keys = (snapshot?.spans ?? []).map((s) => `${s.traceId}/${s.spanId}`);
    assert.equal(new Set(keys).size, keys.length, 'no span is sent twice');
    const apiSpans = (snapshot?.spans ?? []).filter((s) => snapshot?.resources[s.resource]?.serviceName === 'langgenius/dify');
    assert.ok(apiSpans.length > 0, 'the Langfuse run shares its trace with the API request');
  });

  for (const exporter of EXPORTERS) {
    for (const demo of DEMO_RUNS) {
      it(`recognises run ${demo.index} (${demo.failure?.kind ?? 'ok'}) from ${exporter}`, async () => {
        const sent = summary.appTraces.find((t) => t.exporter === exporter && t.runIndex === demo.index);
        assert.ok(sent);
        const page = await service.backend.listRuns({ filter: {}, limit: 50 });
        const run = page.runs.find((r) => r.traceId === sent.traceId && r.source === exporter);
        assert.ok(run, `${exporter} run ${demo.index} is listed under trace ${sent.traceId}`);
        assert.equal(run.appName, demo.appName);
        assert.equal(run.kind, 'workflow');
        assert.equal(run.workflowRunId, demo.workflowRunId);
        assert.equal(run.status, demo.status);
        assert.deepEqual(run.linkedTraceIds, [demo.infraTraceId]);
        if (demo.failure === null) {
          assert.equal(run.failingNode, undefined);
          assert.equal(run.errorKind, undefined);
          return;
        }
        const nodeType = demo.failure.kind === 'plugin' ? 'tool' : 'code';
        assert.equal(run.failingNode?.title, demo.failingNodeTitle);
        assert.equal(run.failingNode?.nodeType, failingNodeType(exporter, nodeType));
        assert.equal(run.errorKind, demo.failure.kind === 'plugin' ? 'pluginInvoke' : 'sandbox');
        assert.equal(run.errorMessage, demo.errorMessage);
      });
    }
  }

  it('gives Phoenix workflow runs no conversation id: the metadata says "", session.id holds the run id', async () => {
    const page = await service.backend.listRuns({ filter: {}, limit: 50 });
    const phoenixRuns = page.runs.filter((r) => r.source === 'phoenix');
    assert.equal(phoenixRuns.length, 3);
    for (const run of phoenixRuns) assert.equal(run.conversationId, undefined);
  });
});
