// The demo's run history (emitDemoTraces with `history`), through the real receiver into the store:
// the performance view compares runs of one app, so the history must be listed beside the three runs,
// all succeeded, with one run made slow by the plugin and that time in the plugin's own span.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { APP, DEMO_RUNS, HISTORY_RUNS, PLUGIN_RUNTIME_SPAN, SLOW_RUN } from '../demo/demoRuns';
import type { DemoSummary } from '../demo/emitDemoTraces';
import type { RunSummary } from '../../src/shared/runSummary';
import { quietTraceService, startAndSendDemo } from './demoService';

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

describe('demo run history through the receiver', () => {
  const service = quietTraceService();
  let summary: DemoSummary;
  let runs: readonly RunSummary[] = [];

  before(async () => {
    summary = await startAndSendDemo(service, { history: true });
    runs = (await service.backend.listRuns({ filter: { appName: APP.name }, limit: 50 })).runs;
  });
  after(() => service.stop());

  it('sends the history older than the three runs, oldest first, with ids of their own', () => {
    assert.deepEqual(summary.history.map((r) => r.index), HISTORY_RUNS.map((r) => r.index));
    const starts = [...summary.history, ...summary.runs].map((r) => r.startMs);
    assert.deepEqual(starts, [...starts].sort((a, b) => a - b), 'history first, then runs 1..3, in start order');
    const traceIds = [...DEMO_RUNS, ...HISTORY_RUNS].flatMap((r) => [r.appTraceId, r.infraTraceId]);
    assert.equal(new Set(traceIds).size, traceIds.length);
  });

  it('lists the three runs and the history of the same app, the history all succeeded', () => {
    assert.equal(runs.length, DEMO_RUNS.length + HISTORY_RUNS.length);
    for (const demo of HISTORY_RUNS) {
      const run = runs.find((r) => r.traceId === demo.appTraceId);
      assert.ok(run, `history run ${demo.index} is listed`);
      assert.equal(run.status, 'succeeded');
      assert.equal(run.runId, demo.workflowRunId);
      assert.deepEqual(run.linkedTraceIds, [demo.infraTraceId]);
    }
  });

  it('makes the slow run take more than twice the median of the others', () => {
    const durationOf = (traceId: string): number => {
      const run = runs.find((r) => r.traceId === traceId);
      assert.ok(run, `${traceId} is listed`);
      return run.durationUs;
    };
    const others = [...DEMO_RUNS, ...HISTORY_RUNS].filter((r) => r.index !== SLOW_RUN.index).map((r) => durationOf(r.appTraceId));
    const slow = durationOf(SLOW_RUN.appTraceId);
    assert.ok(slow > 2 * median(others), `slow run ${slow} µs, median of the others ${median(others)} µs`);
  });

  it('puts the slow time in the plugin runtime span of the linked infrastructure trace', async () => {
    const snapshot = await service.backend.getTrace({ traceId: SLOW_RUN.appTraceId });
    assert.ok(snapshot);
    assert.deepEqual(snapshot.traceIds, [SLOW_RUN.appTraceId, SLOW_RUN.infraTraceId]);
    const runtime = snapshot.spans.filter((s) => s.name === PLUGIN_RUNTIME_SPAN);
    assert.equal(runtime.length, 1);
    const span = runtime[0]!;
    assert.equal(span.traceId, SLOW_RUN.infraTraceId);
    assert.ok(span.endUs - span.startUs > 5_000_000, `${PLUGIN_RUNTIME_SPAN} lasts ${span.endUs - span.startUs} µs`);
    // Its parent, the daemon's span, adds only its own few ms: the plugin, not the daemon, was slow.
    const parent = snapshot.spans.find((s) => s.traceId === span.traceId && s.spanId === span.parentSpanId);
    assert.ok(parent, 'the plugin runtime span hangs off the daemon span');
    assert.ok(parent.endUs - parent.startUs - (span.endUs - span.startUs) < 100_000, 'the daemon adds under 0.1 s');
  });
});
