// The embedded backend's trace database at 1M spans (issue 14): bytes per span on disk and in memory,
// restart to the first run listed, and the runs explorer's queries on what the restart brought back.
// Each phase is its own Node 24 process (node:sqlite), as a trace server restart is:
//   write     ~20k Dify runs (both halves, ~1M spans) received into the trace service with its database
//   restart   a new process opens the database with memory bounds that hold it all, lists the first
//             page, then times the filtered queries, facets, run id lookup and opening a run
//   default   the same restart with the default memory bounds (500k spans, 512 MiB): what is listed then
//   node --import tsx bench/persistedStore.bench.ts        RUNS=2000 for a quick run
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { ExportTraceServiceRequestSchema } from '../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { exportRequestToModel } from '../src/server/receiver/otlpToModel';
import { TraceService } from '../src/server/traceService';
import { defaultServerSettings } from '../src/shared/defaultSettings';
import type { ServerSettings } from '../src/shared/lspProtocol';
import type { RunFilter } from '../src/shared/runSummary';
import { resolveHostTools } from '../test/e2e/harness/hostTools';
import { seeded } from './difyBatch';
import { batches, generateRun, now, type GeneratedRun } from './difyRuns';
import { summarise, writeResult } from './stats';

const runCount = Number(process.env['RUNS'] ?? 20_000);
const phase = process.env['PERSISTED_BENCH_PHASE'];
const resultMark = 'PERSISTED_BENCH_RESULT ';
/** Fresh processes that each ask the first queries after a restart. */
const firstQueryRestarts = Number(process.env['FIRST_QUERY_RESTARTS'] ?? 7);

/** Holds every span of the benchmark in memory: the restart then lists every stored run. */
const wholeBounds = { maxSpans: 2_000_000, maxMemoryMiB: 8_192 };

function settings(archivePath: string, bounds: { maxSpans: number; maxMemoryMiB: number }): ServerSettings {
  return { receiver: { enabled: false, host: '127.0.0.1', port: 0, maxBodyMiB: 20 }, store: { ...bounds, maxLogRecords: 10_000, archivePath, retentionDays: 3650, maxDiskMiB: 64 * 1024 } };
}

const quiet = { runsChanged: () => {}, statusChanged: () => {}, log: () => {} };

const heapMiB = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const round = (x: number): number => Math.round(x * 100) / 100;

async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t = performance.now();
  const value = await fn();
  return [performance.now() - t, value];
}

function diskBytes(path: string): number {
  let total = 0;
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      total += statSync(file).size;
    } catch {
      // no WAL once checkpointed
    }
  }
  return total;
}

/** Receives every run into a trace service with its database, as the receiver would hand them over. */
async function writePhase(archivePath: string): Promise<Record<string, unknown>> {
  const heapBefore = heapMiB();
  const service = new TraceService(settings(archivePath, wholeBounds), quiet);
  await service.start();
  let ingestMs = 0;
  for (const batch of batches(runCount, 40)) {
    const t = performance.now();
    service.ingest(exportRequestToModel(fromBinary(ExportTraceServiceRequestSchema, batch.bytes)).spans);
    ingestMs += performance.now() - t;
  }
  const { spans, traces, bytes } = service.store.stats();
  const heapGrowth = heapMiB() - heapBefore;
  service.close();
  await service.stop();
  const onDisk = diskBytes(archivePath);
  return {
    spans, traces, ingestMs: Math.round(ingestMs), ingestSpansPerSecond: Math.round(spans / (ingestMs / 1000)),
    diskMiB: round(onDisk / 2 ** 20), diskBytesPerSpan: Math.round(onDisk / spans),
    // The heap holds the run index's summaries and keyword index beside the spans: both are per span here.
    heapMiB: round(heapGrowth), heapBytesPerSpan: Math.round((heapGrowth * 2 ** 20) / spans), estimatedBytesPerSpan: bytes === undefined ? undefined : Math.round(bytes / spans),
  };
}

