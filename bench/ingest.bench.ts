// Ingest, the extension against Jaeger (issue 17): the same 512-span protobuf batches (the Aliyun
// exporter's shape, ~1.3 MB each, fresh trace ids on every send) POSTed over 4 loopback keep-alive
// connections for a fixed time to
//   - the trace server's receiver as it runs in the editor: bundled by esbuild like dist/server.js,
//     decoding on its worker thread, spans kept in the trace database (node:sqlite, Node 24);
//   - Jaeger v2 v1.75.0 (scripts/ensure-jaeger.sh) with memory storage, and with Badger;
// one after the other (never sharing the CPU), alternated, three rounds; and the extension again
// with the Runs view open (the runs listed every 250 ms during the flood). Spans/s counts spans whose
// request was answered 200 (each side answers once the spans are stored); the extension's count is
// checked against what its store then holds.
//   node --import tsx bench/ingest.bench.ts     INGEST_SECONDS=15 per side and round; JAEGER=0 skips Jaeger;
//   INGEST_SOURCE=<a checkout> measures that checkout's trace server (a before/after comparison).
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startJaeger } from '../test/backends/jaegerProcess';
import { resolveHostTools } from '../test/e2e/harness/hostTools';
import { ask, postBatch, startTarget } from '../test/load/runLoad';
import { FreshBatches } from './freshBatches';
import { ensuredTool } from './ensuredTool';
import { bundleLoadTarget } from './loadTargetBundle';
import { summarise, writeResult } from './stats';

const seconds = Number(process.env['INGEST_SECONDS'] ?? '15');
const rounds = 3;
const connections = 4;
const spansPerBatch = 512;
const source = process.env['INGEST_SOURCE'] ?? join(import.meta.dirname, '..');
/** Whether the measured checkout's load target reports its event-loop delay (older ones do not). */
const measuresLoopDelay = readFileSync(join(source, 'test', 'load', 'loadTarget.ts'), 'utf8').includes('resetLoopDelay');

