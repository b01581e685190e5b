// Runs explorer at scale: ~1,000,000 spans (~20k Dify runs, both halves) in the embedded store, then
// p50/p95 of the first page with a combined filter (status + app + time + keyword), the keyword
// alone (one word, a word fragment, a phrase), run id lookup and facets; and the same data in a
// real Jaeger v2 (scripts/ensure-jaeger.sh, memory storage) with its closest query: an exact
// attribute value match (Jaeger has no free-text search) and its trace-id lookup.
//   node --import tsx bench/runFilter.bench.ts        RUNS=2000 for a quick run; JAEGER=0 to skip Jaeger
import { spawnSync } from 'node:child_process';
import { create, fromBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { ExportTraceServiceRequestSchema } from '../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import type { ResourceSpansSchema } from '../src/server/receiver/gen/opentelemetry/proto/trace/v1/trace_pb';
import { exportRequestToModel } from '../src/server/receiver/otlpToModel';
import { startJaeger, type JaegerProcess } from '../test/backends/jaegerProcess';
import { rssMiB } from './traceView/processMemory';
import { TraceService } from '../src/server/traceService';
import type { RunFilter } from '../src/shared/runSummary';
import { seeded } from './difyBatch';
import { batches, generateRun, now, type GeneratedRun } from './difyRuns';
import { summarise, writeResult } from './stats';
import { ensuredTool } from './ensuredTool';

// 1M spans of Dify-sized attributes need more than Node's default heap: run again with a larger one.
if (process.env['RUN_FILTER_BENCH_CHILD'] === undefined) {
  const child = spawnSync(process.execPath, ['--max-old-space-size=12288', '--expose-gc', '--import', 'tsx', import.meta.filename], { stdio: 'inherit', env: { ...process.env, RUN_FILTER_BENCH_CHILD: '1' } });
  process.exit(child.status ?? 1);
}

const runCount = Number(process.env['RUNS'] ?? 20_000);
const withJaeger = process.env['JAEGER'] !== '0';

// ---- Measuring ----

const round = (x: number): number => Math.round(x * 100) / 100;
const heapMiB = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
};
function time<T>(fn: () => T): [number, T] {
  const t = performance.now();
  const value = fn();
  return [performance.now() - t, value];
}
async function timeAsync<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const value = await fn();
  return [performance.now() - t, value];
}

