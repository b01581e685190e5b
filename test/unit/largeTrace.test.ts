// The large generated Dify run, decoded by the receiver's own protobuf path into the store and
// recognised by src/dify: failed, root cause = the plugin's KeyError span, Trace Link joined.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Span } from '../../src/model/span';
import { asTraceId, type TraceId } from '../../src/model/units';
import { detectRun } from '../../src/dify/detectRun';
import { parentIndex, spanDepths } from '../../src/dify/spanDepth';
import { decodeTraceRequest } from '../../src/server/receiver/otlpBody';
import { exportRequestToModel } from '../../src/server/receiver/otlpToModel';
import { MemoryTraceStore } from '../../src/server/store/memoryTraceStore';
import { TOOL_NODE_ERROR } from '../demo/plugin';
import { PLUGIN_RUNTIME_SERVICE } from '../demo/services';
import { largeDifyTrace, type LargeTrace } from '../largeTrace/largeTrace';

function ingest(trace: LargeTrace): MemoryTraceStore {
  const store = new MemoryTraceStore(10_000_000);
  for (const batch of trace.batches) {
    const mapped = exportRequestToModel(decodeTraceRequest(Buffer.from(batch), 'protobuf'));
    assert.equal(mapped.rejected, 0, mapped.rejectionReason);
    store.add(mapped.spans);
  }
  return store;
}

const id = (hex: string): TraceId => asTraceId(hex) ?? assert.fail(`bad trace id ${hex}`);

function mentions(span: Span, text: string): boolean {
  const inValues = (attrs: Readonly<Record<string, unknown>>): boolean => Object.values(attrs).some((v) => typeof v === 'string' && v.includes(text));
  return span.name.includes(text) || inValues(span.attributes) || span.events.some((e) => inValues(e.attributes));
}

describe('large generated Dify run', () => {
  const started = performance.now();
  const trace = largeDifyTrace({ spanTarget: 10_000 });
  const generatedMs = performance.now() - started;
  const store = ingest(trace);
  const app = store.spansOf(id(trace.appTraceId)) ?? [];
  const infra = store.spansOf(id(trace.infraTraceId)) ?? [];
  const all = [...app, ...infra];

  it('has about the requested number of spans, all decoded into the two traces', () => {
    console.log(`10k target: ${trace.spanCount} spans in ${trace.batches.length} batches, ${(trace.batches.reduce((n, b) => n + b.length, 0) / 1e6).toFixed(1)} MB, generated in ${generatedMs.toFixed(0)} ms`);
    assert.ok(Math.abs(trace.spanCount - 10_000) <= 500, `${trace.spanCount} spans`);
    assert.equal(store.stats().spans, trace.spanCount);
    assert.equal(store.stats().traces, 2);
    assert.equal(all.length, trace.spanCount);
  });

  it('is recognised as a failed Aliyun workflow run whose root cause is the plugin exception', () => {
    const run = detectRun(id(trace.appTraceId), app, (t) => store.spansOf(id(t)));
    assert.ok(run);
    assert.equal(run.source, 'aliyun');
    assert.equal(run.kind, 'workflow');
    assert.equal(run.status, 'failed');
    assert.equal(run.workflowRunId, trace.workflowRunId);
    assert.equal(run.errorMessage, TOOL_NODE_ERROR);
    assert.equal(run.errorKind, 'pluginInvoke');
    assert.deepEqual(run.rootCause, { ...trace.rootCause, serviceName: PLUGIN_RUNTIME_SERVICE });
    // Trace Link: the infrastructure trace is joined, nothing is reported missing.
    assert.deepEqual(run.linkedTraceIds, [trace.infraTraceId]);
    assert.ok(!run.gaps?.some((g) => g.kind === 'linkedTraceMissing'), JSON.stringify(run.gaps));
    assert.equal(run.spanCount, app.length);
  });

  it('has exactly one error chain: the failing tool with its iterations, the run and the plugin span', () => {
    const errors = all.filter((s) => s.status.code === 'error').map((s) => s.name).sort();
    assert.deepEqual(errors, ['Each Stop', 'Each Trip', 'Get Weather', 'execute_tool get_weather', 'workflow']);
  });

  it('holds the search token in exactly one span, the intended one', () => {
    const hits = all.filter((s) => mentions(s, trace.searchTarget.text));
    assert.equal(hits.length, 1);
    const [hit] = hits;
    assert.deepEqual({ traceId: hit!.traceId, spanId: hit!.spanId, name: hit!.name }, { traceId: trace.searchTarget.traceId, spanId: trace.searchTarget.spanId, name: trace.searchTarget.name });
    assert.equal(hit!.status.code, 'unset');
  });

  it('is deep, has no missing parents, and keeps children inside parents of the same service', () => {
    const parentOf = parentIndex(all);
    const depths = spanDepths(all, parentOf);
    const maxDepth = Math.max(...depths.values());
    assert.ok(maxDepth >= 6, `max depth ${maxDepth}`);
    const rootCause = all.find((s) => s.spanId === trace.rootCause.spanId)!;
    assert.ok((depths.get(rootCause) ?? 0) >= 5);
    let roots = 0;
    for (const span of all) {
      if (span.parentSpanId === undefined) {
        roots++;
        continue;
      }
      const parent = parentOf(span);
      assert.ok(parent, `parent of ${span.name} ${span.spanId} is missing`);
      assert.ok(span.startUs >= parent.startUs, `${span.name} starts before ${parent.name}`);
      if (span.resource.serviceName === parent.resource.serviceName) assert.ok(span.endUs <= parent.endUs, `${span.name} ends after ${parent.name}`);
    }
    assert.equal(roots, 2);
    // Every app span carries the Trace Link to the infrastructure trace.
    assert.ok(app.every((s) => s.links.length === 1 && s.links[0]!.traceId === trace.infraTraceId));
  });

  it('produces the same bytes for the same seed, other ids for another seed', () => {
    const a = largeDifyTrace({ spanTarget: 2_000 });
    const b = largeDifyTrace({ spanTarget: 2_000 });
    assert.deepEqual(a.batches.map((x) => Buffer.from(x).toString('base64')), b.batches.map((x) => Buffer.from(x).toString('base64')));
    const c = largeDifyTrace({ spanTarget: 2_000, seed: 2 });
    assert.notEqual(c.appTraceId, a.appTraceId);
    assert.notEqual(c.infraTraceId, a.infraTraceId);
  });
});

describe('large generated Dify run at 100k spans', () => {
  it('reaches the target within 5%', () => {
    const started = performance.now();
    const trace = largeDifyTrace();
    const ms = performance.now() - started;
    const bytes = trace.batches.reduce((n, b) => n + b.length, 0);
    console.log(`100k target: ${trace.spanCount} spans in ${trace.batches.length} batches, ${(bytes / 1e6).toFixed(1)} MB (${Math.round(bytes / trace.spanCount)} B/span), generated in ${ms.toFixed(0)} ms`);
    assert.ok(Math.abs(trace.spanCount - 100_000) <= 5_000, `${trace.spanCount} spans`);
    assert.ok(trace.batches.every((b) => b.length < 16 * 1024 * 1024), 'each batch fits the default body limits');
  });
});
