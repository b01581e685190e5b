// Memory per stored span (issue 17): the same ~1M spans (512-span protobuf batches of the Aliyun
// exporter's shape, bench/freshBatches.ts, the same seed on each side) POSTed over 4 loopback
// connections to
//   - the trace server as it runs in the editor (bundled, decode thread, trace database on, the
//     default memory bounds: 500k spans / 512 MiB in memory, the rest on disk);
//   - Jaeger v2 v1.75.0 (scripts/ensure-jaeger.sh) with memory storage, and with Badger;
// one after the other. RSS is read before the first batch and once every batch is acknowledged
// (and again 5 s later, for what a collector gives back); growth / spans is the figure. Then each
// side gets bench/traceView's 100k-span run and opens it (our trace view lays it out as for the
// panel; Jaeger's query API reads both its traces, as Jaeger UI does): RSS 5 s later, the figure
// the memory goal names (1M spans stored and a 100k-span run open).
//   node --import tsx bench/memory.bench.ts      MEMORY_SPANS=1000000; JAEGER=0 skips Jaeger
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startJaeger } from '../test/backends/jaegerProcess';
import { resolveHostTools } from '../test/e2e/harness/hostTools';
import { ask, postBatch, startTarget } from '../test/load/runLoad';
import { FreshBatches } from './freshBatches';
import { ensuredTool } from './ensuredTool';
import { bundleLoadTarget } from './loadTargetBundle';
import { writeResult } from './stats';
import { rssMiB } from './traceView/processMemory';
import { postBatches } from './traceView/jaegerUi';
import { largeDifyTrace } from '../test/largeTrace/largeTrace';

const spansWanted = Number(process.env['MEMORY_SPANS'] ?? 1_000_000);
const spansPerBatch = 512;
const batchCount = Math.ceil(spansWanted / spansPerBatch);
const connections = 4;
const settleMs = 5_000;

interface Side {
  readonly spans: number;
  readonly rssBeforeMiB: number;
  readonly rssAfterMiB: number;
  readonly rssSettledMiB: number;
  readonly bytesPerSpan: number;
  readonly seconds: number;
}

/** Posts every batch once, each until it is acknowledged (a 503 "retry later" is retried after a pause). */
async function postAll(url: string): Promise<number> {
  const batches = new FreshBatches(spansPerBatch, 16, 42);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  let next = 0;
  let acknowledged = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < batchCount) {
        next++;
        // Copied: the pool's buffers are rewritten for the next batch while this one may be retried.
        const body = Buffer.from(batches.take());
        for (let attempt = 0; ; attempt++) {
          const status = await postBatch(agent, url, body);
          if (status === 200) break;
          if (attempt > 50) throw new Error(`a batch was refused 50 times (last status ${status})`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        acknowledged += spansPerBatch;
      }
    }),
  );
  agent.destroy();
  return acknowledged;
}

async function measure(post: () => Promise<number>, rss: () => number | undefined): Promise<Side> {
  const rssBeforeMiB = rss() ?? Number.NaN;
  const started = performance.now();
  const spans = await post();
  const seconds = (performance.now() - started) / 1000;
  const rssAfterMiB = rss() ?? Number.NaN;
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const rssSettledMiB = rss() ?? Number.NaN;
  return { spans, rssBeforeMiB, rssAfterMiB, rssSettledMiB, bytesPerSpan: Math.round(((rssSettledMiB - rssBeforeMiB) * 2 ** 20) / spans), seconds: Math.round(seconds) };
}

/** The 100k-span run of bench/traceView (the app trace and the infrastructure trace it links to), sent after the ~1M spans. */
const largeRun = largeDifyTrace({ spanTarget: 100_000 });

interface RunOpen {
  /** RSS once the run was received and opened, and 5 s later. */
  readonly rssOpenMiB: number;
  readonly openMs: number;
}

/** Sends the large run, opens it (`open`), and reads RSS after the settle time. */
async function openLargeRun(otlpUrl: string, open: () => Promise<void>, rss: () => number | undefined): Promise<RunOpen> {
  await postBatches(otlpUrl, largeRun.batches);
  const started = performance.now();
  await open();
  const openMs = Math.round(performance.now() - started);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  return { rssOpenMiB: rss() ?? Number.NaN, openMs };
}

const openLine = (name: string, o: RunOpen): string => `${name}: the ${largeRun.spanCount.toLocaleString('en-US')}-span run received and opened in ${o.openMs} ms; RSS ${o.rssOpenMiB} MiB ${settleMs / 1000} s later`;

const line = (name: string, s: Side): string => `${name}: ${s.spans.toLocaleString('en-US')} spans in ${s.seconds} s; RSS ${Math.round(s.rssBeforeMiB)} → ${Math.round(s.rssAfterMiB)} MiB (${Math.round(s.rssSettledMiB)} after ${settleMs / 1000} s) = ${s.bytesPerSpan} B/span`;

