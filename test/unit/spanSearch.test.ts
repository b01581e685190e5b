import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTrace, spanKey } from '../../src/model/buildTrace';
import { isEmptyQuery, parseMinDurationMs, searchSpans } from '../../webview/src/layout/spanSearch';
import { span } from './spanBuilder';

const tree = buildTrace([
  span({ id: 1, name: 'workflow', start: 0, end: 10_000 }),
  span({ id: 4, parent: 1, name: 'LLM gpt-4o', start: 5_000, end: 9_000, attributes: { 'gen_ai.request.model': 'gpt-4o' } }),
  span({ id: 2, parent: 1, name: 'Code', start: 100, end: 600, error: 'boom', attributes: { 'dify.node.type': 'code', nested: { deep: ['Needle <script>'] } } }),
  span({ id: 3, parent: 2, name: 'http GET', start: 200, end: 300, attributes: { 'http.status_code': 500 } }),
]);
const names = (keys: string[]): string[] => keys.map((k) => tree.spans.find((s) => spanKey(s) === k)!.name);
const q = (text: string, extra: { errorsOnly?: boolean; minDurationUs?: number } = {}) => ({ text, errorsOnly: extra.errorsOnly ?? false, minDurationUs: extra.minDurationUs });

describe('searchSpans', () => {
  it('matches names case-insensitively, in tree order', () => {
    assert.deepEqual(names(searchSpans(tree.spans, q('G'))), ['http GET', 'LLM gpt-4o']);
    assert.deepEqual(names(searchSpans(tree.spans, q('WORK'))), ['workflow']);
    assert.deepEqual(names(searchSpans(tree.spans, q('  llm '))), ['LLM gpt-4o']);
  });

  it('matches attribute keys and values, numbers and nested values included', () => {
    assert.deepEqual(names(searchSpans(tree.spans, q('NODE.TYPE'))), ['Code']);
    assert.deepEqual(names(searchSpans(tree.spans, q('500'))), ['http GET']);
    assert.deepEqual(names(searchSpans(tree.spans, q('needle <SCRIPT>'))), ['Code']);
    assert.deepEqual(names(searchSpans(tree.spans, q('deep'))), ['Code']);
  });

  it('filters by error status and minimum duration, alone or with text', () => {
    assert.deepEqual(names(searchSpans(tree.spans, q('', { errorsOnly: true }))), ['Code']);
    assert.deepEqual(names(searchSpans(tree.spans, q('', { minDurationUs: 4_000 }))), ['workflow', 'LLM gpt-4o']);
    assert.deepEqual(names(searchSpans(tree.spans, q('gpt', { minDurationUs: 5_000 }))), []);
    assert.deepEqual(names(searchSpans(tree.spans, q('http', { errorsOnly: true }))), []);
  });

  it('matches nothing for an empty query', () => {
    assert.ok(isEmptyQuery(q('   ')));
    assert.deepEqual(searchSpans(tree.spans, q('')), []);
  });
});

describe('parseMinDurationMs', () => {
  it('reads milliseconds into microseconds and ignores blank or bad input', () => {
    assert.equal(parseMinDurationMs('1.5'), 1500);
    assert.equal(parseMinDurationMs(''), undefined);
    assert.equal(parseMinDurationMs('abc'), undefined);
    assert.equal(parseMinDurationMs('-3'), undefined);
  });
});
