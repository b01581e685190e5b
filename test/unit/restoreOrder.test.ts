import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linkedHalvesFirst } from '../../src/server/traceService';
import type { TraceId } from '../../src/model/units';

const id = (s: string): TraceId => s.padStart(32, '0') as TraceId;

describe('the order a restart brings traces back in', () => {
  it('puts each run\'s linked traces just before it, keeps the rest in their order, and each trace once', () => {
    const [a, b, infraA, c, infraC] = [id('a'), id('b'), id('1a'), id('c'), id('1c')];
    const recent = [a, b, infraA, c, infraC].map((traceId) => ({ traceId, spans: 1 }));
    const links = new Map<TraceId, string[]>([[a, [infraA]], [c, [infraC, id('gone')]], [b, [infraA]]]);
    const ordered = linkedHalvesFirst(recent, (t) => links.get(t) ?? []);
    assert.deepEqual(ordered.map((r) => r.traceId), [infraA, a, b, infraC, c]);
  });

  it('leaves an order without links as it is', () => {
    const recent = [id('1'), id('2'), id('3')].map((traceId) => ({ traceId, spans: 5 }));
    assert.deepEqual(linkedHalvesFirst(recent, () => []), recent);
  });
});