async function main(): Promise<void> {
  const node24 = join(resolveHostTools().node24BinDir, 'node');
  const dir = mkdtempSync(join(tmpdir(), 'memory-bench-'));
  try {
    const target = await bundleLoadTarget(join(import.meta.dirname, '..'), dir);
    // The default bounds of difyTrace.store (500k spans, 512 MiB): beyond them spans are on disk only.
    const child = startTarget(node24, join(dir, 'traces.sqlite'), { LOAD_TARGET: target, LOAD_MAX_SPANS: '500000' });
    let extension: Side;
    let extensionOpen: RunOpen;
    try {
      const { ready } = await ask(child, {}, 'ready');
      extension = await measure(() => postAll(ready!.url), () => rssMiB(child.pid));
      const { stats } = (await ask(child, { stats: true }, 'stats')) as { stats?: { archived?: number; spans?: number } };
      if ((stats?.archived ?? 0) < extension.spans) throw new Error(`only ${stats?.archived} of ${extension.spans} acknowledged spans are in the trace database`);
      console.log(`${line('extension (trace database on, default memory bounds)', extension)}; ${stats?.spans?.toLocaleString('en-US')} of them in memory`);
      extensionOpen = await openLargeRun(ready!.url, async () => {
        const { opened } = await ask(child, { open: largeRun.appTraceId }, 'opened');
        if ((opened?.spans ?? 0) < largeRun.spanCount) throw new Error(`the run opened with ${opened?.spans} of its ${largeRun.spanCount} spans`);
      }, () => rssMiB(child.pid));
      console.log(openLine('extension', extensionOpen));
    } finally {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    }
    const jaeger: Partial<Record<'memory' | 'badger', Side>> = {};
    const jaegerOpen: Partial<Record<'memory' | 'badger', RunOpen>> = {};
    const jaegerRefused: Partial<Record<'memory' | 'badger', string>> = {};
    if (process.env['JAEGER'] !== '0') {
      const binary = ensuredTool('ensure-jaeger.sh');
      if (binary === undefined) throw new Error('scripts/ensure-jaeger.sh failed: no Jaeger to compare with');
      for (const storage of ['memory', 'badger'] as const) {
        const server = await startJaeger(binary, { maxTraces: 1_000_000, storage });
        try {
          jaeger[storage] = await measure(() => postAll(server.otlp), () => rssMiB(server.process.pid));
          console.log(line(`Jaeger v2 v1.75.0 (${storage})`, jaeger[storage]));
          // Opened as Jaeger UI opens a trace: its query API reads it (both halves of the run).
          try {
            jaegerOpen[storage] = await openLargeRun(server.otlp, async () => {
              for (const id of [largeRun.appTraceId, largeRun.infraTraceId]) {
                const r = await fetch(`${server.query}/api/traces/${id}`);
                if (!r.ok) throw new Error(`Jaeger's GET /api/traces/${id}: HTTP ${r.status}`);
                await r.arrayBuffer();
              }
            }, () => rssMiB(server.process.pid));
            console.log(openLine(`Jaeger v2 v1.75.0 (${storage})`, jaegerOpen[storage]));
          } catch (e) {
            // Badger refuses spans whose index key (a tag's value) passes its 65,000-byte limit: the run's LLM spans do.
            jaegerRefused[storage] = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.replace(/[^\x20-\x7e]/g, '').slice(0, 200);
            console.log(`Jaeger v2 v1.75.0 (${storage}): the ${largeRun.spanCount.toLocaleString('en-US')}-span run was refused: ${jaegerRefused[storage]}`);
          }
        } finally {
          await server.stopAndWait();
        }
      }
    }
    const ratio = (other: Side | undefined): number | null => (other === undefined ? null : Math.round((extension.bytesPerSpan / other.bytesPerSpan) * 100) / 100);
    console.log(`memory per stored span: extension ${extension.bytesPerSpan} B; ×${ratio(jaeger.memory) ?? '–'} Jaeger (memory), ×${ratio(jaeger.badger) ?? '–'} Jaeger (Badger); goal ≤ 1×`);
    const openRatio = (other: RunOpen | undefined): number | null => (other === undefined ? null : Math.round((extensionOpen.rssOpenMiB / other.rssOpenMiB) * 100) / 100);
    console.log(`RSS with ~1M spans stored and a ${largeRun.spanCount.toLocaleString('en-US')}-span run open: extension ${extensionOpen.rssOpenMiB} MiB; ×${openRatio(jaegerOpen.memory) ?? '–'} Jaeger (memory), ×${openRatio(jaegerOpen.badger) ?? '–'} Jaeger (Badger); goal ≤ 1×`);
    writeResult('memory', {
      spansPerBatch,
      connections,
      settleMs,
      extension,
      jaegerMemory: jaeger.memory ?? null,
      jaegerBadger: jaeger.badger ?? null,
      ratioToJaegerMemory: ratio(jaeger.memory),
      ratioToJaegerBadger: ratio(jaeger.badger),
      goal: 'RSS growth per stored span at or below Jaeger v2 v1.75.0 on the same spans',
      largeRunSpans: largeRun.spanCount,
      withLargeRunOpen: {
        extension: extensionOpen,
        jaegerMemory: jaegerOpen.memory ?? (jaegerRefused.memory === undefined ? null : { refused: jaegerRefused.memory }),
        jaegerBadger: jaegerOpen.badger ?? (jaegerRefused.badger === undefined ? null : { refused: jaegerRefused.badger }),
      },
      openRatioToJaegerMemory: openRatio(jaegerOpen.memory),
      openRatioToJaegerBadger: openRatio(jaegerOpen.badger),
      openGoal: 'RSS with the same ~1M spans stored and a 100k-span run open at or below Jaeger v2 v1.75.0',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