async function main(): Promise<void> {
  let jaeger: JaegerProcess | undefined;
  let jaegerNote: string | undefined;
  if (withJaeger) {
    const binary = ensuredTool('ensure-jaeger.sh');
    if (binary !== undefined) jaeger = await startJaeger(binary, { maxTraces: 500_000 }).catch((e: unknown) => ((jaegerNote = `Jaeger did not start: ${String(e)}`), undefined));
    else jaegerNote = 'Jaeger could not be built (scripts/ensure-jaeger.sh failed); no comparison.';
  } else jaegerNote = 'JAEGER=0: comparison skipped.';

  const service = new TraceService(
    { receiver: { enabled: false, host: '127.0.0.1', port: 0, maxBodyMiB: 64 }, store: { maxSpans: 5_000_000, maxLogRecords: 10_000 } },
    { runsChanged: () => {}, statusChanged: () => {}, log: () => {} },
  );
  const backend = service.backend;
  const heapBefore = heapMiB();
  const runs: GeneratedRun[] = [];
  let ingestMs = 0;
  let jaegerSpans = 0;
  const jaegerStart = performance.now();
  for (const batch of batches(runCount, 40)) {
    // Jaeger stores this batch while we decode and store it: the two ingest in parallel on two cores.
    const posted = jaeger !== undefined && jaegerNote === undefined
      ? fetch(`${jaeger.otlp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: batch.bytes }).then(async (r) => {
          await r.arrayBuffer();
          if (!r.ok) throw new Error(`HTTP ${r.status}`);
        })
      : undefined;
    const t = performance.now();
    const mapped = exportRequestToModel(fromBinary(ExportTraceServiceRequestSchema, batch.bytes));
    service.ingest(mapped.spans);
    ingestMs += performance.now() - t;
    for (const run of batch.runs) runs.push(run);
    if (posted !== undefined) {
      await posted.then(
        () => (jaegerSpans += mapped.spans.length),
        (e: unknown) => (jaegerNote = `Jaeger refused data after ${jaegerSpans} spans (${String(e)}${jaeger?.exited() ? `; ${jaeger.exited() ?? ''}` : ''}); compared at that size.`),
      );
    }
  }
  const jaegerIngestMs = performance.now() - jaegerStart;
  const { spans, traces } = service.store.stats();
  const heapSpans = heapMiB() - heapBefore;
  console.log(`ingested ${spans.toLocaleString()} spans in ${traces.toLocaleString()} traces (${runs.length} runs) in ${Math.round(ingestMs)} ms; heap +${heapSpans} MiB`);

  const sinceMs = now - 6 * 3600_000;
  const untilMs = now + 1;
  const list = (filter: RunFilter) => backend.listRuns({ filter, limit: 50 });
  const [firstListingMs, first] = await timeAsync(() => list({}));
  const heapRuns = heapMiB() - heapBefore - heapSpans;
  const [indexBuildMs, indexStats] = time(() => service.runs.keywordIndexStats());
  const heapIndex = heapMiB() - heapBefore - heapSpans - heapRuns;
  console.log(`first listing (classifies ${first.totalMatching} runs) ${Math.round(firstListingMs)} ms; keyword index built in ${Math.round(indexBuildMs)} ms: ${JSON.stringify(indexStats)}, heap +${heapIndex} MiB`);

  /** Runs `filters` round-robin `n` times through the real handler, JSON included (what crosses the wire). */
  const measure = async (filters: readonly RunFilter[], n: number) => {
    const samples: number[] = [];
    let matches = 0;
    for (let i = 0; i < n; i++) {
      const [ms, page] = await timeAsync(async () => {
        const result = await list(filters[i % filters.length]!);
        JSON.stringify(result);
        return result;
      });
      samples.push(ms);
      if (i < filters.length) matches += page.totalMatching;
    }
    return { ...summarise(samples), meanMatches: Math.round(matches / Math.min(n, filters.length)) };
  };
  const window = { sinceMs, untilMs };
  const combinedKeywords = ['weaviate', 'timeout', 'keyerror', 'geocoder', 'itinerary', 'museum', 'rate', 'zerodivisionerror'];
  const combined = await measure(combinedKeywords.map((text) => ({ status: ['failed'], appName: 'Travel Assistant', ...window, text })), 200);
  const keywordOnly = await measure(['weaviate', 'refund', 'museum', 'zendesk', 'tokyo', 'deepl', '东京', 'warranty'].map((text) => ({ text })), 200);
  const fragment = await measure(['weav', 'itiner', 'zend', 'warr'].map((text) => ({ text })), 100);
  const phrases = ['"read timed out"', 'max_temp_c', 'gpt-4o-mini', '"rate limit reached"'];
  const phraseCold = await measure(phrases.map((text) => ({ text })), phrases.length);
  const phraseWarm = await measure(phrases.map((text) => ({ text })), 100);
  const noFilter = await measure([{}], 100);
  const facets: number[] = [];
  for (let i = 0; i < 60; i++) {
    const filter: RunFilter = [{}, window, { text: 'weaviate' }][i % 3]!;
    facets.push((await timeAsync(async () => JSON.stringify(await backend.runFacets({ filter }))))[0]);
  }
  const rand = seeded(99);
  const lookup: number[] = [];
  const openRun: number[] = [];
  for (let i = 0; i < 200; i++) {
    const run = runs[Math.floor(rand() * runs.length)]!;
    const [ms, found] = await timeAsync(async () => {
      const result = await backend.findTraces({ kind: 'difyId', uuid: run.workflowRunId, traceIdCandidate: run.appTraceId });
      JSON.stringify(result);
      return result;
    });
    if (found.matches[0]?.traceId !== run.appTraceId) throw new Error(`lookup of ${run.workflowRunId} found ${JSON.stringify(found.matches.map((m) => m.traceId))}`);
    lookup.push(ms);
    openRun.push((await timeAsync(async () => JSON.stringify(await backend.getTrace({ traceId: run.appTraceId }))))[0]);
  }
  // Live tail: a new run arrives, then the view lists again with the combined filter.
  const afterChange: number[] = [];
  for (let i = 0; i < 20; i++) {
    const out = { app: [] as MessageInitShape<typeof ResourceSpansSchema>[], infra: [] as MessageInitShape<typeof ResourceSpansSchema>[] };
    generateRun(runCount + i, runCount, out);
    service.ingest(exportRequestToModel(create(ExportTraceServiceRequestSchema, { resourceSpans: [...out.infra, ...out.app] })).spans);
    afterChange.push((await timeAsync(() => list({ status: ['failed'], appName: 'Travel Assistant', ...window, text: 'weaviate' })))[0]);
  }

  const ours = {
    combinedFirstPageMs: combined, keywordFirstPageMs: keywordOnly, fragmentFirstPageMs: fragment, phraseColdMs: phraseCold, phraseWarmMs: phraseWarm,
    unfilteredFirstPageMs: noFilter, facetsMs: summarise(facets), runIdLookupMs: summarise(lookup), openRunMs: summarise(openRun), afterOneRunArrivedMs: summarise(afterChange),
  };
  for (const [k, v] of Object.entries(ours)) console.log(`ours ${k}: p50 ${v.p50} ms, p95 ${v.p95} ms`);

  const jaegerResult =
    jaeger === undefined
      ? { note: jaegerNote }
      : await measureJaeger(jaeger, service, runs, window, jaegerSpans, jaegerIngestMs, jaegerNote).catch((e: unknown) => {
          const note = `Jaeger failed during the comparison after storing ${jaegerSpans} spans: ${String(e)}${jaeger?.exited() ? ` (${jaeger.exited() ?? ''})` : ''}`;
          console.log(note);
          return { note, spans: jaegerSpans };
        });
  jaeger?.stop();

  writeResult('runFilter', {
    spans, traces, runs: first.totalMatching, generatedRuns: runs.length,
    ingestMs: Math.round(ingestMs), firstListingMs: round(firstListingMs), keywordIndexBuildMs: round(indexBuildMs),
    memory: { heapSpansMiB: heapSpans, heapRunIndexMiB: heapRuns, heapKeywordIndexMiB: heapIndex, keywordIndexBytesPerSpan: round(indexStats.approxBytes / spans), keywordIndex: indexStats },
    ...ours,
    goals: { combinedP95Under50Ms: combined.p95 < 50, runIdLookupP95Under20Ms: ours.runIdLookupMs.p95 < 20 },
    jaeger: jaegerResult,
  });
}

/**
 * Jaeger's closest equivalent of the keyword query: an exact attribute value on one span (memory
 * storage compares `AsString()` of span, scope, resource and event attributes; no substring, no case
 * folding), scoped to a service and a start-time window, through the query service's search. Jaeger
 * v1.75/v1.76 (= v2.12/v2.13) ignore `query.attributes` on GET /api/v3/traces ("not supported by grpc-gateway"
 * in its http_gateway.go), so the attribute search goes through GET /api/traces?tags=; /api/v3 is
 * timed for service + time alone. Both return whole traces (ours: run summaries).
 */
async function measureJaeger(jaeger: JaegerProcess, service: TraceService, runs: readonly GeneratedRun[], window: { sinceMs: number; untilMs: number }, spans: number, ingestMs: number, note: string | undefined) {
  const get = async (path: string): Promise<{ ms: number; body: string; status: number }> => {
    const t = performance.now();
    const response = await fetch(`${jaeger.query}${path}`);
    const body = await response.text();
    return { ms: performance.now() - t, body, status: response.status };
  };
  const pairs = [['Travel Assistant', 'Geocoder'], ['Support Bot', 'Zendesk'], ['Contract Reviewer', 'Translator']] as const;
  const legacy = (app: string, tool: string, limit: number) =>
    `/api/traces?service=${encodeURIComponent(app)}&start=${window.sinceMs * 1000}&end=${window.untilMs * 1000}&limit=${limit}&tags=${encodeURIComponent(JSON.stringify({ 'tool.name': tool }))}`;
  // Same question to both: runs of the app in the window whose text has the tool's name (ours), traces whose span has tool.name = it (Jaeger).
  const agreement = [];
  for (const [app, tool] of pairs) {
    const all = await get(legacy(app, tool, 100_000));
    const jaegerTraces = all.status === 200 ? (JSON.parse(all.body) as { data: unknown[] }).data.length : -1;
    const oursRuns = (await service.backend.listRuns({ filter: { appName: app, ...window, text: tool.toLowerCase() }, limit: 1 })).totalMatching;
    agreement.push({ app, tool, oursRuns, jaegerTraces });
  }
  const tagSearch: number[] = [];
  const oursSame: number[] = [];
  for (let i = 0; i < 60; i++) {
    const [app, tool] = pairs[i % pairs.length]!;
    const r = await get(legacy(app, tool, 50));
    if (r.status !== 200) throw new Error(`Jaeger search: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    tagSearch.push(r.ms);
    oursSame.push((await timeAsync(async () => JSON.stringify(await service.backend.listRuns({ filter: { appName: app, ...window, text: tool.toLowerCase() }, limit: 50 }))))[0]);
  }
  const rfc = (ms: number) => new Date(ms).toISOString();
  const v3Search: number[] = [];
  for (let i = 0; i < 30; i++) {
    const [app] = pairs[i % pairs.length]!;
    const r = await get(`/api/v3/traces?query.service_name=${encodeURIComponent(app)}&query.start_time_min=${rfc(window.sinceMs)}&query.start_time_max=${rfc(window.untilMs)}&query.num_traces=50`);
    if (r.status !== 200) throw new Error(`Jaeger v3 search: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    v3Search.push(r.ms);
  }
  const rand = seeded(7);
  const byId: number[] = [];
  const oursOpen: number[] = [];
  for (let i = 0; i < 200; i++) {
    const run = runs[Math.floor(rand() * runs.length)]!;
    const r = await get(`/api/v3/traces/${run.appTraceId}`);
    if (r.status !== 200) throw new Error(`Jaeger get trace ${run.appTraceId}: HTTP ${r.status}`);
    byId.push(r.ms);
    oursOpen.push((await timeAsync(async () => JSON.stringify(await service.backend.getTrace({ traceId: run.appTraceId }))))[0]);
  }
  const open = summarise(oursOpen);
  const tag = summarise(tagSearch);
  const same = summarise(oursSame);
  const id = summarise(byId);
  const lookups: number[] = [];
  for (let i = 0; i < 200; i++) {
    const run = runs[(i * 97) % runs.length]!;
    lookups.push((await timeAsync(async () => JSON.stringify(await service.backend.findTraces({ kind: 'difyId', uuid: run.workflowRunId, traceIdCandidate: run.appTraceId }))))[0]);
  }
  const oursLookup = summarise(lookups);
  const result = {
    version: 'v1.75.0 (= v2.12.0), memory storage',
    spans, ingestMs: Math.round(ingestMs), rssMiB: rssMiB(jaeger.process.pid),
    ...(note === undefined ? {} : { note }),
    compared: 'ours: listRuns {appName, sinceMs, untilMs, text: <tool>} (first 50 runs, exact total; keyword over all text, case-insensitive); Jaeger: GET /api/traces?service=<app>&start&end&limit=50&tags={"tool.name":"<Tool>"} (first 50 traces; exact attribute value, one span must match). Jaeger has no free-text search.',
    agreement,
    keywordOursMs: same, keywordJaegerMs: tag, keywordRatioOursToJaeger: { p50: round(same.p50 / tag.p50), p95: round(same.p95 / tag.p95) },
    v3SearchServiceAndTimeOnlyMs: summarise(v3Search),
    lookupOursMs: oursLookup, traceIdLookupJaegerMs: id, lookupRatioOursToJaeger: { p50: round(oursLookup.p50 / id.p50), p95: round(oursLookup.p95 / id.p95) },
    // Jaeger's get returns the whole trace: the closer peer is our getTrace (the run's trace, its linked trace and logs, as the panel gets it).
    openRunOursMs: open, openRunRatioOursToJaeger: { p50: round(open.p50 / id.p50), p95: round(open.p95 / id.p95) },
    timing: 'ours in-process: the request handler plus JSON.stringify of its result (no LSP transport); Jaeger: HTTP request on loopback until the body is read',
  };
  console.log(`Jaeger (${spans.toLocaleString()} spans, RSS ${result.rssMiB} MiB): keyword (tag) p50 ${tag.p50} ms p95 ${tag.p95} ms vs ours p50 ${same.p50} ms p95 ${same.p95} ms → ours/Jaeger p95 ${result.keywordRatioOursToJaeger.p95}; trace id p95 ${id.p95} ms vs ours lookup ${oursLookup.p95} ms (→ ${result.lookupRatioOursToJaeger.p95}), whole run ${open.p95} ms (→ ${result.openRunRatioOursToJaeger.p95})`);
  console.log(`agreement: ${JSON.stringify(agreement)}`);
  return result;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
