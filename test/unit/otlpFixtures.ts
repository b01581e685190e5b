import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { ExportTraceServiceRequestSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';

export const traceHex = '5b8efff798038103d269b633813fc60c';
export const spanHex = 'eee19b7ec3c1b174';
export const parentHex = 'eee19b7ec3c1b173';
export const linkedTraceHex = '0af7651916cd43dd8448eb211c80319c';

/** One request with one span that exercises every attribute type and both 64-bit corner cases. */
export function sampleRequest(): MessageInitShape<typeof ExportTraceServiceRequestSchema> {
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { value: { case: 'stringValue', value: 'langgenius/dify' } } }] },
      scopeSpans: [{
        scope: { name: 'opentelemetry.instrumentation.flask' },
        spans: [{
          traceId: Buffer.from(traceHex, 'hex'),
          spanId: Buffer.from(spanHex, 'hex'),
          parentSpanId: Buffer.from(parentHex, 'hex'),
          name: 'POST /v1/workflows/run',
          kind: 2,
          startTimeUnixNano: 1_732_540_800_123_456_789n,
          endTimeUnixNano: 1_732_540_801_987_654_321n,
          status: { code: 2, message: 'boom' },
          attributes: [
            { key: 'str', value: { value: { case: 'stringValue', value: '<b>html</b>' } } },
            { key: 'int', value: { value: { case: 'intValue', value: 42n } } },
            { key: 'bigint', value: { value: { case: 'intValue', value: 9_007_199_254_740_993n } } },
            { key: 'neg', value: { value: { case: 'intValue', value: -7n } } },
            { key: 'double', value: { value: { case: 'doubleValue', value: 0.5 } } },
            { key: 'bool', value: { value: { case: 'boolValue', value: true } } },
            { key: 'bytes', value: { value: { case: 'bytesValue', value: new Uint8Array([1, 2, 3]) } } },
            { key: 'array', value: { value: { case: 'arrayValue', value: { values: [{ value: { case: 'stringValue', value: 'a' } }, { value: { case: 'intValue', value: 1n } }] } } } },
            { key: 'map', value: { value: { case: 'kvlistValue', value: { values: [{ key: 'k', value: { value: { case: 'boolValue', value: false } } }] } } } },
            { key: 'empty' },
          ],
          events: [{ name: 'exception', timeUnixNano: 1_732_540_801_000_000_000n, attributes: [{ key: 'exception.type', value: { value: { case: 'stringValue', value: 'KeyError' } } }] }],
          links: [
            { traceId: Buffer.from(linkedTraceHex, 'hex'), spanId: new Uint8Array(8) },
            { traceId: new Uint8Array(0), spanId: new Uint8Array(0) },
          ],
        }],
      }],
    }],
  };
}

export function sampleProtobuf(): Buffer {
  return Buffer.from(toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, sampleRequest())));
}

/** The same span in OTLP/JSON as the spec writes it: hex ids, int64 as strings, integer enums. */
export function sampleJson(idCase: 'lower' | 'upper' = 'lower'): string {
  const hex = (s: string): string => (idCase === 'upper' ? s.toUpperCase() : s);
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'langgenius/dify' } }] },
      scopeSpans: [{
        scope: { name: 'opentelemetry.instrumentation.flask' },
        spans: [{
          traceId: hex(traceHex), spanId: hex(spanHex), parentSpanId: hex(parentHex),
          name: 'POST /v1/workflows/run', kind: 2,
          startTimeUnixNano: '1732540800123456789', endTimeUnixNano: Number("1732540801987654321"),
          status: { code: 2, message: 'boom' },
          attributes: [
            { key: 'int', value: { intValue: '42' } },
            { key: 'bigint', value: { intValue: '9007199254740993' } },
            { key: 'bytes', value: { bytesValue: 'AQID' } },
          ],
          links: [{ traceId: hex(linkedTraceHex), spanId: '0000000000000000' }],
          someFutureField: { ignored: true },
        }],
      }],
    }],
  });
}
