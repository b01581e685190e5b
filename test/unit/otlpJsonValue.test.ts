import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toJson } from '@bufbuild/protobuf';
import { ExportTraceServiceRequestSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { decodeTraceRequest, encodingOf } from '../../src/server/receiver/otlpBody';
import { decodeTraceJson } from '../../src/server/receiver/otlpJson';
import { traceJsonToMessage } from '../../src/server/receiver/otlpJsonValue';
import { exportRequestToModel } from '../../src/server/receiver/otlpToModel';
import { loadRecordedCorpora } from '../recorded/recordedCorpus';

/** Ids as OTLP/JSON writes them (hex) instead of proto3 JSON's base64, in place. */
function hexIds(json: unknown): unknown {
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        if (/^(traceId|spanId|parentSpanId)$/.test(k) && typeof v === 'string') (value as Record<string, unknown>)[k] = Buffer.from(v, 'base64').toString('hex');
        else walk(v);
      }
    }
  };
  walk(json);
  return json;
}

describe('OTLP/JSON read from a parsed value (remote backends)', () => {
  it('gives the spans the receiver\'s JSON path gives, on every request a real Dify sent (base64 and hex ids, enum names, int64 strings)', () => {
    let compared = 0;
    for (const corpus of loadRecordedCorpora()) {
      for (const body of corpus.bodies) {
        const encoding = encodingOf(body.contentType);
        if (!/\/v1\/traces$|\/api\/otlp\/traces$|\/otel\/v1\/traces$/.test(body.path) || encoding === undefined) continue;
        const json = toJson(ExportTraceServiceRequestSchema, decodeTraceRequest(body.body, encoding));
        for (const variant of [json, hexIds(structuredClone(json))]) {
          const expected = exportRequestToModel(decodeTraceJson(Buffer.from(JSON.stringify(variant))));
          assert.deepEqual(exportRequestToModel(traceJsonToMessage(variant)), expected, `${corpus.name} body at ${body.ts}`);
          compared += expected.spans.length;
        }
      }
    }
    assert.ok(compared > 20_000, `${compared} spans compared`);
  });

  it('reads what proto3 JSON allows besides: numbers for enums and int64, original field names, non-finite doubles; and refuses what it is not', () => {
    const [span] = exportRequestToModel(
      traceJsonToMessage({
        resource_spans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { string_value: 'api' } }] },
            scope_spans: [
              {
                scope: { name: 'flask' },
                spans: [
                  {
                    trace_id: '5b8efff798038103d269b633813fc60c',
                    span_id: 'eee19b7ec3c1b174',
                    name: 'GET /health',
                    kind: 2,
                    start_time_unix_nano: 1_700_000_000_000_000_000,
                    end_time_unix_nano: '1700000000001000000',
                    attributes: [{ key: 'x', value: { double_value: 'NaN' } }, { key: 'n', value: { int_value: 42 } }, { key: 'l', value: { array_value: { values: [{ bool_value: true }] } } }],
                    status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
                  },
                ],
              },
            ],
          },
        ],
      }),
    ).spans;
    assert.ok(span);
    assert.equal(span.kind, 'server');
    assert.equal(span.endUs - span.startUs, 1000);
    assert.ok(Number.isNaN(span.attributes['x']));
    assert.equal(span.attributes['n'], 42);
    assert.deepEqual(span.attributes['l'], [true]);
    assert.deepEqual(span.status, { code: 'error', message: 'boom' });
    assert.equal(span.resource.serviceName, 'api');
    assert.throws(() => traceJsonToMessage({ resourceSpans: {} }), /resourceSpans is not a list/);
    assert.throws(() => traceJsonToMessage({ resourceSpans: [{ scopeSpans: [{ spans: [{ kind: 'SPAN_KIND_SIDEWAYS' }] }] }] }), /is not one of/);
    assert.throws(() => traceJsonToMessage({ resourceSpans: [{ scopeSpans: [{ spans: [{ startTimeUnixNano: 'soon' }] }] }] }), /is not an int64/);
  });
});
