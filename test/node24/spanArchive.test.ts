// The trace database (node:sqlite; this tier runs on Node 24, as the editor's extension host does).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SpanArchive } from '../../src/server/store/spanArchive';
import { TraceService } from '../../src/server/traceService';
import { loadRecordedCorpus, postRecordedBody } from '../recorded/recordedCorpus';
import type { RunFilter, RunSummary } from '../../src/shared/runSummary';
import type { Resource, Span } from '../../src/model/span';
import { aliyunResource, apiResource, span, traceId } from '../unit/spanBuilder';

/** Retries `check` until it passes (the trace service settles runs on a 1 s timer), failing with its last error after `timeoutMs`. */
async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), 'span-archive-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `traces-${n++}.sqlite`);

function open(path: string): SpanArchive {
  const opened = SpanArchive.open(path);
  assert.ok(opened.ok, opened.ok ? '' : opened.reason);
  return opened.archive;
}

const quietEvents = { runsChanged: () => {}, statusChanged: () => {}, log: () => {} };
const noReceiver = { enabled: false, host: '127.0.0.1', port: 0, maxBodyMiB: 20 };

/**
 * Stores each batch in a trace database, a millisecond after the one before (a restart reads the
 * older traces first), then `check`s the service before it stops.
 */
async function storeInOrder(path: string, batches: readonly Span[][], check: (service: TraceService) => Promise<void> = async () => {}): Promise<void> {
  const service = new TraceService({ receiver: noReceiver, store: { maxSpans: 1_000, archivePath: path } }, quietEvents);
  await service.start();
  for (const [i, batch] of batches.entries()) {
    if (i > 0) for (const started = Date.now(); Date.now() === started; );
    service.ingest(batch);
  }
  await check(service);
  await service.stop();
  service.close();
}

