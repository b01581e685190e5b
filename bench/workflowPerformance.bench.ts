// The workflow performance view in the trace server (issue 15): RUNS runs of one app (Aliyun
// app-level spans linked to their infrastructure trace, bench/difyRuns.ts, ~50 spans a run: 1M
// spans at 20k runs) ingested into the trace service and classified by its run index; then
// `WorkflowPerformance` asked as the view asks it. The store's answers (run summaries, stored
// spans) are taken from the service once and served from memory while timing: the store's own
// timers (classification catch-up, keyword slices) otherwise land inside the awaited timings, and
// listing from the run index is measured by bench/listRuns.bench.ts.
//   cold     the first report in a fresh trace server: every run's spans profiled
//   open     a report once the aggregate is current (the server keeps it so as runs arrive): what
//            opening the view costs; goal p95 < 300 ms
//   update   one more run arrived: its ids noted (the runs-changed event), the aggregate caught up
//            and the report asked again; goal < 50 ms
//   node --import tsx bench/workflowPerformance.bench.ts      RUNS=20000 SAMPLES=7
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { ExportTraceServiceRequestSchema } from '../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import type { ResourceSpansSchema } from '../src/server/receiver/gen/opentelemetry/proto/trace/v1/trace_pb';
import { protobufTracesToModel } from '../src/server/receiver/otlpWireTraces';
import { TraceService } from '../src/server/traceService';
import type { TraceSpans } from '../src/server/backends/traceSpans';
import { WorkflowPerformance, type PerformanceSources } from '../src/server/performance/workflowPerformance';
import type { RunSummary } from '../src/shared/runSummary';
import { generateRun, now as runsNow, type GeneratedRun } from './difyRuns';
import { summarise, writeResult } from './stats';

const RUNS = Number(process.env['RUNS'] ?? 20_000);
const SAMPLES = Number(process.env['SAMPLES'] ?? 7);
const PER_BATCH = 200;

// Garbage of earlier steps is collected before each timing, as in bench/nodePerformance.bench.ts.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Run numbers that bench/difyRuns.ts gives its second app (r % 8 in 2..4): runs of one workflow. */
const runNumber = (i: number): number => 8 * Math.floor(i / 3) + 2 + (i % 3);

function batchOf(first: number, count: number, total: number): { bytes: Uint8Array; runs: GeneratedRun[] } {
  const out = { app: [] as MessageInitShape<typeof ResourceSpansSchema>[], infra: [] as MessageInitShape<typeof ResourceSpansSchema>[] };
  const runs: GeneratedRun[] = [];
  for (let i = first; i < first + count; i++) runs.push(generateRun(runNumber(i), total, out));
  return { bytes: toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [...out.infra, ...out.app] })), runs };
}

