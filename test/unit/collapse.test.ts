import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTrace, spanKey } from '../../src/model/buildTrace';
import { keysWithChildren, subtreeKeysWithChildren, withCollapsed } from '../../webview/src/layout/collapse';
import { visibleRows } from '../../webview/src/layout/visibleRows';
import { span } from './spanBuilder';

// workflow ─┬─ Code ── http GET ── dns
//           ├─ LLM
//           └─ Loop ── iteration
const tree = buildTrace([
  span({ id: 1, name: 'workflow', start: 0, end: 10_000 }),
  span({ id: 2, parent: 1, name: 'Code', start: 100, end: 600 }),
  span({ id: 3, parent: 2, name: 'http GET', start: 200, end: 300 }),
  span({ id: 4, parent: 3, name: 'dns', start: 210, end: 220 }),
  span({ id: 5, parent: 1, name: 'LLM', start: 700, end: 900 }),
  span({ id: 6, parent: 1, name: 'Loop', start: 1_000, end: 2_000 }),
  span({ id: 7, parent: 6, name: 'iteration', start: 1_100, end: 1_200 }),
]);
const keyOf = (name: string): string => spanKey(tree.spans.find((s) => s.name === name)!);
const names = (keys: readonly string[]): string[] => keys.map((k) => tree.spans.find((s) => spanKey(s) === k)!.name);
const shown = (collapsed: ReadonlySet<string>): string[] => visibleRows(tree, collapsed, tree.spans[0]!.traceId).map((r) => r.span.name);

describe('collapse', () => {
  it('keysWithChildren lists every parent in tree order; collapsing them all leaves the root', () => {
    assert.deepEqual(names(keysWithChildren(tree)), ['workflow', 'Code', 'http GET', 'Loop']);
    assert.deepEqual(shown(new Set(keysWithChildren(tree))), ['workflow']);
    assert.equal(shown(withCollapsed(new Set(keysWithChildren(tree)), keysWithChildren(tree), false)).length, 7);
  });

  it('subtreeKeysWithChildren covers the span and its descendants only', () => {
    assert.deepEqual(names(subtreeKeysWithChildren(tree, keyOf('Code'))), ['Code', 'http GET']);
    assert.deepEqual(names(subtreeKeysWithChildren(tree, keyOf('Loop'))), ['Loop']);
    assert.deepEqual(subtreeKeysWithChildren(tree, keyOf('LLM')), []);
    assert.deepEqual(subtreeKeysWithChildren(tree, 'nope/nope'), []);
    // A wrong index hint falls back to the lookup.
    assert.deepEqual(names(subtreeKeysWithChildren(tree, keyOf('Code'), 0)), ['Code', 'http GET']);
    assert.deepEqual(names(subtreeKeysWithChildren(tree, keyOf('Code'), 1)), ['Code', 'http GET']);
  });

  it('expanding all below a span opens its whole subtree and leaves siblings alone', () => {
    const all = new Set(keysWithChildren(tree));
    const rootOpen = withCollapsed(all, [keyOf('workflow')], false);
    assert.deepEqual(shown(rootOpen), ['workflow', 'Code', 'LLM', 'Loop']);
    const codeOpen = withCollapsed(rootOpen, subtreeKeysWithChildren(tree, keyOf('Code')), false);
    assert.deepEqual(shown(codeOpen), ['workflow', 'Code', 'http GET', 'dns', 'LLM', 'Loop']);
    const codeShut = withCollapsed(codeOpen, subtreeKeysWithChildren(tree, keyOf('Code')), true);
    assert.deepEqual(shown(codeShut), ['workflow', 'Code', 'LLM', 'Loop']);
    // The input set is not changed.
    assert.equal(all.size, 4);
  });
});
