/**
 * Our side: the packaged extension in code-server (the e2e harness), the trace posted to its
 * embedded receiver, opened with "Dify Trace: Open Trace…", then measured inside the webview.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { findFreePort, startCodeServer } from '../../test/e2e/harness/codeServer';
import { quickInputTitled, startCommand } from '../../test/e2e/harness/quickInput';
import { openViewContainer, openWorkbench, screenshot, webviewFrame } from '../../test/e2e/harness/workbench';
import { percentile } from '../stats';
import { postBatches } from './jaegerUi';
import { extensionProcesses, rssMiB } from './processMemory';
import type { SubtreeTarget } from './traceShape';
import { call, IDLE_FRAMES_PROBE, KEY_PROBE, ROW, SCROLL_PROBE, SELECT_BY_NAME_PROBE, SUMMARY_PROBE, TOGGLE_PROBE, TREE } from './webviewProbes';

const MiB = 1024 * 1024;

export interface OurResult {
  readonly openSamplesMs: number[];
  /** Per open: Enter → rows committed in the webview (ms), when its marks were readable. */
  readonly rowsCommitMs: number[];
  /** Per open: Enter → the first frame drawn with rows (the webview's `difyTrace:painted` mark). */
  readonly rowsPaintedMs: number[];
  /** Per open: where the time went (`OpenSample.phases`). */
  readonly openPhases: OpenPhases[];
  /**
   * The first open of a new session: the window reloaded (extension host and trace server
   * restarted, the trace read back from the trace database) in the same browser, which keeps what a
   * browser or VS Code profile keeps between sessions (the webview service worker).
   */
  readonly newSession: { readonly wallMs: number; readonly rowsCommitMs: number | undefined; readonly rowsPaintedMs: number | undefined; readonly phases: OpenPhases; readonly reloadToRunListedMs: number } | { readonly failed: string };
  readonly summaryText: string;
  readonly expandMs: number[];
  readonly collapseMs: number[];
  readonly subtreeRowsAdded: number | undefined;
  readonly subtreeNote: string | undefined;
  readonly scrollFrameIntervalMs: number[];
  readonly idleFrameIntervalMs: number[];
  readonly scrollLongFrames: { duration: number; blockingDuration: number }[] | undefined;
  readonly scrolledPx: number;
  readonly heap: { readonly scope: string; readonly usedMiB: number; readonly usedAfterGcMiB: number; readonly beforeOpenAfterGcMiB: number | undefined };
  readonly rss: { readonly extensionHostMiB: number | undefined; readonly traceServerMiB: number | undefined; readonly traceServerBeforeMiB: number | undefined; readonly extensionHostBeforeMiB: number | undefined };
  readonly postMs: number;
}

/** The panel showed no row in time; what the processes held then. */
export class OpenFailed extends Error {
  constructor(message: string, readonly rss: Readonly<Record<string, number | undefined>>) {
    super(message);
  }
}

export interface OurOptions {
  readonly vsixPath: string;
  readonly batches: readonly Uint8Array[];
  readonly traceId: string;
  readonly subtree: SubtreeTarget | undefined;
  readonly opens: number;
  readonly toggles: number;
  readonly timeoutMs: number;
}

