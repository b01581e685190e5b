import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rowText } from '../../src/host/commands/comparisonText';
import type { NodeExecution } from '../../src/shared/runComparison';

const node = (title: string, fields: Partial<NodeExecution> = {}): NodeExecution => ({ title, startUs: 0, durationUs: 1_000_000, selfTimeUs: 10_000, status: 'ok', span: { traceId: 't', spanId: 's' }, ...fields });

describe('rowText (a row of Compare Runs in words)', () => {
  it('says how the status and the figures went from the run before to now, and the error', () => {
    const before = node('Get Weather', { durationUs: 300_000, tokens: 100 });
    const now = node('Get Weather', { status: 'error', durationUs: 343_000, selfTimeUs: 16_000, tokens: 80, error: "KeyError: 'max_temp_c'" });
    const text = rowText({ key: 'k', before, now, change: 'changed', differences: ['status'], durationDeltaUs: 43_000, selfTimeDeltaUs: 6_000, tokensDelta: -20 });
    assert.equal(text.label, '$(error) Get Weather');
    assert.equal(text.description, 'ok → failed · 343 ms (+43.0 ms) · self +6.00 ms · −20 tokens');
    assert.equal(text.detail, "now: KeyError: 'max_temp_c'");
  });

  it('names both titles of a renamed node, and says which run alone ran a node', () => {
    assert.equal(rowText({ key: 'k', before: node('Get Weather'), now: node('Fetch Forecast'), change: 'changed', differences: ['title'], durationDeltaUs: 0, selfTimeDeltaUs: 0 }).label, '$(diff-modified) Get Weather → Fetch Forecast');
    assert.match(rowText({ key: 'k', now: node('Check Budget'), change: 'added', differences: [] }).description, /^only in this run · /);
    assert.equal(rowText({ key: 'k', before: node('End'), change: 'removed', differences: [] }).label, '$(diff-removed) End');
  });
});
