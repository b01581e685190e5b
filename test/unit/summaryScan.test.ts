import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunEntry } from '../../src/server/store/runEntry';
import { SummaryScan } from '../../src/server/store/summaryScan';

/** Only what the scan reads of an entry. */
const entry = (summaryText: string): RunEntry => ({ summaryText, cache: { serial: -1, slots: undefined, slotsEpoch: -1 } }) as unknown as RunEntry;
const hitSerials = (hits: Uint8Array): number[] => [...hits.keys()].filter((i) => hits[i] === 1);

describe('SummaryScan', () => {
  it('finds the runs whose summary holds a term across its segments, never across two summaries', () => {
    const scan = new SummaryScan();
    // ~1.2M characters: several 256k segments.
    const entries = Array.from({ length: 3_000 }, (_, i) => entry(`run ${i} travel assistant ${'p'.repeat(400)} ${i % 1000 === 7 ? 'weaviate timeout' : 'ok'}`));
    for (const e of entries) scan.add(e);
    assert.deepEqual(hitSerials(scan.hits('weaviate')), [7, 1007, 2007]);
    // The end of one summary and the start of the next do not make a match.
    assert.deepEqual(hitSerials(scan.hits('ok run')), []);
    const late = entry('late run weaviate');
    scan.add(late);
    assert.equal(late.cache.serial, 3_000);
    assert.deepEqual(hitSerials(scan.hits('weaviate')), [7, 1007, 2007, 3_000]);
  });

  it('rebuilds once removed text outweighs the live text, with the same answers', () => {
    const scan = new SummaryScan();
    const entries = Array.from({ length: 4_000 }, (_, i) => entry(`${'q'.repeat(600)} ${i === 3_999 ? 'needle' : 'hay'}`));
    for (const e of entries) scan.add(e);
    for (const e of entries.slice(0, 3_000)) scan.remove(e);
    const kept = entries[3_999]!;
    // Rebuilt on the way: the serials were renumbered over the runs live then.
    assert.ok(kept.cache.serial < 3_999, `serial ${kept.cache.serial}`);
    assert.deepEqual(hitSerials(scan.hits('needle')), [kept.cache.serial]);
  });
});