/** The webview frame that holds the span tree (Playwright follows VS Code's nested iframes). */
function treeFrame(page: Page): Promise<Frame> {
  const find = async (): Promise<Frame | undefined> => {
    for (const frame of page.frames()) {
      if (await frame.$(TREE).then((h) => h !== null, () => false)) return frame;
    }
    return undefined;
  };
  return (async () => {
    for (let i = 0; i < 100; i++) {
      const f = await find();
      if (f) return f;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no webview frame with the span tree');
  })();
}

interface OpenSample {
  /** Wall ms from Enter to Playwright seeing the first row (its polling of the nested frames adds up to a few hundred ms). */
  readonly wallMs: number;
  /** Ms from Enter to the webview's `difyTrace:rows` mark: the rows committed to the DOM (like Jaeger UI's `rowsCommitInPageMs`). */
  readonly rowsCommitMs: number | undefined;
  /**
   * Ms from Enter to the `difyTrace:painted` mark: a task queued from the animation frame after the
   * commit, which runs once that frame is drawn (Jaeger UI's `rowsPaintedInPageMs` the same way).
   * What the user sees; the driver's `wallMs` comes later by as much as its polling of the nested
   * frames waits behind the webview still taking in the rest of the trace.
   */
  readonly rowsPaintedMs: number | undefined;
  readonly phases: OpenPhases;
}

/** Ms from Enter to each step of an open, where the page could tell. */
export interface OpenPhases {
  /** VS Code's webview host frame (its `pre/index.html`) finished loading. */
  readonly webviewHostLoadedMs: number | undefined;
  /** Our page's navigation started: VS Code's host frame first waits for its service worker. */
  readonly webviewStartMs: number;
  /** The layout's header arrived in the webview. */
  readonly outlineMs: number | undefined;
  /** The first frame drawn with rows (`OpenSample.rowsPaintedMs`). */
  readonly rowsPaintedMs: number | undefined;
  /** Every step the webview marked, as one line. */
  readonly text: string;
}

/** The path of VS Code's webview host page, the frame around each webview's own page. */
const webviewHostPath = '/webview/browser/pre/index.html';

/** "Open Trace…" with the id typed; from Enter to the first span row: wall clock, and the in-page commit. */
async function openAndTime(page: Page, traceId: string, timeoutMs: number): Promise<OpenSample> {
  const input = page.locator('.quick-input-widget input');
  await startCommand(page, 'Dify Trace: Open Trace…');
  await quickInputTitled(page, 'Dify Trace: Open Trace');
  await input.fill(traceId);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'look up this' }).waitFor();
  const hostsBefore = new Set(page.frames().filter((f) => f.url().includes(webviewHostPath)));
  const start = performance.now();
  const startEpoch = Date.now();
  await input.press('Enter');
  const row = webviewFrame(page).locator(ROW).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  const elapsed = performance.now() - start;
  // The rows a large trace opens on come first; what follows is measured on the whole trace.
  // (No named functions in the page's code: it has no `__name`, which tsx adds to them.)
  await row.evaluate(() => new Promise<void>((resolve) => {
    if (performance.getEntriesByName('difyTrace:allRows').length > 0) return resolve();
    const observer = new PerformanceObserver(() => {
      if (performance.getEntriesByName('difyTrace:allRows').length === 0) return;
      observer.disconnect();
      resolve();
    });
    observer.observe({ type: 'mark' });
  }));
  // Where the time went: the webview's navigation start and its marks (outline, chunks, rows), from Enter.
  const own = await row.evaluate((_, enter) => {
    const origin = performance.timeOrigin - enter;
    // No named functions in here: the page has no `__name`, which tsx adds to them.
    const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('difyTrace:'));
    const outline = marks.find((m) => m.name === 'difyTrace:outline');
    const rows = marks.find((m) => m.name === 'difyTrace:rows');
    const painted = marks.find((m) => m.name === 'difyTrace:painted');
    return {
      origin,
      outline: outline === undefined ? undefined : origin + outline.startTime,
      rows: rows === undefined ? undefined : origin + rows.startTime,
      painted: painted === undefined ? undefined : origin + painted.startTime,
      text: marks.map((m) => `${m.name.slice(10)} ${Math.round(origin + m.startTime)}`).join(', '),
    };
  }, startEpoch);
  // The host frame this open created (a re-open creates a new one).
  const host = page.frames().find((f) => f.url().includes(webviewHostPath) && !hostsBefore.has(f));
  const hostLoaded = host === undefined ? undefined : await host.evaluate((enter) => {
    // Navigation Timing (a browser type the bench's Node typings lack).
    const nav = (performance.getEntriesByType as unknown as (type: string) => readonly { readonly loadEventEnd: number }[])('navigation')[0];
    return nav === undefined || nav.loadEventEnd === 0 ? undefined : performance.timeOrigin - enter + nav.loadEventEnd;
  }, startEpoch).catch(() => undefined);
  const round = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.round(ms));
  const phases: OpenPhases = {
    webviewHostLoadedMs: round(hostLoaded),
    webviewStartMs: Math.round(own.origin),
    outlineMs: round(own.outline),
    rowsPaintedMs: round(own.painted),
    text: `${hostLoaded === undefined ? '' : `webview host loaded ${Math.round(hostLoaded)}, `}webview start ${Math.round(own.origin)}, ${own.text}`,
  };
  console.error(`traceView: our panel, ms from Enter: ${phases.text}`);
  return { wallMs: elapsed, rowsCommitMs: own.rows, rowsPaintedMs: own.painted, phases };
}

