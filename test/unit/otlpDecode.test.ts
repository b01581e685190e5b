import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { decodeTraceRequest, decompress, encodingOf } from '../../src/server/receiver/otlpBody';
import { exportRequestToModel, limitedKey, nanosToMicros, spanLimits } from '../../src/server/receiver/otlpToModel';
import { ReceiverError } from '../../src/server/receiver/receiverError';
import { linkedTraceHex, parentHex, sampleJson, sampleProtobuf, spanHex, traceHex } from './otlpFixtures';

function decodeOne(body: Buffer, encoding: 'protobuf' | 'json') {
  const mapped = exportRequestToModel(decodeTraceRequest(body, encoding));
  assert.equal(mapped.spans.length, 1);
  return mapped.spans[0]!;
}

describe('OTLP decoding', () => {
  it('maps a protobuf span with every attribute type', () => {
    const span = decodeOne(sampleProtobuf(), 'protobuf');
    assert.equal(span.traceId, traceHex);
    assert.equal(span.spanId, spanHex);
    assert.equal(span.parentSpanId, parentHex);
    assert.equal(span.kind, 'server');
    assert.deepEqual(span.status, { code: 'error', message: 'boom' });
    assert.equal(span.startUs, 1_732_540_800_123_456);
    assert.equal(span.endUs, 1_732_540_801_987_654);
    assert.equal(span.resource.serviceName, 'langgenius/dify');
    assert.equal(span.scopeName, 'opentelemetry.instrumentation.flask');
    assert.deepEqual(span.attributes, {
      str: '<b>html</b>', int: 42, bigint: '9007199254740993', neg: -7, double: 0.5, bool: true, bytes: 'AQID',
      array: ['a', 1], map: { k: false }, empty: null,
    });
    assert.deepEqual(span.events.map((e) => [e.name, e.timeUs, e.attributes['exception.type']]), [['exception', 1_732_540_801_000_000, 'KeyError']]);
    // A link with an all-zero span id (Dify's Trace Link) keeps its trace id; an empty link is dropped.
    assert.deepEqual(span.links, [{ traceId: linkedTraceHex, attributes: {} }]);
  });

  for (const idCase of ['lower', 'upper'] as const) {
    it(`maps OTLP/JSON with ${idCase}-case hex ids, int64 as string and number, and unknown fields`, () => {
      const span = decodeOne(Buffer.from(sampleJson(idCase)), 'json');
      assert.equal(span.traceId, traceHex);
      assert.equal(span.spanId, spanHex);
      assert.equal(span.parentSpanId, parentHex);
      assert.equal(span.startUs, 1_732_540_800_123_456);
      // A JSON number beyond 2^53 has already lost precision in JSON.parse; it must still decode.
      assert.ok(Math.abs(span.endUs - 1_732_540_801_987_654) <= 1);
      assert.deepEqual(span.attributes, { int: 42, bigint: '9007199254740993', bytes: 'AQID' });
      assert.deepEqual(span.links.map((l) => l.traceId), [linkedTraceHex]);
    });
  }

  it('accepts base64 ids in JSON from senders that use plain proto3 JSON', () => {
    const json = sampleJson().replace(traceHex, Buffer.from(traceHex, 'hex').toString('base64')).replace(`"${spanHex}"`, `"${Buffer.from(spanHex, 'hex').toString('base64')}"`);
    const span = decodeOne(Buffer.from(json), 'json');
    assert.equal(span.traceId, traceHex);
    assert.equal(span.spanId, spanHex);
  });

  it('converts nanoseconds to microseconds exactly up to 2^53 microseconds', () => {
    assert.equal(nanosToMicros(9_007_199_254_740_991_999n), 9_007_199_254_740_991);
    assert.equal(nanosToMicros(999n), 0);
  });

  it('rejects spans with missing or all-zero ids but keeps the rest', () => {
    const json = JSON.parse(sampleJson()) as { resourceSpans: [{ scopeSpans: [{ spans: Array<Record<string, unknown>> }] }] };
    const spans = json.resourceSpans[0].scopeSpans[0].spans;
    spans.push({ ...spans[0], traceId: '' }, { ...spans[0], spanId: '0000000000000000' });
    const mapped = exportRequestToModel(decodeTraceRequest(Buffer.from(JSON.stringify(json)), 'json'));
    assert.equal(mapped.spans.length, 1);
    assert.equal(mapped.rejected, 2);
    assert.match(mapped.rejectionReason ?? '', /2 span\(s\)/);
  });

  it('names malformed bodies as bad requests', () => {
    assert.throws(() => decodeTraceRequest(Buffer.from([0x0a, 0xff, 0xff, 0xff]), 'protobuf'), (e) => ReceiverError.is(e, 'badRequest'));
    assert.throws(() => decodeTraceRequest(Buffer.from('{"resourceSpans": [ '), 'json'), (e) => ReceiverError.is(e, 'badRequest') && /not valid JSON/.test(e.message));
    assert.throws(() => decodeTraceRequest(Buffer.from('{"resourceSpans": "nope"}'), 'json'), (e) => ReceiverError.is(e, 'badRequest'));
  });

  it('reads content types with parameters and refuses others', () => {
    assert.equal(encodingOf('application/x-protobuf'), 'protobuf');
    assert.equal(encodingOf('Application/JSON; charset=utf-8'), 'json');
    assert.equal(encodingOf('text/plain'), undefined);
    assert.equal(encodingOf(undefined), undefined);
  });

  it('gunzips, and refuses truncated gzip and bodies over the limit once decompressed', async () => {
    const body = sampleProtobuf();
    const gz = gzipSync(body);
    assert.deepEqual(await decompress(gz, 'gzip', 1 << 20), body);
    await assert.rejects(decompress(gz.subarray(0, gz.length - 10), 'gzip', 1 << 20), (e) => ReceiverError.is(e, 'badRequest'));
    await assert.rejects(decompress(gzipSync(Buffer.alloc(100_000)), 'gzip', 50_000), (e) => ReceiverError.is(e, 'tooLarge'));
    await assert.rejects(decompress(body, 'br', 1 << 20), (e) => ReceiverError.is(e, 'badRequest'));
  });
});

