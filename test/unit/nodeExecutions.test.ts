import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_RUNS } from '../demo/demoRuns';
import { alignRuns } from '../../src/dify/compare/alignRuns';
import { nodeExecutionsOf } from '../../src/dify/compare/nodeExecutions';
import { quietTraceService, startAndSendDemo } from './demoService';

describe('node executions of a run, compared with another run of the same app (the demo runs, through the receiver)', () => {
  const service = quietTraceService();
  before(async () => {
    await startAndSendDemo(service);
  });
  after(() => service.stop());

  async function executions(traceId: string) {
    const trace = await service.backend.traceSpans({ traceId });
    assert.ok(trace, `trace ${traceId}`);
    return nodeExecutionsOf(trace.spans, traceId);
  }

  it('reads each node the Aliyun exporter recorded, from the run start, with its status and error', async () => {
    const nodes = await executions(DEMO_RUNS[1].appTraceId);
    assert.deepEqual(nodes.map((n) => `${n.title} ${n.nodeType ?? '?'} ${n.status}`), DEMO_RUNS[1].executed.map((key) => {
      const title = { start: 'Start', llm: 'Plan Trip', retrieval: 'Search Travel Guides', tool: 'Get Weather', code: 'Build Itinerary', end: 'End' }[key];
      return `${title} ${key === 'tool' ? 'tool' : key === 'llm' ? 'llm' : key === 'retrieval' ? 'knowledge-retrieval' : 'task'} ${key === 'tool' ? 'error' : 'ok'}`;
    }));
    const tool = nodes.find((n) => n.title === 'Get Weather')!;
    assert.match(tool.error ?? '', /KeyError/);
    assert.ok(nodes.every((n) => n.startUs >= 0 && n.durationUs >= n.selfTimeUs && n.span.traceId === DEMO_RUNS[1].appTraceId));
  });

  it('compares the failing run with the last success: the first divergence is the failing tool node, the nodes after it did not run', async () => {
    const { rows, firstDivergence } = alignRuns(await executions(DEMO_RUNS[0].appTraceId), await executions(DEMO_RUNS[1].appTraceId));
    assert.equal(rows[firstDivergence]?.now?.title, 'Get Weather');
    assert.deepEqual(rows[firstDivergence]?.differences, ['status']);
    assert.deepEqual(rows.filter((r) => r.change === 'removed').map((r) => r.before?.title), ['Build Itinerary', 'End']);
    // Before it, the same nodes: only their outputs differ (the two runs had other inputs).
    assert.deepEqual(rows.slice(0, firstDivergence).map((r) => `${r.now?.title} ${r.differences.join(',')}`), ['Start output', 'Plan Trip output', 'Search Travel Guides output']);
  });
});
