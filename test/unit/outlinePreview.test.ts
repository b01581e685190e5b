import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunSummary } from '../../src/shared/runSummary';
import { toTraceSnapshot } from '../../src/shared/traceSnapshotCodec';
import { layoutTrace, outlineChunk, type TraceLayout } from '../../src/server/traceView/traceLayout';
import { addChunk, emptyOutline, expandAncestors, fullIndexOf, initialExpandState, localIndexOf, previewOutline, rowOf, spansBelow, visibleRows, type Outline } from '../../webview/src/layout/outline';
import { span } from './spanBuilder';

// workflow ─┬─ Each City (iteration: 300 items of 2 spans)
//           ├─ LLM 1 … LLM 50
//           ├─ Get Weather (error: the root cause)
//           └─ Answer 1 … Answer 200
function run() {
  const spans = [span({ id: 1, name: 'workflow', start: 0, end: 1_000_000 })];
  let id = 2;
  const group = id++;
  spans.push(span({ id: group, parent: 1, name: 'Each City', start: 1, end: 100_000, attributes: { 'node.type': 'iteration' } }));
  for (let i = 0; i < 300; i++) {
    const item = id++;
    spans.push(span({ id: item, parent: group, name: `item ${i}`, start: 10 + i, end: 20 + i }));
    spans.push(span({ id: id++, parent: item, name: `fetch ${i}`, start: 11 + i, end: 19 + i }));
  }
  for (let i = 1; i <= 50; i++) spans.push(span({ id: id++, parent: 1, name: `LLM ${i}`, start: 100_000 + i, end: 100_010 + i }));
  const failing = id++;
  spans.push(span({ id: failing, parent: 1, name: 'Get Weather', start: 200_000, end: 210_000, error: "KeyError: 'max_temp_c'" }));
  for (let i = 1; i <= 200; i++) spans.push(span({ id: id++, parent: 1, name: `Answer ${i}`, start: 300_000 + i, end: 300_010 + i }));
  return { spans, failing: spans.find((s) => s.name === 'Get Weather')! };
}

function laidOut(withRootCause: boolean): { layout: TraceLayout; full: Outline; preview: Outline } {
  const { spans, failing } = run();
  const summary = withRootCause ? ({ rootCause: { traceId: failing.traceId, spanId: failing.spanId, name: failing.name, serviceName: failing.resource.serviceName } } as unknown as RunSummary) : undefined;
  const layout = layoutTrace(toTraceSnapshot([failing.traceId], spans, [], summary), 't:1', 100);
  const full = emptyOutline(layout.header);
  for (let c = 0; c < layout.header.chunkCount; c++) addChunk(full, outlineChunk(layout, c)!);
  const preview = previewOutline(layout.header);
  assert.ok(preview, 'a trace of more than one chunk comes with a preview');
  return { layout, full, preview };
}

/** The rows the panel opens on, as whole-trace indices: the default expansion, the initial span's ancestors expanded, `around` rows either side of it. */
function openingRows(o: Outline, initial: number, around: number): number[] {
  const expand = initialExpandState(o);
  expandAncestors(o, expand, initial);
  const rows = visibleRows(o, expand.collapsed);
  const at = rowOf(rows, initial);
  return Array.from(rows.subarray(Math.max(0, at - around), at + around + 1), (i) => fullIndexOf(o, i));
}

describe('outline preview (the rows a large trace opens on, before its chunks)', () => {
  it('shows the same rows around the root cause as the whole trace, the group before it collapsed with its size', () => {
    const { layout, full, preview } = laidOut(true);
    const rootCause = layout.header.rootCauseIndex;
    assert.ok(rootCause > 600, 'the root cause is past the iteration');
    assert.ok(preview.count < 400, `a few hundred rows, not the trace (${preview.count})`);
    assert.equal(fullIndexOf(preview, preview.header.rootCauseIndex), rootCause);
    // A screen's worth either side of it (the panel centres it) is the same in both.
    assert.deepEqual(openingRows(preview, preview.header.rootCauseIndex, 60), openingRows(full, rootCause, 60));
    const group = localIndexOf(preview, 1);
    assert.ok(group > 0 && preview.subtreeEnd[group]! > group + 1, 'the collapsed group keeps a child, so it shows its toggle');
    assert.equal(localIndexOf(preview, 3), -1, 'not the rest of what it hides');
    assert.equal(spansBelow(preview, group), 600);
    assert.equal(spansBelow(full, 1), 600);
    // Each row is the same span, with the same columns.
    for (let k = 0; k < preview.count; k++) {
      const i = fullIndexOf(preview, k);
      assert.equal(preview.spanId[k], full.spanId[i]);
      assert.equal(preview.name[k], full.name[i]);
      assert.equal(preview.depth[k], full.depth[i]);
      assert.equal(preview.flags[k], full.flags[i]);
      assert.equal(preview.startUs[k], full.startUs[i]);
    }
  });

  it('opens on the top of the tree when the run has no root cause', () => {
    const { full, preview } = laidOut(false);
    assert.equal(preview.header.rootCauseIndex, -1);
    assert.deepEqual(openingRows(preview, 0, 119), openingRows(full, 0, 119));
    assert.equal(localIndexOf(preview, full.count - 1), -1, 'the last span is not in it');
  });

  it('comes only with a trace of more than one chunk', () => {
    const { spans, failing } = run();
    const layout = layoutTrace(toTraceSnapshot([failing.traceId], spans, [], undefined), 't:2', 10_000);
    assert.equal(layout.header.chunkCount, 1);
    assert.equal(layout.header.preview, undefined);
  });
});