/** A trace server's restart on the database: its first page of runs, then (`queries`) the explorer's questions. */
async function restartPhase(archivePath: string, bounds: { maxSpans: number; maxMemoryMiB: number }, queries: boolean): Promise<Record<string, unknown>> {
  const started = performance.now();
  const service = new TraceService(settings(archivePath, bounds), quiet);
  await service.start();
  const openedMs = performance.now() - started;
  const first = await service.backend.listRuns({ filter: {}, limit: 50 });
  const firstRunListedMs = performance.now() - started;
  if (first.runs.length === 0) throw new Error('no run listed after the restart');
  // The recent traces' spans load in the background after the runs are listed; the queries below are
  // timed once they are in (the state the trace server is in seconds after a restart).
  await service.whenRestored();
  const restoredMs = performance.now() - started;
  // The first filtered listing and the first keyword query a user could ask once the spans are back:
  // the runs and the keyword index are restored with them, so neither should read them all first.
  const [firstFilteredListingMs] = await timed(async () => JSON.stringify(await service.backend.listRuns({ filter: { status: ['failed'], appName: 'Travel Assistant' }, limit: 50 })));
  const [firstKeywordQueryMs] = await timed(async () => JSON.stringify(await service.backend.listRuns({ filter: { status: ['failed'], appName: 'Travel Assistant', text: 'weaviate' }, limit: 50 })));
  await service.whenKeywordsIndexed();
  const keywordsIndexedMs = performance.now() - started;
  const listedAfter = await service.backend.listRuns({ filter: {}, limit: 50 });
  const restored = service.store.stats();
  const result: Record<string, unknown> = {
    restoredSpans: restored.spans, restoredTraces: restored.traces, runsListedFirst: first.totalMatching, runsListed: listedAfter.totalMatching,
    startMs: Math.round(openedMs), firstRunListedMs: Math.round(firstRunListedMs), spansRestoredMs: Math.round(restoredMs), firstFilteredListingMs: Math.round(firstFilteredListingMs), firstKeywordQueryMs: Math.round(firstKeywordQueryMs), keywordsIndexedMs: Math.round(keywordsIndexedMs), heapMiB: Math.round(heapMiB()),
  };
  if (queries) Object.assign(result, await explorerQueries(service));
  service.close();
  await service.stop();
  return result;
}

/**
 * The first questions after a restart, asked as soon as the trace server has started (its runs
 * listed from the database, their spans still loading), each the first of its kind in the process:
 * the unfiltered listing the Runs view asks, a filtered one, and a keyword query. Run in several
 * fresh processes for a p95 (`firstQueries` in the result).
 */
async function firstQueriesPhase(archivePath: string): Promise<Record<string, unknown>> {
  const service = new TraceService(settings(archivePath, { maxSpans: defaultServerSettings.store.maxSpans, maxMemoryMiB: defaultServerSettings.store.maxMemoryMiB }), quiet);
  await service.start();
  const backend = service.backend;
  const [listingMs, listed] = await timed(async () => JSON.stringify(await backend.listRuns({ filter: {}, limit: 50 })));
  const [filteredMs] = await timed(async () => JSON.stringify(await backend.listRuns({ filter: { status: ['failed'], appName: 'Travel Assistant' }, limit: 50 })));
  const [keywordMs] = await timed(async () => JSON.stringify(await backend.listRuns({ filter: { status: ['failed'], appName: 'Travel Assistant', text: 'weaviate' }, limit: 50 })));
  if (!listed.includes('"traceId"')) throw new Error('no run listed right after the restart');
  service.close();
  await service.stop();
  return { listingMs, filteredMs, keywordMs };
}

/** The same questions the in-memory runFilter benchmark asks, through the backend, JSON included. */
async function explorerQueries(service: TraceService): Promise<Record<string, unknown>> {
  const backend = service.backend;
  const window = { sinceMs: now - 6 * 3600_000, untilMs: now + 1 };
  const pages = async (filters: readonly RunFilter[], n: number) => {
    const samples: number[] = [];
    for (let i = 0; i < n; i++) samples.push((await timed(async () => JSON.stringify(await backend.listRuns({ filter: filters[i % filters.length]!, limit: 50 }))))[0]);
    return summarise(samples);
  };
  const combinedFirstPageMs = await pages(['weaviate', 'timeout', 'keyerror', 'geocoder', 'itinerary', 'museum', 'rate', 'zerodivisionerror'].map((text) => ({ status: ['failed'], appName: 'Travel Assistant', ...window, text })), 200);
  const keywordFirstPageMs = await pages(['weaviate', 'refund', 'museum', 'zendesk', 'tokyo', 'deepl', '东京', 'warranty'].map((text) => ({ text })), 200);
  const unfilteredFirstPageMs = await pages([{}], 100);
  const facets: number[] = [];
  for (let i = 0; i < 60; i++) facets.push((await timed(async () => JSON.stringify(await backend.runFacets({ filter: [{}, window, { text: 'weaviate' }][i % 3]! }))))[0]);
  // The runs the write phase generated, regenerated from their numbers (same seed, same ids).
  const rand = seeded(99);
  const lookup: number[] = [];
  const open: number[] = [];
  for (let i = 0; i < 200; i++) {
    const run: GeneratedRun = generateRun(Math.floor(rand() * runCount), runCount, { app: [], infra: [] });
    const [ms, found] = await timed(async () => {
      const result = await backend.findTraces({ kind: 'difyId', uuid: run.workflowRunId, traceIdCandidate: run.appTraceId });
      JSON.stringify(result);
      return result;
    });
    if (found.matches[0]?.traceId !== run.appTraceId) throw new Error(`after the restart, ${run.workflowRunId} found ${JSON.stringify(found.matches.map((m) => m.traceId))}`);
    lookup.push(ms);
    open.push((await timed(async () => JSON.stringify(await backend.getTrace({ traceId: run.appTraceId }))))[0]);
  }
  return { combinedFirstPageMs, keywordFirstPageMs, unfilteredFirstPageMs, facetsMs: summarise(facets), runIdLookupMs: summarise(lookup), openRunMs: summarise(open) };
}

