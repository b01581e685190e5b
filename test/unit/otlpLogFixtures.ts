import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { ExportLogsServiceRequestSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/logs/v1/logs_service_pb';
import { spanHex, traceHex } from './otlpFixtures';

type RecordInit = NonNullable<NonNullable<NonNullable<MessageInitShape<typeof ExportLogsServiceRequestSchema>['resourceLogs']>[number]['scopeLogs']>[number]['logRecords']>[number];

export const logTimeNanos = 1_732_540_800_500_000_000n;
const str = (value: string) => ({ value: { case: 'stringValue' as const, value } });

/**
 * One protobuf record per AnyValue body type (in this order: string, int, int beyond 2^53, double,
 * bool, bytes, array, kvlist, unset), the first linked to a span, the others without trace context;
 * then one with all-zero ids and no time_unix_nano, and one with an event name.
 */
export function sampleLogsRequest(): MessageInitShape<typeof ExportLogsServiceRequestSchema> {
  const bodies: Array<RecordInit['body']> = [
    str('Error in stream response for plugin <b>x</b>'),
    { value: { case: 'intValue', value: 42n } },
    { value: { case: 'intValue', value: 9_007_199_254_740_993n } },
    { value: { case: 'doubleValue', value: 0.25 } },
    { value: { case: 'boolValue', value: false } },
    { value: { case: 'bytesValue', value: new Uint8Array([1, 2, 3]) } },
    { value: { case: 'arrayValue', value: { values: [str('a'), { value: { case: 'intValue', value: 1n } }] } } },
    { value: { case: 'kvlistValue', value: { values: [{ key: 'event', value: str('login') }, { key: 'ok', value: { value: { case: 'boolValue', value: true } } }] } } },
    undefined,
  ];
  const records: RecordInit[] = bodies.map((body, i) => ({
    timeUnixNano: logTimeNanos + BigInt(i) * 1000n,
    observedTimeUnixNano: logTimeNanos + 5_000_000n,
    severityNumber: i === 0 ? 17 : 9,
    severityText: i === 0 ? 'ERROR' : 'INFO',
    ...(body === undefined ? {} : { body }),
    attributes: i === 0 ? [{ key: 'code.function.name', value: str('_request_with_plugin_daemon_response_stream') }] : [],
    ...(i === 0 ? { traceId: Buffer.from(traceHex, 'hex'), spanId: Buffer.from(spanHex, 'hex') } : {}),
  }));
  records.push(
    { observedTimeUnixNano: logTimeNanos + 7_000_000n, severityNumber: 13, body: str('zero ids'), traceId: new Uint8Array(16), spanId: new Uint8Array(8) },
    { timeUnixNano: logTimeNanos, eventName: 'dify.plugin.error', body: str('event'), traceId: Buffer.from(traceHex, 'hex') },
  );
  return {
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: str('langgenius/dify') }] },
      scopeLogs: [{ scope: { name: 'core.plugin.impl.base' }, logRecords: records }],
    }],
  };
}

export function sampleLogsProtobuf(): Buffer {
  return Buffer.from(toBinary(ExportLogsServiceRequestSchema, create(ExportLogsServiceRequestSchema, sampleLogsRequest())));
}

/** The same kinds of bodies in OTLP/JSON as the spec writes them: hex ids, int64 as strings, bytes as base64. */
export function sampleLogsJson(idCase: 'lower' | 'upper' = 'lower'): string {
  const hex = (s: string): string => (idCase === 'upper' ? s.toUpperCase() : s);
  const record = (body: unknown, extra: Record<string, unknown> = {}) => ({ timeUnixNano: '1732540800500000000', severityNumber: 9, severityText: 'INFO', body, ...extra });
  return JSON.stringify({
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'langgenius/dify' } }] },
      scopeLogs: [{
        scope: { name: 'core.plugin.impl.base' },
        logRecords: [
          record({ stringValue: 'linked' }, { traceId: hex(traceHex), spanId: hex(spanHex), severityNumber: 17, severityText: 'ERROR', someFutureField: { ignored: true } }),
          record({ intValue: '9007199254740993' }),
          record({ doubleValue: 0.25 }),
          record({ boolValue: true }),
          record({ bytesValue: 'AQID' }),
          record({ arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] } }),
          record({ kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } }),
          record({ stringValue: 'empty ids' }, { traceId: '', spanId: '' }),
          { observedTimeUnixNano: '1732540800600000000', body: { stringValue: 'no time' } },
        ],
      }],
    }],
  });
}