/** How long the trace server's main thread kept a timer waiting during the flood (what an editor request waits first). */
interface LoopDelay {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

interface Rate {
  readonly spansPerSecond: number;
  readonly acknowledged: number;
  readonly refused: number;
  readonly latencyP50Ms: number;
}

/** Posts fresh batches over `connections` connections for `seconds` after a short warm-up. */
async function measure(otlpUrl: string, seed: number, afterWarmUp: () => Promise<unknown> = () => Promise.resolve()): Promise<Rate> {
  const batches = new FreshBatches(spansPerBatch, 16, seed);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  for (let i = 0; i < 8; i++) await postBatch(agent, otlpUrl, batches.take());
  await afterWarmUp();
  let acknowledged = 0;
  let refused = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() - started < seconds * 1000) {
        const sentAt = performance.now();
        if ((await postBatch(agent, otlpUrl, batches.take())) === 200) acknowledged += spansPerBatch;
        else refused++;
        latencies.push(performance.now() - sentAt);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { spansPerSecond: Math.round(acknowledged / elapsed), acknowledged, refused, latencyP50Ms: Math.round(latencies[Math.floor(latencies.length / 2)] ?? 0) };
}

async function main(): Promise<void> {
  const node24 = join(resolveHostTools().node24BinDir, 'node');
  const dir = mkdtempSync(join(tmpdir(), 'ingest-bench-'));
  try {
    const target = await bundleLoadTarget(source, dir);
    let jaegerBinary: string | undefined;
    if (process.env['JAEGER'] !== '0') {
      jaegerBinary = ensuredTool('ensure-jaeger.sh');
      if (jaegerBinary === undefined) throw new Error('scripts/ensure-jaeger.sh failed: no Jaeger to compare with');
    }
    const results: Record<'extension' | 'extensionRunsViewOpen' | 'jaegerMemory' | 'jaegerBadger', Rate[]> = { extension: [], extensionRunsViewOpen: [], jaegerMemory: [], jaegerBadger: [] };
    const listings: ReturnType<typeof summarise>[] = [];
    let stored: number[] = [];
    const loopDelays: LoopDelay[] = [];
    for (let round = 0; round < rounds; round++) {
      const child = startTarget(node24, join(dir, `round-${round}.sqlite`), { LOAD_MAX_SPANS: '500000', LOAD_TARGET: target });
      try {
        const { ready } = await ask(child, {}, 'ready');
        // The main thread's event-loop delay is measured over the flood only (a checkout without it answers nothing).
        const rate = await measure(ready!.url, 1 + round, () => (measuresLoopDelay ? ask(child, { resetLoopDelay: true }, 'reset') : Promise.resolve()));
        const { stats } = (await ask(child, { stats: true }, 'stats')) as { stats?: { archived?: number; eventLoopDelayMs?: LoopDelay } };
        const archived = stats?.archived ?? 0;
        stored = [...stored, archived];
        results.extension.push(rate);
        if (stats?.eventLoopDelayMs !== undefined) {
          loopDelays.push(stats.eventLoopDelayMs);
          console.log(`round ${round + 1}: the trace server's main thread during the flood: event-loop delay p50 ${stats.eventLoopDelayMs.p50} ms, p99 ${stats.eventLoopDelayMs.p99} ms, max ${stats.eventLoopDelayMs.max} ms`);
        }
        // Every acknowledged span (the warm-up's too) must be in the database.
        if (archived < rate.acknowledged) throw new Error(`only ${archived} of ${rate.acknowledged} acknowledged spans are in the trace database`);
        console.log(`round ${round + 1}: extension (trace database on) ${rate.spansPerSecond.toLocaleString('en-US')} spans/s, p50 ${rate.latencyP50Ms} ms per batch${rate.refused ? `, ${rate.refused} refused` : ''}; ${archived.toLocaleString('en-US')} spans in its database`);
      } finally {
        const exited = once(child, 'exit');
        child.disconnect();
        await exited;
      }
      // The same flood with the Runs view open: the trace server announces changed runs every 250 ms
      // and the view lists them again on each, so the runs are listed every 250 ms, one at a time.
      const viewing = startTarget(node24, join(dir, `round-${round}-viewed.sqlite`), { LOAD_MAX_SPANS: '500000', LOAD_TARGET: target });
      try {
        const { ready } = await ask(viewing, {}, 'ready');
        const listMs: number[] = [];
        let flooding = true;
        const lister = (async () => {
          while (flooding) {
            const asked = performance.now();
            const { listed } = await ask(viewing, { list: true }, 'listed');
            listMs.push(listed!.ms);
            await new Promise((resolve) => setTimeout(resolve, Math.max(0, 250 - (performance.now() - asked))));
          }
        })();
        const rate = await measure(ready!.url, 50 + round).finally(() => (flooding = false));
        await lister;
        results.extensionRunsViewOpen.push(rate);
        const list = summarise(listMs);
        listings.push(list);
        console.log(`round ${round + 1}: extension with the Runs view open ${rate.spansPerSecond.toLocaleString('en-US')} spans/s; its ${list.n} listings p50 ${list.p50} ms, p95 ${list.p95} ms, max ${list.max} ms`);
      } finally {
        const exited = once(viewing, 'exit');
        viewing.disconnect();
        await exited;
      }
      if (jaegerBinary === undefined) continue;
      for (const storage of ['memory', 'badger'] as const) {
        const jaeger = await startJaeger(jaegerBinary, { maxTraces: 1_000_000, storage });
        try {
          const rate = await measure(jaeger.otlp, 100 + round * 2 + (storage === 'badger' ? 1 : 0));
          results[storage === 'memory' ? 'jaegerMemory' : 'jaegerBadger'].push(rate);
          console.log(`round ${round + 1}: Jaeger v2 v1.75.0 (${storage}) ${rate.spansPerSecond.toLocaleString('en-US')} spans/s, p50 ${rate.latencyP50Ms} ms per batch${rate.refused ? `, ${rate.refused} refused` : ''}`);
        } finally {
          // Badger may compact for minutes on SIGTERM; the measurement is over.
          await jaeger.stopAndWait();
        }
      }
    }
    const median = (rates: readonly Rate[]) => [...rates].map((r) => r.spansPerSecond).sort((a, b) => a - b)[Math.floor((rates.length - 1) / 2)] ?? 0;
    const ours = median(results.extension);
    const ratioMemory = results.jaegerMemory.length > 0 ? ours / median(results.jaegerMemory) : undefined;
    const ratioBadger = results.jaegerBadger.length > 0 ? ours / median(results.jaegerBadger) : undefined;
    console.log(`ingest with the Runs view open, median of ${rounds} rounds: ${median(results.extensionRunsViewOpen).toLocaleString('en-US')} spans/s`);
    console.log(`ingest, median of ${rounds} rounds: extension ${ours.toLocaleString('en-US')} spans/s; ×${ratioMemory?.toFixed(2) ?? '–'} Jaeger (memory), ×${ratioBadger?.toFixed(2) ?? '–'} Jaeger (Badger); goal ≥ 2× with the trace database on`);
    writeResult('ingest', {
      source: process.env['INGEST_SOURCE'] === undefined ? 'this checkout' : 'INGEST_SOURCE',
      seconds,
      rounds,
      connections,
      spansPerBatch,
      extensionSpansPerSecond: results.extension.map((r) => r.spansPerSecond),
      extensionStoredSpans: stored,
      jaegerMemorySpansPerSecond: results.jaegerMemory.map((r) => r.spansPerSecond),
      jaegerBadgerSpansPerSecond: results.jaegerBadger.map((r) => r.spansPerSecond),
      latencyP50Ms: { extension: results.extension.map((r) => r.latencyP50Ms), jaegerMemory: results.jaegerMemory.map((r) => r.latencyP50Ms), jaegerBadger: results.jaegerBadger.map((r) => r.latencyP50Ms) },
      extensionEventLoopDelayMs: loopDelays,
      extensionRunsViewOpenSpansPerSecond: results.extensionRunsViewOpen.map((r) => r.spansPerSecond),
      runsViewListMs: listings,
      refusedBatches: { extension: results.extension.map((r) => r.refused), jaegerMemory: results.jaegerMemory.map((r) => r.refused), jaegerBadger: results.jaegerBadger.map((r) => r.refused) },
      ratioToJaegerMemory: ratioMemory === undefined ? null : Math.round(ratioMemory * 100) / 100,
      ratioToJaegerBadger: ratioBadger === undefined ? null : Math.round(ratioBadger * 100) / 100,
      goal: '≥ 2× Jaeger v2 v1.75.0 with the trace database on',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
