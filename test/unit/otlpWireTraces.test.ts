// The receiver's protobuf path reads the wire straight into the model (otlpWireTraces.ts); it must
// give exactly what protobuf-es with the official OTLP definitions, then exportRequestToModel, gives:
// on every request a real Dify sent (all recorded releases), on generated batches, on messages that
// reach every limit and odd-but-legal encoding, and on thousands of corrupted bodies (the same
// spans, or the same refusal).
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { difyBatch, seeded } from '../../bench/difyBatch';
import { ExportTraceServiceRequestSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import type { AnyValue, KeyValue } from '../../src/server/receiver/gen/opentelemetry/proto/common/v1/common_pb';
import { decodeTraceRequest } from '../../src/server/receiver/otlpBody';
import { exportRequestToModel, spanLimits } from '../../src/server/receiver/otlpToModel';
import { protobufTracesToModel, wireTracesToModel } from '../../src/server/receiver/otlpWireTraces';
import { loadRecordedCorpora } from '../recorded/recordedCorpus';

const reference = (body: Buffer) => exportRequestToModel(decodeTraceRequest(body, 'protobuf'));

/** Both decoders on one body: the same spans, or the same refusal. */
function same(body: Buffer): 'equal' | 'refused' {
  let expected;
  try {
    expected = reference(body);
  } catch (e) {
    assert.throws(() => protobufTracesToModel(body), { message: (e as Error).message });
    return 'refused';
  }
  assert.deepEqual(protobufTracesToModel(body), expected);
  return 'equal';
}

const str = (value: string): AnyValue => ({ value: { case: 'stringValue', value } }) as AnyValue;
const kv = (key: string, value: AnyValue | undefined): KeyValue => ({ key, ...(value === undefined ? {} : { value }) }) as KeyValue;
const id = (n: number, bytes: number) => {
  const b = Buffer.alloc(bytes);
  b.writeUInt32BE(n, bytes - 4);
  return b;
};

/** A varint-encoded field tag and length prefix, to write messages protobuf-es would not (fields out of order, split). */
function field(no: number, payload: Uint8Array): Buffer {
  const bytes: number[] = [];
  for (let v = (no << 3) | 2; ; v >>>= 7) {
    if (v < 0x80) {
      bytes.push(v);
      break;
    }
    bytes.push((v & 0x7f) | 0x80);
  }
  let len = payload.length;
  for (;;) {
    if (len < 0x80) {
      bytes.push(len);
      break;
    }
    bytes.push((len & 0x7f) | 0x80);
    len >>>= 7;
  }
  return Buffer.concat([Buffer.from(bytes), payload]);
}

describe('protobuf straight to the model', () => {
  it('reads every request a real Dify sent, on the wire path, as protobuf-es does', () => {
    let bodies = 0;
    let spans = 0;
    for (const corpus of loadRecordedCorpora()) {
      for (const recorded of corpus.bodies) {
        if (!/protobuf/.test(recorded.contentType) || !/traces$/.test(recorded.path)) continue;
        const body = recorded.contentEncoding === 'gzip' ? gunzipSync(recorded.body) : Buffer.from(recorded.body);
        const expected = reference(body);
        assert.deepEqual(wireTracesToModel(body), expected, `${corpus.name} ${recorded.path} #${bodies}`);
        bodies++;
        spans += expected.spans.length;
      }
    }
    assert.ok(bodies > 1_000 && spans > 10_000, `${bodies} bodies, ${spans} spans`);
  });

  it('reads the generated 512-span batches the benchmarks send', () => {
    for (let i = 0; i < 4; i++) {
      const body = Buffer.from(difyBatch(i, 512));
      assert.deepEqual(wireTracesToModel(body), reference(body));
    }
  });

  it('applies every span limit, and maps every value type, as the reference does', () => {
    const deep = (n: number): AnyValue => (n === 0 ? str('bottom') : ({ value: { case: 'kvlistValue', value: { values: [kv('k', deep(n - 1))] } } } as AnyValue));
    const request = create(ExportTraceServiceRequestSchema, {
      resourceSpans: [
        {
          resource: { attributes: [kv('service.name', str('')), kv('openinference.project.name', str('shop'))] },
          scopeSpans: [
            {
              scope: { name: 'dify_trace_aliyun.traceclient' },
              spans: [
                {
                  traceId: id(1, 16),
                  spanId: id(2, 8),
                  parentSpanId: id(3, 8),
                  name: 'x'.repeat(spanLimits.valueChars + 5),
                  kind: 3,
                  startTimeUnixNano: 1_775_000_000_123_456_789n,
                  endTimeUnixNano: 1_775_000_001_999_999_999n,
                  status: { code: 2, message: 'KeyError: \u{FEFF}Z 中文' },
                  attributes: [
                    ...Array.from({ length: spanLimits.attributes + 3 }, (_, i) => kv(`a${i % 1_100}`, str(String(i)))),
                  ],
                  events: Array.from({ length: spanLimits.events + 2 }, (_, i) => ({ name: `e${i}`, timeUnixNano: BigInt(i) * 1_000_000n, attributes: Array.from({ length: i === 0 ? spanLimits.eventAttributes + 1 : 1 }, (_, j) => kv(`k${j}`, str('v'))) })),
                  links: Array.from({ length: spanLimits.links + 1 }, (_, i) => ({ traceId: id(i % 7, 16), spanId: i % 2 ? id(0, 8) : id(i + 1, 8), attributes: [kv('link.kind', str('trace'))] })),
                },
                {
                  traceId: id(1, 16),
                  spanId: id(4, 8),
                  name: 'values',
                  kind: 9 as never,
                  status: { code: 7 as never },
                  attributes: [
                    kv('bool', { value: { case: 'boolValue', value: true } } as AnyValue),
                    kv('int', { value: { case: 'intValue', value: 42n } } as AnyValue),
                    kv('negative', { value: { case: 'intValue', value: -7n } } as AnyValue),
                    kv('huge', { value: { case: 'intValue', value: 2n ** 62n } } as AnyValue),
                    kv('min', { value: { case: 'intValue', value: -(2n ** 63n) } } as AnyValue),
                    kv('double', { value: { case: 'doubleValue', value: -0.5 } } as AnyValue),
                    kv('bytes', { value: { case: 'bytesValue', value: new Uint8Array(Buffer.from('\u0000\u00ffbin')) } } as unknown as AnyValue),
                    kv('array', { value: { case: 'arrayValue', value: { values: [str('a'), { value: { case: 'arrayValue', value: { values: Array.from({ length: spanLimits.items + 1 }, () => str('i')) } } } as AnyValue] } } } as AnyValue),
                    kv('deep', deep(12)),
                    kv('empty', { value: { case: undefined } } as AnyValue),
                    kv('missing', undefined),
                    kv('', str('no key')),
                    kv('dup', str('first')),
                    kv('dup', str('second')),
                  ],
                },
                { traceId: id(0, 16), spanId: id(5, 8), name: 'zero trace id' },
                { traceId: id(9, 16), spanId: id(5, 4), name: 'short span id' },
                { traceId: id(9, 15), spanId: id(5, 8), name: 'short trace id' },
              ],
            },
          ],
        },
        { scopeSpans: [{ spans: [{ traceId: id(2, 16), spanId: id(6, 8), name: 'no resource, no scope' }] }] },
      ],
    });
    const body = Buffer.from(toBinary(ExportTraceServiceRequestSchema, request));
    const expected = reference(body);
    assert.equal(expected.rejected, 3);
    assert.ok(JSON.stringify(expected.spans[0]!.attributes).includes('dify_trace_explorer.limited'));
    assert.deepEqual(wireTracesToModel(body), expected);
  });

  it('reads fields in any order and repeated fields split across the message, as protobuf does', () => {
    const spanMessage = (n: number, name: string) => toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: id(1, 16), spanId: id(n, 8), name, attributes: [kv('a', str(name))] }] }] }] }));
    // Take the encoded spans out of two requests, and write: scope spans before the resource, the
    // span's fields after its attributes, a scope after its spans, and unknown fields between.
    const extract = (bytes: Uint8Array) => reference(Buffer.from(bytes)).spans[0]!;
    assert.equal(extract(spanMessage(1, 'one')).name, 'one');
    const spanBody = (n: number, name: string) => Buffer.concat([field(9, Buffer.concat([field(1, Buffer.from('a')), field(2, field(1, Buffer.from(name)))])), Buffer.from([0x7a, 0x00]) /* an empty status */, field(1, id(1, 16)), field(2, id(n, 8)), field(5, Buffer.from(name)), Buffer.from([0xf8, 0x07, 0x05]) /* unknown varint field 127 */]);
    const scopeSpans = Buffer.concat([field(2, spanBody(1, 'one')), field(1, field(1, Buffer.from('late-scope'))), field(2, spanBody(2, 'two'))]);
    const resource = field(1, field(1, Buffer.concat([field(1, Buffer.from('service.name')), field(2, field(1, Buffer.from('svc')))])));
    const body = field(1, Buffer.concat([field(2, scopeSpans), resource, field(3, Buffer.from('https://schema'))]));
    const expected = reference(body);
    assert.deepEqual(expected.spans.map((s) => [s.name, s.scopeName, s.resource.serviceName, s.attributes['a']]), [['one', 'late-scope', 'svc', 'one'], ['two', 'late-scope', 'svc', 'two']]);
    assert.deepEqual(wireTracesToModel(body), expected);
  });

  it('gives the same spans or the same refusal on thousands of corrupted bodies', () => {
    const rand = seeded(17);
    const sources = [Buffer.from(difyBatch(0, 24)), Buffer.from(difyBatch(1, 8))];
    const outcome = { equal: 0, refused: 0 };
    for (let i = 0; i < 3_000; i++) {
      const body = Buffer.from(sources[i % sources.length]!);
      const mutations = 1 + Math.floor(rand() * 4);
      for (let m = 0; m < mutations; m++) {
        const at = Math.floor(rand() * body.length);
        const kind = rand();
        // Flip a byte, set a high bit (a varint continues, or UTF-8 breaks), or zero one.
        body[at] = kind < 0.4 ? Math.floor(rand() * 256) : kind < 0.8 ? body[at]! | 0x80 : 0;
      }
      const cut = rand() < 0.2 ? body.subarray(0, Math.floor(rand() * body.length)) : body;
      outcome[same(Buffer.from(cut))]++;
    }
    assert.ok(outcome.equal > 300 && outcome.refused > 300, JSON.stringify(outcome));
  });
});
