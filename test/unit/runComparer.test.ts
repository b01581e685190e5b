import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_RUNS } from '../demo/demoRuns';
import { RunComparer } from '../../src/server/compare/runComparer';
import { quietTraceService, startAndSendDemo } from './demoService';

describe('Compare Runs in the trace server (the demo runs, through the receiver)', () => {
  const service = quietTraceService();
  const comparer = new RunComparer(service.backend);
  before(async () => {
    await startAndSendDemo(service);
  });
  after(() => service.stop());

  it('compares a failing run with the last success of its app, found by either half\'s trace id', async () => {
    for (const nowTraceId of [DEMO_RUNS[1].appTraceId, DEMO_RUNS[1].infraTraceId]) {
      const result = await comparer.compare({ nowTraceId });
      assert.ok(result.ok, result.ok ? '' : result.reason);
      assert.equal(result.now.traceId, DEMO_RUNS[1].appTraceId);
      assert.equal(result.before.traceId, DEMO_RUNS[0].appTraceId, 'the last success before it');
      assert.equal(result.comparison.rows[result.comparison.firstDivergence]?.now?.title, 'Get Weather');
    }
  });

  it('compares with a named run, and says why when there is nothing to compare with', async () => {
    const named = await comparer.compare({ nowTraceId: DEMO_RUNS[2].appTraceId, beforeTraceId: DEMO_RUNS[1].appTraceId });
    assert.ok(named.ok);
    assert.equal(named.before.status, 'failed');
    const first = await comparer.compare({ nowTraceId: DEMO_RUNS[0].appTraceId });
    assert.deepEqual(first, { ok: false, reason: `No successful run of ${DEMO_RUNS[0].appName} started before this one: run the app once successfully, or use "Compare with…" to pick another run.` });
    const unknown = await comparer.compare({ nowTraceId: 'f'.repeat(32) });
    assert.equal(unknown.ok, false);
  });

  it('gives a node\'s inputs and outputs as pretty-printed JSON, for the diff editor', async () => {
    const result = await comparer.compare({ nowTraceId: DEMO_RUNS[1].appTraceId });
    assert.ok(result.ok);
    const planTrip = result.comparison.rows.find((r) => r.now?.title === 'Plan Trip')!;
    const [then, now] = await Promise.all([comparer.nodeValues(planTrip.before!.span), comparer.nodeValues(planTrip.now!.span)]);
    assert.ok(then?.inputs && now?.inputs, 'both recorded their inputs');
    assert.notEqual(then.inputs, now.inputs, 'the two runs had other inputs');
    assert.ok(now.inputs.includes('\n  '), 'indented, one field a line');
    assert.doesNotThrow(() => JSON.parse(now.inputs!));
    assert.equal(await comparer.nodeValues({ traceId: DEMO_RUNS[1].appTraceId, spanId: '0'.repeat(16) }), null);
  });
});

describe('Compare Runs across exporters (an Aliyun run against a Phoenix run of the same app)', () => {
  const service = quietTraceService();
  const comparer = new RunComparer(service.backend);
  let phoenixRun2 = '';
  before(async () => {
    const summary = await startAndSendDemo(service, { exporters: ['aliyun', 'phoenix'] });
    phoenixRun2 = summary.appTraces.find((t) => t.exporter === 'phoenix' && t.runIndex === 2)!.traceId;
  });
  after(() => service.stop());

  it('aligns the nodes by title when only one exporter records graph ids, and lands on the failing tool', async () => {
    const result = await comparer.compare({ nowTraceId: phoenixRun2, beforeTraceId: DEMO_RUNS[0].appTraceId });
    assert.ok(result.ok, result.ok ? '' : result.reason);
    assert.equal(result.before.source, 'aliyun');
    assert.equal(result.now.source, 'phoenix');
    const { rows, firstDivergence } = result.comparison;
    assert.equal(rows[firstDivergence]?.now?.title, 'Get Weather');
    assert.deepEqual(rows.slice(0, 3).map((r) => [r.change === 'added' || r.change === 'removed', r.now?.title]), [[false, 'Start'], [false, 'Plan Trip'], [false, 'Search Travel Guides']], 'the nodes both ran are one row each');
    assert.deepEqual(rows.filter((r) => r.change === 'removed').map((r) => r.before?.title), ['Build Itinerary', 'End']);
  });
});
