// The recorded tier: traces a real Dify sent (test/recorded/<release>/), replayed through the
// receiver on loopback; every measure must be 100% against Dify's own database.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadRecordedCorpora } from '../recorded/recordedCorpus';
import { evaluateRecorded, measureNames, percent, type MeasureName } from '../recorded/evaluateRecorded';

const checked = new Map<MeasureName, number>();

for (const corpus of loadRecordedCorpora()) {
  describe(`recorded Dify: ${corpus.name}`, async () => {
    const scores = await evaluateRecorded(corpus);
    const all = scores.byExporter.get('all')!;
    it('accepts every body Dify sent', () => assert.deepEqual(scores.refused, []));
    for (const name of measureNames) {
      checked.set(name, (checked.get(name) ?? 0) + all[name].total);
      if (all[name].total === 0) continue;
      it(`${name}: 100%`, () => assert.deepEqual(all[name].misses, [], `${name}: ${percent(all[name])}`));
    }
  });
}

after(() => {
  // Every measure is exercised by some recording (a recording without Code nodes has no Go to Source to check).
  for (const name of measureNames) assert.ok((checked.get(name) ?? 0) > 0, `no recording checks ${name}`);
});

describe('recorded Dify: a plugin under development (remote-debug mode)', () => {
  it('gets its CodeLens figures: the tenant id in its unique identifier does not hide it from the workspace manifest', async () => {
    const { loadRecordedCorpus, postRecordedBody } = await import('../recorded/recordedCorpus');
    const { TraceService } = await import('../../src/server/traceService');
    const { toolStats } = await import('../../src/server/languageFeatures/toolInsights');
    const { scanWorkspace, nodeFileAccess } = await import('../../src/server/workspace/workspaceIndex');
    const { DslCache } = await import('../../src/server/sourceLinks/codeNodeLocations');
    const { pathToFileURL } = await import('node:url');
    const corpus = loadRecordedCorpus('dify-1.13.3');
    const service = new TraceService({ receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 64 }, store: { maxSpans: 1_000_000 } }, { runsChanged: () => {}, statusChanged: () => {}, log: () => {} });
    await service.start();
    try {
      const state = service.status().receiver;
      assert.equal(state.state, 'listening');
      if (state.state !== 'listening') return;
      for (const body of corpus.bodies) await postRecordedBody(state.url, body);
      const runs = (await service.backend.listRuns({ filter: {}, limit: 1000 })).runs;
      const pluginRuns = runs.filter((r) => r.toolCalls?.some((c) => c.pluginId === 'heldout/inventory'));
      assert.equal(pluginRuns.length, 4, 'the plugin runs of both exporters name the manifest\'s author/name');
      const workspace = scanWorkspace([pathToFileURL(corpus.workspace).href]);
      const [stats, ...more] = toolStats(runs, workspace, nodeFileAccess, new DslCache(nodeFileAccess), 0);
      assert.equal(more.length, 0);
      assert.equal(stats?.source.className, 'StockLookupTool');
      assert.equal(stats?.runCount, 4);
      assert.equal(stats?.errorCount, 2);
    } finally {
      await service.stop();
    }
  });
});
