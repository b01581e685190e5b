// Load on the embedded backend (issue 14): 5k spans/s for 10 minutes into the trace service with its
// database, RSS reported as a curve and the run listing timed while it ingests; then the peak rate
// it sustains into the durable store, against Jaeger v2 v1.75.0 with Badger (its embedded on-disk
// store) on the same machine, alternated A/B in the same run.
//   node --import tsx bench/load.bench.ts      LOAD_SECONDS=60 for a quick run; JAEGER=0 to skip Jaeger
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { difyBatch } from './difyBatch';
import { startJaeger } from '../test/backends/jaegerProcess';
import { summarise, writeResult } from './stats';
import { ensuredTool } from './ensuredTool';
import { resolveHostTools } from '../test/e2e/harness/hostTools';
import { ask, postBatch, runSteadyLoad, startTarget } from '../test/load/runLoad';

const steadySeconds = Number(process.env['LOAD_SECONDS'] ?? '600');
const peakSeconds = Number(process.env['PEAK_SECONDS'] ?? '20');
const rounds = 2;
const peakBatch = 512;
const peakConnections = 4;

/** Acknowledged spans per second when `connections` senders post 512-span batches back to back for `seconds`. */
async function peakRate(otlpUrl: string, seconds: number, offset: number): Promise<{ spansPerSecond: number; refused: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: peakConnections });
  const bodies = Array.from({ length: 16 }, (_, i) => difyBatch(offset + i, peakBatch, offset * 100));
  let acknowledged = 0;
  let refused = 0;
  let n = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: peakConnections }, async () => {
    while (performance.now() - started < seconds * 1000) {
      // Fresh trace ids each time (offset by batch number), so neither side dedupes.
      const body = n < 16 ? bodies[n]! : difyBatch(offset + n, peakBatch, offset * 100);
      n++;
      if ((await postBatch(agent, otlpUrl, body)) === 200) acknowledged += peakBatch;
      else refused++;
    }
  }));
  agent.destroy();
  return { spansPerSecond: acknowledged / ((performance.now() - started) / 1000), refused };
}

async function main(): Promise<void> {
  const node24 = join(resolveHostTools().node24BinDir, 'node');
  const dir = mkdtempSync(join(tmpdir(), 'load-bench-'));
  try {
    console.log(`steady: 5,000 spans/s for ${steadySeconds} s into the trace service with its database…`);
    const steady = await runSteadyLoad({ node: node24, archivePath: join(dir, 'steady.sqlite'), spansPerSecond: 5_000, seconds: steadySeconds, sampleEveryMs: 5_000 });
    const curve = steady.rssCurve.filter((_, i) => i % 6 === 0).map(([s, mib]) => `${Math.round(s)}s ${Math.round(mib)}`);
    const half = steady.rssCurve.filter(([s]) => s >= steadySeconds / 2).map(([, m]) => m);
    const list = summarise(steady.listMs);
    console.log(`  ${steady.acknowledgedSpans.toLocaleString('en-US')} of ${steady.sentSpans.toLocaleString('en-US')} spans acknowledged (${Math.round(steady.achievedSpansPerSecond)} spans/s), ${steady.refusedBatches} batches refused`);
    console.log(`  RSS MiB every 30 s: ${curve.join(', ')}; second half ${Math.round(Math.min(...half))}–${Math.round(Math.max(...half))}`);
    console.log(`  list runs while ingesting: p50 ${list.p50} ms, p95 ${list.p95} ms, max ${list.max} ms`);

    let jaegerBinary: string | undefined;
    let jaegerNote: string | undefined;
    if (process.env['JAEGER'] !== '0') {
      jaegerBinary = ensuredTool('ensure-jaeger.sh');
      if (jaegerBinary === undefined) jaegerNote = 'Jaeger could not be built (scripts/ensure-jaeger.sh failed); no comparison.';
    } else jaegerNote = 'JAEGER=0: comparison skipped.';

    const ours: number[] = [];
    const theirs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const target = startTarget(node24, join(dir, `peak-${round}.sqlite`), { LOAD_MAX_SPANS: '500000' });
      const { ready } = await ask(target, {}, 'ready');
      const mine = await peakRate(ready!.url, peakSeconds, 1_000 + round * 10_000);
      // Gone before the other side runs: the two must not share the CPU.
      const exited = once(target, 'exit');
      target.disconnect();
      await exited;
      ours.push(mine.spansPerSecond);
      console.log(`peak round ${round + 1}: embedded (SQLite) ${Math.round(mine.spansPerSecond).toLocaleString('en-US')} spans/s${mine.refused ? `, ${mine.refused} refused` : ''}`);
      if (jaegerBinary === undefined) continue;
      const jaeger = await startJaeger(jaegerBinary, { maxTraces: 1_000_000, storage: 'badger' });
      try {
        const other = await peakRate(jaeger.otlp, peakSeconds, 5_000 + round * 10_000);
        theirs.push(other.spansPerSecond);
        console.log(`peak round ${round + 1}: Jaeger v2 (Badger) ${Math.round(other.spansPerSecond).toLocaleString('en-US')} spans/s${other.refused ? `, ${other.refused} refused` : ''}`);
      } finally {
        // Badger can spend minutes compacting on SIGTERM; the measurement is over, so it is not waited for.
        await jaeger.stopAndWait();
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
    const ratio = theirs.length > 0 ? median(ours) / median(theirs) : undefined;
    if (ratio !== undefined) console.log(`peak sustained rate, embedded / Jaeger Badger: ${ratio.toFixed(2)}×`);
    if (jaegerNote) console.log(jaegerNote);
    writeResult('load', {
      steady: {
        offeredSpansPerSecond: 5_000,
        seconds: steadySeconds,
        achievedSpansPerSecond: Math.round(steady.achievedSpansPerSecond),
        sentSpans: steady.sentSpans,
        acknowledgedSpans: steady.acknowledgedSpans,
        refusedBatches: steady.refusedBatches,
        rssMiB: steady.rssCurve.map(([s, m]) => [Math.round(s), Math.round(m)]),
        listRunsMs: list,
      },
      peak: { batchSpans: peakBatch, connections: peakConnections, seconds: peakSeconds, embeddedSqliteSpansPerSecond: ours.map(Math.round), jaegerBadgerSpansPerSecond: theirs.map(Math.round), ratio: ratio === undefined ? null : Math.round(ratio * 100) / 100, jaeger: jaegerNote ?? 'v1.75.0 (scripts/ensure-jaeger.sh), Badger storage' },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
