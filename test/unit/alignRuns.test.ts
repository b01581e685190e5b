import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignRuns, type NodeExecution } from '../../src/dify/compare/alignRuns';

let nextSpan = 1;
/** A node execution starting at `at` ms of its run, lasting `ms`. */
function node(title: string, at: number, fields: Partial<NodeExecution> = {}): NodeExecution {
  return { title, startUs: at * 1000, durationUs: 10_000, selfTimeUs: 5_000, status: 'ok', span: { traceId: 't', spanId: String(nextSpan++) }, ...fields };
}
const summary = (rows: ReturnType<typeof alignRuns>['rows']): string[] => rows.map((r) => `${r.change} ${r.before?.title ?? '-'} → ${r.now?.title ?? '-'}`);

describe('alignRuns (Compare Runs)', () => {
  it('lines up two runs of the same graph: nothing diverges, the deltas are per node', () => {
    const before = [node('Start', 0), node('Plan Trip', 10, { nodeType: 'llm', tokens: 300, durationUs: 900_000 }), node('End', 950)];
    const now = [node('Start', 0), node('Plan Trip', 10, { nodeType: 'llm', tokens: 420, durationUs: 1_400_000 }), node('End', 1500)];
    const { rows, firstDivergence } = alignRuns(before, now);
    assert.deepEqual(summary(rows), ['same Start → Start', 'same Plan Trip → Plan Trip', 'same End → End']);
    assert.equal(firstDivergence, -1);
    assert.equal(rows[1]!.durationDeltaUs, 500_000);
    assert.equal(rows[1]!.tokensDelta, 120);
    assert.equal(rows[0]!.tokensDelta, undefined, 'not recorded on either side: no delta');
  });

  it('keeps a renamed node on its row when its graph id is recorded', () => {
    const { rows, firstDivergence } = alignRuns([node('Get Weather', 5, { nodeId: 'n1' })], [node('Fetch Forecast', 5, { nodeId: 'n1' })]);
    assert.deepEqual(summary(rows), ['changed Get Weather → Fetch Forecast']);
    assert.deepEqual(rows[0]!.differences, ['title']);
    assert.equal(firstDivergence, 0);
  });

  it('shows a node only one run ran as added or removed, where it ran, and lands on the first', () => {
    const before = [node('Start', 0), node('Check Budget', 20), node('Answer', 40)];
    const now = [node('Start', 0), node('Get Weather', 10, { nodeType: 'tool' }), node('Answer', 50)];
    const { rows, firstDivergence } = alignRuns(before, now);
    // A removed node right after the node it followed in the run before.
    assert.deepEqual(summary(rows), ['same Start → Start', 'removed Check Budget → -', 'added - → Get Weather', 'same Answer → Answer']);
    assert.equal(firstDivergence, 1);
  });

  it('places removed nodes by the order they ran in, whatever either run\'s clock says', () => {
    // The run now is slower: its Get Weather starts after the run before had finished.
    const before = [node('Start', 0), node('Get Weather', 10), node('Build Itinerary', 20), node('End', 30)];
    const now = [node('Start', 0), node('Get Weather', 500, { status: 'error' })];
    const { rows, firstDivergence } = alignRuns(before, now);
    assert.deepEqual(summary(rows), ['same Start → Start', 'changed Get Weather → Get Weather', 'removed Build Itinerary → -', 'removed End → -']);
    assert.equal(firstDivergence, 1);
  });

  it('matches iteration items by index, and shows the extra items of the longer run as added', () => {
    // Phoenix and Langfuse record the item index; Aliyun does not (its items are told apart by order).
    for (const recorded of [true, false]) {
      const items = (count: number, failAt?: number) => Array.from({ length: count }, (_, i) => node('Fetch City', 10 + i, { ...(recorded ? { nodeId: 'fetch', itemIndex: i } : {}), ...(i === failAt ? { status: 'error' as const, error: "KeyError: 'max_temp_c'" } : {}) }));
      const { rows, firstDivergence } = alignRuns([node('Start', 0), ...items(3)], [node('Start', 0), ...items(5, 3)]);
      assert.deepEqual(rows.map((r) => r.change), ['same', 'same', 'same', 'same', 'added', 'added'], recorded ? 'indices recorded' : 'by order');
      assert.equal(firstDivergence, 4, 'the fourth item, which the shorter run never ran');
    }
  });

  it('pairs the items of a parallel iteration by their recorded index, not by the order they started in', () => {
    const before = [node('Fetch City', 10, { itemIndex: 0 }), node('Fetch City', 11, { itemIndex: 1 })];
    const now = [node('Fetch City', 10, { itemIndex: 1, status: 'error' }), node('Fetch City', 11, { itemIndex: 0 })];
    const { rows } = alignRuns(before, now);
    assert.deepEqual(rows.map((r) => [r.before?.itemIndex, r.now?.itemIndex, r.change]), [[1, 1, 'changed'], [0, 0, 'same']]);
  });

  it('lands on the first node that took another path (its status), past nodes whose outputs only differ', () => {
    const before = [node('Start', 0, { outputDigest: 'city=Paris' }), node('Plan Trip', 10, { outputDigest: 'a' }), node('Get Weather', 20), node('Answer', 30)];
    const now = [node('Start', 0, { outputDigest: 'city=Oslo' }), node('Plan Trip', 10, { outputDigest: 'b' }), node('Get Weather', 20, { status: 'error', error: 'boom' }), node('Answer', 30, { status: 'unset' })];
    const { rows, firstDivergence } = alignRuns(before, now);
    assert.equal(firstDivergence, 2);
    assert.deepEqual(rows[1]!.differences, ['output']);
    assert.deepEqual(rows[2]!.differences, ['status']);
    // With the same path, the first output that differs.
    assert.equal(alignRuns(before.slice(0, 2), now.slice(0, 2)).firstDivergence, 0);
    // Outputs compared only when both spans hold them.
    assert.equal(alignRuns([node('X', 0, { outputDigest: 'a' })], [node('X', 0)]).firstDivergence, -1);
  });

  it('gives a node run twice for the same item a row of its own (a retry)', () => {
    const { rows } = alignRuns([node('Call API', 5, { itemIndex: 0 })], [node('Call API', 5, { itemIndex: 0, status: 'error' }), node('Call API', 8, { itemIndex: 0 })]);
    assert.deepEqual(rows.map((r) => r.change), ['changed', 'added']);
  });
});