describe('span limits', () => {
  /** One OTLP/JSON span with the given attributes, events and links. */
  function spanJson(attributes: unknown[], events: unknown[] = [], name = 'limited'): Buffer {
    return Buffer.from(JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's' }, spans: [{ traceId: traceHex, spanId: spanHex, name, kind: 1, startTimeUnixNano: '1', endTimeUnixNano: '2', attributes, events }] }] }] }));
  }
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const text = (value: unknown): string => (typeof value === 'string' ? value : assert.fail(`not a string: ${typeof value}`));
  const counts = (value: unknown): Record<string, number> => JSON.parse(text(value)) as Record<string, number>;

  it('keeps at most the limit of attributes and events of a span, and says how many it dropped', () => {
    const attributes = Array.from({ length: spanLimits.attributes + 976 }, (_, i) => str(`k${i}`, 'v'));
    const events = Array.from({ length: spanLimits.events + 10 }, (_, i) => ({ name: `e${i}`, timeUnixNano: '1', attributes: [] }));
    const span = decodeOne(spanJson(attributes, events), 'json');
    assert.equal(Object.keys(span.attributes).length, spanLimits.attributes + 1, 'the kept attributes and the count');
    assert.equal(span.events.length, spanLimits.events);
    assert.deepEqual(counts(span.attributes[limitedKey]), { droppedAttributes: 976, cutValues: 0, droppedEvents: 10, droppedLinks: 0 });
  });

  it('cuts a value or a name longer than the limit, with a marker, and counts it', () => {
    const long = 'x'.repeat(spanLimits.valueChars + 5);
    const span = decodeOne(spanJson([str('prompt', long)], [], long), 'json');
    assert.match(span.name, /… \[5 more characters dropped by the receiver\]$/);
    assert.match(text(span.attributes['prompt']), /… \[5 more characters dropped by the receiver\]$/);
    assert.equal(counts(span.attributes[limitedKey])['cutValues'], 2);
  });

  it('leaves an ordinary span as it came, with no count', () => {
    const span = decodeOne(spanJson([str('a', 'b')]), 'json');
    assert.deepEqual(span.attributes, { a: 'b' });
  });

  it('stops nested values at the depth limit', () => {
    let value: unknown = { stringValue: 'deep' };
    for (let i = 0; i < spanLimits.depth + 3; i++) value = { arrayValue: { values: [value] } };
    const span = decodeOne(spanJson([{ key: 'nested', value }]), 'json');
    assert.match(JSON.stringify(span.attributes['nested']), /nested deeper than/);
  });
});
