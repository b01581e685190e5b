// difyTrace/findTraces over the embedded store: the demo runs found by workflow run id, by their
// app trace id and by their infrastructure trace id (Trace Link), a conversation found as its runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_RUNS } from '../demo/demoRuns';
import { EmbeddedBackend } from '../../src/server/backends/embeddedBackend';
import { LogStore } from '../../src/server/store/logStore';
import { MemoryTraceStore } from '../../src/server/store/memoryTraceStore';
import { RunIndex } from '../../src/server/store/runIndex';
import { parseLookupQuery, type TraceLookupQuery } from '../../src/shared/traceLookup';
import { aliyunResource, span, traceId } from './spanBuilder';
import { quietTraceService, startAndSendDemo } from './demoService';

function query(text: string): TraceLookupQuery {
  const parsed = parseLookupQuery(text);
  assert.notEqual(parsed.kind, 'invalid', text);
  return parsed as TraceLookupQuery;
}

describe('findTraces over the demo runs', () => {
  const service = quietTraceService();

  before(async () => {
    await startAndSendDemo(service);
  });
  after(() => service.stop());

  it('finds each run by its workflow run id, as a UUID or as 32 hex', async () => {
    for (const demo of DEMO_RUNS) {
      const result = await service.backend.findTraces(query(demo.workflowRunId));
      assert.deepEqual(result.searched, ['embedded']);
      assert.deepEqual(result.matches.map((m) => [m.traceId, m.matchedBy, m.run?.workflowRunId]), [[demo.appTraceId, 'workflowRunId', demo.workflowRunId]]);
      const hex = await service.backend.findTraces(query(demo.workflowRunId.replaceAll('-', '')));
      assert.deepEqual(hex.matches.map((m) => m.traceId), [demo.appTraceId]);
    }
  });

  it('finds a run by its app trace id in a Jaeger URL, and by its infrastructure trace id through the Trace Link', async () => {
    const demo = DEMO_RUNS[0];
    const byUrl = await service.backend.findTraces(query(`http://localhost:16686/trace/${demo.appTraceId}`));
    assert.deepEqual(byUrl.matches.map((m) => [m.traceId, m.run?.status]), [[demo.appTraceId, 'succeeded']]);
    const codeDemo = DEMO_RUNS[2];
    const byInfra = await service.backend.findTraces(query(codeDemo.infraTraceId));
    assert.deepEqual(byInfra.matches.map((m) => [m.traceId, m.matchedBy, m.run?.failingNode?.title]), [[codeDemo.appTraceId, 'traceId', 'Build Itinerary']]);
  });

  it('finds nothing for an id it does not hold, and names what it searched', async () => {
    const result = await service.backend.findTraces(query('0af7651916cd43dd8448eb211c80319c'));
    assert.deepEqual(result, { matches: [], searched: ['embedded'] });
  });
});

describe('findTraces by conversation id', () => {
  const conversation = '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
  function chatRun(n: number, startMs: number, conversationId: string) {
    const trace = traceId(0x1000 + n);
    const attributes = { 'gen_ai.session.id': conversationId, 'gen_ai.span.kind': 'CHAIN', 'gen_ai.framework': 'dify' };
    return [span({ trace, id: 1, name: 'message', resource: aliyunResource, start: startMs * 1000, end: startMs * 1000 + 500, attributes })];
  }

  it('lists every run of the conversation, newest first, and a message id finds its one run', async () => {
    const store = new MemoryTraceStore(10_000);
    const runs = new RunIndex(store);
    const backend = new EmbeddedBackend(store, runs, new LogStore(100));
    runs.markChanged(store.add(chatRun(1, 1000, conversation)).touched);
    runs.markChanged(store.add(chatRun(2, 2000, conversation)).touched);
    runs.markChanged(store.add(chatRun(3, 3000, 'aaaaaaaa-4b5a-4978-8a6b-5c4d3e2f1a0b')).touched);
    const result = await backend.findTraces(query(`https://cloud.dify.ai/app/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/logs?conversation_id=${conversation}`));
    assert.deepEqual(result.matches.map((m) => [m.traceId, m.matchedBy]), [
      [traceId(0x1002), 'conversationId'],
      [traceId(0x1001), 'conversationId'],
    ]);
    const messageId = result.matches[1]!.run!.messageId!;
    const byMessage = await backend.findTraces(query(messageId));
    assert.deepEqual(byMessage.matches.map((m) => [m.traceId, m.matchedBy]), [[traceId(0x1001), 'messageId']]);
  });

  it('finds a stored trace that holds no recognised run by its id', async () => {
    const store = new MemoryTraceStore(10_000);
    const runs = new RunIndex(store);
    const backend = new EmbeddedBackend(store, runs, new LogStore(100));
    runs.markChanged(store.add([span({ trace: traceId(7), id: 1, name: 'GET /health' })]).touched);
    const result = await backend.findTraces({ kind: 'traceId', traceId: traceId(7) });
    assert.deepEqual(result.matches, [{ traceId: traceId(7), matchedBy: 'traceId' }]);
  });
});
