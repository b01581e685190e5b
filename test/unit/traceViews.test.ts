import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Span } from '../../src/model/span';
import { toTraceSnapshot } from '../../src/shared/traceSnapshotCodec';
import type { GetTraceRequest, SourceLocationsRequest } from '../../src/shared/lspProtocol';
import { TraceViews } from '../../src/server/traceView/traceViews';
import { payloadWarnings } from '../../src/server/traceView/payloadWarnings';
import { buildTrace } from '../../src/model/buildTrace';
import { apiResource, aliyunResource, span, traceId } from './spanBuilder';

const daemon = { serviceName: 'dify-plugin-daemon', attributes: {} };

/** A backend over a mutable list of spans, counting reads; and a resolver counting calls. */
function fixture(initial: Span[]) {
  const state = { spans: initial, reads: 0, resolved: 0 };
  const views = new TraceViews({
    getTrace: async (p: GetTraceRequest.Params) => {
      state.reads++;
      const own = state.spans.filter((s) => s.traceId === p.traceId);
      return own.length === 0 ? null : toTraceSnapshot([p.traceId], own, [], undefined);
    },
    resolveSource: async (p: SourceLocationsRequest.Params): Promise<SourceLocationsRequest.Result> => {
      state.resolved++;
      return { stacks: [], locations: [], problem: `no frames for ${p.spanId}` };
    },
  }, { chunkSize: 2, warmDelayMs: 10 });
  return { views, state };
}

const t1 = traceId(1);
const spans = (): Span[] => [
  span({ id: 1, name: 'workflow', start: 0, end: 1000 }),
  span({ id: 2, parent: 1, name: 'LLM', start: 10, end: 500 }),
  span({ id: 3, parent: 1, name: 'Tool', start: 510, end: 990, error: 'KeyError' }),
];

