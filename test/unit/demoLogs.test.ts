// The demo's log record, sent by the real OpenTelemetry logs SDK and OTLP exporter after the traces,
// through the real receiver into the log store: linked to run 2's API span for the failing tool node,
// carrying the plugin's traceback that no span of the run has in full.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pluginErrorLogBody } from '../demo/apiLogs';
import { DEMO_RUNS, infraSpanId, NODES } from '../demo/demoRuns';
import type { DemoSummary } from '../demo/emitDemoTraces';
import { PLUGIN_TRACEBACK } from '../demo/plugin';
import { logsFromSnapshot } from '../../src/shared/traceSnapshotCodec';
import { quietTraceService, startAndSendDemo } from './demoService';

/** Undoes CPython's repr of a str in single quotes (the only escapes it needs here: \\ and \'). */
function pyStrLiteral(text: string, start: number): string {
  assert.equal(text[start], "'");
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') out += text[++i];
    else if (ch === "'") return out;
    else out += ch;
  }
  throw new Error('unterminated literal');
}

describe('demo log records through the receiver', () => {
  const service = quietTraceService();
  const run2 = DEMO_RUNS[1];
  let summary: DemoSummary | undefined;

  before(async () => {
    summary = await startAndSendDemo(service);
  });
  after(() => service.stop());

  it('sends one log record, after the traces, in one request to /v1/logs', () => {
    assert.equal(summary?.logRecords, 1);
    assert.equal(summary?.logExportRequests, 1);
    assert.match(summary?.logsUrl ?? '', /\/v1\/logs$/);
    assert.deepEqual(service.logs.stats(), { records: 1, traces: 1, unlinked: 0 });
    for (const run of [DEMO_RUNS[0], DEMO_RUNS[2]]) assert.equal(service.logs.logsOf(run.infraTraceId), undefined, `run ${run.index} logs nothing`);
  });

  it('links the API\'s plugin error record to run 2\'s span of the failing tool node', () => {
    const [record] = service.logs.logsOf(run2.infraTraceId) ?? [];
    assert.ok(record);
    assert.equal(record.traceId, run2.infraTraceId);
    assert.equal(record.spanId, infraSpanId(run2.infraTraceId, 'node:tool'));
    const span = service.store.spansOf(record.traceId)?.find((s) => s.spanId === record.spanId);
    assert.ok(span, 'the span the record was logged in is in the store');
    assert.equal(span.name, NODES.tool.title);
    assert.equal(span.resource.serviceName, 'langgenius/dify');
    assert.ok(record.timeUs >= span.startUs && record.timeUs <= span.endUs, 'logged while the node ran');
    assert.equal(record.severityNumber, 17);
    assert.equal(record.severityText, 'ERROR');
    assert.equal(record.scopeName, 'core.plugin.impl.base');
    assert.equal(record.resource.serviceName, 'langgenius/dify');
    assert.equal(record.attributes['code.function.name'], '_request_with_plugin_daemon_response_stream');
    assert.equal(record.attributes['span_id'], record.spanId);
    assert.equal(record.body, pluginErrorLogBody());
  });

  it('carries the plugin\'s full traceback in the PluginInvokeError payload of its body', () => {
    const body = service.logs.logsOf(run2.infraTraceId)?.[0]?.body;
    assert.ok(typeof body === 'string');
    const text = body;
    assert.ok(text.startsWith("Error in stream response for plugin {'code': -500, 'message': "));
    const daemonMessage = JSON.parse(pyStrLiteral(text, text.indexOf("'message': ") + "'message': ".length)) as { message: string; error_type: string; args: null };
    assert.equal(daemonMessage.error_type, 'PluginInvokeError');
    const pluginError = JSON.parse(daemonMessage.message) as { error_type: string; message: string; args: { traceback: string } };
    assert.deepEqual([pluginError.error_type, pluginError.message], ['KeyError', "'max_temp_c'"]);
    assert.equal(pluginError.args.traceback, PLUGIN_TRACEBACK);
    assert.ok(service.logs.traceMatchesText(run2.infraTraceId, 'MAX_TEMP_C'));
    assert.ok(!service.logs.traceMatchesText(DEMO_RUNS[0].infraTraceId, 'max_temp_c'));
  });

  it('comes with run 2\'s trace, sharing the API spans\' resource entry', async () => {
    const snapshot = await service.backend.getTrace({ traceId: run2.appTraceId });
    assert.ok(snapshot);
    const logs = logsFromSnapshot(snapshot);
    assert.equal(logs.length, 1);
    const wire = snapshot.logs?.[0];
    const apiSpan = snapshot.spans.find((s) => s.spanId === wire?.spanId && s.traceId === wire?.traceId);
    assert.ok(apiSpan);
    assert.equal(wire?.resource, apiSpan.resource, 'the log resource and the API span resource are one table entry');
  });
});
