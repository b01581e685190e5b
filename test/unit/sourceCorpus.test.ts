// Go to Source's hit rate on the source corpus (test/sourceCorpus: 61 failures whose stack traces
// come from really running plugins on the dify_plugin SDK, Code nodes through dify-sandbox's
// runners, and a daemon-shaped Go program): every case must open the exact file and line, or
// nothing, or offer every candidate of an ambiguity. Each miss is printed with what was found.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateSourceCorpus, loadSourceCases } from './sourceCorpusEvaluation';

describe('source corpus', () => {
  const cases = loadSourceCases();

  it('holds at least 50 real-shaped failures of every kind', () => {
    assert.ok(cases.length >= 50, `${cases.length} cases`);
    for (const prefix of ['py-', 'code-py-', 'code-js-', 'go-', 'neg-']) assert.ok(cases.some((c) => c.id.startsWith(prefix)), prefix);
    for (const carrier of ['spanEvent', 'statusMessage', 'logBody', 'logException']) assert.ok(cases.some((c) => c.carrier === carrier), carrier);
  });

  it('opens the exact file and line for every case (100%)', () => {
    const { outcomes } = evaluateSourceCorpus(cases);
    const misses = outcomes.filter((o) => !o.hit);
    assert.deepEqual(misses.map((m) => `${m.id}: wanted ${m.want}, got ${m.got}`), []);
    assert.equal(outcomes.length, cases.length);
  });

  it('fails a case when the expected line is off by one (the judge can fail)', () => {
    const original = cases.find((c) => c.expected.file !== undefined && c.expected.ambiguous === undefined && c.expected.line !== undefined)!;
    const shifted = { ...original, expected: { ...original.expected, line: (original.expected.line ?? 0) + 1 } } as typeof original;
    assert.equal(evaluateSourceCorpus([shifted]).outcomes[0]?.hit, false);
  });
});
