// The decode thread writes the spans it decodes to the trace database (node:sqlite; this tier runs on
// Node 24), so the trace server's main thread does not; and when it cannot, the main thread does.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import { ExportTraceServiceRequestSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { traceRequestOf } from '../../src/server/exchange/modelToOtlp';
import { WorkerDecoder } from '../../src/server/receiver/workerDecoder';
import { SpanArchive } from '../../src/server/store/spanArchive';
import { TraceService } from '../../src/server/traceService';
import { apiResource, span, traceId } from '../unit/spanBuilder';

const dir = mkdtempSync(join(tmpdir(), 'decode-writes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const spansOf = (trace: number, count: number) => Array.from({ length: count }, (_, i) => span({ trace: traceId(trace), id: i + 1, name: `span ${i}`, resource: apiResource, start: 1_796_000_000_000_000 + i }));
const body = (trace: number, count: number): Buffer => Buffer.from(toBinary(ExportTraceServiceRequestSchema, traceRequestOf(spansOf(trace, count))));

/** What a separate connection finds of a trace in the database. */
function storedOf(path: string, trace: number): number {
  const opened = SpanArchive.open(path);
  assert.ok(opened.ok, opened.ok ? '' : opened.reason);
  try {
    return opened.archive.spansOf([traceId(trace)]).length;
  } finally {
    opened.archive.close();
  }
}

describe('decode thread writing to the trace database', () => {
  it('has the spans committed before it hands them over, and stops writing when told', async () => {
    const path = join(dir, 'writes.sqlite');
    const opened = SpanArchive.open(path);
    assert.ok(opened.ok, opened.ok ? '' : opened.reason);
    opened.archive.close();
    const decoder = new WorkerDecoder();
    try {
      decoder.writeSpansTo(path);
      const written = await decoder.traces(body(1, 40), 'protobuf');
      assert.equal(written.writtenTo, path);
      assert.equal(written.spans.length, 40);
      assert.equal(storedOf(path, 1), 40, 'on disk when the decoder answers');
      decoder.writeSpansTo(undefined);
      const kept = await decoder.traces(body(2, 5), 'protobuf');
      assert.equal(kept.writtenTo, undefined);
      assert.equal(storedOf(path, 2), 0);
    } finally {
      await decoder.close();
    }
  });

  it('hands the spans back with the reason when the database cannot be written, and the trace server writes them itself, saying so once', async () => {
    const notADatabase = join(dir, 'a-directory');
    mkdirSync(notADatabase);
    const decoder = new WorkerDecoder();
    try {
      decoder.writeSpansTo(notADatabase);
      const failed = await decoder.traces(body(3, 4), 'protobuf');
      assert.equal(failed.writtenTo, undefined);
      assert.match(failed.writeFailure ?? '', /./);
      assert.equal(failed.spans.length, 4, 'decoded all the same');
    } finally {
      await decoder.close();
    }
    const path = join(dir, 'fallback.sqlite');
    const logged: string[] = [];
    const service = new TraceService({ receiver: { enabled: false, host: '127.0.0.1', port: 0, maxBodyMiB: 20 }, store: { maxSpans: 10_000, archivePath: path } }, { runsChanged: () => {}, statusChanged: () => {}, log: (m) => logged.push(m) });
    await service.start();
    try {
      service.ingest(spansOf(4, 3), new Map(), { writeFailure: 'database is locked' });
      service.ingest(spansOf(5, 2), new Map(), { writeFailure: 'database is locked' });
      // Written elsewhere already (the decode thread): not written again here.
      service.ingest(spansOf(6, 2), new Map(), { writtenTo: path });
    } finally {
      service.close();
      await service.stop();
    }
    assert.equal(storedOf(path, 4), 3);
    assert.equal(storedOf(path, 5), 2);
    assert.equal(storedOf(path, 6), 0);
    assert.equal(logged.filter((m) => /decode thread could not write .*database is locked.*writes them itself/.test(m)).length, 1, logged.join('\n'));
  });

  it('lets the main thread write its runs in turn while the decode thread writes batch after batch', { timeout: 60_000 }, async () => {
    const path = join(dir, 'turns.sqlite');
    const decoder = new WorkerDecoder({ maxQueued: 64 });
    const opened = SpanArchive.open(path, decoder.mainWriteTurn);
    assert.ok(opened.ok, opened.ok ? '' : opened.reason);
    const archive = opened.archive;
    try {
      decoder.writeSpansTo(path);
      // Enough batches to keep the decode thread writing for a while, two posted ahead at any time.
      const batches = Array.from({ length: 40 }, (_, b) => decoder.traces(body(100 + b, 300), 'protobuf'));
      let settled = false;
      void Promise.all(batches).finally(() => (settled = true));
      let mainWrites = 0;
      while (!settled) {
        // What the run index writes every second, here as often as the event loop lets it.
        archive.putRuns([{ traceId: traceId(100 + (mainWrites % 40)), body: '{}' }]);
        mainWrites++;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const written = await Promise.all(batches);
      assert.ok(written.every((w) => w.writtenTo === path), written.map((w) => w.writeFailure).find((f) => f !== undefined));
      assert.ok(mainWrites >= 20, `the main thread wrote ${mainWrites} times meanwhile`);
      assert.equal(storedOf(path, 139), 300);
    } finally {
      archive.close();
      await decoder.close();
    }
  });
});