describe('TraceViews (the trace server side of the trace panel)', () => {
  it('lays a trace out once, serves chunks, and lays it out again only after it changed', async () => {
    const { views, state } = fixture(spans());
    const header = (await views.outline(t1))!;
    assert.equal(header.spanCount, 3);
    assert.equal(header.chunkCount, 2);
    assert.equal(Buffer.from(views.chunk(header.outlineId, 1)!.spanIds, 'base64').toString('hex'), '0000000000000003');
    assert.equal(views.chunk(header.outlineId, 2), null);
    assert.equal((await views.outline(t1))!.outlineId, header.outlineId);
    assert.equal(state.reads, 1);
    views.invalidate([traceId(9)]);
    assert.equal((await views.outline(t1))!.outlineId, header.outlineId, 'another trace changed');
    state.spans = [...state.spans, span({ id: 4, parent: 2, name: 'http', start: 20, end: 30 })];
    views.invalidate([t1]);
    const next = (await views.outline(t1))!;
    assert.notEqual(next.outlineId, header.outlineId);
    assert.equal(next.spanCount, 4);
    // The old layout stays readable by id, so a panel streaming it is not cut off.
    assert.ok(views.chunk(header.outlineId, 0));
  });

  it('answers a request that arrives while it lays out a large trace before the layout is done', async () => {
    const big = Array.from({ length: 30_000 }, (_, i) => span({ id: i + 1, ...(i === 0 ? {} : { parent: i }), name: `step ${i % 7}`, start: i, end: i + 10 }));
    const { views } = fixture(big);
    const order: string[] = [];
    const built = views.outline(t1).then((header) => order.push(`layout of ${header?.spanCount}`));
    setImmediate(() => order.push('request'));
    await built;
    assert.deepEqual(order, ['request', 'layout of 30000']);
  });

  it('shares a layout being built between concurrent requests', async () => {
    const { views, state } = fixture(spans());
    const [a, b] = await Promise.all([views.outline(t1), views.outline(t1)]);
    assert.equal(a!.outlineId, b!.outlineId);
    assert.equal(state.reads, 1);
  });

  it('a trace not in the store is null; an unknown layout answers null', async () => {
    const { views } = fixture(spans());
    assert.equal(await views.outline(traceId(7)), null);
    assert.equal(views.chunk('nope', 0), null);
    assert.equal(views.search('nope', { text: 'x', errorsOnly: false }), null);
    assert.equal(await views.details('nope', 0), null);
  });

  it('details: the whole span, with stack resolution only for a span that may have failed', async () => {
    const { views, state } = fixture(spans());
    const header = (await views.outline(t1))!;
    const llm = (await views.details(header.outlineId, 1))!;
    assert.equal(llm.span.name, 'LLM');
    assert.equal(llm.source, undefined);
    assert.equal(state.resolved, 0);
    const tool = (await views.details(header.outlineId, 2))!;
    assert.equal(tool.span.status.code, 'error');
    assert.match(tool.source?.problem ?? '', /no frames/);
    assert.equal(state.resolved, 1);
    assert.equal(await views.details(header.outlineId, 3), null);
  });

  it("details: a span's counterparts in the linked trace, both ways (indexed when details are first asked for)", async () => {
    const t2 = traceId(2);
    const linked = [...spans(), span({ trace: t2, id: 21, name: 'POST /v1/workflows/run', start: 0, end: 1000, resource: apiResource }), span({ trace: t2, id: 22, parent: 21, name: 'Tool node', start: 510, end: 990, resource: apiResource }), span({ trace: t2, id: 23, parent: 22, name: 'dispatch', start: 520, end: 980, resource: daemon })];
    const views = new TraceViews({
      getTrace: async () => ({
        ...toTraceSnapshot([t1, t2], linked, [], undefined),
        counterparts: [
          { app: { traceId: t1, spanId: linked[2]!.spanId }, infra: { traceId: t2, spanId: linked[4]!.spanId }, via: 'nodeExecutionId' },
          { app: { traceId: t1, spanId: linked[2]!.spanId }, infra: { traceId: t2, spanId: linked[5]!.spanId }, via: 'pluginDaemon' },
        ],
      }),
      resolveSource: async () => ({ stacks: [], locations: [] }),
    });
    const header = (await views.outline(t1))!;
    const all = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => views.details(header.outlineId, i)));
    const tool = all.find((d) => d?.span.name === 'Tool')!;
    assert.deepEqual(tool.related.map((r) => [r.relation, r.name, r.serviceName]), [
      ['Infrastructure span', 'Tool node', 'langgenius/dify'],
      ['Plugin daemon span', 'dispatch', 'dify-plugin-daemon'],
    ]);
    const toolNode = all.find((d) => d?.span.name === 'Tool node')!;
    assert.deepEqual(toolNode.related.map((r) => [r.relation, all[r.index]?.span.name]), [['App-level span', 'Tool']]);
    assert.deepEqual(all.find((d) => d?.span.name === 'LLM')!.related, []);
  });

  it('warms the traces a change names once spans stop arriving, so opening is a cache hit', async () => {
    const { views, state } = fixture(spans());
    views.warmLater([t1], (changed) => changed);
    views.warmLater([t1], (changed) => changed);
    await new Promise<void>((resolve) => {
      const poll = (): void => (state.reads > 0 ? resolve() : void setTimeout(poll, 5));
      poll();
    });
    await views.outline(t1);
    assert.equal(state.reads, 1, 'one warm-up for two changes, then a cache hit');
    views.dispose();
  });

  it('warns of clock skew only where a child of another service starts outside its parent', () => {
    const tree = buildTrace([
      span({ id: 1, name: 'POST', start: 1_000, end: 2_000, resource: apiResource }),
      // Streams past its parent's end: normal.
      span({ id: 2, parent: 1, name: 'dispatch', start: 1_100, end: 9_000, resource: daemon }),
      // Starts 5 ms before its parent in another service: skew.
      span({ id: 3, parent: 1, name: 'invoke', start: -4_000, end: 1_500, resource: daemon }),
      // Same service, outside: not counted.
      span({ id: 4, parent: 1, name: 'local', start: 0, end: 500, resource: apiResource }),
      span({ id: 5, name: 'app', start: 0, end: 10, resource: aliyunResource }),
    ]);
    const warnings = payloadWarnings(tree);
    assert.deepEqual(warnings.map((w) => [w.kind, w.count]), [['clockSkew', 1]]);
    assert.match(warnings[0]!.message, /5\.00 ms/);
  });
});