describe('span archive', () => {
  it('gives back what it was given, resources shared, after it was closed and opened again', () => {
    const path = freshPath();
    const spans = [
      span({ trace: traceId(1), id: 1, name: 'workflow', resource: aliyunResource, attributes: { 'gen_ai.span.kind': 'CHAIN', nested: { a: [1, 'b'] } }, error: 'boom' }),
      span({ trace: traceId(1), id: 2, parent: 1, name: 'Start', resource: aliyunResource }),
      span({ trace: traceId(2), id: 3, name: 'POST /v1/workflows/run', resource: apiResource }),
    ];
    const archive = open(path);
    archive.add(spans);
    archive.add([spans[0]!], 1); // a span sent again (an exporter's retry)
    archive.close();
    const again = open(path);
    const loaded = again.loadRecent(1_000);
    assert.deepEqual(loaded.map((s) => s.spanId).sort(), spans.map((s) => s.spanId).sort());
    assert.deepEqual(loaded.find((s) => s.spanId === spans[0]!.spanId), spans[0]);
    assert.equal(new Set(loaded.map((s) => s.resource)).size, 2, 'one resource object per distinct resource');
    assert.deepEqual(again.stats(), { traces: 2, spans: 3 }, 'a span sent twice is stored and counted once');
    again.close();
  });

  it('reads a trace in pages, in the order and with the spans it reads whole', () => {
    const archive = open(freshPath());
    const t = traceId(7);
    archive.add(Array.from({ length: 23 }, (_, i) => span({ trace: t, id: 1000 - i * 7, ...(i === 0 ? {} : { parent: 1000 }), name: `s${i}`, resource: i % 2 === 0 ? apiResource : aliyunResource })));
    archive.add([span({ trace: traceId(8), id: 5, name: 'other trace' })]);
    const whole = archive.spansOf([t]);
    assert.equal(whole.length, 23);
    const resources = new Map<string, Resource>();
    const pages = [...archive.spanPagesOf(t, 5, resources)];
    assert.deepEqual(pages.map((p) => p.length), [5, 5, 5, 5, 3]);
    assert.deepEqual(pages.flat(), whole);
    assert.equal(resources.size, 2, 'each resource read once, shared by the spans');
    assert.deepEqual([...archive.spanPagesOf(t, 23)].map((p) => p.length), [23], 'a last full page ends the reading without an empty one');
    assert.deepEqual([...archive.spanPagesOf(traceId(9), 5)], []);
    archive.close();
  });

  it('lays a new database out for fast writes, and keeps using one laid out as before', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- node:sqlite, as the archive loads it
    const { DatabaseSync } = require('node:sqlite') as { DatabaseSync: new (path: string) => { exec(sql: string): void; prepare(sql: string): { get(): Record<string, unknown> | undefined }; close(): void } };
    const spans = [span({ trace: traceId(7), id: 1, name: 'workflow', resource: aliyunResource }), span({ trace: traceId(7), id: 2, parent: 1, name: 'Start', resource: aliyunResource })];
    const fresh = freshPath();
    open(fresh).close();
    const inspect = new DatabaseSync(fresh);
    assert.equal(inspect.prepare('PRAGMA page_size').get()?.['page_size'], 16384);
    assert.doesNotMatch(String(inspect.prepare("SELECT sql FROM sqlite_master WHERE name = 'spans'").get()?.['sql']), /WITHOUT ROWID/);
    inspect.close();
    // A database of an earlier release: 4 KiB pages, spans clustered by trace.
    const older = freshPath();
    const before = new DatabaseSync(older);
    before.exec('PRAGMA journal_mode = WAL; CREATE TABLE spans (trace_id TEXT NOT NULL, span_id TEXT NOT NULL, resource_id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (trace_id, span_id)) WITHOUT ROWID;');
    before.close();
    const archive = open(older);
    archive.add(spans);
    archive.add(spans);
    assert.deepEqual(archive.stats(), { traces: 1, spans: 2 });
    assert.deepEqual(archive.loadRecent(10).map((s) => s.name).sort(), ['Start', 'workflow']);
    archive.close();
  });

  it('brings back the newest traces up to the bound', () => {
    const archive = open(freshPath());
    for (let t = 1; t <= 5; t++) archive.add([span({ trace: traceId(t), id: t * 10 }), span({ trace: traceId(t), id: t * 10 + 1 })], t * 1000);
    const loaded = archive.loadRecent(4);
    assert.deepEqual([...new Set(loaded.map((s) => s.traceId))], [traceId(4), traceId(5)], 'the two newest traces, oldest of them first');
    archive.close();
  });

  it('brings back no more span text than the memory bound would keep', () => {
    const archive = open(freshPath());
    for (let t = 1; t <= 5; t++) archive.add([span({ trace: traceId(t), id: t * 10, attributes: { prompt: 'p'.repeat(100_000) } })], t * 1000);
    const loaded = archive.loadRecent(1_000, 250_000);
    assert.deepEqual([...new Set(loaded.map((s) => s.traceId))], [traceId(4), traceId(5)], 'two traces of about 100 kB fit in 250 kB, not three');
    archive.close();
  });

  it('drops traces past the retention and beyond the size bound, oldest first', () => {
    const archive = open(freshPath());
    const day = 86_400_000;
    archive.add([span({ trace: traceId(1), id: 1, attributes: { big: 'x'.repeat(600_000) } })], 0);
    archive.add([span({ trace: traceId(2), id: 2, attributes: { big: 'x'.repeat(600_000) } })], 9 * day);
    archive.add([span({ trace: traceId(3), id: 3, attributes: { big: 'x'.repeat(600_000) } })], 9.5 * day);
    // What was made of each trace goes with it; a row for a trace the archive never held is not kept.
    archive.putRuns([1, 2, 3, 4].map((n) => ({ traceId: traceId(n), body: `run ${n}` })));
    assert.deepEqual(archive.loadRuns(new Set([traceId(3)])).map((r) => r.body), ['run 1', 'run 2']);
    assert.deepEqual(archive.prune({ retentionDays: 7, maxDiskMiB: 16 }, 10 * day), [traceId(1)], 'older than 7 days');
    assert.deepEqual(archive.prune({ retentionDays: 7, maxDiskMiB: 1 }, 10 * day), [traceId(2)], 'beyond 1 MiB: the oldest');
    assert.deepEqual(archive.stats(), { traces: 1, spans: 1 });
    assert.deepEqual(archive.loadRuns(new Set()).map((r) => r.body), ['run 3']);
    archive.close();
  });

  it('moves an unreadable file aside and starts a new database', () => {
    const path = freshPath();
    writeFileSync(path, 'this is not a database '.repeat(100));
    const opened = SpanArchive.open(path);
    assert.ok(opened.ok);
    opened.archive.add([span({ id: 1 })]);
    assert.equal(opened.archive.stats().spans, 1);
    opened.archive.close();
    assert.ok(readdirSync(dir).some((f) => f.startsWith(`${path.split('/').at(-1)!}.unreadable-`)), 'the old file is kept beside it');
  });
});