/** The service's answers for RUNS + SAMPLES runs, read once: summaries newest first, spans by trace. */
async function snapshot(): Promise<{ app: string; spans: number; summaries: RunSummary[]; traces: Map<string, TraceSpans>; runOfTrace: Map<string, RunSummary> }> {
  const all = RUNS + SAMPLES;
  const total = 8 * Math.ceil(all / 3);
  const service = new TraceService({ receiver: { enabled: false, host: '127.0.0.1', port: 0, maxBodyMiB: 100 }, store: { maxSpans: 5_000_000, maxMemoryMiB: 4096 } }, { runsChanged: () => {}, statusChanged: () => {}, log: () => {} });
  try {
    let spans = 0;
    let app = '';
    for (let first = 0; first < all; first += PER_BATCH) {
      const batch = batchOf(first, Math.min(PER_BATCH, all - first), total);
      const model = protobufTracesToModel(Buffer.from(batch.bytes)).spans;
      spans += model.length;
      app = batch.runs[0]!.app;
      service.ingest(model);
    }
    const summaries: RunSummary[] = [];
    let pageToken: string | undefined;
    do {
      const page = await service.backend.listRuns({ filter: { appName: app }, limit: 1000, ...(pageToken === undefined ? {} : { pageToken }) });
      summaries.push(...page.runs);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    if (summaries.length !== all) throw new Error(`the store lists ${summaries.length} runs of ${app}, not ${all}`);
    const traces = new Map<string, TraceSpans>();
    const runOfTrace = new Map<string, RunSummary>();
    for (const run of summaries) {
      const trace = await service.backend.traceSpans({ traceId: run.traceId });
      if (trace === null) throw new Error(`no spans for ${run.traceId}`);
      // Counterparts are a getter on stored traces: read now, while the store is there.
      traces.set(run.traceId, { ...trace, counterparts: trace.counterparts ?? [] });
      for (const id of [run.traceId, ...run.linkedTraceIds]) runOfTrace.set(id, run);
    }
    return { app, spans, summaries, traces, runOfTrace };
  } finally {
    await service.stop();
  }
}

async function main(): Promise<void> {
  const { app, spans, summaries, traces, runOfTrace } = await snapshot();
  const oldestFirst = [...summaries].sort((a, b) => a.startMs - b.startMs);
  /** The runs that have arrived so far: the first RUNS, then one more per update sample. */
  let arrived = RUNS;
  const visible = (run: RunSummary | undefined): RunSummary | undefined => (run !== undefined && oldestFirst.indexOf(run) < arrived ? run : undefined);
  const sources: PerformanceSources = {
    listRuns: async (p) => {
      const matching = oldestFirst.slice(0, arrived).filter((r) => r.appName === p.filter.appName && r.startMs >= (p.filter.sinceMs ?? 0) && r.startMs < (p.filter.untilMs ?? Infinity)).reverse();
      const offset = Number(p.pageToken ?? 0);
      const end = offset + p.limit;
      return { runs: matching.slice(offset, end), totalMatching: matching.length, ...(end < matching.length ? { nextPageToken: String(end) } : {}) };
    },
    traceSpans: async (p) => traces.get(p.traceId) ?? null,
    embeddedRunOf: async (traceId) => visible(runOfTrace.get(traceId)),
  };
  let clock = runsNow + 3_600_000;
  const performance = new WorkflowPerformance(sources, () => clock);
  const sinceMs = runsNow - 2 * 24 * 3_600_000;
  const time = async <T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> => {
    collect();
    const started = globalThis.performance.now();
    const value = await work();
    return { ms: globalThis.performance.now() - started, value };
  };
  const cold = await time(() => performance.report({ appName: app, sinceMs }));
  if (cold.value.runs.length !== RUNS) throw new Error(`the report holds ${cold.value.runs.length} runs, not ${RUNS}`);
  const openMs: number[] = [];
  for (let i = 0; i < SAMPLES; i++) openMs.push((await time(() => performance.report({ appName: app, sinceMs }))).ms);
  const updateMs: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const run = oldestFirst[arrived]!;
    arrived++;
    clock += 1000;
    const update = await time(async () => {
      performance.noteChanged([run.traceId, ...run.linkedTraceIds]);
      await performance.catchUpAll();
      return performance.report({ appName: app, sinceMs });
    });
    if (update.value.runs.length !== RUNS + i + 1 || update.value.runs.at(-1)?.traceId !== run.traceId) throw new Error('the new run is not the report\'s newest');
    updateMs.push(update.ms);
  }
  const open = summarise(openMs);
  const update = summarise(updateMs);
  const slowest = cold.value.runs[cold.value.slowest[0]!]!;
  writeResult('workflowPerformance', {
    runs: RUNS,
    spans,
    app,
    nodes: cold.value.nodes.length,
    slowRuns: cold.value.runs.filter((r) => r.slow).length,
    slowestBlame: slowest.blame === undefined ? null : `${slowest.blame.node?.title ?? '?'} → ${slowest.blame.span.name}`,
    coldMs: Math.round(cold.ms),
    openMs: open,
    updateMs: update,
    goals: { openP95Under300ms: open.p95 < 300, updateUnder50ms: update.max < 50 },
  });
  console.log(
    `workflowPerformance (${RUNS} runs of ${app}, ${spans} spans, ${cold.value.nodes.length} nodes): cold first report ${Math.round(cold.ms)} ms (every run profiled); ` +
      `open p50 ${Math.round(open.p50)} / p95 ${Math.round(open.p95)} ms (goal < 300); update after a new run p50 ${Math.round(update.p50)} / max ${Math.round(update.max)} ms (goal < 50)`,
  );
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
