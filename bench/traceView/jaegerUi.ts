/**
 * The peer: Jaeger UI (a production build made outside this repository, see bench/README.md
 * "Jaeger UI build") served by Jaeger v2's query extension (`jaeger_query.ui.assets_path`), memory
 * storage, the trace posted over OTLP/HTTP. Measured the way Jaeger UI's own page load is timed:
 * a fresh Chromium per run, `goto /trace/<id>`, wall time until the first timeline row is visible.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { chromium } from 'playwright-core';
import { ExportTraceServiceRequestSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { resolveHostTools } from '../../test/e2e/harness/hostTools';
import { rssMiB } from './processMemory';
import type { JaegerProcess } from '../../test/backends/jaegerProcess';

export const JAEGER_UI_ROW = '.VirtualizedTraceView--row .span-row';
const MiB = 1024 * 1024;

export type JaegerUiBuild = { readonly dir: string; readonly info: string } | { readonly skipped: string };

/** The build named by JAEGER_UI_BUILD, with its BUILD-INFO.txt, or why there is none. */
export function jaegerUiBuild(): JaegerUiBuild {
  const dir = process.env['JAEGER_UI_BUILD'];
  if (dir === undefined || dir === '') return { skipped: 'JAEGER_UI_BUILD is not set' };
  if (!existsSync(join(dir, 'index.html'))) return { skipped: `JAEGER_UI_BUILD=${dir} holds no index.html` };
  const infoPath = join(dir, 'BUILD-INFO.txt');
  return { dir, info: existsSync(infoPath) ? readFileSync(infoPath, 'utf8').trim() : `(no BUILD-INFO.txt in ${dir}: how it was built is unknown)` };
}

export async function postBatches(baseUrl: string, batches: readonly Uint8Array[]): Promise<void> {
  for (const body of batches) {
    const r = await fetch(`${baseUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    if (!r.ok) throw new Error(`POST ${baseUrl}/v1/traces: HTTP ${r.status} ${await r.text()}`);
  }
}

/**
 * Copies of the spans of trace `from`, moved into trace `into`: Jaeger UI shows one trace per page,
 * so Jaeger gets the app trace's spans a second time under the infrastructure trace's id, and that
 * trace's page then shows the same spans as our panel (the run with its linked trace). Span ids are
 * unchanged; the app trace also stays as it was.
 */
export function movedIntoTrace(batches: readonly Uint8Array[], from: string, into: string): Uint8Array[] {
  const fromId = Buffer.from(from, 'hex');
  const intoId = Buffer.from(into, 'hex');
  const out: Uint8Array[] = [];
  for (const bytes of batches) {
    const request = fromBinary(ExportTraceServiceRequestSchema, bytes);
    const resourceSpans = request.resourceSpans
      .map((rs) => ({
        ...rs,
        scopeSpans: rs.scopeSpans
          .map((ss) => ({ ...ss, spans: ss.spans.filter((s) => fromId.equals(s.traceId)).map((s) => ({ ...s, traceId: intoId })) }))
          .filter((ss) => ss.spans.length > 0),
      }))
      .filter((rs) => rs.scopeSpans.length > 0);
    if (resourceSpans.length > 0) out.push(toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans })));
  }
  return out;
}

/** Polls the legacy endpoint the trace page uses until it returns `expected` spans; returns the count. */
export async function waitForJaegerTrace(query: string, traceId: string, expected: number, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let spans = 0;
  while (Date.now() < deadline) {
    const r = await fetch(`${query}/api/traces/${traceId}`);
    if (r.ok) {
      const body = (await r.json()) as { data?: { spans?: unknown[] }[] | null };
      spans = body.data?.[0]?.spans?.length ?? 0;
      if (spans >= expected) return spans;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Jaeger returned ${spans} of ${expected} spans of ${traceId} after ${timeoutMs} ms`);
}

export interface JaegerUiSample {
  readonly firstRowsMs: number;
  /** In-page: navigation start → first row committed to the DOM (MutationObserver). */
  readonly rowsCommitInPageMs: number | null;
  /** In-page: navigation start → the frame with that row drawn (a task queued from the next animation frame). */
  readonly rowsPaintedInPageMs: number | null;
  readonly apiResponseEndInPageMs: number | null;
  readonly heapUsedMiB: number;
  readonly heapUsedAfterGcMiB: number;
  readonly headerTotalSpans: number | null;
}

// Browser-side code as strings: this project's Node tsconfig has no DOM types.
const ROWS_OBSERVER = `(() => {
  const mark = () => {
    if (window.__rowsCommit !== undefined) return;
    if (!document.querySelector(${JSON.stringify(JAEGER_UI_ROW)})) return;
    window.__rowsCommit = performance.now();
    requestAnimationFrame(() => setTimeout(() => { window.__rowsPainted = performance.now(); }, 0));
  };
  new MutationObserver(mark).observe(document, { childList: true, subtree: true });
})()`;

export async function measureJaegerUi(query: string, traceId: string, timeoutMs: number): Promise<JaegerUiSample> {
  const browser = await chromium.launch({
    executablePath: resolveHostTools().chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--enable-precise-memory-info', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    await page.addInitScript(ROWS_OBSERVER);
    const start = performance.now();
    await page.goto(`${query}/trace/${traceId}`, { waitUntil: 'commit', timeout: timeoutMs });
    await page.waitForSelector(JAEGER_UI_ROW, { state: 'visible', timeout: timeoutMs });
    const firstRowsMs = performance.now() - start;
    // The painted mark is a frame after the commit.
    await page.waitForFunction('window.__rowsPainted !== undefined', undefined, { timeout: timeoutMs });
    const inPage = await page.evaluate<{ rowsCommit: number | null; rowsPainted: number | null; apiEnd: number | null; total: number | null }>(`(() => {
      const api = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/traces/'));
      const text = document.body.innerText;
      const total = /Total Spans\\s*([\\d,]+)/.exec(text);
      return { rowsCommit: window.__rowsCommit ?? null, rowsPainted: window.__rowsPainted ?? null, apiEnd: api ? api.responseEnd : null, total: total ? Number(total[1].replace(/,/g, '')) : null };
    })()`);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async (): Promise<number> => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? Number.NaN) / MiB;
    };
    const heapUsedMiB = await heap();
    await cdp.send('HeapProfiler.collectGarbage');
    const heapUsedAfterGcMiB = await heap();
    const round = (x: number | null): number | null => (x === null ? null : Math.round(x));
    return {
      firstRowsMs: Math.round(firstRowsMs),
      rowsCommitInPageMs: round(inPage.rowsCommit),
      rowsPaintedInPageMs: round(inPage.rowsPainted),
      apiResponseEndInPageMs: round(inPage.apiEnd),
      heapUsedMiB: Math.round(heapUsedMiB),
      heapUsedAfterGcMiB: Math.round(heapUsedAfterGcMiB),
      headerTotalSpans: inPage.total,
    };
  } finally {
    await browser.close();
  }
}

export function jaegerRssMiB(jaeger: Pick<JaegerProcess, 'process'>): number | undefined {
  return rssMiB(jaeger.process.pid);
}
