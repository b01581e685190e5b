// The trace database's write-ahead log is copied into the database by a thread of its own
// (WalCheckpointer), so that the thread committing received spans does not do it; under a steady
// stream of batches the log is still started over once it grows past its bound.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SpanArchive } from '../../src/server/store/spanArchive';
import { WalCheckpointer } from '../../src/server/store/walCheckpointer';
import { waitUntil } from '../e2e/harness/processGroup';
import { apiResource, span, traceId } from '../unit/spanBuilder';

const dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A batch of one trace whose spans carry ~2 KB of text each, as Dify's node inputs and outputs do. */
const batch = (trace: number) => Array.from({ length: 50 }, (_, i) => span({ trace: traceId(trace), id: i + 1, name: `node ${i}`, resource: apiResource, start: 1_796_000_000_000_000 + i, attributes: { 'input.value': `prompt ${trace} ${i} `.repeat(120) } }));

describe('WalCheckpointer', () => {
  it('copies the log into the database and starts it over past its bound, while a writer that leaves checkpoints to it keeps committing', async () => {
    const path = join(dir, 'traces.sqlite');
    const opened = SpanArchive.open(path);
    assert.ok(opened.ok, opened.ok ? '' : opened.reason);
    const archive = opened.archive;
    // As the decode thread's connection: checkpoints only as a far safety net.
    const writer = SpanArchive.attach(path, { begin: () => {}, end: () => {} });
    archive.checkpointElsewhere();
    // 16 KiB pages: 32 pages are 512 KiB of log; the batches below write several MiB.
    const checkpointer = WalCheckpointer.start(path, 5, 32);
    assert.ok(checkpointer, 'the thread started');
    const wal = `${path}-wal`;
    let largest = 0;
    let startedOver = false;
    try {
      for (let trace = 1; trace <= 60; trace++) {
        writer.add(batch(trace));
        const size = existsSync(wal) ? statSync(wal).size : 0;
        if (size < largest) startedOver = true;
        largest = Math.max(largest, size);
        // Between batches the event loop turns, as between received requests.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await waitUntil(10_000, () => Promise.resolve(startedOver || (existsSync(wal) && statSync(wal).size < largest)), 'timed out waiting for the log to be started over (truncated)');
      assert.equal(archive.spansOf(Array.from({ length: 60 }, (_, i) => traceId(i + 1))).length, 60 * 50, 'every committed span is there');
    } finally {
      checkpointer?.stop();
      writer.close();
      archive.close();
    }
    const again = SpanArchive.open(path);
    assert.ok(again.ok);
    try {
      assert.equal(again.archive.stats().spans, 60 * 50, 'and after reopening');
    } finally {
      again.archive.close();
    }
  });
});
