// The recorded tier: traces a real Dify sent (test/recorded/<release>/), replayed through the
// receiver on loopback; every measure must be 100% against Dify's own database.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadRecordedCorpora } from '../recorded/recordedCorpus';
import { evaluateRecorded, measureNames, percent, type MeasureName } from '../recorded/evaluateRecorded';

const checked = new Map<MeasureName, number>();

for (const corpus of loadRecordedCorpora()) {
  describe(`recorded Dify: ${corpus.name}`, async () => {
    const scores = await evaluateRecorded(corpus);
    const all = scores.byExporter.get('all')!;
    it('accepts every body Dify sent', () => assert.deepEqual(scores.refused, []));
    for (const name of measureNames) {
      checked.set(name, (checked.get(name) ?? 0) + all[name].total);
      if (all[name].total === 0) continue;
      it(`${name}: 100%`, () => assert.deepEqual(all[name].misses, [], `${name}: ${percent(all[name])}`));
    }
  });
}

after(() => {
  // Every measure is exercised by some recording (a recording without Code nodes has no Go to Source to check).
  for (const name of measureNames) assert.ok((checked.get(name) ?? 0) > 0, `no recording checks ${name}`);
});
