// The in-memory store's bound in bytes as well as spans. The probe in issue 14 found that with
// 32 KiB prompts and completions per span the heap ran out at 11% of the span bound, and that one
// trace larger than the bound grew without limit; these tests fail on the span-only store.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ExportTraceServiceRequestSchema, ExportTraceServiceResponseSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import type { Span } from '../../src/model/span';
import { MemoryTraceStore } from '../../src/server/store/memoryTraceStore';
import { approximateSpanBytes } from '../../src/server/store/spanSize';
import { TraceService } from '../../src/server/traceService';
import { span, traceId } from './spanBuilder';

const KiB = 1024;
const MiB = 1024 * KiB;

/** An LLM span as Dify's exporters send one: the prompt and the completion, 32 KiB each. */
function llmSpan(trace: number, id: number): Span {
  return span({ trace: traceId(trace), id, name: 'llm', attributes: { 'gen_ai.prompt': 'p'.repeat(32 * KiB), 'gen_ai.completion': '补'.repeat(32 * KiB) } });
}

describe('span size estimate', () => {
  it('counts the strings a span carries, nested values included', () => {
    const small = approximateSpanBytes(span({ id: 1 }));
    const big = approximateSpanBytes(llmSpan(1, 1));
    assert.ok(big - small >= 2 * 64 * KiB, `64 Ki characters of text count at two bytes each (${big - small})`);
    const nested = approximateSpanBytes(span({ id: 1, attributes: { m: { a: ['x'.repeat(1000), { b: 'y'.repeat(1000) }] } } }));
    assert.ok(nested - small >= 4000);
  });
});

describe('memory store bound in bytes', () => {
  it('evicts the oldest traces when span data passes the byte bound, long before the span bound', () => {
    const store = new MemoryTraceStore({ maxSpans: 500_000, maxBytes: 16 * MiB });
    const evicted: string[] = [];
    for (let t = 1; t <= 400; t++) {
      const result = store.add([llmSpan(t, 1), llmSpan(t, 2)]);
      evicted.push(...result.evicted);
      assert.equal(result.pastBound.size, 0);
    }
    const stats = store.stats();
    assert.ok((stats.bytes ?? Infinity) <= 16 * MiB, `${stats.bytes} bytes held`);
    assert.ok(stats.spans < 800 && stats.spans > 50, `${stats.spans} spans held`);
    assert.equal(evicted[0], traceId(1), 'oldest first');
    assert.ok(store.spansOf(traceId(400)), 'the newest trace is kept');
  });

  it('stops a trace larger than the bound at the bound and counts the spans beyond it', () => {
    const store = new MemoryTraceStore({ maxSpans: 1_000, maxBytes: 4 * MiB });
    store.add([llmSpan(7, 1)]);
    let pastBound = 0;
    for (let i = 0; i < 100; i++) {
      const result = store.add([llmSpan(8, 2 * i + 10), llmSpan(8, 2 * i + 11)]);
      pastBound += result.pastBound.get(traceId(8)) ?? 0;
    }
    const kept = store.spansOf(traceId(8))?.length ?? 0;
    assert.ok((store.stats().bytes ?? Infinity) <= 4 * MiB);
    assert.equal(kept + pastBound, 200, 'every span is either held or counted');
    assert.ok(pastBound > 100);
    assert.equal(store.spansOf(traceId(7)), undefined, 'older traces made room first');
  });

  it('applies the span bound to one trace the same way', () => {
    const store = new MemoryTraceStore({ maxSpans: 10, maxBytes: Number.POSITIVE_INFINITY });
    const result = store.add(Array.from({ length: 25 }, (_, i) => span({ trace: traceId(3), id: i + 1 })));
    assert.equal(store.spansOf(traceId(3))?.length, 10);
    assert.equal(result.pastBound.get(traceId(3)), 15);
  });

  it('shrinks to a lower bound at once', () => {
    const store = new MemoryTraceStore({ maxSpans: 1_000, maxBytes: 64 * MiB });
    for (let t = 1; t <= 50; t++) store.add([llmSpan(t, 1)]);
    const evicted = store.setBounds({ maxSpans: 1_000, maxBytes: 2 * MiB });
    assert.ok(evicted.length > 30);
    assert.ok((store.stats().bytes ?? Infinity) <= 2 * MiB);
  });
});

describe('a trace past the memory bound, end to end', () => {
  const service = new TraceService(
    { receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 8 }, store: { maxSpans: 100_000, maxMemoryMiB: 1 } },
    { runsChanged: () => {}, statusChanged: () => {}, log: () => {} },
  );
  let url = '';
  before(async () => {
    await service.start();
    const state = service.status().receiver;
    assert.equal(state.state, 'listening');
    url = state.state === 'listening' ? state.url : '';
  });
  after(() => service.stop());

  it('tells the sender which spans were not kept (no trace database), and the trace says so', async () => {
    const spans = Array.from({ length: 40 }, (_, i) => ({
      traceId: Buffer.from(traceId(9), 'hex'),
      spanId: Buffer.from((i + 1).toString(16).padStart(16, '0'), 'hex'),
      name: `llm ${i}`,
      startTimeUnixNano: 1_732_540_800_000_000_000n,
      endTimeUnixNano: 1_732_540_801_000_000_000n,
      attributes: [{ key: 'gen_ai.prompt', value: { value: { case: 'stringValue' as const, value: 'p'.repeat(32 * KiB) } } }],
    }));
    const body = toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [{ scopeSpans: [{ spans }] }] }));
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
    assert.equal(res.status, 200);
    const answer = fromBinary(ExportTraceServiceResponseSchema, new Uint8Array(await res.arrayBuffer()));
    const held = service.store.spansOf(traceId(9))?.length ?? 0;
    assert.ok(held > 0 && held < 40, `${held} spans held`);
    assert.equal(Number(answer.partialSuccess?.rejectedSpans ?? 0n), 40 - held, 'the rest is reported as rejected (OTLP partial success)');
    assert.match(answer.partialSuccess?.errorMessage ?? '', /memory bound/);
    const trace = await service.backend.getTrace({ traceId: traceId(9) });
    const warning = trace?.warnings.find((w) => w.kind === 'pastStoreBound');
    assert.equal(warning?.count, 40 - held);
    assert.match(warning?.message ?? '', /were not kept/);
  });
});
