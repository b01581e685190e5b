// Remote backends: for each real backend this machine can run (Jaeger v1.75.0, Zipkin 3.6.1, Arize
// Phoenix 20.26.1, installed by the project's scripts), in the same run, A/B alternated:
//   list runs  the trace server's path (RemoteBackend: search, classify, first page of 50) against
//              the same search requests to the backend's API with the JSON parsed and nothing else;
//   open       a ~10k-span Dify run and its linked infrastructure trace, through RemoteBackend.getTrace
//              (fetch, classify, snapshot) against the same GETs of both traces, parsed, one after the
//              other as any client must (the second id is read from the first trace's link);
//   memory     heap grown while the extension's path opens it.
// The ratio (extension / direct API) is the overhead the extension adds; the issue's goal is < 1.2×.
// Data: 200 generated Dify runs (Aliyun app half + infrastructure) in Jaeger and Zipkin; Phoenix
// holds what a real Dify 1.13.3 sent to its Phoenix tracing (13 runs; Phoenix keeps no resource
// attributes, so Aliyun-shaped runs would not be Dify runs there); the 10k-span run in all three.
import { performance } from 'node:perf_hooks';
import { fromBinary } from '@bufbuild/protobuf';
import { request } from 'undici';
import { JaegerSource } from '../src/server/backends/remote/jaegerSource';
import { PhoenixSource } from '../src/server/backends/remote/phoenixSource';
import { RemoteBackend } from '../src/server/backends/remote/remoteBackend';
import type { TraceSource } from '../src/server/backends/remote/traceSource';
import { ZipkinSource } from '../src/server/backends/remote/zipkinSource';
import { ExportTraceServiceRequestSchema } from '../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { exportRequestToModel } from '../src/server/receiver/otlpToModel';
import { startJaeger } from '../test/backends/jaegerProcess';
import { modelToZipkin } from '../test/backends/modelToZipkin';
import { startPhoenix } from '../test/backends/phoenixProcess';
import { startZipkin } from '../test/backends/zipkinProcess';
import { largeDifyTrace, postLargeTrace } from '../test/largeTrace/largeTrace';
import { loadRecordedCorpus, postRecordedBody } from '../test/recorded/recordedCorpus';
import { batches, now as runsNow } from './difyRuns';
import { ensuredTool } from './ensuredTool';
import { summarise, writeResult } from './stats';

const samples = 7;
const generatedRuns = 200;
const pageSize = 50;
const ensure = (script: string): string => {
  const path = ensuredTool(script);
  if (path === undefined) throw new Error(`scripts/${script} failed: that backend cannot be measured`);
  return path;
};

interface Subject {
  readonly name: string;
  readonly version: string;
  readonly source: () => TraceSource;
  /** The listing window and how many traces it holds (searched in full). */
  readonly window: { readonly sinceMs: number; readonly untilMs: number; readonly traces: number };
  /** The backend's own API, asked what the adapter asks, the JSON parsed. */
  readonly directList: () => Promise<unknown>;
  readonly directOpen: (traceIds: readonly string[]) => Promise<unknown>;
}

/** The direct side's client: undici's `request`, as the adapters use (faster than `fetch`, so the ratio is not flattered). */
const getJson = async (url: string): Promise<unknown> => {
  const response = await request(url);
  if (response.statusCode !== 200) throw new Error(`GET ${url}: HTTP ${response.statusCode}`);
  return response.body.json();
};

