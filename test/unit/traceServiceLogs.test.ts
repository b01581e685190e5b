import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogRecord } from '../../src/model/logRecord';
import type { Resource, Span } from '../../src/model/span';
import type { Microseconds, TraceId } from '../../src/model/units';
import type { ServerSettings } from '../../src/shared/lspProtocol';
import { logsFromSnapshot } from '../../src/shared/traceSnapshotCodec';
import { TraceService } from '../../src/server/traceService';
import { aliyunResource, span, spanId, traceId } from './spanBuilder';

function service(store: ServerSettings['store']) {
  const changed: string[][] = [];
  const settings: ServerSettings = { receiver: { enabled: false, host: '127.0.0.1', port: 0, maxBodyMiB: 1 }, store };
  const svc = new TraceService(settings, { runsChanged: (ids) => changed.push([...ids]), statusChanged: () => {}, log: () => {} });
  return { svc, changed, settings };
}

/** An Aliyun workflow run in trace `app` linking to the infrastructure trace `infra`. */
function appRun(app: TraceId, infra: TraceId, startUs: number): Span[] {
  const links = [{ traceId: infra, attributes: {} }];
  return [
    span({ trace: app, id: 1, name: 'workflow', resource: aliyunResource, start: startUs, end: startUs + 500, links }),
    span({ trace: app, id: 2, parent: 1, name: 'Get Weather', resource: aliyunResource, start: startUs + 10, end: startUs + 400, links }),
  ];
}

/** A record as the receiver maps it: each request gets its own (equal) resource object. */
function log(trace: TraceId | undefined, span: number | undefined, timeUs: number, body: string): LogRecord {
  const resource: Resource = { serviceName: 'langgenius/dify', attributes: { 'service.name': 'langgenius/dify' } };
  return {
    timeUs: timeUs as Microseconds,
    severityNumber: 17,
    severityText: 'ERROR',
    body,
    attributes: {},
    ...(trace === undefined ? {} : { traceId: trace }),
    ...(span === undefined ? {} : { spanId: spanId(span) }),
    resource,
    scopeName: 'core.plugin.impl.base',
  };
}

describe('TraceService with log records', () => {
  const app = traceId('11111111111111111111111111111111');
  const infra = traceId('22222222222222222222222222222222');
  const other = traceId('33333333333333333333333333333333');

  it('reports the traces that received records as changed and counts records in the status', () => {
    const { svc, changed } = service({ maxSpans: 1000, maxLogRecords: 100 });
    svc.ingestLogs([log(infra, 7, 5, 'a'), log(undefined, undefined, 6, 'loose'), log(infra, 7, 7, 'b')]);
    assert.deepEqual(changed, [[infra]]);
    assert.equal(svc.status().logRecords, 3);
    svc.ingestLogs([log(undefined, undefined, 8, 'only loose')]);
    assert.equal(changed.length, 1, 'records without a trace change no run');
  });

  it('returns the logs of the trace and its linked traces with getTrace, oldest first, resources shared with spans', async () => {
    const { svc } = service({ maxSpans: 1000, maxLogRecords: 100 });
    svc.ingest([...appRun(app, infra, 1000), span({ trace: infra, id: 7, name: 'Get Weather', start: 1005, end: 1390 })]);
    svc.ingestLogs([log(infra, 7, 1300, 'Error in stream response for plugin'), log(app, 2, 1200, 'earlier'), log(other, 1, 1250, 'unrelated'), log(undefined, undefined, 1100, 'loose')]);
    const snapshot = await svc.backend.getTrace({ traceId: app });
    assert.ok(snapshot);
    assert.deepEqual(snapshot.traceIds, [app, infra]);
    const logs = logsFromSnapshot(snapshot);
    assert.deepEqual(logs.map((r) => [r.traceId, r.body]), [[app, 'earlier'], [infra, 'Error in stream response for plugin']]);
    const infraSpan = snapshot.spans.find((s) => s.traceId === infra);
    assert.equal(snapshot.logs?.[1]?.resource, infraSpan?.resource, 'an equal resource is one table entry for spans and logs');
    assert.equal(snapshot.resources.length, 2);
    assert.equal(logs[1]?.resource.serviceName, 'langgenius/dify');
    // Opening the infrastructure trace shows the same records (it brings its app run along).
    const fromInfra = await svc.backend.getTrace({ traceId: infra });
    assert.deepEqual(fromInfra?.logs?.map((r) => r.body), ['earlier', 'Error in stream response for plugin']);
  });

  it('includes the records of a linked trace whose spans never arrived', async () => {
    const { svc } = service({ maxSpans: 1000, maxLogRecords: 100 });
    svc.ingest(appRun(app, infra, 1000));
    svc.ingestLogs([log(infra, 7, 1300, 'unsampled but logged')]);
    const snapshot = await svc.backend.getTrace({ traceId: app });
    assert.deepEqual(snapshot?.traceIds, [app]);
    assert.deepEqual(snapshot?.logs?.map((r) => r.body), ['unsampled but logged']);
  });

  it('sends an empty log list for a trace without records', async () => {
    const { svc } = service({ maxSpans: 1000, maxLogRecords: 100 });
    svc.ingest([span({ trace: other, id: 1 })]);
    assert.deepEqual((await svc.backend.getTrace({ traceId: other }))?.logs, []);
  });

  it('drops a trace\'s records when the span store evicts the trace', () => {
    const { svc } = service({ maxSpans: 2, maxLogRecords: 100 });
    svc.ingest([span({ trace: other, id: 1 }), span({ trace: other, id: 2 })]);
    svc.ingestLogs([log(other, 1, 5, 'goes with its trace'), log(infra, 1, 6, 'stays')]);
    svc.ingest([span({ trace: app, id: 1 })]);
    assert.equal(svc.store.spansOf(other), undefined);
    assert.equal(svc.logs.logsOf(other), undefined);
    assert.equal(svc.logs.logsOf(infra)?.length, 1);
  });

  it('applies a new record bound from configure, and uses the default bound when the client sends none', async () => {
    const { svc, changed, settings } = service({ maxSpans: 1000 });
    svc.ingestLogs(Array.from({ length: 5 }, (_, i) => log(i % 2 === 0 ? app : infra, 1, i, `r${i}`)));
    assert.equal(svc.logs.stats().records, 5);
    changed.length = 0;
    await svc.configure({ ...settings, store: { maxSpans: 1000, maxLogRecords: 2 } });
    assert.equal(svc.logs.stats().records, 2);
    assert.deepEqual(changed, [[app]]);
  });
});
