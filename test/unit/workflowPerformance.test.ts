// Where a workflow spends its time (issue 15's performance view): the infrastructure category of a
// span, each run's node time split and the span to blame, and the trace server's per-app report over
// the demo's runs and their history, sent through the real receiver.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { infraCategoryOf } from '../../src/dify/compare/infraCategory';
import { runProfileOf } from '../../src/dify/compare/runProfile';
import { WorkflowPerformance, type PerformanceSources } from '../../src/server/performance/workflowPerformance';
import { listSlowRuns } from '../../src/server/performance/slowRunFilter';
import { APP, DEMO_RUNS, HISTORY_RUNS, PLUGIN_RUNTIME_SPAN, SLOW_RUN } from '../demo/demoRuns';
import { PLUGIN_RUNTIME_SERVICE } from '../demo/services';
import { latestFailedRun, runNearest, runsInBin } from '../../webview/src/performance/figureRuns';
import { apiResource, span } from './spanBuilder';
import { quietTraceService, startAndSendDemo } from './demoService';

const daemon = { serviceName: 'dify-plugin-daemon', attributes: {} };
const runtime = { serviceName: 'dify-plugin-daemon_plugin_weather_0.0.3', attributes: {} };

describe('infraCategoryOf (what kind of infrastructure a span is)', () => {
  it('tells the plugin daemon, the plugin runtime, the sandbox, model calls, vector stores and other HTTP apart', () => {
    assert.equal(infraCategoryOf(span({ id: 1, resource: daemon, name: 'POST /plugin/:tenant_id/dispatch/tool/invoke', attributes: { 'http.route': '/plugin/:tenant_id/dispatch/tool/invoke' } }), undefined), 'pluginDaemon');
    assert.equal(infraCategoryOf(span({ id: 2, resource: runtime, name: 'execute_tool get_weather' }), 'pluginDaemon'), 'pluginRuntime', 'the plugin below the daemon is its own share');
    assert.equal(infraCategoryOf(span({ id: 3, resource: apiResource, name: 'POST', attributes: { 'url.full': 'http://sandbox:8194/v1/sandbox/run' } }), undefined), 'sandbox');
    assert.equal(infraCategoryOf(span({ id: 4, resource: daemon, name: 'POST /plugin/:tenant_id/dispatch/llm/invoke' }), undefined), 'modelProvider');
    assert.equal(infraCategoryOf(span({ id: 5, resource: runtime, name: 'invoke' }), 'modelProvider'), 'modelProvider', 'a model plugin\'s work is the model call\'s time');
    assert.equal(infraCategoryOf(span({ id: 6, resource: apiResource, name: 'query', attributes: { 'db.system': 'qdrant' } }), undefined), 'vectorDatabase');
    assert.equal(infraCategoryOf(span({ id: 7, resource: apiResource, name: 'POST', attributes: { 'url.full': 'http://weaviate:8080/v1/graphql' } }), undefined), 'vectorDatabase');
    const httpClient = { ...span({ id: 8, resource: apiResource, name: 'GET', attributes: { 'url.full': 'https://api.example.com/x' } }), kind: 'client' as const };
    assert.equal(infraCategoryOf(httpClient, undefined), 'otherHttp');
    assert.equal(infraCategoryOf(span({ id: 9, resource: apiResource, name: 'SELECT dify', attributes: { 'db.system': 'postgresql' } }), undefined), undefined, 'the API\'s SQL is the node\'s own work');
  });
});