async function closeEditors(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.locator('.monaco-workbench').click({ position: { x: 5, y: 500 } }).catch(() => undefined);
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+W');
  await page.locator('iframe.webview.ready').filter({ visible: true }).waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
}

async function pageHeap(page: Page): Promise<{ used: number; afterGc: number; scope: string }> {
  // An out-of-process webview frame has a CDP target of its own; a same-process one shares the
  // workbench's isolate, and then the figure covers both.
  const frame = await treeFrame(page);
  const session = await page.context().newCDPSession(frame).then(
    (s) => ({ s, scope: 'webview frame (own renderer process)' }),
    async () => ({ s: await page.context().newCDPSession(page), scope: 'workbench page + webview (one renderer isolate)' }),
  );
  await session.s.send('Performance.enable');
  const used = async (): Promise<number> => {
    const { metrics } = await session.s.send('Performance.getMetrics');
    return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? Number.NaN) / MiB;
  };
  const before = await used();
  await session.s.send('HeapProfiler.collectGarbage');
  const after = await used();
  await session.s.detach();
  return { used: before, afterGc: after, scope: session.scope };
}

async function workbenchHeapAfterGc(page: Page): Promise<number> {
  const s = await page.context().newCDPSession(page);
  await s.send('Performance.enable');
  await s.send('HeapProfiler.collectGarbage');
  const { metrics } = await s.send('Performance.getMetrics');
  await s.detach();
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? Number.NaN) / MiB;
}

/**
 * Selects the subtree's root: every top-level root (the run's trace, then the linked traces)
 * collapsed with everything below it, then down the path from the subtree's trace root.
 */
async function selectSubtree(frame: Frame, target: SubtreeTarget): Promise<string | undefined> {
  type Row = { level: number; expanded: string | null; rows: number; name: string | null };
  const key = (k: string, shift = false): Promise<Row> => frame.evaluate<Row>(call(KEY_PROBE, { key: k, shift }));
  let row = await key('Home');
  for (let roots = 0; roots < 20; roots++) {
    await key('ArrowLeft', true);
    const next = await key('ArrowDown');
    if (next.level !== 1 || next.name === row.name) break;
    row = next;
  }
  row = await key('Home');
  for (let depth = 0; depth < target.names.length; depth++) {
    const name = target.names[depth]!;
    if (depth > 0) {
      const opened = await key('ArrowRight');
      if (opened.expanded !== 'true') return `could not expand ${target.names[depth - 1]!}`;
    }
    if (depth === 0 && row.name === name && target.sameNameBefore[0] === 0) continue;
    const r = await frame.evaluate<{ ok: boolean; reason?: string }>(call(SELECT_BY_NAME_PROBE, { name, level: depth + 1, occurrence: target.sameNameBefore[depth] ?? 0, maxSteps: 5000 }));
    if (!r.ok) return `row "${name}" at level ${depth + 1} not reached: ${r.reason ?? ''}`;
  }
  return undefined;
}

