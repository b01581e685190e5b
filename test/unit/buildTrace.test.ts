import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTrace, spanKey } from '../../src/model/buildTrace';
import { span, traceId } from './spanBuilder';

const names = (tree: ReturnType<typeof buildTrace>): string[] => tree.spans.map((s, i) => `${'  '.repeat(tree.depths[i]!)}${s.name}`);

describe('buildTrace', () => {
  it('orders depth-first with children by start time, whatever the arrival order', () => {
    const tree = buildTrace([
      span({ id: 3, parent: 1, name: 'c', start: 30 }),
      span({ id: 2, parent: 1, name: 'b', start: 20 }),
      span({ id: 4, parent: 2, name: 'b1', start: 21 }),
      span({ id: 1, name: 'root', start: 10, end: 100 }),
    ]);
    assert.deepEqual(names(tree), ['root', '  b', '    b1', '  c']);
    assert.equal(tree.startUs, 10);
    assert.equal(tree.endUs, 100);
    assert.deepEqual(tree.warnings, []);
  });

  it('keeps orphans as top-level spans and says how many', () => {
    const tree = buildTrace([span({ id: 1, name: 'root' }), span({ id: 5, parent: 99, name: 'orphan' }), span({ id: 6, parent: 5, name: 'child' })]);
    assert.deepEqual(names(tree), ['root', 'orphan', '  child']);
    assert.equal(tree.orphanKeys.size, 1);
    assert.ok(tree.orphanKeys.has(spanKey(span({ id: 5 }))));
    assert.deepEqual(tree.warnings.map((w) => [w.kind, w.count]), [['orphanSpans', 1]]);
  });

  it('keeps the first copy of a duplicated span id and warns', () => {
    const tree = buildTrace([span({ id: 1, name: 'first' }), span({ id: 1, name: 'second' })]);
    assert.deepEqual(names(tree), ['first']);
    assert.deepEqual(tree.warnings.map((w) => [w.kind, w.count]), [['duplicateSpanIds', 1]]);
  });

  it('cuts parent cycles instead of looping, and shows every span', () => {
    const tree = buildTrace([span({ id: 1, parent: 2, name: 'a', start: 5 }), span({ id: 2, parent: 1, name: 'b', start: 6 }), span({ id: 3, parent: 2, name: 'c', start: 7 })]);
    assert.deepEqual(names(tree), ['a', '  b', '    c']);
    assert.deepEqual(tree.warnings.map((w) => w.kind), ['parentCycle']);
  });

  it('flags spans that end before they start', () => {
    const tree = buildTrace([span({ id: 1, start: 50, end: 10 })]);
    assert.deepEqual(tree.warnings.map((w) => w.kind), ['negativeDuration']);
    assert.equal(tree.endUs, 50);
  });

  it('keeps spans of linked traces apart even when their span ids collide', () => {
    const tree = buildTrace([span({ id: 1, name: 'app' }), span({ id: 1, name: 'infra', trace: traceId(2) })]);
    assert.equal(tree.spans.length, 2);
    assert.deepEqual(tree.warnings, []);
  });

  it('lists the primary trace\'s roots before those of linked traces', () => {
    const spans = [span({ id: 1, name: 'infra root', trace: traceId(2), start: 1 }), span({ id: 1, name: 'app root', start: 5 })];
    assert.deepEqual(names(buildTrace(spans, traceId(1))), ['app root', 'infra root']);
    assert.deepEqual(names(buildTrace(spans)), ['infra root', 'app root']);
  });

  it('handles an empty trace', () => {
    const tree = buildTrace([]);
    assert.equal(tree.spans.length, 0);
    assert.equal(tree.startUs, 0);
  });
});
