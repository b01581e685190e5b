import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { decodeLogsRequest, decompress } from '../../src/server/receiver/otlpBody';
import { logsRequestToModel } from '../../src/server/receiver/otlpLogsToModel';
import { ReceiverError } from '../../src/server/receiver/receiverError';
import { spanHex, traceHex } from './otlpFixtures';
import { sampleLogsJson, sampleLogsProtobuf } from './otlpLogFixtures';

const decode = (body: Buffer, encoding: 'protobuf' | 'json') => logsRequestToModel(decodeLogsRequest(body, encoding));

describe('OTLP logs decoding', () => {
  it('maps protobuf records with a body of every AnyValue type, with and without trace context', () => {
    const { records, rejected } = decode(sampleLogsProtobuf(), 'protobuf');
    assert.equal(rejected, 0);
    assert.deepEqual(records.map((r) => r.body), [
      'Error in stream response for plugin <b>x</b>', 42, '9007199254740993', 0.25, false, 'AQID', ['a', 1], { event: 'login', ok: true }, null, 'zero ids', 'event',
    ]);
    const [linked, unlinked] = records;
    assert.equal(linked?.traceId, traceHex);
    assert.equal(linked?.spanId, spanHex);
    assert.equal(linked?.severityNumber, 17);
    assert.equal(linked?.severityText, 'ERROR');
    assert.equal(linked?.timeUs, 1_732_540_800_500_000);
    assert.equal(linked?.scopeName, 'core.plugin.impl.base');
    assert.equal(linked?.resource.serviceName, 'langgenius/dify');
    assert.deepEqual(linked?.attributes, { 'code.function.name': '_request_with_plugin_daemon_response_stream' });
    assert.ok(unlinked && !('traceId' in unlinked) && !('spanId' in unlinked), 'a record without ids has none');
    // Records of one ResourceLogs share its resource object.
    assert.equal(records[1]?.resource, linked?.resource);
  });

  it('treats all-zero ids as unset and falls back to the observed time when time_unix_nano is 0', () => {
    const zero = decode(sampleLogsProtobuf(), 'protobuf').records[9];
    assert.equal(zero?.body, 'zero ids');
    assert.equal(zero?.traceId, undefined);
    assert.equal(zero?.spanId, undefined);
    assert.equal(zero?.timeUs, 1_732_540_800_507_000);
  });

  it('keeps a trace id without a span id, and the event name', () => {
    const event = decode(sampleLogsProtobuf(), 'protobuf').records[10];
    assert.equal(event?.traceId, traceHex);
    assert.equal(event?.spanId, undefined);
    assert.equal(event?.eventName, 'dify.plugin.error');
    assert.equal(event?.severityNumber, 0);
  });

  for (const idCase of ['lower', 'upper'] as const) {
    it(`maps OTLP/JSON with ${idCase}-case hex ids, every body type, empty ids and unknown fields`, () => {
      const { records, rejected } = decode(Buffer.from(sampleLogsJson(idCase)), 'json');
      assert.equal(rejected, 0);
      assert.deepEqual(records.map((r) => r.body), ['linked', '9007199254740993', 0.25, true, 'AQID', ['a', 1], { k: 'v' }, 'empty ids', 'no time']);
      assert.equal(records[0]?.traceId, traceHex);
      assert.equal(records[0]?.spanId, spanHex);
      assert.equal(records[7]?.traceId, undefined);
      assert.equal(records[8]?.timeUs, 1_732_540_800_600_000);
    });
  }

  it('accepts base64 ids in JSON from senders that use plain proto3 JSON', () => {
    const json = sampleLogsJson().replace(`"${traceHex}"`, `"${Buffer.from(traceHex, 'hex').toString('base64')}"`).replace(`"${spanHex}"`, `"${Buffer.from(spanHex, 'hex').toString('base64')}"`);
    const first = decode(Buffer.from(json), 'json').records[0];
    assert.equal(first?.traceId, traceHex);
    assert.equal(first?.spanId, spanHex);
  });

  it('decodes gzip bodies', async () => {
    const body = await decompress(gzipSync(sampleLogsProtobuf()), 'gzip', 1 << 20);
    assert.equal(decode(body, 'protobuf').records.length, 11);
  });

  it('rejects records with malformed ids but keeps the rest', () => {
    const json = JSON.parse(sampleLogsJson()) as { resourceLogs: [{ scopeLogs: [{ logRecords: Array<Record<string, unknown>> }] }] };
    const records = json.resourceLogs[0].scopeLogs[0].logRecords;
    records.push({ ...records[0], traceId: 'AQID' }, { ...records[0], spanId: 'abcdef' });
    const mapped = decode(Buffer.from(JSON.stringify(json)), 'json');
    assert.equal(mapped.records.length, 9);
    assert.equal(mapped.rejected, 2);
    assert.match(mapped.rejectionReason ?? '', /2 log record\(s\) had a malformed trace id or span id/);
  });

  it('names malformed bodies as bad requests', () => {
    assert.throws(() => decodeLogsRequest(Buffer.from([0x0a, 0xff, 0xff, 0xff]), 'protobuf'), (e) => ReceiverError.is(e, 'badRequest') && /ExportLogsServiceRequest/.test(e.message));
    assert.throws(() => decodeLogsRequest(Buffer.from('{"resourceLogs": [ '), 'json'), (e) => ReceiverError.is(e, 'badRequest') && /not valid JSON/.test(e.message));
    assert.throws(() => decodeLogsRequest(Buffer.from('{"resourceLogs": "nope"}'), 'json'), (e) => ReceiverError.is(e, 'badRequest') && /OTLP\/JSON ExportLogsServiceRequest/.test(e.message));
  });
});
