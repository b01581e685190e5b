import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInTurns, runToEnd, type Steps } from '../../src/server/turns';
import { toTraceSnapshot } from '../../src/shared/traceSnapshotCodec';
import { layoutTrace, layoutTraceInTurns, outlineChunk } from '../../src/server/traceView/traceLayout';
import { span } from './spanBuilder';

function* counted(log: string[], parts: number): Steps<number> {
  for (let i = 0; i < parts; i++) {
    log.push(`part ${i}`);
    if (i < parts - 1) yield;
  }
  return parts;
}

describe('work in turns (the trace server answers requests between the parts of long work)', () => {
  it('runToEnd does every part at once; runInTurns lets waiting callbacks run between parts', async () => {
    const atOnce: string[] = [];
    assert.equal(runToEnd(counted(atOnce, 3)), 3);
    assert.deepEqual(atOnce, ['part 0', 'part 1', 'part 2']);

    const log: string[] = [];
    // A request that arrived while the work started: it is answered before the work ends.
    setImmediate(() => log.push('request'));
    assert.equal(await runInTurns(counted(log, 3)), 3);
    assert.ok(log.indexOf('request') > 0 && log.indexOf('request') < log.length - 1, log.join(', '));
  });

  it('a layout made in turns is the layout made at once', async () => {
    const spans = Array.from({ length: 60_000 }, (_, i) => span({ id: i + 1, ...(i === 0 ? {} : { parent: Math.floor((i - 1) / 3) + 1 }), name: `s${i % 50}`, start: i, end: i + 100, ...(i % 997 === 5 ? { error: 'boom' } : {}) }));
    const snapshot = toTraceSnapshot([spans[0]!.traceId], spans, [], undefined);
    const inTurns = await layoutTraceInTurns(snapshot, 't:1', 20_000);
    const atOnce = layoutTrace(snapshot, 't:1', 20_000);
    assert.deepEqual(inTurns.header, atOnce.header);
    assert.equal(inTurns.header.spanCount, 60_000);
    for (let c = 0; c < atOnce.header.chunkCount; c++) assert.deepEqual(outlineChunk(inTurns, c), outlineChunk(atOnce, c));
  });
});
