// Decoding on a worker thread: the same spans as on the main thread, clear errors, a request that
// exhausts the worker's heap refused without taking anything else down, a bounded queue, and a main
// thread that keeps answering while a heavy body decodes.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { ExportTraceServiceRequestSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { inlineDecoder } from '../../src/server/receiver/otlpDecoder';
import { ReceiverError } from '../../src/server/receiver/receiverError';
import { WorkerDecoder } from '../../src/server/receiver/workerDecoder';
import { sampleJson, sampleProtobuf } from './otlpFixtures';
import { sampleLogsProtobuf } from './otlpLogFixtures';

/** An export request of `count` spans, each with a `bytes`-long prompt: heavy to decode, valid. */
function heavyRequest(count: number, bytes: number): Buffer {
  const prompt = 'p'.repeat(bytes);
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId: Buffer.from('5b8efff798038103d269b633813fc60c', 'hex'),
    spanId: Buffer.from((i + 1).toString(16).padStart(16, '0'), 'hex'),
    name: `llm ${i}`,
    startTimeUnixNano: 1_732_540_800_000_000_000n,
    endTimeUnixNano: 1_732_540_801_000_000_000n,
    attributes: [{ key: 'gen_ai.prompt', value: { value: { case: 'stringValue' as const, value: prompt } } }],
  }));
  return Buffer.from(toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [{ scopeSpans: [{ spans }] }] })));
}

describe('decoding on a worker thread', () => {
  const decoder = new WorkerDecoder();
  after(() => decoder.close());

  it('gives the same spans and log records as decoding on the main thread', async () => {
    assert.deepEqual(await decoder.traces(sampleProtobuf(), 'protobuf'), await inlineDecoder.traces(sampleProtobuf(), 'protobuf'));
    assert.deepEqual(await decoder.traces(Buffer.from(sampleJson()), 'json'), await inlineDecoder.traces(Buffer.from(sampleJson()), 'json'));
    assert.deepEqual(await decoder.logs(sampleLogsProtobuf(), 'protobuf'), await inlineDecoder.logs(sampleLogsProtobuf(), 'protobuf'));
  });

  it('refuses a malformed body with the decoder\'s reason, and goes on', async () => {
    await assert.rejects(decoder.traces(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), 'protobuf'), (e: unknown) => ReceiverError.is(e, 'badRequest') && /not a protobuf ExportTraceServiceRequest/.test(e.message));
    await assert.rejects(decoder.traces(Buffer.from('{"resourceSpans":'), 'json'), (e: unknown) => ReceiverError.is(e, 'badRequest'));
    assert.equal((await decoder.traces(sampleProtobuf(), 'protobuf')).spans.length, 1);
  });

  it('keeps the main thread answering while a heavy body decodes', async () => {
    const body = heavyRequest(2_000, 8 * 1024);
    const decoding = decoder.traces(body, 'protobuf');
    let ticks = 0;
    let done = false;
    void decoding.then(() => (done = true));
    // Timer turns on this thread while the worker decodes: each would wait for an inline decode.
    while (!done) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      ticks++;
    }
    const mapped = await decoding;
    assert.equal(mapped.spans.length, 2_000);
    assert.ok(ticks >= 2, `the main thread ran ${ticks} timer turns during the decode`);
  });
});

describe('decoding worker limits', () => {
  it('refuses a request that exhausts the worker\'s heap, and decodes the next one, also one posted behind it', async () => {
    const decoder = new WorkerDecoder({ maxHeapMiB: 32 });
    try {
      // 400 spans × 256 KiB of prompt: over 100 MiB once decoded into strings, past a 32 MiB heap.
      const tooLarge = decoder.traces(heavyRequest(400, 256 * 1024), 'protobuf');
      // Already posted to the worker that dies: posted again to the next one.
      const behind = decoder.traces(sampleProtobuf(), 'protobuf');
      await assert.rejects(tooLarge, (e: unknown) => ReceiverError.is(e, 'tooLarge') && /more than 32 MiB/.test(e.message));
      assert.equal((await behind).spans.length, 1, 'the request behind it is decoded by a new worker');
      assert.equal((await decoder.traces(sampleProtobuf(), 'protobuf')).spans.length, 1, 'a new worker takes the next request');
    } finally {
      await decoder.close();
    }
  });

  it('refuses requests past the queue bound with "retry later"', async () => {
    const decoder = new WorkerDecoder({ maxQueued: 2 });
    try {
      const heavy = heavyRequest(500, 8 * 1024);
      const accepted = [decoder.traces(heavy, 'protobuf'), decoder.traces(heavy, 'protobuf'), decoder.traces(heavy, 'protobuf')];
      await assert.rejects(decoder.traces(heavy, 'protobuf'), (e: unknown) => ReceiverError.is(e, 'overloaded'));
      for (const result of await Promise.all(accepted)) assert.equal(result.spans.length, 500, 'every queued request is decoded');
    } finally {
      await decoder.close();
    }
  });
});
