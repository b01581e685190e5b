import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodePerformance, type RunNodes } from '../../src/dify/compare/nodePerformance';
import type { NodeExecution } from '../../src/shared/runComparison';

const node = (title: string, at: number, ms: number, fields: Partial<NodeExecution> = {}): NodeExecution => ({ title, startUs: at * 1000, durationUs: ms * 1000, selfTimeUs: ms * 500, status: 'ok', span: { traceId: 't', spanId: `${title}${at}` }, ...fields });
const run = (n: number, executions: NodeExecution[]): RunNodes => ({ traceId: `run${n}`, startMs: n * 60_000, status: executions.some((e) => e.status === 'error') ? 'failed' : 'succeeded', executions });

describe('NodePerformance (per-node figures across runs)', () => {
  it('gives each node its runs, executions, duration percentiles, error rate, tokens and one point per run', () => {
    const perf = new NodePerformance();
    for (let n = 1; n <= 20; n++) {
      perf.add(run(n, [
        node('Start', 0, 5),
        node('Plan Trip', 10, 1000 + n * 10, { nodeType: 'llm', tokens: 100 }),
        // An iteration of two items: each item an execution, both in the run's point.
        node('Fetch City', 20, 30), node('Fetch City', 60, n === 20 ? 900 : 40, { status: n === 20 ? 'error' : 'ok' }),
      ]));
    }
    const stats = perf.stats();
    assert.deepEqual(stats.map((s) => s.title), ['Start', 'Plan Trip', 'Fetch City'], 'in execution order');
    const plan = stats[1]!;
    assert.equal(plan.runs, 20);
    assert.equal(plan.executions, 20);
    assert.deepEqual(plan.durationUs, { p50: 1_100_000, p95: 1_190_000, max: 1_200_000 });
    assert.equal(plan.tokens, 2000);
    assert.equal(plan.errorRate, 0);
    const fetch = stats[2]!;
    assert.equal(fetch.executions, 40);
    assert.equal(fetch.errorRate, 1 / 40);
    const { points } = fetch;
    assert.deepEqual([points.traceIds.at(-1), points.startMs.at(-1), points.durationUs.at(-1), points.failed.at(-1)], ['run20', 1_200_000, 930_000, 1]);
    assert.equal(points.traceIds.length, 20);
    assert.ok(points.startMs.every((ms, i) => i === 0 || points.startMs[i - 1]! <= ms), 'oldest first');
    assert.equal(points.failed.reduce((n, f) => n + f, 0), 1);
  });

  it('keeps the chart in time order when a run arrives late, and updates only what a new run changed', () => {
    const perf = new NodePerformance();
    perf.add(run(3, [node('Start', 0, 5), node('LLM', 10, 300)]));
    perf.add(run(1, [node('Start', 0, 7), node('LLM', 10, 100)]));
    const before = perf.stats();
    assert.deepEqual(Array.from(before[1]!.points.startMs), [60_000, 180_000]);
    perf.add(run(4, [node('Start', 0, 6)]));
    const after = perf.stats();
    assert.equal(after[1], before[1], 'the LLM node, which the new run did not run, is not computed again');
    assert.equal(after[0]!.runs, 3);
    assert.deepEqual(after[0]!.durationUs, { p50: 6000, p95: 7000, max: 7000 });
  });

  it('follows runs classified again or gone, and the newest run names a renamed node', () => {
    const perf = new NodePerformance();
    perf.add(run(1, [node('Get Weather', 0, 100, { nodeId: 'n1' })]));
    perf.add(run(2, [node('Fetch Forecast', 0, 300, { nodeId: 'n1' })]));
    assert.deepEqual(perf.stats().map((s) => [s.title, s.runs]), [['Fetch Forecast', 2]]);
    perf.add(run(2, [node('Fetch Forecast', 0, 500, { nodeId: 'n1' })]));
    assert.equal(perf.stats()[0]!.durationUs.max, 500_000, 'replaced, not added twice');
    assert.equal(perf.stats()[0]!.runs, 2);
    assert.equal(perf.stats()[0]!.executions, 2);
    perf.remove('run1');
    perf.remove('run2');
    assert.deepEqual(perf.stats(), []);
  });
});