async function measureToggles(frame: Frame, opts: OurOptions): Promise<Pick<OurResult, 'expandMs' | 'collapseMs' | 'subtreeRowsAdded' | 'subtreeNote'>> {
  const expandMs: number[] = [];
  const collapseMs: number[] = [];
  if (!opts.subtree) return { expandMs, collapseMs, subtreeRowsAdded: undefined, subtreeNote: 'the trace has no subtree of 10k spans' };
  const note = await selectSubtree(frame, opts.subtree);
  if (note) return { expandMs, collapseMs, subtreeRowsAdded: undefined, subtreeNote: note };
  let added: number | undefined;
  type Toggle = { ms: number; rowsBefore: number; rowsAfter: number };
  for (let i = 0; i < opts.toggles; i++) {
    const e = await frame.evaluate<Toggle>(call(TOGGLE_PROBE, { key: 'ArrowRight', shift: true, expect: 'true', timeoutMs: opts.timeoutMs }));
    expandMs.push(e.ms);
    added = e.rowsAfter - e.rowsBefore;
    if (i === opts.toggles - 1) break; // leave it expanded for the scroll
    const c = await frame.evaluate<Toggle>(call(TOGGLE_PROBE, { key: 'ArrowLeft', shift: true, expect: 'false', timeoutMs: opts.timeoutMs }));
    collapseMs.push(c.ms);
  }
  return { expandMs, collapseMs, subtreeRowsAdded: added, subtreeNote: undefined };
}

/**
 * Reloads the window (a new session: extension host and trace server start again, and the trace
 * server brings the run back from its trace database), waits for the run to be listed, and opens it.
 */
async function openInNewSession(page: Page, opts: OurOptions): Promise<OurResult['newSession']> {
  // From the side bar: keys pressed while the webview has the focus (it has after the scroll) stay
  // in it. A panel left open would come back with the reload (its serializer) instead of opening.
  await page.locator('[id="workbench.parts.sidebar"] .title-label').first().click();
  await startCommand(page, 'View: Close All Editors');
  await page.waitForFunction('document.querySelectorAll(".tabs-container .tab").length === 0', undefined, { timeout: 10_000 });
  // VS Code's own reload, not the browser's: it saves the workbench's state (no editor open) before
  // it goes, where a page reload may leave the last saved state, with the panel, to be restored.
  const reloaded = performance.now();
  const loaded = page.waitForEvent('load', { timeout: 90_000 });
  await startCommand(page, 'Developer: Reload Window');
  await loaded;
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  await page.locator('.statusbar').waitFor({ timeout: 90_000 });
  // Not by its activity bar icon: the reload restores the side bar a moment later, and a click in
  // between would close it again.
  await startCommand(page, 'View: Show Dify Trace Explorer');
  await page.locator('[id="workbench.parts.sidebar"] .monaco-list-row').first().waitFor({ timeout: opts.timeoutMs });
  const reloadToRunListedMs = Math.round(performance.now() - reloaded);
  const sample = await openAndTime(page, opts.traceId, opts.timeoutMs);
  // A page that started before Enter was a panel restored by the reload: not a first open.
  if (sample.phases.webviewStartMs < 0) throw new Error(`the panel was open before Enter (its page started ${-sample.phases.webviewStartMs} ms earlier)`);
  return { wallMs: sample.wallMs, rowsCommitMs: sample.rowsCommitMs, rowsPaintedMs: sample.rowsPaintedMs, phases: sample.phases, reloadToRunListedMs };
}

