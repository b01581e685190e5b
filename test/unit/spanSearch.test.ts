import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEmptyQuery, type SpanQuery } from '../../src/shared/traceView';
import { toTraceSnapshot } from '../../src/shared/traceSnapshotCodec';
import { layoutTrace } from '../../src/server/traceView/traceLayout';
import { searchLayout } from '../../src/server/traceView/searchLayout';
import { formatMinDurationMs, parseMinDurationMs } from '../../webview/src/layout/spanSearch';
import { span } from './spanBuilder';

const spans = [
  span({ id: 1, name: 'workflow', start: 0, end: 10_000 }),
  span({ id: 4, parent: 1, name: 'LLM gpt-4o', start: 5_000, end: 9_000, attributes: { 'gen_ai.request.model': 'gpt-4o' } }),
  span({ id: 2, parent: 1, name: 'Code', start: 100, end: 600, error: 'boom', attributes: { 'node.type': 'code', nested: { deep: ['Needle <script>'] } } }),
  span({ id: 3, parent: 2, name: 'http GET', start: 200, end: 300, attributes: { 'http.status_code': 500 } }),
];
const layout = layoutTrace(toTraceSnapshot([spans[0]!.traceId], spans, [], undefined), 'test:1', 2);
const names = (indices: number[]): string[] => indices.map((i) => layout.spans[i]!.name);
const q = (text: string, extra: { errorsOnly?: boolean; minDurationUs?: number; nodeType?: string } = {}): SpanQuery => ({ text, errorsOnly: extra.errorsOnly ?? false, minDurationUs: extra.minDurationUs, nodeType: extra.nodeType });
const searchSpans = (_: unknown, query: SpanQuery): number[] => searchLayout(layout, query);
const tree = layout;

describe('searchLayout (the trace server answers the panel\'s search)', () => {
  it('matches names case-insensitively, in tree order', () => {
    assert.deepEqual(names(searchSpans(tree.spans, q('gEt'))), ['http GET']);
    assert.deepEqual(names(searchSpans(tree.spans, q('GPT'))), ['LLM gpt-4o']);
    assert.deepEqual(names(searchSpans(tree.spans, q('WORK'))), ['workflow']);
    assert.deepEqual(names(searchSpans(tree.spans, q('  llm '))), ['LLM gpt-4o']);
  });

  it('matches attribute keys and values, numbers and nested values included', () => {
    assert.deepEqual(names(searchSpans(tree.spans, q('NODE.TYPE'))), ['Code']);
    assert.deepEqual(names(searchSpans(tree.spans, q('500'))), ['http GET']);
    assert.deepEqual(names(searchSpans(tree.spans, q('needle <SCRIPT>'))), ['Code']);
    assert.deepEqual(names(searchSpans(tree.spans, q('deep'))), ['Code']);
  });

  it('matches the service name and the status message', () => {
    assert.equal(searchSpans(tree.spans, q('LANGGENIUS/dify')).length, 4);
    assert.deepEqual(names(searchSpans(tree.spans, q('boom'))), ['Code']);
  });

  it('filters by error status and minimum duration, alone or with text', () => {
    assert.deepEqual(names(searchSpans(tree.spans, q('', { errorsOnly: true }))), ['Code']);
    assert.deepEqual(names(searchSpans(tree.spans, q('', { minDurationUs: 4_000 }))), ['workflow', 'LLM gpt-4o']);
    assert.deepEqual(names(searchSpans(tree.spans, q('gpt', { minDurationUs: 5_000 }))), []);
    assert.deepEqual(names(searchSpans(tree.spans, q('http', { errorsOnly: true }))), []);
  });

  it('filters by Dify node type, and a type not in the trace matches nothing', () => {
    assert.deepEqual(names(searchSpans(tree.spans, q('', { nodeType: 'code' }))), ['Code']);
    assert.deepEqual(names(searchSpans(tree.spans, q('', { nodeType: 'iteration' }))), []);
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
    assert.equal(formatMinDurationMs(1500), '1.5');
    assert.equal(formatMinDurationMs(undefined), '');
  });
});