describe('runProfileOf and WorkflowPerformance (the demo runs and their history, through the receiver)', () => {
  const service = quietTraceService();
  let spanReads = 0;
  const sources: PerformanceSources = {
    listRuns: (p) => service.backend.listRuns(p),
    traceSpans: (p) => {
      spanReads++;
      return service.backend.traceSpans(p);
    },
  };
  const now = Date.now();
  const performance = new WorkflowPerformance(sources, () => now);
  before(async () => {
    await startAndSendDemo(service, { history: true, now });
  });
  after(() => service.stop());

  it('splits each node\'s time over the infrastructure under it, joined through Trace Link, and the parts add up', async () => {
    const demo = DEMO_RUNS[0];
    const trace = (await service.backend.traceSpans({ traceId: demo.appTraceId }))!;
    const profile = runProfileOf(trace.spans, demo.appTraceId, trace.counterparts ?? []);
    const byTitle = new Map(profile.executions.map((e) => [e.title, e]));
    const weather = byTitle.get('Get Weather')!;
    assert.ok((weather.split.pluginRuntime ?? 0) > 0.8 * weather.durationUs, `the tool's time is mostly the plugin's: ${JSON.stringify(weather.split)}`);
    assert.ok((weather.split.pluginDaemon ?? 0) > 0, 'the daemon has its own share');
    assert.ok((byTitle.get('Build Itinerary')!.split.sandbox ?? 0) > 0, 'the Code node waits on the sandbox');
    assert.ok((byTitle.get('Plan Trip')!.split.modelProvider ?? 0) > 0.9 * byTitle.get('Plan Trip')!.durationUs, 'the LLM node waits on the model');
    for (const e of profile.executions) {
      const total = Object.values(e.split).reduce((sum, us) => sum + us, 0);
      assert.ok(Math.abs(total - e.durationUs) <= 1, `${e.title}: ${total} of ${e.durationUs} µs`);
    }
    // Without the counterparts, the app half alone: the infrastructure is not reached.
    const alone = runProfileOf(trace.spans, demo.appTraceId, []);
    assert.equal(alone.executions.find((e) => e.title === 'Get Weather')!.split.pluginRuntime, undefined);
  });

  it('blames the span with the longest own time on the critical path, with its node', async () => {
    const trace = (await service.backend.traceSpans({ traceId: SLOW_RUN.appTraceId }))!;
    const { blame } = runProfileOf(trace.spans, SLOW_RUN.appTraceId, trace.counterparts ?? []);
    assert.equal(blame?.node?.title, 'Get Weather');
    assert.equal(blame?.span.name, PLUGIN_RUNTIME_SPAN);
    assert.equal(blame?.span.serviceName, PLUGIN_RUNTIME_SERVICE);
    assert.equal(blame?.share, 'pluginRuntime');
    assert.ok(blame.selfTimeUs > 5_000_000);
    const usual = (await service.backend.traceSpans({ traceId: DEMO_RUNS[0].appTraceId }))!;
    const usualBlame = runProfileOf(usual.spans, DEMO_RUNS[0].appTraceId, usual.counterparts ?? []).blame;
    assert.equal(usualBlame?.node?.title, 'Plan Trip', 'an ordinary run waits on its model');
    assert.equal(usualBlame?.share, 'modelProvider');
  });

  it('reports per node over the window, marks the run slower than p95 and names what made it slow', async () => {
    const report = await performance.report({ appName: APP.name, sinceMs: now - 3_600_000 });
    assert.equal(report.runs.length, DEMO_RUNS.length + HISTORY_RUNS.length);
    assert.deepEqual(report.runs.map((r) => r.startMs), [...report.runs.map((r) => r.startMs)].sort((a, b) => a - b), 'oldest first');
    const slow = report.runs.filter((r) => r.slow);
    assert.deepEqual(slow.map((r) => r.traceId), [SLOW_RUN.appTraceId], 'only the run the plugin made slow');
    assert.equal(report.runs[report.slowest[0]!]!.traceId, SLOW_RUN.appTraceId);
    assert.equal(slow[0]!.blame?.span.name, PLUGIN_RUNTIME_SPAN);
    assert.deepEqual(report.nodes.map((n) => n.title), ['Start', 'Plan Trip', 'Search Travel Guides', 'Get Weather', 'Build Itinerary', 'End']);
    const weather = report.nodes.find((n) => n.title === 'Get Weather')!;
    assert.equal(weather.runs, report.runs.length, 'every run reached the tool');
    assert.equal(weather.errorRate, 1 / weather.executions, 'run 2 failed there');
    assert.equal(report.runs[runNearest(weather.points, weather.durationUs.max)!]!.traceId, SLOW_RUN.appTraceId, 'the max links to the slow run');
    assert.equal(report.runs[latestFailedRun(weather.points)!]!.traceId, DEMO_RUNS[1].appTraceId, 'the error rate links to the failed run');
    assert.equal(weather.histogram.counts.reduce((a, b) => a + b, 0), weather.points.run.length);
    assert.deepEqual(runsInBin(weather, weather.histogram.counts.length - 1).map((i) => report.runs[i]!.traceId), [SLOW_RUN.appTraceId], 'the top bin holds the slow run');
    assert.ok((weather.split.pluginRuntime ?? 0) > (weather.split.own ?? 0));
    const code = report.nodes.find((n) => n.title === 'Build Itinerary')!;
    assert.equal(code.runs, report.runs.length - 1, 'run 2 stopped before the Code node');
  });

  it('reads only the runs that are new or changed when asked again, and lets runs leave the window', async () => {
    await performance.report({ appName: APP.name, sinceMs: now - 3_600_000 });
    const reads = spanReads;
    const again = await performance.report({ appName: APP.name, sinceMs: now - 3_600_000 });
    assert.equal(spanReads, reads, 'nothing read again');
    assert.equal(again.runs.length, 22);
    // A 30-minute window: the older history leaves, and nothing is read.
    const narrower = await performance.report({ appName: APP.name, sinceMs: now - 30 * 60_000 });
    assert.equal(spanReads, reads);
    assert.ok(narrower.runs.length < again.runs.length && narrower.runs.length >= DEMO_RUNS.length);
    assert.ok(narrower.runs.every((r) => r.startMs >= now - 30 * 60_000));
    assert.equal(narrower.nodes.find((n) => n.title === 'Get Weather')!.runs, narrower.runs.length);
    // Each point still names its own run after runs left (the cached columns were rebuilt, not extended).
    for (const report of [again, narrower]) {
      for (const node of report.nodes) {
        assert.equal(node.points.run.length, node.runs, `${node.title}: a point per run`);
        assert.ok(node.points.run.every((i, k) => i >= 0 && i < report.runs.length && (k === 0 || report.runs[node.points.run[k - 1]!]!.startMs <= report.runs[i]!.startMs)), `${node.title}: points name runs of the report, oldest first`);
      }
      const slowPoint = report.nodes.find((n) => n.title === 'Get Weather')!;
      const slowIndex = report.runs.findIndex((r) => r.traceId === SLOW_RUN.appTraceId);
      if (slowIndex >= 0) assert.ok(slowPoint.durationUs.max === slowPoint.points.durationUs[slowPoint.points.run.indexOf(slowIndex)], 'the slow run\'s point holds its time');
    }
    assert.ok(narrower.runs.every((r) => !r.slow), `too few runs (${narrower.runs.length}) to call one slow`);
  });

  it('gives the Runs view each app\'s slow runs with their blame', async () => {
    const result = await performance.slowRuns({ appNames: [APP.name, 'No Such App'], sinceMs: now - 3_600_000 });
    const app = result.apps.find((a) => a.appName === APP.name)!;
    assert.equal(app.runs, 22);
    assert.deepEqual(app.slow.map((s) => s.traceId), [SLOW_RUN.appTraceId]);
    assert.equal(app.slow[0]!.blame?.node?.title, 'Get Weather');
    assert.ok(app.p95Us < app.slow[0]!.durationUs);
    assert.deepEqual(result.apps.find((a) => a.appName === 'No Such App'), { appName: 'No Such App', runs: 0, p95Us: 0, slow: [] });
    // Once the view keeps the app's aggregate over the window, the same answer comes from it, and a
    // shorter window asked by the Runs view leaves the view's runs in place.
    await performance.report({ appName: APP.name, sinceMs: now - 3_600_000 });
    const reads = spanReads;
    const fromAggregate = await performance.slowRuns({ appNames: [APP.name], sinceMs: now - 3_600_000 });
    assert.deepEqual(fromAggregate.apps[0], app);
    await performance.slowRuns({ appNames: [APP.name], sinceMs: now - 20 * 60_000 });
    assert.equal((await performance.report({ appName: APP.name, sinceMs: now - 3_600_000 })).runs.length, 22);
    assert.equal(spanReads, reads, 'no run read again');
  });

  it('filters a listing to the slow runs (RunFilter.slow), with the rest of the filter and paging', async () => {
    const sources = { listRuns: (p: Parameters<typeof service.backend.listRuns>[0]) => service.backend.listRuns(p), slowRuns: (p: Parameters<typeof performance.slowRuns>[0]) => performance.slowRuns(p) };
    const slow = await listSlowRuns({ filter: { slow: true }, limit: 10 }, sources, now);
    assert.deepEqual(slow.runs.map((r) => r.traceId), [SLOW_RUN.appTraceId]);
    assert.equal(slow.totalMatching, 1);
    assert.equal(slow.nextPageToken, undefined);
    const failedAndSlow = await listSlowRuns({ filter: { slow: true, status: ['failed'] }, limit: 10 }, sources, now);
    assert.deepEqual(failedAndSlow.runs, [], 'the slow run succeeded');
  });
});
