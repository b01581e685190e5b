import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTrace, spanKey } from '../../src/model/buildTrace';
import { criticalPath, selfTimeUs } from '../../src/model/criticalPath';
import { span, spanId, traceId } from './spanBuilder';

const key = (id: number, trace = traceId(1)): string => spanKey({ traceId: trace, spanId: spanId(id) });
/** Sections as `id:start-end`, in time order. */
const sections = (path: ReturnType<typeof criticalPath>): string[] =>
  path.sections.map((s) => `${parseInt(s.key.split('/')[1]!, 16)}:${s.startUs}-${s.endUs}`);

describe('criticalPath', () => {
  it('follows sequential children from the root and gives the gaps to the parent', () => {
    const tree = buildTrace([
      span({ id: 1, start: 0, end: 100 }),
      span({ id: 2, parent: 1, start: 10, end: 40 }),
      span({ id: 3, parent: 1, start: 50, end: 90 }),
      span({ id: 4, parent: 3, start: 60, end: 70 }),
    ]);
    const path = criticalPath(tree);
    assert.deepEqual(sections(path), ['1:0-10', '2:10-40', '1:40-50', '3:50-60', '4:60-70', '3:70-90', '1:90-100']);
    assert.deepEqual([...path.keys].sort(), [key(1), key(2), key(3), key(4)].sort());
    assert.equal(path.rootKey, key(1));
  });

  it('of overlapping children keeps the one that finished last and drops one ending after the current point', () => {
    const tree = buildTrace([
      span({ id: 1, start: 0, end: 100 }),
      span({ id: 2, parent: 1, start: 10, end: 60 }), // overlaps 3, ends after 3 starts: not on the path
      span({ id: 3, parent: 1, start: 50, end: 80 }),
      span({ id: 4, parent: 1, start: 5, end: 30 }), // ends before 3 starts: on the path
    ]);
    const path = criticalPath(tree);
    assert.deepEqual(sections(path), ['1:0-5', '4:5-30', '1:30-50', '3:50-80', '1:80-100']);
    assert.ok(!path.keys.has(key(2)));
  });

  it('clips children that end after their parent (clock skew) and ignores those starting after it', () => {
    const tree = buildTrace([
      span({ id: 1, start: 0, end: 100 }),
      span({ id: 2, parent: 1, start: 80, end: 130 }), // skewed: ends 30 µs after its parent
      span({ id: 3, parent: 1, start: 120, end: 150 }), // starts after its parent ended
      span({ id: 4, parent: 2, start: 85, end: 125 }),
    ]);
    const path = criticalPath(tree);
    assert.deepEqual(sections(path), ['1:0-80', '2:80-85', '4:85-100']);
    assert.ok(!path.keys.has(key(3)));
  });

  it('counts negative durations as zero and never loops on zero-length children', () => {
    const tree = buildTrace([
      span({ id: 1, start: 0, end: 100 }),
      span({ id: 2, parent: 1, start: 50, end: 40 }), // negative
      span({ id: 3, parent: 1, start: 60, end: 60 }), // zero
      span({ id: 4, parent: 1, start: 60, end: 60 }),
    ]);
    const path = criticalPath(tree);
    assert.deepEqual(sections(path), ['1:0-50', '1:50-60', '1:60-100']);
    assert.ok(path.keys.has(key(3)) && path.keys.has(key(4)) && path.keys.has(key(2)));
  });

  it('starts from the run\'s own trace root when there are several roots', () => {
    const infra = traceId(2);
    const tree = buildTrace(
      [
        span({ trace: infra, id: 7, start: 0, end: 500 }),
        span({ id: 5, parent: 99, start: 0, end: 10 }), // orphan of the run's trace, listed before the real root
        span({ id: 1, start: 20, end: 100 }),
        span({ id: 2, parent: 1, start: 30, end: 90 }),
      ],
      traceId(1),
    );
    const path = criticalPath(tree, traceId(1));
    assert.equal(path.rootKey, key(1));
    assert.deepEqual(sections(path), ['1:20-30', '2:30-90', '1:90-100']);
    assert.ok(!path.keys.has(key(7, infra)));
  });

  it('terminates on a parent cycle that buildTrace cut', () => {
    const tree = buildTrace([span({ id: 1, parent: 2, start: 0, end: 100 }), span({ id: 2, parent: 1, start: 10, end: 50 })]);
    const path = criticalPath(tree);
    assert.deepEqual(sections(path), ['1:0-10', '2:10-50', '1:50-100']);
  });

  it('is empty for an empty trace', () => {
    const path = criticalPath(buildTrace([]));
    assert.equal(path.rootKey, undefined);
    assert.equal(path.sections.length, 0);
  });

  it('handles a 100k-deep chain without recursion', () => {
    const spans = [span({ id: 1, start: 0, end: 200_000 })];
    for (let i = 2; i <= 100_000; i++) spans.push(span({ id: i, parent: i - 1, start: i, end: 200_000 - i }));
    const path = criticalPath(buildTrace(spans));
    assert.equal(path.keys.size, 100_000);
  });
});

describe('selfTimeUs', () => {
  it('subtracts the union of children clipped to the span', () => {
    const parent = span({ id: 1, start: 0, end: 100 });
    const children = [
      span({ id: 2, parent: 1, start: 10, end: 30 }),
      span({ id: 3, parent: 1, start: 20, end: 40 }), // overlaps 2: union 10-40
      span({ id: 4, parent: 1, start: 90, end: 130 }), // clipped to 90-100
      span({ id: 5, parent: 1, start: 50, end: 45 }), // negative: nothing
    ];
    assert.equal(selfTimeUs(parent, children), 100 - 30 - 10);
  });

  it('is the whole duration without children and zero for a negative duration', () => {
    assert.equal(selfTimeUs(span({ id: 1, start: 0, end: 70 }), []), 70);
    assert.equal(selfTimeUs(span({ id: 1, start: 50, end: 40 }), []), 0);
  });
});
