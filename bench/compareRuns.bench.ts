// Compare Runs (issue 15): two ~10k-span runs of the same app (largeDifyTrace, two seeds: both
// halves each, Aliyun app-level spans and the infrastructure trace) in the trace service; the time
// from the request to the comparison (both runs read as node executions, aligned, first divergence
// found), cold (the first request after the runs arrived) and warm; then the diff's two node value
// requests. The editor shows the quick pick from the result (goal for both: under 300 ms).
//   node --import tsx bench/compareRuns.bench.ts      SPANS=10000 RUNS=20
import { largeDifyTrace } from '../test/largeTrace/largeTrace';
import { protobufTracesToModel } from '../src/server/receiver/otlpWireTraces';
import { TraceService } from '../src/server/traceService';
import { RunComparer } from '../src/server/compare/runComparer';
import { summarise, writeResult } from './stats';

const SPANS = Number(process.env['SPANS'] ?? 10_000);
const RUNS = Number(process.env['RUNS'] ?? 20);

async function main(): Promise<void> {
  const before = largeDifyTrace({ spanTarget: SPANS, seed: 1 });
  const now = largeDifyTrace({ spanTarget: SPANS, seed: 2 });
  const service = new TraceService({ receiver: { enabled: false, host: '127.0.0.1', port: 0, maxBodyMiB: 100 }, store: { maxSpans: 500_000 } }, { runsChanged: () => {}, statusChanged: () => {}, log: () => {} });
  try {
    for (const trace of [before, now]) for (const batch of trace.batches) service.ingest(protobufTracesToModel(Buffer.from(batch)).spans);
    await service.backend.listRuns({ filter: {}, limit: 50 });
    const comparer = new RunComparer(service.backend);
    const params = { nowTraceId: now.appTraceId, beforeTraceId: before.appTraceId };
    const time = async <T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> => {
      const started = performance.now();
      const value = await work();
      return { ms: performance.now() - started, value };
    };
    const cold = await time(() => comparer.compare(params));
    if (!cold.value.ok) throw new Error(`the comparison failed: ${cold.value.reason}`);
    const warmMs: number[] = [];
    for (let i = 0; i < RUNS; i++) warmMs.push((await time(() => comparer.compare(params))).ms);
    const { comparison } = cold.value;
    const row = comparison.rows[comparison.firstDivergence] ?? comparison.rows[0]!;
    const valuesMs: number[] = [];
    for (let i = 0; i < RUNS; i++) valuesMs.push((await time(() => Promise.all([row.before ? comparer.nodeValues(row.before.span) : null, row.now ? comparer.nodeValues(row.now.span) : null]))).ms);
    const warm = summarise(warmMs);
    const values = summarise(valuesMs);
    writeResult('compareRuns', {
      runs: { before: { traceId: before.appTraceId, spans: before.spanCount }, now: { traceId: now.appTraceId, spans: now.spanCount } },
      rows: comparison.rows.length,
      changes: Object.fromEntries(['same', 'changed', 'added', 'removed'].map((c) => [c, comparison.rows.filter((r) => r.change === c).length])),
      firstDivergence: row.now?.title ?? row.before?.title ?? null,
      coldMs: Math.round(cold.ms),
      warmMs: warm,
      nodeValuesMs: values,
      goals: { compareUnder300ms: cold.ms < 300 && warm.p95 < 300, diffValuesUnder300ms: values.p95 < 300 },
    });
    console.log(`compareRuns (${before.spanCount} and ${now.spanCount} spans, ${comparison.rows.length} rows): cold ${Math.round(cold.ms)} ms, warm p50 ${Math.round(warm.p50)} / p95 ${Math.round(warm.p95)} ms; first divergence ${row.now?.title ?? row.before?.title}; the diff's node values p95 ${values.p95.toFixed(1)} ms (goal: under 300 ms)`);
  } finally {
    await service.stop();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