export async function measureOurSide(opts: OurOptions): Promise<OurResult> {
  const receiverPort = await findFreePort();
  const workspaceDir = mkdtempSync(join(tmpdir(), 'dte-traceview-ws-'));
  const server = await startCodeServer({ workspaceDir, vsixPath: opts.vsixPath, userSettings: { 'difyTrace.receiver.port': receiverPort } });
  try {
    const workbench = await openWorkbench(server, { name: 'bench-trace-view' });
    try {
      const { page } = workbench;
      await openViewContainer(page, 'Dify Trace Explorer');
      const sidebar = page.locator('[id="workbench.parts.sidebar"]');
      await sidebar.getByText('No Dify runs yet').waitFor({ timeout: 60_000 });
      const idle = extensionProcesses(server.extensionsDir);
      const traceServerBeforeMiB = rssMiB(idle.traceServer);
      const extensionHostBeforeMiB = rssMiB(idle.extensionHost);
      const t = performance.now();
      await postBatches(`http://127.0.0.1:${receiverPort}`, opts.batches);
      const postMs = performance.now() - t;
      await sidebar.locator('.monaco-list-row').first().waitFor({ timeout: opts.timeoutMs });
      const beforeOpenAfterGcMiB = await workbenchHeapAfterGc(page).catch(() => undefined);
      const openSamplesMs: number[] = [];
      const rowsCommitMs: number[] = [];
      const rowsPaintedMs: number[] = [];
      const openPhases: OpenPhases[] = [];
      for (let i = 0; i < opts.opens; i++) {
        if (i > 0) await closeEditors(page);
        const sample = await openAndTime(page, opts.traceId, opts.timeoutMs).catch(async (e: unknown) => {
          await screenshot(page, 'bench-trace-view-open-failure').catch(() => undefined);
          const now = extensionProcesses(server.extensionsDir);
          throw new OpenFailed(`the panel showed no span row within ${opts.timeoutMs} ms of "Open Trace…" (${String(e).split('\n')[0] ?? ''})`, {
            extensionHostMiB: rssMiB(now.extensionHost), traceServerMiB: rssMiB(now.traceServer), traceServerBeforeMiB, extensionHostBeforeMiB,
          });
        });
        openSamplesMs.push(sample.wallMs);
        openPhases.push(sample.phases);
        if (sample.rowsCommitMs !== undefined) rowsCommitMs.push(sample.rowsCommitMs);
        if (sample.rowsPaintedMs !== undefined) rowsPaintedMs.push(sample.rowsPaintedMs);
        console.error(`traceView: our panel, open ${i + 1}/${opts.opens}: first rows painted ${Math.round(sample.rowsPaintedMs ?? Number.NaN)} ms, seen by the driver ${Math.round(sample.wallMs)} ms`);
      }
      const frame = await treeFrame(page);
      const summaryText = String(await frame.evaluate(SUMMARY_PROBE));
      const heap = await pageHeap(page);
      const toggles = await measureToggles(frame, opts);
      const idleFrames = await frame.evaluate<number[]>(call(IDLE_FRAMES_PROBE, { durationMs: 1000 }));
      const scroll = await frame.evaluate<{ intervals: number[]; longFrames: { duration: number; blockingDuration: number }[]; longFramesObserved: boolean; scrolledPx: number; firstRowChanged: boolean }>(call(SCROLL_PROBE, { step: 120, durationMs: 3000 }));
      // Read now: the new session below reloads the window, and the processes measured here end with it.
      const busy = extensionProcesses(server.extensionsDir);
      const busyRss = { extensionHostMiB: rssMiB(busy.extensionHost), traceServerMiB: rssMiB(busy.traceServer) };
      await screenshot(page, 'bench-trace-view').catch(() => undefined);
      const newSession = await openInNewSession(page, opts).catch(async (e: unknown) => {
        await screenshot(page, 'bench-trace-view-new-session-failure').catch(() => undefined);
        return { failed: String(e).split('\n')[0] ?? '' };
      });
      console.error(`traceView: our panel, first open of a new session (window reloaded): ${'failed' in newSession ? `FAILED: ${newSession.failed}` : `first rows painted ${Math.round(newSession.rowsPaintedMs ?? Number.NaN)} ms, seen by the driver ${Math.round(newSession.wallMs)} ms, the run listed ${newSession.reloadToRunListedMs} ms after the reload`}`);
      return {
        openSamplesMs,
        rowsCommitMs,
        rowsPaintedMs,
        openPhases,
        newSession,
        summaryText,
        ...toggles,
        scrollFrameIntervalMs: scroll.intervals,
        idleFrameIntervalMs: idleFrames,
        scrollLongFrames: scroll.longFramesObserved ? scroll.longFrames : undefined,
        scrolledPx: scroll.scrolledPx,
        heap: { scope: heap.scope, usedMiB: Math.round(heap.used), usedAfterGcMiB: Math.round(heap.afterGc), beforeOpenAfterGcMiB: beforeOpenAfterGcMiB === undefined ? undefined : Math.round(beforeOpenAfterGcMiB) },
        rss: { ...busyRss, traceServerBeforeMiB, extensionHostBeforeMiB },
        postMs,
      };
    } finally {
      await workbench.close();
    }
  } finally {
    await server.stop();
    rmSync(workspaceDir, { recursive: true, force: true });
  }
}

/** p95 of a sample, for the console line. */
export function p95(values: readonly number[]): number {
  return Math.round(percentile([...values].sort((a, b) => a - b), 95) * 10) / 10;
}