/** Runs one phase in a fresh Node 24 process and returns what it measured. */
function runPhase(node24: string, name: string, archivePath: string): Record<string, unknown> {
  const child = spawnSync(node24, ['--max-old-space-size=12288', '--expose-gc', '--import', 'tsx', import.meta.filename], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 2 ** 20,
    env: { ...process.env, PERSISTED_BENCH_PHASE: name, PERSISTED_BENCH_DB: archivePath },
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith(resultMark));
  if (child.status !== 0 || line === undefined) throw new Error(`phase ${name} failed (exit ${child.status}): ${child.stdout.slice(-2000)}`);
  return JSON.parse(line.slice(resultMark.length)) as Record<string, unknown>;
}

async function child(name: string, archivePath: string): Promise<void> {
  const result =
    name === 'write' ? await writePhase(archivePath)
    : name === 'firstQueries' ? await firstQueriesPhase(archivePath)
    : name === 'restart' ? await restartPhase(archivePath, wholeBounds, true)
    : await restartPhase(archivePath, { maxSpans: defaultServerSettings.store.maxSpans, maxMemoryMiB: defaultServerSettings.store.maxMemoryMiB }, false);
  console.log(`${resultMark}${JSON.stringify(result)}`);
}

function main(): void {
  const node24 = join(resolveHostTools().node24BinDir, 'node');
  const dir = mkdtempSync(join(tmpdir(), 'persisted-bench-'));
  const archivePath = join(dir, 'traces.sqlite');
  try {
    console.log(`write: ${runCount.toLocaleString('en-US')} Dify runs (both halves) into the trace service with its database…`);
    const written = runPhase(node24, 'write', archivePath);
    console.log(`  ${String(written['spans'])} spans in ${String(written['ingestMs'])} ms (${String(written['ingestSpansPerSecond'])} spans/s); on disk ${String(written['diskMiB'])} MiB = ${String(written['diskBytesPerSpan'])} B/span; heap +${String(written['heapMiB'])} MiB = ${String(written['heapBytesPerSpan'])} B/span (spans, run index and keyword index; the store's own estimate ${String(written['estimatedBytesPerSpan'])} B/span)`);
    const restarts = [runPhase(node24, 'restart', archivePath)];
    const { combinedFirstPageMs, keywordFirstPageMs, unfilteredFirstPageMs, facetsMs, runIdLookupMs, openRunMs, ...restart } = restarts[0]!;
    console.log(`restart, bounds holding everything: ${JSON.stringify(restart)}`);
    for (const [key, value] of Object.entries({ combinedFirstPageMs, keywordFirstPageMs, unfilteredFirstPageMs, facetsMs, runIdLookupMs, openRunMs })) {
      const v = value as { p50: number; p95: number };
      console.log(`  ${key}: p50 ${v.p50} ms, p95 ${v.p95} ms`);
    }
    const withDefaults = runPhase(node24, 'default', archivePath);
    console.log(`restart, default bounds (${defaultServerSettings.store.maxSpans.toLocaleString('en-US')} spans, ${defaultServerSettings.store.maxMemoryMiB} MiB): ${JSON.stringify(withDefaults)}`);
    const firsts = Array.from({ length: firstQueryRestarts }, () => runPhase(node24, 'firstQueries', archivePath));
    const firstQueries = Object.fromEntries(['listingMs', 'filteredMs', 'keywordMs'].map((key) => [key, summarise(firsts.map((f) => f[key] as number))]));
    console.log(`first queries right after a restart (${firstQueryRestarts} restarts, default bounds): ${Object.entries(firstQueries).map(([key, v]) => `${key} p50 ${v.p50} p95 ${v.p95}`).join('; ')} (goal: p95 < 50 ms)`);
    const combined = combinedFirstPageMs as { p95: number };
    writeResult('persistedStore', {
      generatedRuns: runCount, written, restart, withDefaultBounds: withDefaults,
      firstRunListedMs: restart['firstRunListedMs'], combinedFirstPageMs, keywordFirstPageMs, unfilteredFirstPageMs, facetsMs, runIdLookupMs, openRunMs,
      firstQueries,
      goals: { combinedP95Under50Ms: combined.p95 < 50, firstQueriesP95Under50Ms: Object.values(firstQueries).every((v) => v.p95 < 50) },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (phase === undefined) main();
else
  void child(phase, process.env['PERSISTED_BENCH_DB']!).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
