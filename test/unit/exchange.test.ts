// Export a run as OTLP/JSON Lines and import it elsewhere: the demo, sent by the real OpenTelemetry
// SDK into the real receiver, exported run by run and imported into a fresh service, gives the same
// run summaries, spans and log records; the file is OTLP/JSON as the spec writes it; imports read
// arrays, single objects and JSON Lines, skip what is already there, and report bad lines.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Span } from '../../src/model/span';
import type { TraceService } from '../../src/server/traceService';
import { DEMO_RUNS } from '../demo/demoRuns';
import { quietTraceService, startAndSendDemo } from './demoService';

const byId = (a: Span, b: Span): number => (a.traceId + a.spanId < b.traceId + b.spanId ? -1 : 1);

/** The spans of a run's traces (own and linked), in a stable order. */
function spansOfRun(service: TraceService, traceId: string): Span[] {
  const run = service.runs.runOf(traceId as Span['traceId']);
  return [traceId, ...(run?.linkedTraceIds ?? [])].flatMap((id) => service.store.spansOf(id as Span['traceId']) ?? []).sort(byId);
}

async function exported(service: TraceService, traceId: string): Promise<{ fileName: string; content: string; spans: number; logRecords: number }> {
  const file = await service.backend.exportTrace({ traceId });
  assert.ok(file, `trace ${traceId} exports`);
  return file;
}

describe('export and import of a run', () => {
  const source = quietTraceService();

  before(async () => {
    await startAndSendDemo(source, { exporters: ['aliyun', 'phoenix', 'langfuse'] });
  });
  after(() => source.stop());

  it('round-trips every demo run into a fresh service: same summary, spans and log records', async () => {
    const runs = source.runs.list({}, 100).runs;
    assert.equal(runs.length, 9, 'three runs in three exporter shapes');
    for (const run of runs) {
      const file = await exported(source, run.traceId);
      const target = quietTraceService();
      const result = target.importTraces({ content: file.content, fileName: file.fileName });
      assert.deepEqual(result.errors, []);
      assert.equal(result.rejected, 0);
      assert.equal(result.spans, file.spans);
      assert.equal(result.logRecords, file.logRecords);
      assert.equal(result.traceIds[0], run.traceId, 'the run\'s own trace first');
      assert.deepEqual(target.runs.runOf(run.traceId as Span['traceId']), run, `run ${run.traceId} (${run.source}) is summarised the same`);
      assert.deepEqual(spansOfRun(target, run.traceId), spansOfRun(source, run.traceId));
      const snapshotBefore = await source.backend.getTrace({ traceId: run.traceId });
      const snapshotAfter = await target.backend.getTrace({ traceId: run.traceId });
      assert.deepEqual(snapshotAfter?.logs, snapshotBefore?.logs);
      assert.deepEqual(snapshotAfter?.counterparts, snapshotBefore?.counterparts);
    }
  });

  it('exports the failing run with its plugin log record, in the Collector file exporter layout', async () => {
    const demo = DEMO_RUNS[1];
    const file = await exported(source, demo.appTraceId);
    assert.match(file.fileName, /^Travel-Assistant-[0-9a-f-]{36}\.otlp\.jsonl$/);
    assert.ok(file.content.endsWith('\n'));
    const lines = file.content.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => Object.keys(l)), [['resourceSpans'], ['resourceLogs']]);
    assert.equal(file.logRecords, 1);
    const text = file.content;
    // OTLP/JSON: hex ids, enums as integers, 64-bit integers as decimal strings.
    assert.ok(text.includes(`"traceId":"${demo.appTraceId}"`));
    assert.ok(text.includes(`"traceId":"${demo.infraTraceId}"`), 'the linked infrastructure trace comes along');
    assert.match(text, /"spanId":"[0-9a-f]{16}"/);
    assert.match(text, /"kind":[1-5]/);
    assert.match(text, /"code":2/);
    assert.match(text, /"startTimeUnixNano":"\d{19}"/);
    assert.match(text, /"intValue":"\d+"/);
    assert.doesNotMatch(text, /"traceId":"[^"]*[+/=][^"]*"/, 'no base64 ids');
  });

  it('imports a file twice without adding anything the second time', async () => {
    const file = await exported(source, DEMO_RUNS[1].appTraceId);
    const target = quietTraceService();
    const first = target.importTraces({ content: file.content, fileName: file.fileName });
    const again = target.importTraces({ content: file.content, fileName: file.fileName });
    assert.ok(first.spans > 0);
    assert.deepEqual([again.spans, again.logRecords], [0, 0]);
    assert.deepEqual(again.traceIds, first.traceIds, 'the traces are still named, so the run can be opened');
    assert.equal(target.store.stats().spans, first.spans);
    assert.equal(target.logs.stats().records, 1);
  });

  it('reads one pretty-printed request object and a JSON array of requests', async () => {
    const [traces, logs] = (await exported(source, DEMO_RUNS[1].appTraceId)).content.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    const pretty = quietTraceService().importTraces({ content: JSON.stringify(traces, null, 2), fileName: 'one.json' });
    assert.deepEqual(pretty.errors, []);
    assert.ok(pretty.spans > 0);
    assert.equal(pretty.logRecords, 0);
    const array = quietTraceService().importTraces({ content: JSON.stringify([traces, logs]), fileName: 'many.json' });
    assert.deepEqual(array.errors, []);
    assert.equal(array.spans, pretty.spans);
    assert.equal(array.logRecords, 1);
  });

  it('keeps what is valid and names every bad line: garbage, another signal, a wrong shape, bad ids', async () => {
    const [traces, logs] = (await exported(source, DEMO_RUNS[0].appTraceId)).content.trimEnd().split('\n');
    const badIds = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '00000000000000000000000000000000', spanId: '0102030405060708', name: 'zero trace id' }] }] }] });
    const content = [
      traces,
      'this is not JSON',
      '',
      JSON.stringify({ resourceMetrics: [] }),
      JSON.stringify({ hello: 'world' }),
      '[1, 2',
      JSON.stringify({ resourceSpans: 'nope' }),
      badIds,
      '42',
      logs ?? '',
    ].join('\r\n');
    const result = quietTraceService().importTraces({ content, fileName: 'mixed.jsonl' });
    assert.ok(result.spans > 0, 'the valid trace line is imported');
    assert.equal(result.rejected, 1);
    assert.deepEqual(result.errors.map((e) => e.replace(/:.*/s, '')), ['line 2', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9']);
    assert.match(result.errors[0]!, /^line 2: not JSON/);
    assert.match(result.errors[1]!, /^line 4: holds metrics, which are not imported/);
    assert.match(result.errors[2]!, /^line 5: not an OTLP\/JSON export request/);
    assert.match(result.errors[4]!, /^line 7: Body is not an OTLP\/JSON/);
    assert.match(result.errors[5]!, /^line 8: 1 span\(s\) had an empty or malformed trace id/);
    assert.equal(result.traceIds[0], DEMO_RUNS[0].appTraceId);
  });

  it('says that an empty file holds nothing to import', () => {
    for (const content of ['', '\n\n', '  \r\n']) {
      const result = quietTraceService().importTraces({ content, fileName: 'empty.jsonl' });
      assert.deepEqual(result, { spans: 0, logRecords: 0, traceIds: [], rejected: 0, errors: ['The file is empty: nothing to import.'] });
    }
  });

  it('exports nothing for a trace that is not in the store', async () => {
    assert.equal(await source.backend.exportTrace({ traceId: 'ffffffffffffffffffffffffffffffff' }), null);
    assert.equal(await source.backend.exportTrace({ traceId: 'not a trace id' }), null);
  });
});