describe('trace server with the trace database', () => {
  it('lists the same runs after a restart, from the database', async () => {
    const path = freshPath();
    const corpus = loadRecordedCorpus('dify-1.13.3');
    const settings = { receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 20 }, store: { maxSpans: 500_000, archivePath: path } };
    const quiet = { runsChanged: () => {}, statusChanged: () => {}, log: () => {} };
    const first = new TraceService(settings, quiet);
    await first.start();
    const state = first.status().receiver;
    assert.equal(state.state, 'listening');
    if (state.state !== 'listening') return;
    for (const body of corpus.bodies) await postRecordedBody(state.url, body);
    const before = (await first.backend.listRuns({ filter: {}, limit: 1_000 })).runs;
    assert.ok(before.length >= 26);
    assert.deepEqual(first.status().storage, { persisted: true, path });
    await first.stop();
    first.close();

    const second = new TraceService(settings, quiet);
    await second.start();
    try {
      const after = (await second.backend.listRuns({ filter: {}, limit: 1_000 })).runs;
      const key = (r: (typeof before)[number]) => `${r.traceId} ${r.status} ${r.failingNode?.title ?? ''} ${r.errorKind ?? ''} ${r.linkedTraceIds.join(',')}`;
      assert.deepEqual(after.map(key).sort(), before.map(key).sort());
    } finally {
      await second.stop();
      second.close();
    }
  });

  it('keeps every run listed when memory holds a few: runs that left it are listed from the database, open whole, and survive a restart', async (t) => {
    const path = freshPath();
    const corpus = loadRecordedCorpus('dify-1.13.3');
    const quiet = { runsChanged: () => {}, statusChanged: () => {}, log: () => {} };
    const receiver = { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 20 };
    // The reference holds everything in memory; the other one a tenth of the spans, with the database behind.
    const reference = new TraceService({ receiver, store: { maxSpans: 500_000 } }, quiet);
    const small = { receiver, store: { maxSpans: 1_000, archivePath: path } };
    const first = new TraceService(small, quiet);
    // Closed however the test ends: a receiver left listening keeps the test file from finishing.
    t.after(async () => {
      await Promise.all([reference.stop(), first.stop()]);
      first.close();
    });
    await Promise.all([reference.start(), first.start()]);
    const urlOf = (service: TraceService) => {
      const state = service.status().receiver;
      assert.equal(state.state, 'listening');
      return state.state === 'listening' ? state.url : '';
    };
    for (const body of corpus.bodies) {
      await postRecordedBody(urlOf(reference), body);
      await postRecordedBody(urlOf(first), body);
    }
    const key = (r: RunSummary) => `${r.traceId} ${r.status} ${r.kind} ${r.appName} ${r.failingNode?.title ?? ''} ${r.rootCause?.name ?? ''} ${r.errorKind ?? ''} ${r.linkedTraceIds.join(',')}`;
    const listed = async (service: TraceService, filter: RunFilter = {}) => (await service.backend.listRuns({ filter, limit: 1_000 })).runs.map(key).sort();
    const expected = await listed(reference);
    assert.ok(expected.length >= 26);
    assert.ok(first.store.stats().spans <= 1_000, 'memory holds its bound');
    // A run that left memory before its other half arrived is brought back and classified with it (within a second or so).
    await eventually(async () => assert.deepEqual(await listed(first), expected));
    const coldRun = (await first.backend.listRuns({ filter: {}, limit: 1_000 })).runs.find((r) => first.store.spansOf(traceId(r.traceId)) === undefined && r.workflowRunId !== undefined);
    assert.ok(coldRun, 'some listed run is not in memory');

    // Its id finds it, a keyword finds it by its summary, and it opens whole, its linked trace with it.
    const found = await first.backend.findTraces({ kind: 'difyId', uuid: coldRun.workflowRunId!, traceIdCandidate: coldRun.traceId });
    assert.equal(found.matches[0]?.traceId, coldRun.traceId);
    const byKeyword = await first.backend.listRuns({ filter: { text: coldRun.workflowRunId! }, limit: 10 });
    assert.deepEqual(byKeyword.runs.map((r) => r.traceId), [coldRun.traceId]);
    assert.ok((byKeyword.summaryOnly ?? 0) > 0, 'the listing says some runs were searched by their summary only');
    const opened = await first.backend.getTrace({ traceId: traceId(coldRun.traceId) });
    const whole = await reference.backend.getTrace({ traceId: traceId(coldRun.traceId) });
    assert.ok(opened && whole);
    assert.equal(opened.spans.length, whole.spans.length, 'every span of the run and its linked trace is back');
    assert.deepEqual(opened.traceIds, whole.traceIds);
    await Promise.all([reference.stop(), first.stop()]);
    first.close();

    // A restart with the same small memory lists every run again, most of them without reading their spans.
    const second = new TraceService(small, quiet);
    await second.start();
    try {
      assert.ok(second.store.stats().spans <= 1_000);
      assert.deepEqual(await listed(second), expected);
      // A late span of a run kept on disk brings the whole trace back, the new span with it.
      const late = (await second.backend.listRuns({ filter: {}, limit: 1_000 })).runs.find((r) => second.store.spansOf(traceId(r.traceId)) === undefined && r.source !== 'infrastructure');
      assert.ok(late);
      second.ingest([span({ trace: traceId(late.traceId), id: 0xfe01, name: 'late span', resource: apiResource })]);
      const back = second.store.spansOf(traceId(late.traceId));
      assert.equal(back?.length, late.spanCount + 1, 'the trace is back whole, with the late span');
    } finally {
      await second.stop();
      second.close();
    }
  });

  it('brings a run back with its infrastructure half joined, also when the app-level half is the older one (restored first, its half not read through)', async () => {
    const path = freshPath();
    const [app, infra] = [traceId(0xa7), traceId(0xa8)];
    const links = [{ traceId: infra, attributes: {} }];
    // The infrastructure half is stored a millisecond later: the restart reads the older trace first.
    await storeInOrder(path, [
      [
        span({ trace: app, id: 1, name: 'workflow', resource: aliyunResource, links, error: 'boom' }),
        span({ trace: app, id: 2, parent: 1, name: 'Get Weather', resource: aliyunResource, links, error: 'boom' }),
      ],
      [
        span({ trace: infra, id: 1, name: 'POST /v1/workflows/run', resource: apiResource }),
        span({ trace: infra, id: 2, parent: 1, name: 'POST /plugin/:tenant_id/dispatch/tool/invoke', resource: apiResource }),
        span({ trace: infra, id: 3, parent: 2, name: 'execute_tool get_weather', resource: apiResource, error: "KeyError: 'max_temp_c'" }),
      ],
    ], async (first) => {
      const before = (await first.backend.listRuns({ filter: {}, limit: 10 })).runs.find((r) => r.traceId === app);
      assert.equal(before?.rootCause?.traceId, infra);
    });

    // The stored runs are announced once the restore is under way: a layout warmed for them waits for it.
    const awaitedOnAnnounce: Promise<void>[] = [];
    const second: TraceService = new TraceService({ receiver: noReceiver, store: { maxSpans: 1_000, archivePath: path } }, { ...quietEvents, runsChanged: () => void awaitedOnAnnounce.push(second.whenRestored()) });
    await second.start();
    try {
      assert.ok(awaitedOnAnnounce.length > 0);
      assert.equal(awaitedOnAnnounce[0], second.whenRestored(), 'the first announcement already sees the restore');
      await second.whenRestored();
      assert.ok(second.store.spansOf(app) && second.store.spansOf(infra), 'both halves are back in memory');
      const run = (await second.backend.listRuns({ filter: {}, limit: 10 })).runs.find((r) => r.traceId === app);
      assert.equal(run?.rootCause?.name, 'execute_tool get_weather');
      assert.equal(run?.rootCause?.traceId, infra);
      assert.ok(!run?.gaps?.some((g) => g.kind === 'linkedTraceMissing'), `no gap for the half: ${JSON.stringify(run?.gaps)}`);
    } finally {
      await second.stop();
      second.close();
    }
  });

  it('restores a trace whole that took a span while the restart was bringing it back', async () => {
    const path = freshPath();
    const [older, newer] = [traceId(0xd1), traceId(0xd2)];
    const plain = (trace: typeof older, ids: number[]) => ids.map((id) => span({ trace, id, ...(id > ids[0]! ? { parent: ids[0]! } : {}), name: `GET /health ${id}`, resource: apiResource }));
    await storeInOrder(path, [plain(older, [1, 2, 3]), plain(newer, [1, 2, 3])]);

    const second = new TraceService({ receiver: noReceiver, store: { maxSpans: 1_000, archivePath: path } }, quietEvents);
    await second.start();
    try {
      // The restore has read the older trace's first page and waits for its next turn: the newer
      // trace, still to come, takes a late span now.
      assert.equal(second.store.spansOf(newer), undefined, 'not restored yet');
      second.ingest([span({ trace: newer, id: 4, parent: 1, name: 'late', resource: apiResource })]);
      await second.whenRestored();
      assert.deepEqual(second.store.spansOf(newer)?.map((s) => s.name).sort(), ['GET /health 1', 'GET /health 2', 'GET /health 3', 'late']);
      assert.equal(second.store.spansOf(older)?.length, 3);
    } finally {
      await second.stop();
      second.close();
    }
  });

  it('says which traces came back from the database unchanged (layouts of them stay good) and which changed', async () => {
    const path = freshPath();
    const receiver = { enabled: false, host: '127.0.0.1', port: 0, maxBodyMiB: 20 };
    const events: { ids: string[]; cause: string }[] = [];
    const recording = { runsChanged: (ids: readonly string[], cause: string) => events.push({ ids: [...ids], cause }), statusChanged: () => {}, log: () => {} };
    const [a, b, c] = [traceId(0xa1), traceId(0xb1), traceId(0xc1)];
    const first = new TraceService({ receiver, store: { maxSpans: 1_000, archivePath: path } }, recording);
    await first.start();
    first.ingest([span({ trace: a, id: 1, name: 'workflow', resource: apiResource }), span({ trace: a, id: 2, parent: 1, name: 'llm', resource: apiResource })]);
    first.ingest([span({ trace: c, id: 3, name: 'workflow', resource: apiResource }), span({ trace: c, id: 4, parent: 3, name: 'llm', resource: apiResource })]);
    await first.stop();
    first.close();

    // After a restart whose memory holds the newer trace only, opening the older one reads it back
    // from the database, and the newer one leaves memory for it.
    const second = new TraceService({ receiver, store: { maxSpans: 3, archivePath: path } }, recording);
    await second.start();
    try {
      await second.whenRestored();
      assert.equal(second.store.spansOf(a), undefined, 'not in memory after the restart');
      events.length = 0;
      const opened = await second.backend.getTrace({ traceId: a });
      assert.equal(opened?.spans.length, 2);
      assert.deepEqual(events.filter((e) => e.ids.includes(a)).map((e) => e.cause), ['caughtUp']);
      assert.equal(second.store.spansOf(c), undefined);
      assert.deepEqual(events.filter((e) => e.ids.includes(c)).map((e) => e.cause), ['changed'], 'the trace evicted for it did change');
      // A span that arrives is a change, also for a trace that came back that way.
      events.length = 0;
      second.ingest([span({ trace: b, id: 5, name: 'workflow', resource: apiResource })]);
      assert.ok(events.some((e) => e.cause === 'changed' && e.ids.includes(b)));
      assert.ok(!events.some((e) => e.cause === 'caughtUp' && e.ids.includes(b)));
    } finally {
      await second.stop();
      second.close();
    }
  });

  it('brings a trace\'s log records back after a restart (a plugin\'s traceback may survive only there)', async () => {
    const path = freshPath();
    const settings = { receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 20 }, store: { maxSpans: 1_000, archivePath: path } };
    const quiet = { runsChanged: () => {}, statusChanged: () => {}, log: () => {} };
    const trace = 'ab'.repeat(16);
    const first = new TraceService(settings, quiet);
    await first.start();
    const state = first.status().receiver;
    assert.equal(state.state, 'listening');
    if (state.state !== 'listening') return;
    const post = (signal: string, body: unknown) => fetch(`${state.url}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'dify-api' } }] };
    assert.equal((await post('traces', { resourceSpans: [{ resource, scopeSpans: [{ spans: [{ traceId: trace, spanId: '1'.repeat(16), name: 'POST /v1/workflows/run', startTimeUnixNano: '1796000000000000000', endTimeUnixNano: '1796000001000000000' }] }] }] })).status, 200);
    const traceback = 'Traceback (most recent call last):\n  File "/app/tools/weather.py", line 42, in _invoke\nKeyError: \'max_temp_c\'';
    assert.equal((await post('logs', { resourceLogs: [{ resource, scopeLogs: [{ logRecords: [{ timeUnixNano: '1796000000500000000', severityNumber: 17, severityText: 'ERROR', body: { stringValue: traceback }, traceId: trace, spanId: '1'.repeat(16) }] }] }] })).status, 200);
    await first.stop();
    first.close();

    const second = new TraceService(settings, quiet);
    await second.start();
    try {
      await second.whenRestored();
      const records = second.logs.logsOf(trace);
      assert.equal(records?.length, 1);
      assert.equal(records?.[0]?.body, traceback);
      assert.equal(records?.[0]?.resource.serviceName, 'dify-api');
      const snapshot = await second.backend.getTrace({ traceId: traceId(trace) });
      assert.ok(snapshot, 'the trace is back with its logs');
    } finally {
      await second.stop();
      second.close();
    }
  });
});
