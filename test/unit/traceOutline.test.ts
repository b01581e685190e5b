import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toTraceSnapshot } from '../../src/shared/traceSnapshotCodec';
import { OutlineFlag, outlineNameLimit } from '../../src/shared/traceView';
import { layoutTrace, outlineChunk } from '../../src/server/traceView/traceLayout';
import {
  addChunk, emptyOutline, expandAncestors, initialExpandState, nameAt, resetExpandState, rowOf, setCollapsed, setSubtree, toggledIndices, visibleRows, type Outline,
} from '../../webview/src/layout/outline';
import { span } from './spanBuilder';

// workflow ─┬─ Code ── http GET ── dns
//           ├─ LLM
//           └─ Loop (loop node) ─┬─ round 1
//                                └─ round 2 (error)
const spans = [
  span({ id: 1, name: 'workflow', start: 0, end: 10_000 }),
  span({ id: 2, parent: 1, name: 'Code', start: 100, end: 600 }),
  span({ id: 3, parent: 2, name: 'http GET', start: 200, end: 300 }),
  span({ id: 4, parent: 3, name: 'dns', start: 210, end: 220 }),
  span({ id: 5, parent: 1, name: 'LLM', start: 700, end: 900 }),
  span({ id: 6, parent: 1, name: 'Loop', start: 1_000, end: 9_000, attributes: { 'node.type': 'loop' } }),
  span({ id: 7, parent: 6, name: 'round 1', start: 1_100, end: 1_200 }),
  span({ id: 8, parent: 6, name: 'round 2', start: 1_300, end: 8_800, error: 'boom' }),
];

/** The whole path: the server lays the trace out, sends it in chunks of 3, the webview assembles it. */
function received(input = spans): Outline {
  const layout = layoutTrace(toTraceSnapshot([input[0]!.traceId], input, [], undefined), 't:1', 3);
  const outline = emptyOutline(layout.header);
  let complete = false;
  for (let c = 0; c < layout.header.chunkCount; c++) complete = addChunk(outline, outlineChunk(layout, c)!);
  assert.ok(complete, 'complete after the last chunk');
  return outline;
}
const names = (o: Outline, rows: Int32Array): string[] => Array.from(rows, (i) => nameAt(o, i));

describe('trace outline (server layout → chunks → webview)', () => {
  it('arrives in chunks with parents, names, relative times and flags', () => {
    const o = received();
    assert.equal(o.header.chunkCount, 3);
    assert.equal(o.count, 8);
    assert.deepEqual(Array.from(o.parent), [-1, 0, 1, 2, 0, 0, 5, 5]);
    // Derived in the webview from the depths: one past each span's last descendant.
    assert.deepEqual(Array.from(o.subtreeEnd), [8, 4, 4, 4, 5, 8, 7, 8]);
    assert.deepEqual(o.spanId.slice(0, 2), ['0000000000000001', '0000000000000002']);
    assert.equal(o.startUs[0], 0);
    assert.equal(o.durationUs[0], 10_000);
    assert.ok(o.flags[5]! & OutlineFlag.group, 'a loop node is a group');
    assert.ok(o.flags[7]! & OutlineFlag.mayHaveSource, 'an error span may have source');
    assert.equal(o.status[7], 2);
    assert.ok(o.flags[0]! & OutlineFlag.critical);
    assert.ok(o.criticalSections.size > 0);
  });

  it('opens with groups collapsed; the row count says what they hide', () => {
    const o = received();
    const expand = initialExpandState(o);
    assert.deepEqual(names(o, visibleRows(o, expand.collapsed)), ['workflow', 'Code', 'http GET', 'dns', 'LLM', 'Loop']);
    // Revealing a span inside a group expands it and records the toggle.
    assert.ok(expandAncestors(o, expand, 7));
    assert.deepEqual(toggledIndices(o, expand), [5]);
    assert.equal(names(o, visibleRows(o, expand.collapsed)).length, 8);
  });

  it('collapses a subtree in one step and finds rows by binary search', () => {
    const o = received();
    const expand = initialExpandState(o, 'all');
    setSubtree(o, expand, 1, true);
    const rows = visibleRows(o, expand.collapsed);
    assert.deepEqual(names(o, rows), ['workflow', 'Code', 'LLM', 'Loop', 'round 1', 'round 2']);
    assert.equal(rowOf(rows, 4), 2);
    assert.equal(rowOf(rows, 3), -1, 'a hidden span has no row');
    setCollapsed(o, expand, 1, false);
    assert.deepEqual(names(o, visibleRows(o, expand.collapsed)).slice(0, 3), ['workflow', 'Code', 'http GET'], 'http GET stays collapsed below Code');
    resetExpandState(o, expand, 'none');
    assert.deepEqual(names(o, visibleRows(o, expand.collapsed)), ['workflow']);
    assert.deepEqual(toggledIndices(o, expand), []);
  });

  it('a chunk of another layout is ignored', () => {
    const layout = layoutTrace(toTraceSnapshot([spans[0]!.traceId], spans, [], undefined), 't:1', 3);
    const o = emptyOutline(layout.header);
    assert.equal(addChunk(o, { ...outlineChunk(layout, 0)!, outlineId: 't:2' }), false);
    assert.equal(o.received, 0);
  });

  it('bad input: a 1 MB name is cut and flagged, a cycle and a missing parent still lay out, with warnings', () => {
    const huge = `<script>alert(1)</script>${'x'.repeat(1_000_000)}`;
    const o = received([
      span({ id: 1, name: huge, start: 0, end: 100 }),
      span({ id: 2, parent: 3, name: 'a', start: 10, end: 20 }),
      span({ id: 3, parent: 2, name: 'b', start: 12, end: 18 }),
      span({ id: 4, parent: 99, name: 'orphan', start: 30, end: 20 }),
    ]);
    assert.equal(o.count, 4);
    assert.ok(nameAt(o, 0).length <= outlineNameLimit);
    assert.ok(o.flags[0]! & OutlineFlag.nameTruncated);
    const kinds = o.header.warnings.map((w) => w.kind).sort();
    for (const kind of ['oversizedText', 'parentCycle', 'orphanSpans', 'negativeDuration']) assert.ok(kinds.includes(kind as never), `${kind} in ${kinds.join(', ')}`);
    const orphan = Array.from({ length: o.count }, (_, i) => i).find((i) => nameAt(o, i) === 'orphan')!;
    assert.ok(o.flags[orphan]! & OutlineFlag.negativeDuration);
    assert.equal(o.durationUs[orphan], 0);
  });
});
