import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryTraceStore } from '../../src/server/store/memoryTraceStore';
import { RunIndex } from '../../src/server/store/runIndex';
import { runEntry, storedRunEntry, storedRunEntryOf, type StoredRun } from '../../src/server/store/runEntry';
import { EmbeddedBackend } from '../../src/server/backends/embeddedBackend';
import { LogStore } from '../../src/server/store/logStore';
import { aliyunResource, span, traceId } from './spanBuilder';

function workflowRun(n: number, options: { startMs: number; error?: string; linkTo?: number }) {
  const trace = traceId(n);
  const links = options.linkTo === undefined ? [] : [{ traceId: traceId(options.linkTo), attributes: {} }];
  return [
    span({ trace, id: 1, name: 'workflow', resource: aliyunResource, start: options.startMs * 1000, end: options.startMs * 1000 + 500, links, ...(options.error ? { error: options.error } : {}) }),
    span({ trace, id: 2, parent: 1, name: 'LLM', resource: aliyunResource, start: options.startMs * 1000 + 1, links }),
  ];
}

describe('MemoryTraceStore and RunIndex', () => {
  it('lists runs newest first and pages with a stable token', () => {
    const store = new MemoryTraceStore(10_000);
    const index = new RunIndex(store);
    for (let i = 1; i <= 5; i++) index.markChanged(store.add(workflowRun(i, { startMs: i * 1000 })).touched);
    const first = index.list({}, 2);
    assert.deepEqual(first.runs.map((r) => r.startMs), [5000, 4000]);
    assert.equal(first.totalMatching, 5);
    const second = index.list({}, 2, first.nextPageToken);
    assert.deepEqual(second.runs.map((r) => r.startMs), [3000, 2000]);
    const third = index.list({}, 2, second.nextPageToken);
    assert.deepEqual(third.runs.map((r) => r.startMs), [1000]);
    assert.equal(third.nextPageToken, undefined);
  });

  it('filters by status, app, time and text', () => {
    const store = new MemoryTraceStore(10_000);
    const index = new RunIndex(store);
    index.markChanged(store.add(workflowRun(1, { startMs: 1000 })).touched);
    index.markChanged(store.add(workflowRun(2, { startMs: 2000, error: 'Weaviate timed out' })).touched);
    assert.deepEqual(index.list({ status: ['failed'] }, 10).runs.map((r) => r.startMs), [2000]);
    assert.equal(index.list({ appName: 'Other' }, 10).runs.length, 0);
    assert.deepEqual(index.list({ sinceMs: 1500 }, 10).runs.map((r) => r.startMs), [2000]);
    assert.deepEqual(index.list({ text: 'weaviate' }, 10).runs.map((r) => r.startMs), [2000]);
  });

  it('evicts the oldest traces first when over the span bound, never the one being added', () => {
    const store = new MemoryTraceStore(5);
    const index = new RunIndex(store);
    for (let i = 1; i <= 3; i++) {
      const result = store.add(workflowRun(i, { startMs: i * 1000 }));
      index.remove(result.evicted);
      index.markChanged(result.touched);
    }
    assert.deepEqual([...store.traceIds()], [traceId(2), traceId(3)]);
    assert.equal(store.stats().spans, 4);
    assert.deepEqual(index.list({}, 10).runs.map((r) => r.traceId), [traceId(3), traceId(2)]);
    const big = store.add(Array.from({ length: 8 }, (_, i) => span({ trace: traceId(9), id: i + 1 })));
    assert.deepEqual(big.evicted, [traceId(2), traceId(3)]);
    assert.deepEqual([...store.traceIds()], [traceId(9)]);
  });

  it('keeps the run of a trace that left memory (retired): listed, found by its summary, classified as it was when it left, marked stale when its other half arrives', () => {
    const store = new MemoryTraceStore(5);
    const index = new RunIndex(store);
    store.onEvicting((ids) => index.classifyNow(ids));
    const written: string[] = [];
    index.onClassified((changes) => written.push(...changes.map((c) => `${c.traceId}:${c.entry?.run.status ?? 'gone'}`)));
    // Run 1 is never listed before it leaves memory: it is classified on the way out, while its spans are there.
    index.markChanged(store.add(workflowRun(1, { startMs: 1000, error: 'Weaviate timed out', linkTo: 7 })).touched);
    const second = store.add(workflowRun(2, { startMs: 2000 }));
    index.markChanged(second.touched);
    const third = store.add(workflowRun(3, { startMs: 3000 }));
    assert.deepEqual(third.evicted, [traceId(1)]);
    assert.ok(written.includes(`${traceId(1)}:failed`), 'classified before its spans went, and reported');
    index.retire(third.evicted);
    index.markChanged(third.touched);
    assert.equal(store.spansOf(traceId(1)), undefined);
    assert.ok(index.isCold(traceId(1)));
    assert.deepEqual(index.list({}, 10).runs.map((r) => r.startMs), [3000, 2000, 1000]);
    assert.deepEqual(index.list({ status: ['failed'] }, 10).runs.map((r) => r.traceId), [traceId(1)]);
    // A keyword finds it in its summary (its error), and the listing says how many runs were searched that way.
    const byKeyword = index.list({ text: 'weaviate' }, 10);
    assert.deepEqual(byKeyword.runs.map((r) => r.traceId), [traceId(1)]);
    assert.equal(byKeyword.summaryOnly, 1);
    // Its infrastructure half arrives: the run cannot be classified again without its spans, so it is
    // handed back as stale, to be brought back from the database.
    index.markChanged(store.add([span({ trace: traceId(7), id: 1, name: 'POST /v1/workflows/run' })]).touched);
    assert.deepEqual(index.takeStaleCold(), [traceId(1)]);
    assert.equal(index.runOf(traceId(1))?.status, 'failed', 'kept as it was meanwhile');
    assert.deepEqual(index.takeStaleCold(), []);
  });

  it('lists runs read back from the database beside those classified from spans, the latter winning', () => {
    const store = new MemoryTraceStore(10_000);
    const index = new RunIndex(store);
    index.markChanged(store.add(workflowRun(2, { startMs: 2000 })).touched);
    const fromSpans = index.list({}, 10).runs[0]!;
    const stale = { ...fromSpans, status: 'failed' as const };
    index.addCold([
      { entry: runEntry({ ...fromSpans, traceId: traceId(1), startMs: 1000 }, () => undefined), executionKeys: [] },
      { entry: runEntry(stale, () => undefined), executionKeys: [] },
    ]);
    assert.deepEqual(index.list({}, 10).runs.map((r) => `${r.startMs} ${r.status}`), ['2000 succeeded', '1000 succeeded']);
    assert.ok(index.isCold(traceId(1)));
    assert.ok(!index.isCold(traceId(2)));
  });

  it('recomputes a run when its infrastructure half arrives later, moving the root cause into it', () => {
    const store = new MemoryTraceStore(10_000);
    const index = new RunIndex(store);
    const app = traceId(1);
    const infra = traceId(78);
    const links = [{ traceId: infra, attributes: {} }];
    index.markChanged(store.add([
      span({ trace: app, id: 1, name: 'workflow', resource: aliyunResource, links, error: 'boom' }),
      span({ trace: app, id: 2, parent: 1, name: 'Get Weather', resource: aliyunResource, links, error: 'boom' }),
    ]).touched);
    const before = index.list({}, 10).runs[0]!;
    assert.equal(before.rootCause?.name, 'Get Weather');
    assert.ok(before.gaps?.some((g) => g.kind === 'linkedTraceMissing'), 'the missing half is shown as a gap');
    const changed = index.markChanged(store.add([
      span({ trace: infra, id: 1, name: 'POST /v1/workflows/run' }),
      span({ trace: infra, id: 2, parent: 1, name: 'POST /plugin/:tenant_id/dispatch/tool/invoke' }),
      span({ trace: infra, id: 3, parent: 2, name: 'execute_tool get_weather', error: "KeyError: 'max_temp_c'" }),
    ]).touched);
    assert.deepEqual(changed, [infra, app], 'the linking run is marked changed too');
    const after = index.list({}, 10).runs[0]!;
    assert.equal(after.rootCause?.name, 'execute_tool get_weather');
    assert.equal(after.rootCause?.traceId, infra);
    assert.ok(!after.gaps?.some((g) => g.kind === 'linkedTraceMissing'), 'the gap closes when the half arrives');
  });

  it('hides an infrastructure trace that an app-level run links to, and finds the linker', () => {
    const store = new MemoryTraceStore(10_000);
    const index = new RunIndex(store);
    const infra = traceId(77);
    index.markChanged(store.add([span({ trace: infra, id: 1, name: 'POST /v1/workflows/run', attributes: { 'dify.app_id': 'a' } })]).touched);
    assert.equal(index.list({}, 10).runs.length, 1);
    index.markChanged(store.add(workflowRun(1, { startMs: 1000, linkTo: 77 })).touched);
    const runs = index.list({}, 10).runs;
    assert.deepEqual(runs.map((r) => r.source), ['aliyun']);
    assert.deepEqual(index.linkersOf(infra).map((r) => r.traceId), [traceId(1)]);
  });
});

