// The recorded tier: traces a real Dify sent (test/recorded/<release>/), replayed through the
// receiver on loopback; every measure must be 100% against Dify's own database.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadRecordedCorpora } from '../recorded/recordedCorpus';
import { evaluateRecorded, measureNames, percent } from '../recorded/evaluateRecorded';

for (const corpus of loadRecordedCorpora()) {
  describe(`recorded Dify: ${corpus.name}`, async () => {
    const scores = await evaluateRecorded(corpus);
    const all = scores.byExporter.get('all')!;
    it('accepts every body Dify sent', () => assert.deepEqual(scores.refused, []));
    for (const name of measureNames) {
      it(`${name}: 100%`, () => {
        assert.ok(all[name].total > 0, `the recording has something to check for ${name}`);
        assert.deepEqual(all[name].misses, [], `${name}: ${percent(all[name])}`);
      });
    }
  });
}
