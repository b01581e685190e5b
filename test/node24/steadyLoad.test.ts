// The short variant of the load run (the 10-minute one is `npm run bench`, bench/load.bench.ts):
// 5k spans/s into the trace service with its database, past its in-memory bound. Every batch is
// acknowledged and on disk, memory stays flat once the bound is reached, and the run listing the
// Runs view asks for keeps being answered while spans pour in.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { SpanArchive } from '../../src/server/store/spanArchive';
import { runSteadyLoad } from '../load/runLoad';

const dir = mkdtempSync(join(tmpdir(), 'steady-load-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('takes 5k spans/s for 45 s with flat memory, everything acknowledged on disk, and the runs still listed', { timeout: 180_000 }, async (t) => {
  const archivePath = join(dir, 'traces.sqlite');
  const report = await runSteadyLoad({ node: process.execPath, archivePath, spansPerSecond: 5_000, seconds: 45, maxSpans: 20_000 });
  const curve = report.rssCurve.map(([s, mib]) => `${s.toFixed(0)}s ${mib.toFixed(0)}`).join(', ');
  t.diagnostic(`${report.acknowledgedSpans} of ${report.sentSpans} spans acknowledged at ${Math.round(report.achievedSpansPerSecond)} spans/s; RSS MiB: ${curve}; list ms: ${report.listMs.map((m) => m.toFixed(0)).join(' ')}`);
  assert.ok(report.persisted, 'the trace database is in use');
  assert.equal(report.refusedBatches, 0);
  assert.equal(report.acknowledgedSpans, report.sentSpans);
  assert.ok(report.achievedSpansPerSecond > 4_000, 'the offered rate is taken');
  const opened = SpanArchive.open(archivePath);
  assert.ok(opened.ok);
  assert.equal(opened.archive.stats().spans, report.acknowledgedSpans, 'every acknowledged span is on disk');
  opened.archive.close();
  assert.ok(report.storedSpans <= 20_000, 'memory holds the bound, not everything');
  // Flat once at the bound (20k spans, reached after 4 s) and the heaps have grown to their working
  // size (about 25 s here): the last third no higher than the middle third, give or take.
  const third = (k: number) => report.rssCurve.filter(([s]) => s >= k * 15 && s < (k + 1) * 15).map(([, mib]) => mib);
  const middle = Math.max(...third(1));
  const last = Math.max(...third(2));
  assert.ok(last <= middle * 1.3 + 32, `RSS ${middle.toFixed(0)} → ${last.toFixed(0)} MiB`);
  assert.ok(report.listMs.length >= 35, 'the runs are listed while spans arrive');
  assert.ok(Math.max(...report.listMs) < 5_000, 'no listing waits behind ingest for seconds');
});