describe('RunIndex classification in slices', () => {
  it('classifies the changed runs a slice at a time, at least one per slice, and says whether some are left', () => {
    const store = new MemoryTraceStore(10_000);
    const index = new RunIndex(store);
    const reported: string[] = [];
    index.onClassified((changes) => reported.push(...changes.map((c) => c.traceId)));
    for (let i = 1; i <= 3; i++) index.markChanged(store.add(workflowRun(i, { startMs: i * 1000 })).touched);
    // No time at all: one run per slice, and it is reported (written to the trace database) with its slice.
    assert.equal(index.classifyChanged(0), true);
    assert.equal(index.classifications, 1);
    assert.equal(reported.length, 1);
    assert.equal(index.classifyChanged(0), true);
    assert.equal(index.classifyChanged(0), false, 'the last one');
    assert.equal(index.classifications, 3);
    assert.deepEqual([...reported].sort(), [traceId(1), traceId(2), traceId(3)].sort());
    assert.equal(index.classifyChanged(0), false, 'nothing changed since');
    assert.equal(index.list({}, 10).totalMatching, 3);
    assert.equal(index.classifications, 3, 'the listing found them all classified');
  });
});

describe('RunIndex classification of a large trace still growing', () => {
  it('puts off classifying a run again while its last classification was expensive and recent, then catches up', () => {
    // Every clock read moves 25 ms on: each classification "costs" 25 ms, over the cheap threshold.
    let clock = 0;
    const store = new MemoryTraceStore(10_000);
    const index = new RunIndex(store, undefined, () => (clock += 25));
    index.markChanged(store.add(workflowRun(1, { startMs: 1000 })).touched);
    assert.equal(index.list({}, 10).runs[0]?.spanCount, 2);
    assert.equal(index.classifications, 1);
    index.markChanged(store.add([span({ trace: traceId(1), id: 3, parent: 1, resource: aliyunResource })]).touched);
    assert.equal(index.list({}, 10).runs[0]?.spanCount, 2, 'the run as last classified, for now');
    assert.equal(index.classifications, 1);
    assert.deepEqual(index.takeDue(), [], 'not due yet');
    clock += 1_000;
    assert.deepEqual(index.takeDue(), [traceId(1)], 'due: the caller reports it changed');
    assert.equal(index.list({}, 10).runs[0]?.spanCount, 3);
    assert.equal(index.classifications, 2);
  });

  it('still reports a put-off run as due when a reader other than the Runs view classified it once due (the Runs view would show it as it was)', () => {
    let clock = 0;
    const store = new MemoryTraceStore(10_000);
    const index = new RunIndex(store, undefined, () => (clock += 25));
    index.markChanged(store.add(workflowRun(1, { startMs: 1000 })).touched);
    assert.equal(index.list({}, 10).runs[0]?.status, 'succeeded');
    index.markChanged(store.add([span({ trace: traceId(1), id: 3, parent: 1, resource: aliyunResource, error: 'late failure' })]).touched);
    assert.equal(index.list({}, 10).runs[0]?.status, 'succeeded', 'put off: the Runs view shows it as it was');
    clock += 1_000;
    // Due now; a lookup (or a layout warming up) reads the run before the each-second check does.
    assert.equal(index.runOf(traceId(1))?.spanCount, 3);
    assert.deepEqual(index.takeDue(), [], 'nothing left to classify');
    assert.deepEqual(index.takeClassifiedDue(), [traceId(1)], 'the caller still reports it, so the Runs view lists it again');
    assert.deepEqual(index.takeClassifiedDue(), [], 'once');
  });

  it('classifies a run whose classification was put off at once when a reader needs it (a panel opening it), and it is no longer due after', async () => {
    let clock = 0;
    const store = new MemoryTraceStore(10_000);
    const index = new RunIndex(store, undefined, () => (clock += 25));
    const caughtUp: string[][] = [];
    const backend = new EmbeddedBackend(store, index, new LogStore(1_000), undefined, undefined, undefined, (ids) => caughtUp.push([...ids]));
    index.markChanged(store.add(workflowRun(1, { startMs: 1000 })).touched);
    assert.equal(index.list({}, 10).runs[0]?.spanCount, 2);
    index.markChanged(store.add([span({ trace: traceId(1), id: 3, parent: 1, resource: aliyunResource, error: 'late failure' })]).touched);
    assert.equal(index.list({}, 10).runs[0]?.spanCount, 2, 'put off');
    const opened = await backend.getTrace({ traceId: traceId(1) });
    assert.equal(opened?.run?.spanCount, 3, 'the panel gets the run as its spans are now');
    assert.deepEqual(caughtUp, [[traceId(1)]], 'and the Runs view is told');
    assert.equal(index.list({}, 10).runs[0]?.spanCount, 3);
    clock += 1_000;
    assert.deepEqual(index.takeDue(), [], 'nothing left due: no second change for the panel to lay out again');
  });

  it('names a run for a lookup as last classified, and classifies for it only traces never classified', () => {
    const store = new MemoryTraceStore(10_000);
    const index = new RunIndex(store, undefined, () => 0);
    index.markChanged(store.add(workflowRun(1, { startMs: 1000 })).touched);
    assert.equal(index.list({}, 10).runs[0]?.spanCount, 2);
    assert.equal(index.classifications, 1);
    // The run grows (or a restart brought its spans back): a lookup names it without classifying it again.
    index.markChanged(store.add([span({ trace: traceId(1), id: 3, parent: 1, resource: aliyunResource })]).touched);
    index.markChanged(store.add(workflowRun(2, { startMs: 2000 })).touched);
    assert.equal(index.forLookup(() => index.runOf(traceId(1)))?.spanCount, 2, 'as last classified');
    // A trace never classified is, so the lookup finds its run.
    assert.equal(index.forLookup(() => index.runOf(traceId(2)))?.spanCount, 2);
    assert.equal(index.classifications, 2, 'only the new trace was classified');
    // Outside a lookup, everything changed is classified as before.
    assert.equal(index.runOf(traceId(1))?.spanCount, 3);
    assert.equal(index.classifications, 3);
  });

  it('classifies cheap runs on every change', () => {
    const store = new MemoryTraceStore(10_000);
    const index = new RunIndex(store, undefined, () => 0);
    index.markChanged(store.add(workflowRun(1, { startMs: 1000 })).touched);
    index.list({}, 10);
    index.markChanged(store.add([span({ trace: traceId(1), id: 3, parent: 1, resource: aliyunResource })]).touched);
    assert.equal(index.list({}, 10).runs[0]?.spanCount, 3);
    assert.equal(index.classifications, 2);
  });

  it('classifies a trace that grows by 100 batches to 50k spans a few times, not 100 (issue 14: every batch re-classified the whole trace)', async (t) => {
    const store = new MemoryTraceStore(1_000_000);
    const index = new RunIndex(store);
    const trace = traceId(7);
    index.markChanged(store.add([span({ trace, id: 1, name: 'workflow', resource: aliyunResource, start: 1_000_000, end: 9_000_000 })]).touched);
    let id = 2;
    for (let b = 0; b < 100; b++) {
      const batch = Array.from({ length: 500 }, () => span({ trace, id: id++, parent: 1, name: 'LLM', resource: aliyunResource, start: 1_000_000 + id, end: 1_000_100 + id }));
      index.markChanged(store.add(batch).touched);
      // The Runs view and the code insights list after every batch.
      index.list({}, 50);
    }
    t.diagnostic(`${index.classifications} classifications for 100 batches`);
    assert.ok(index.classifications < 40, `${index.classifications} classifications for 100 batches`);
    // Once due (as the trace service checks every second), the run is brought up to date. The last
    // batch's listing may have classified it already (when that was cheap enough): then nothing is
    // due, and waiting for something to be (as this did) never ended.
    const deadline = Date.now() + 10_000;
    while (index.list({}, 50).runs[0]?.spanCount !== 50_001) {
      assert.ok(Date.now() < deadline, `the run was not brought up to date: ${index.list({}, 50).runs[0]?.spanCount} spans listed`);
      if (index.takeDue().length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('names an infrastructure run after its app once an app-level run gives the name, without reading its spans again', () => {
    const store = new MemoryTraceStore(10_000);
    const index = new RunIndex(store);
    const infra = traceId(77);
    index.markChanged(store.add([span({ trace: infra, id: 1, name: 'POST /v1/workflows/run', attributes: { 'dify.app_id': 'app-1' } })]).touched);
    assert.equal(index.runOf(infra)?.appName, 'app-1', 'named by its id while nothing else names the app');
    const before = index.classifications;
    const appRun = workflowRun(1, { startMs: 1000 }).map((s) => (s.parentSpanId === undefined ? { ...s, attributes: { ...s.attributes, 'dify.app_id': 'app-1' } } : s));
    index.markChanged(store.add(appRun).touched);
    assert.deepEqual(index.list({ appName: 'Travel Assistant' }, 10).runs.map((r) => r.traceId).sort(), [traceId(1), infra].sort());
    assert.equal(index.classifications - before, 1, 'only the app-level run was classified');
    assert.deepEqual(index.list({ text: 'travel assistant' }, 10).runs.map((r) => r.traceId).sort(), [traceId(1), infra].sort(), 'its summary text has the name too');
  });

  describe('a restart bringing spans back from the trace database', () => {
    const app = traceId(1);
    const infra = traceId(78);
    const links = [{ traceId: infra, attributes: {} }];
    const appSpans = [
      span({ trace: app, id: 1, name: 'workflow', resource: aliyunResource, links, error: 'boom' }),
      span({ trace: app, id: 2, parent: 1, name: 'Get Weather', resource: aliyunResource, links, error: 'boom' }),
    ];
    const infraSpans = [
      span({ trace: infra, id: 1, name: 'POST /v1/workflows/run', attributes: { 'dify.app_id': 'a' } }),
      span({ trace: infra, id: 2, parent: 1, name: 'POST /plugin/:tenant_id/dispatch/tool/invoke' }),
      span({ trace: infra, id: 3, parent: 2, name: 'execute_tool get_weather', error: "KeyError: 'max_temp_c'" }),
    ];

    /** The rows a session writes, as the trace database keeps them (JSON), read back. */
    function sessionRows(spans: readonly (typeof appSpans)[number][]): StoredRun[] {
      const store = new MemoryTraceStore(10_000);
      const index = new RunIndex(store);
      const rows = new Map<string, string>();
      index.onClassified((changes) => {
        for (const c of changes) if (c.entry) rows.set(c.traceId, storedRunEntry(c.entry, c.executionKeys, c.basis));
      });
      index.markChanged(store.add(spans).touched);
      index.list({}, 10);
      return [...rows.values()].map((body) => storedRunEntryOf(body)!);
    }

    /** A new session: the rows listed cold, then each trace's spans restored (the infrastructure half first). */
    function restart(rows: readonly StoredRun[], restored: readonly (readonly (typeof appSpans)[number][])[]) {
      const store = new MemoryTraceStore(10_000);
      const index = new RunIndex(store);
      index.addCold(rows);
      for (const spans of restored) index.markRestored(store.add(spans).touched);
      return { index, run: index.list({}, 10).runs[0]! };
    }

    it('keeps a run whose row was made from the same spans by this release, without classifying it again', () => {
      const rows = sessionRows([...appSpans, ...infraSpans]);
      assert.deepEqual(rows.map((r) => r.entry.run.source).sort(), ['aliyun', 'infrastructure'], 'the app-level run and its infrastructure half');
      assert.ok(rows.some((r) => r.entry.run.traceId === app && r.basis?.get(infra) === infraSpans.length), 'the row says which spans of the linked half it was made from');
      const { index, run } = restart(rows, [infraSpans, appSpans]);
      assert.equal(index.classifications, 0);
      assert.equal(run.rootCause?.name, 'execute_tool get_weather');
      assert.ok(!index.isCold(app) && !index.isCold(infra), 'warm again');
    });

    it('classifies a run again when a trace it was made from has other spans now', () => {
      // Classified before its infrastructure half arrived; the half came and the window closed before the run was classified again.
      const rows = sessionRows(appSpans).concat(sessionRows(infraSpans));
      const { index, run } = restart(rows, [infraSpans, appSpans]);
      assert.ok(index.classifications >= 1);
      assert.equal(run.rootCause?.name, 'execute_tool get_weather', 'the root cause moved into the infrastructure half');
    });

    it('classifies a run again when its row was written by another release', () => {
      const rows = sessionRows([...appSpans, ...infraSpans]).map((row) => {
        const body = JSON.parse(storedRunEntry(row.entry, row.executionKeys, row.basis)) as { basis: { classifier: string } };
        body.basis.classifier = 'dify-trace-explorer 0.0.1';
        return storedRunEntryOf(JSON.stringify(body))!;
      });
      assert.ok(rows.every((r) => r.basis === undefined), 'another release\'s basis is not taken');
      const { index } = restart(rows, [infraSpans, appSpans]);
      assert.ok(index.classifications >= 1);
      assert.equal(index.runOf(app)?.rootCause?.name, 'execute_tool get_weather');
    });
  });
});

