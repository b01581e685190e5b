// Memory per stored span (issue 17): the same ~1M spans (512-span protobuf batches of the Aliyun
// exporter's shape, bench/freshBatches.ts, the same seed on each side) POSTed over 4 loopback
// connections to
//   - the trace server as it runs in the editor (bundled, decode thread, trace database on, the
//     default memory bounds: 500k spans / 512 MiB in memory, the rest on disk);
//   - Jaeger v2 v1.75.0 (scripts/ensure-jaeger.sh) with memory storage, and with Badger;
// one after the other. RSS is read before the first batch and once every batch is acknowledged
// (and again 5 s later, for what a collector gives back); growth / spans is the figure.
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

const line = (name: string, s: Side): string => `${name}: ${s.spans.toLocaleString('en-US')} spans in ${s.seconds} s; RSS ${Math.round(s.rssBeforeMiB)} → ${Math.round(s.rssAfterMiB)} MiB (${Math.round(s.rssSettledMiB)} after ${settleMs / 1000} s) = ${s.bytesPerSpan} B/span`;

async function main(): Promise<void> {
  const node24 = join(resolveHostTools().node24BinDir, 'node');
  const dir = mkdtempSync(join(tmpdir(), 'memory-bench-'));
  try {
    const target = await bundleLoadTarget(join(import.meta.dirname, '..'), dir);
    // The default bounds of difyTrace.store (500k spans, 512 MiB): beyond them spans are on disk only.
    const child = startTarget(node24, join(dir, 'traces.sqlite'), { LOAD_TARGET: target, LOAD_MAX_SPANS: '500000' });
    let extension: Side;
    try {
      const { ready } = await ask(child, {}, 'ready');
      extension = await measure(() => postAll(ready!.url), () => rssMiB(child.pid));
      const { stats } = (await ask(child, { stats: true }, 'stats')) as { stats?: { archived?: number; spans?: number } };
      if ((stats?.archived ?? 0) < extension.spans) throw new Error(`only ${stats?.archived} of ${extension.spans} acknowledged spans are in the trace database`);
      console.log(`${line('extension (trace database on, default memory bounds)', extension)}; ${stats?.spans?.toLocaleString('en-US')} of them in memory`);
    } finally {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    }
    const jaeger: Partial<Record<'memory' | 'badger', Side>> = {};
    if (process.env['JAEGER'] !== '0') {
      const binary = ensuredTool('ensure-jaeger.sh');
      if (binary === undefined) throw new Error('scripts/ensure-jaeger.sh failed: no Jaeger to compare with');
      for (const storage of ['memory', 'badger'] as const) {
        const server = await startJaeger(binary, { maxTraces: 1_000_000, storage });
        try {
          jaeger[storage] = await measure(() => postAll(server.otlp), () => rssMiB(server.process.pid));
          console.log(line(`Jaeger v2 v1.75.0 (${storage})`, jaeger[storage]));
        } finally {
          await server.stopAndWait();
        }
      }
    }
    const ratio = (other: Side | undefined): number | null => (other === undefined ? null : Math.round((extension.bytesPerSpan / other.bytesPerSpan) * 100) / 100);
    console.log(`memory per stored span: extension ${extension.bytesPerSpan} B; ×${ratio(jaeger.memory) ?? '–'} Jaeger (memory), ×${ratio(jaeger.badger) ?? '–'} Jaeger (Badger); goal ≤ 1×`);
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
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