/** GETs the traces one after the other: a client learns the linked trace's id from the first one. */
const inOrder =
  (get: (id: string) => Promise<unknown>) =>
  async (ids: readonly string[]): Promise<unknown[]> => {
    const answers: unknown[] = [];
    for (const id of ids) answers.push(await get(id));
    return answers;
  };

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function measure(subject: Subject, large: { readonly appTraceId: string; readonly infraTraceId: string; readonly spanCount: number }): Promise<Record<string, unknown>> {
  const list = { extension: [] as number[], direct: [] as number[] };
  const open = { extension: [] as number[], direct: [] as number[] };
  const heapGrowthMiB: number[] = [];
  let listed = 0;
  let opened = 0;
  /** The traces the extension showed for the run: the direct side fetches the same ones (Zipkin and Phoenix keep no span links, so there the run opens without its infrastructure half). */
  let openedTraceIds: readonly string[] = [large.appTraceId];
  for (let i = 0; i < samples + 1; i++) {
    // A/B alternated; the first round warms both paths (connections, JIT) and is not counted, and
    // opens with the extension first so that the direct side knows which traces it showed.
    const order = i % 2 === 0 ? (['extension', 'direct'] as const) : (['direct', 'extension'] as const);
    for (const side of order) {
      if (side === 'extension') {
        const backend = new RemoteBackend(subject.name, subject.source(), { searchLimit: subject.window.traces, searchReuseMs: 0 });
        const ms = await timed(async () => {
          listed = (await backend.listRuns({ filter: { sinceMs: subject.window.sinceMs, untilMs: subject.window.untilMs }, limit: pageSize })).runs.length;
        });
        if (i > 0) list.extension.push(ms);
        const fresh = new RemoteBackend(subject.name, subject.source());
        const heapBefore = process.memoryUsage().heapUsed;
        const openMs = await timed(async () => {
          const snapshot = await fresh.getTrace({ traceId: large.appTraceId });
          opened = snapshot?.spans.length ?? 0;
          openedTraceIds = [large.appTraceId, ...(snapshot?.traceIds ?? []).filter((t) => t !== large.appTraceId)];
        });
        if (i > 0) {
          open.extension.push(openMs);
          heapGrowthMiB.push(Math.round(((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20) * 10) / 10);
        }
      } else {
        const ms = await timed(subject.directList);
        if (i > 0) list.direct.push(ms);
        const openMs = await timed(() => subject.directOpen(openedTraceIds));
        if (i > 0) open.direct.push(openMs);
      }
    }
  }
  const [le, ld, oe, od] = [summarise(list.extension), summarise(list.direct), summarise(open.extension), summarise(open.direct)];
  const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;
  const result = {
    version: subject.version,
    runsListed: listed,
    tracesSearched: subject.window.traces,
    listMs: { extension: le, directApi: ld, ratioP50: ratio(le.p50, ld.p50) },
    openLargeRun: { spansShown: opened, spansSent: large.spanCount, traces: openedTraceIds.length, extension: oe, directApi: od, ratioP50: ratio(oe.p50, od.p50) },
    heapGrowthWhileOpeningMiB: summarise(heapGrowthMiB),
  };
  console.log(
    `${subject.name.padEnd(8)} list ${listed} runs of ${subject.window.traces} traces: ${le.p50} ms vs API ${ld.p50} ms (×${result.listMs.ratioP50}); ` +
      `open ${opened}-span run (${openedTraceIds.length} trace(s)): ${oe.p50} ms vs API ${od.p50} ms (×${result.openLargeRun.ratioP50}); heap +${result.heapGrowthWhileOpeningMiB.p50} MiB`,
  );
  return result;
}

/**
 * Zipkin and Phoenix store what they were sent asynchronously: waits until both traces of the large
 * run read back with every span, or (a store that keeps fewer) until the count holds still for 5 s.
 */
async function untilWhole(large: { readonly appTraceId: string; readonly infraTraceId: string }, spans: readonly { readonly traceId: string }[], count: (traceId: string) => Promise<number>): Promise<void> {
  for (const id of [large.appTraceId, large.infraTraceId]) {
    const expected = spans.filter((s) => s.traceId === id).length;
    let last = -1;
    let still = 0;
    for (let i = 0; i < 300; i++) {
      const n = await count(id);
      if (n >= expected) break;
      still = n === last && n > 0 ? still + 1 : 0;
      last = n;
      if (still >= 5) {
        console.log(`trace ${id}: ${n} of ${expected} spans stored, no more coming`);
        break;
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

async function main(): Promise<void> {
  const [jaegerBinary, zipkinJar, phoenixBinary] = [ensure('ensure-jaeger.sh'), ensure('ensure-zipkin.sh'), ensure('ensure-phoenix.sh')];
  const large = largeDifyTrace({ spanTarget: 10_000 });
  const largeSpans = large.batches.flatMap((b) => exportRequestToModel(fromBinary(ExportTraceServiceRequestSchema, b)).spans);
  const runBatches = [...batches(generatedRuns, 50)];
  const runSpans = runBatches.flatMap((b) => exportRequestToModel(fromBinary(ExportTraceServiceRequestSchema, b.bytes)).spans);
  const runTraces = new Set(runSpans.map((s) => s.traceId)).size;
  const window = { sinceMs: runsNow - 2 * 24 * 3_600_000, untilMs: runsNow + 3_600_000, traces: runTraces };
  const results: Record<string, unknown> = {};
  const stoppers: (() => void)[] = [];
  try {
    // Jaeger: OTLP in, api_v3 out.
    const jaeger = await startJaeger(jaegerBinary, { maxTraces: 100_000 });
    stoppers.push(() => jaeger.stop());
    for (const b of runBatches) await fetch(`${jaeger.otlp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: b.bytes });
    await postLargeTrace(jaeger.otlp, large);
    const jq = (since: number, until: number, n: number) => `${jaeger.query}/api/v3/traces?query.start_time_min=${new Date(since).toISOString()}&query.start_time_max=${new Date(until).toISOString()}&query.num_traces=${n}`;
    results['jaeger'] = await measure(
      {
        name: 'jaeger',
        version: 'v1.75.0',
        source: () => new JaegerSource({ url: jaeger.query }),
        window,
        directList: () => getJson(jq(window.sinceMs, window.untilMs, window.traces)),
        directOpen: inOrder((id) => getJson(`${jaeger.query}/api/v3/traces/${id}`)),
      },
      large,
    );
    jaeger.stop();

    // Zipkin: v2 JSON in (as OpenTelemetry's Zipkin exporters write it), v2 out.
    const zipkin = await startZipkin(zipkinJar);
    stoppers.push(() => zipkin.stop());
    for (const chunk of [runSpans, largeSpans]) {
      for (let i = 0; i < chunk.length; i += 2_000) {
        const response = await fetch(`${zipkin.url}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chunk.slice(i, i + 2_000).map(modelToZipkin)) });
        if (response.status !== 202) throw new Error(`Zipkin refused spans: HTTP ${response.status}`);
      }
    }
    await untilWhole(large, largeSpans, async (id) => ((await getJson(`${zipkin.url}/api/v2/trace/${id}`).catch(() => [])) as unknown[]).length);
    results['zipkin'] = await measure(
      {
        name: 'zipkin',
        version: '3.6.1',
        source: () => new ZipkinSource({ url: zipkin.url }),
        window,
        directList: () => getJson(`${zipkin.url}/api/v2/traces?endTs=${Math.floor(window.untilMs)}&lookback=${window.untilMs - window.sinceMs}&limit=${window.traces}`),
        directOpen: inOrder((id) => getJson(`${zipkin.url}/api/v2/trace/${id}`)),
      },
      large,
    );
    zipkin.stop();

    // Phoenix: OTLP protobuf in (Dify's Phoenix export, recorded), REST out.
    const phoenix = await startPhoenix(phoenixBinary);
    stoppers.push(() => phoenix.stop());
    const corpus = loadRecordedCorpus('dify-1.13.3');
    const phoenixBodies = corpus.bodies.filter((b) => b.sink === 'phoenix');
    for (const body of phoenixBodies) await postRecordedBody(phoenix.url, body);
    await postLargeTrace(phoenix.url, large);
    await untilWhole(large, largeSpans, async (id) => {
      let n = 0;
      let cursor: string | null = null;
      do {
        const page = (await getJson(`${phoenix.url}/v1/projects/default/spans/otlpv1?trace_id=${id}&limit=1000${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`).catch(() => ({ data: [], next_cursor: null }))) as { data: unknown[]; next_cursor: string | null };
        n += page.data.length;
        cursor = page.next_cursor;
      } while (cursor !== null);
      return n;
    });
    const starts = phoenixBodies.map((b) => b.ts * 1000);
    const phoenixWindow = { sinceMs: Math.min(...starts) - 3_600_000, untilMs: Math.max(...starts) + 3_600_000, traces: 1_000 };
    const directPhoenixList = async (): Promise<unknown> => {
      const projects = ((await getJson(`${phoenix.url}/v1/projects?limit=1000`)) as { data: { name: string }[] }).data;
      const spans: unknown[] = [];
      for (const p of projects) {
        const traces = ((await getJson(`${phoenix.url}/v1/projects/${encodeURIComponent(p.name)}/traces?start_time=${new Date(phoenixWindow.sinceMs).toISOString()}&end_time=${new Date(phoenixWindow.untilMs).toISOString()}&sort=start_time&order=desc&limit=1000`)) as { data: { trace_id: string }[] }).data;
        for (let i = 0; i < traces.length; i += 50) {
          const ids = traces.slice(i, i + 50).map((t) => `trace_id=${t.trace_id}`).join('&');
          spans.push(await getJson(`${phoenix.url}/v1/projects/${encodeURIComponent(p.name)}/spans/otlpv1?${ids}&limit=1000`));
        }
      }
      return spans;
    };
    const directPhoenixOpen = async (ids: readonly string[]): Promise<unknown> => {
      const pages: unknown[] = [];
      for (const id of ids) {
        let cursor: string | null = null;
        do {
          const page = (await getJson(`${phoenix.url}/v1/projects/default/spans/otlpv1?trace_id=${id}&limit=1000${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)) as { next_cursor: string | null };
          pages.push(page);
          cursor = page.next_cursor;
        } while (cursor !== null);
      }
      return pages;
    };
    results['phoenix'] = await measure(
      { name: 'phoenix', version: '20.26.1', source: () => new PhoenixSource({ url: phoenix.url }), window: phoenixWindow, directList: directPhoenixList, directOpen: directPhoenixOpen },
      large,
    );
    phoenix.stop();
  } finally {
    for (const stop of stoppers) stop();
  }
  writeResult('remoteBackends', { samples, pageSize, generatedRuns, largeRunSpans: large.spanCount, goalRatio: 1.2, backends: results });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
