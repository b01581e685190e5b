// The pure parts of the webview's log section: which records a span shows, and severity in words.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spanKey } from '../../src/model/buildTrace';
import type { LogRecord } from '../../src/model/logRecord';
import type { Microseconds } from '../../src/model/units';
import { indexLogsBySpan, severityOf } from '../../webview/src/layout/spanLogs';
import { apiResource, spanId, traceId } from './spanBuilder';

function log(fields: Partial<LogRecord>): LogRecord {
  return { timeUs: 1 as Microseconds, severityNumber: 0, severityText: '', body: 'x', attributes: {}, resource: apiResource, scopeName: '', ...fields };
}

describe('log records in the webview', () => {
  it('indexes records by trace and span id, in order, leaving out records without both', () => {
    const a = log({ traceId: traceId(1), spanId: spanId(1), body: 'a' });
    const b = log({ traceId: traceId(1), spanId: spanId(1), body: 'b' });
    const otherTrace = log({ traceId: traceId(2), spanId: spanId(1) });
    const index = indexLogsBySpan([a, log({ traceId: traceId(1) }), log({}), otherTrace, b]);
    assert.deepEqual(index.get(spanKey({ traceId: traceId(1), spanId: spanId(1) })), [a, b]);
    assert.deepEqual(index.get(spanKey({ traceId: traceId(2), spanId: spanId(1) })), [otherTrace]);
    assert.equal(index.size, 2);
  });

  it('names severity by the OTLP number ranges, keeps the sender\'s text, and reads the text when the number is unset', () => {
    const of = (severityNumber: number, severityText = '') => {
      const s = severityOf(log({ severityNumber, severityText }));
      return [s.level, s.label, s.icon];
    };
    assert.deepEqual(of(17, 'ERROR'), ['error', 'ERROR', 'codicon-error']);
    assert.deepEqual(of(18), ['error', 'ERROR', 'codicon-error']);
    assert.deepEqual(of(24), ['fatal', 'FATAL', 'codicon-error']);
    assert.deepEqual(of(13, 'WARNING'), ['warn', 'WARNING', 'codicon-warning']);
    assert.deepEqual(of(9), ['info', 'INFO', 'codicon-info']);
    assert.deepEqual(of(5), ['debug', 'DEBUG', 'codicon-debug']);
    assert.deepEqual(of(1), ['trace', 'TRACE', 'codicon-circle-small']);
    assert.deepEqual(of(0, 'error'), ['error', 'error', 'codicon-error']);
    assert.deepEqual(of(0, 'CRITICAL'), ['fatal', 'CRITICAL', 'codicon-error']);
    assert.deepEqual(of(0), ['unspecified', 'LOG', 'codicon-circle-outline']);
  });
});
