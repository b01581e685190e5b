import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogRecord } from '../../src/model/logRecord';
import type { AttributeValue, Attributes } from '../../src/model/span';
import type { Microseconds } from '../../src/model/units';
import { LogStore } from '../../src/server/store/logStore';
import { apiResource, spanId, traceId } from './spanBuilder';

let clock = 0;

/** A log record; `trace` undefined makes an unlinked one. */
function log(trace: number | undefined, body: AttributeValue = `record ${clock}`, attributes: Attributes = {}): LogRecord {
  clock += 1;
  return {
    timeUs: (1_000_000 + clock) as Microseconds,
    severityNumber: 9,
    severityText: 'INFO',
    body,
    attributes,
    ...(trace === undefined ? {} : { traceId: traceId(trace), spanId: spanId(1) }),
    resource: apiResource,
    scopeName: 'test',
  };
}

const bodies = (records: readonly LogRecord[] | undefined): AttributeValue[] => (records ?? []).map((r) => r.body);

describe('LogStore', () => {
  it('groups records by trace in arrival order and keeps records without a trace id apart', () => {
    const store = new LogStore(100);
    const result = store.add([log(1, 'a'), log(2, 'b'), log(undefined, 'loose'), log(1, 'c')]);
    assert.deepEqual(result, { touched: [traceId(1), traceId(2)], evicted: [] });
    assert.deepEqual(bodies(store.logsOf(traceId(1))), ['a', 'c']);
    assert.deepEqual(bodies(store.logsOf(traceId(2))), ['b']);
    assert.deepEqual(bodies(store.unlinkedRecords()), ['loose']);
    assert.equal(store.logsOf(traceId(3)), undefined);
    assert.equal(store.logsOf('not an id'), undefined);
    assert.deepEqual(store.stats(), { records: 4, traces: 2, unlinked: 1 });
  });

  it('evicts the oldest traces first, never a trace of the batch being added', () => {
    const store = new LogStore(4);
    store.add([log(1), log(1)]);
    store.add([log(2), log(2)]);
    // Trace 1 gets a record again: it is in this batch, so trace 2 (younger by first arrival) goes.
    const result = store.add([log(1)]);
    assert.deepEqual(result.evicted, [traceId(2)]);
    assert.equal(store.logsOf(traceId(2)), undefined);
    assert.equal(store.logsOf(traceId(1))?.length, 3);
    const next = store.add([log(3), log(3)]);
    assert.deepEqual(next.evicted, [traceId(1)]);
    assert.equal(store.stats().records, 2);
  });

  it('interleaves unlinked records with traces by age', () => {
    const store = new LogStore(30);
    store.add([log(undefined, 'u1')]);
    store.add([log(1, 't1'), log(1, 't1')]);
    store.add([log(undefined, 'u2')]);
    store.add(Array.from({ length: 26 }, () => log(2)));
    assert.equal(store.stats().records, 30);
    store.add([log(3, 't3')]);
    assert.deepEqual(bodies(store.unlinkedRecords()), ['u2'], 'the older unlinked record went first');
    assert.equal(store.logsOf(traceId(1))?.length, 2);
    const result = store.add([log(4, 't4')]);
    assert.deepEqual(result.evicted, [traceId(1)], 'then the oldest trace');
    assert.deepEqual(bodies(store.unlinkedRecords()), ['u2']);
  });

  it('caps unlinked records at a tenth of the bound', () => {
    const store = new LogStore(50);
    store.add([log(1)]);
    store.add(Array.from({ length: 8 }, (_, i) => log(undefined, `u${i}`)));
    assert.deepEqual(bodies(store.unlinkedRecords()), ['u3', 'u4', 'u5', 'u6', 'u7']);
    assert.equal(store.logsOf(traceId(1))?.length, 1, 'linked records are untouched');
    assert.equal(store.stats().records, 6);
  });

  it('trims the oldest records of a batch that alone exceeds the bound', () => {
    const store = new LogStore(3);
    store.add([log(9, 'old')]);
    const result = store.add(['a', 'b', 'c', 'd', 'e'].map((b) => log(1, b)));
    assert.deepEqual(new Set(result.evicted), new Set([traceId(9), traceId(1)]));
    assert.deepEqual(bodies(store.logsOf(traceId(1))), ['c', 'd', 'e']);
    assert.equal(store.stats().records, 3);
  });

  it('drops a trace\'s records with the trace, and evicts at once when the bound shrinks', () => {
    const store = new LogStore(100);
    store.add([log(1), log(2), log(2), log(3), log(undefined)]);
    store.removeTraces([traceId(2), traceId(7)]);
    assert.equal(store.logsOf(traceId(2)), undefined);
    assert.deepEqual(store.stats(), { records: 3, traces: 2, unlinked: 1 });
    assert.deepEqual(store.setMaxRecords(1), [traceId(1)]);
    assert.deepEqual(store.stats(), { records: 1, traces: 1, unlinked: 0 }, 'a bound of 1 leaves no room for unlinked records');
    assert.deepEqual(new Set(store.add([log(5), log(5)]).evicted), new Set([traceId(3), traceId(5)]));
    assert.deepEqual(store.stats(), { records: 1, traces: 1, unlinked: 0 });
    assert.deepEqual(store.setMaxRecords(0), [traceId(5)]);
    assert.equal(store.stats().records, 0);
  });

  it('reclaims the unlinked queue once much of it was consumed', () => {
    const store = new LogStore(40_000);
    for (let i = 0; i < 10; i++) store.add(Array.from({ length: 1000 }, () => log(undefined)));
    assert.equal(store.stats().unlinked, 4000);
    assert.equal(store.unlinkedRecords().length, 4000);
    assert.equal(store.stats().records, 4000);
  });

  it('matches text in bodies of any type and in exception attributes, case-insensitively', () => {
    const store = new LogStore(100);
    store.add([
      log(1, 'Error in stream response for plugin {\'code\': -500}'),
      log(2, { event: 'KeyError', n: 1 }),
      log(3, 'failed', { 'exception.stacktrace': 'Traceback (most recent call last):\n  File "tools/get_weather.py", line 28' }),
      log(4, 'quiet', { other: 'get_weather.py' }),
    ]);
    assert.ok(store.traceMatchesText(traceId(1), 'STREAM RESPONSE'));
    assert.ok(store.traceMatchesText(traceId(2), 'keyerror'));
    assert.ok(store.traceMatchesText(traceId(3), 'get_weather.py'));
    assert.ok(!store.traceMatchesText(traceId(4), 'get_weather.py'), 'other attributes are not searched');
    assert.ok(!store.traceMatchesText(traceId(1), 'keyerror'));
    assert.ok(!store.traceMatchesText(traceId(9), 'anything'));
    assert.ok(!store.traceMatchesText('zz', 'anything'));
    // The same record is searched again without re-deriving its text (cache is per record object).
    assert.ok(store.traceMatchesText(traceId(1), 'plugin'));
  });
});
