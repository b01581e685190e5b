// The runs explorer in a real VS Code (issue 6): the Runs view filtered to the failed runs of one
// app with a keyword (two apps: the demo's "Travel Assistant" and the corpus's "Order Support"),
// saved and cleared filters, grouping, the palette lookup by workflow run id and by a Jaeger URL
// with its recent lookups, a trace id clicked in the terminal, Export Run and Import Traces as a
// round trip through a trace server restart, live updates that keep the selection, paused updates
// that count new runs, and the status bar that opens the Runs view.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { DEMO_RUNS } from '../demo/demoRuns';
import { emitDemoTraces } from '../demo/emitDemoTraces';
import { findFreePort } from './harness/codeServer.js';
import { openDemoWorkbench } from './harness/demoWorkbench.js';
import { postCorpusCases } from './harness/corpusTraces.js';
import { collectActivationErrors } from './harness/extensionHostLogs.js';
import { lookUpTrace, quickInputTitled, quickPickRow, startCommand } from './harness/quickInput.js';
import { openViewContainer, runCommand, screenshot, screenshotOnFailure, waitForNotification, webviewFrame } from './harness/workbench.js';

const succeededRun = DEMO_RUNS[0];
const pluginRun = DEMO_RUNS[1];
const codeRun = DEMO_RUNS[2];
const otherApp = 'Order Support';
/** The keyword: the plugin's KeyError, in the demo's plugin run and in one failed Order Support run. */
const keyword = 'max_temp_c';

test('Runs explorer: filters, saved filters, grouping, palette and terminal lookups, export and import, live updates', { timeout: 480_000 }, async (t) => {
  const receiverPort = await findFreePort();
  const endpoint = `http://127.0.0.1:${receiverPort}`;
  const exportDir = mkdtempSync(join(tmpdir(), 'dte-export-'));
  t.after(() => rmSync(exportDir, { recursive: true, force: true }));
  const { page, server } = await openDemoWorkbench(t, 'runs-explorer', receiverPort, {
    // The DOM renderer puts the terminal's text in the DOM, where the test finds the link to click.
    'terminal.integrated.gpuAcceleration': 'off',
    'workbench.view.alwaysShowHeaderActions': true,
    // Import into an empty trace server (step 7): kept in memory only, so a restart empties it
    // (runsAndTrace.test.ts checks that a reload brings persisted runs back).
    'difyTrace.store.persist': false,
  });
  const sidebar = page.locator('[id="workbench.parts.sidebar"]');
  const rows = sidebar.locator('.monaco-list-row');
  const viewButton = (name: string) => sidebar.getByRole('button', { name, exact: true });
  /** Clicks a view title button, then moves the pointer off it so that its hover does not cover what opens. */
  const clickViewButton = async (name: string) => {
    await viewButton(name).click();
    await page.mouse.move(1000, 950);
  };
  const appRow = (app: string, counts: string) => rows.filter({ hasText: new RegExp(`^\\s*${app}\\s*${counts}`) });
  const description = (text: string) => sidebar.locator('.description', { hasText: text });
  // The demo's failed plugin run (an Order Support run fails at a node of the same title).
  const pluginRow = sidebar.locator(`.monaco-list-row[aria-label^="${pluginRun.appName} "]`, { hasText: `failed · at ${pluginRun.failingNodeTitle!}` });

  await screenshotOnFailure(page, 'runs-explorer', async () => {
    await openViewContainer(page, 'Dify Trace Explorer');
    await sidebar.getByText('No Dify runs yet').waitFor({ timeout: 60_000 });
    // A wider side bar, so that run descriptions are readable in the screenshots.
    await widenSideBar(page, sidebar, 320);
    await emitDemoTraces({ endpoint });
    await postCorpusCases(endpoint, ['aliyun/error-plugin-invoke-friendly', 'aliyun/error-vector-weaviate', 'aliyun/chat-message-llm', 'aliyun/chatflow-answer']);
    await appRow(pluginRun.appName, '3 runs · 2 failed').waitFor({ timeout: 30_000 });
    await appRow(otherApp, '4 runs · 2 failed').waitFor({ timeout: 30_000 });
    // The status bar: the address and the span rate over the last 10 s.
    await page.locator('.statusbar').getByText(new RegExp(`Dify 127\\.0\\.0\\.1:${receiverPort} · gRPC \\d+ · [\\d.]+k? spans/s`)).waitFor({ timeout: 10_000 });
    // Counts and the backend: in the view's description (kept in the DOM, but not shown while the
    // view is alone in its container) and in its message.
    await description('7 runs · embedded').waitFor({ state: 'attached' });
    await sidebar.getByText('7 runs (embedded).').waitFor();
    await screenshot(page, 'explorer-runs');

    // 1. A keyword from "Search Runs…": the KeyError is in a run of each app.
    await clickViewButton('Search Runs…');
    await quickInputTitled(page, 'Search Runs');
    await page.locator('.quick-input-widget input').fill(keyword);
    await page.keyboard.press('Enter');
    await appRow(pluginRun.appName, '1 run · 1 failed').waitFor();
    await appRow(otherApp, '1 run · 1 failed').waitFor();
    await description(`“${keyword}” · 2 of 7 · embedded`).waitFor({ state: 'attached' });
    await sidebar.getByText(`Filter: Keyword: “${keyword}”. 2 matching of 7 runs (embedded).`).waitFor();

    // 2. "Filter Runs…": add failed and one app; the keyword stays picked. The choices carry counts.
    await clickViewButton('Filter Runs…');
    const filterPick = await quickInputTitled(page, /^Filter Runs \(7 runs in memory\)$/);
    await toggle(quickPickRow(page, 'failed'), '4 runs');
    await toggle(quickPickRow(page, pluginRun.appName), '3 runs');
    assert.equal(await quickPickRow(page, 'Keyword…').getByRole('checkbox').isChecked(), true, 'the keyword is picked');
    await screenshot(page, 'explorer-filter-pick');
    await filterPick.getByRole('button', { name: 'OK' }).click();
    await filterPick.waitFor({ state: 'hidden' });
    await appRow(otherApp, '').waitFor({ state: 'detached' });
    await pluginRow.waitFor();
    assert.equal(await sidebar.locator('.monaco-list-row[aria-level="2"]').count(), 1, 'one failed run of the app has the keyword');
    await description(`failed · ${pluginRun.appName} · “${keyword}” · 1 of 7 · embedded`).waitFor({ state: 'attached' });
    await sidebar.getByText(`Filter: Status: failed; App: ${pluginRun.appName}; Keyword: “${keyword}”. 1 matching of 7 runs (embedded).`).waitFor();
    await screenshot(page, 'explorer-filtered');

    // 3. Save it, clear it (the view's button), apply the saved one again.
    await startCommand(page, 'Dify Trace: Save Filter…');
    await quickInputTitled(page, 'Save Filter');
    await page.locator('.quick-input-widget input').fill('Travel KeyErrors');
    await page.keyboard.press('Enter');
    await clickViewButton('Clear Filter');
    await appRow(otherApp, '4 runs · 2 failed').waitFor();
    await viewButton('Clear Filter').waitFor({ state: 'detached' });
    await startCommand(page, 'Dify Trace: Apply Saved Filter…');
    await quickInputTitled(page, 'Apply Saved Filter');
    await quickPickRow(page, 'Travel KeyErrors').click();
    await pluginRow.waitFor();
    await appRow(otherApp, '').waitFor({ state: 'detached' });
    await sidebar.getByText(`Filter: Status: failed; App: ${pluginRun.appName}; Keyword: “${keyword}”. 1 matching of 7 runs (embedded).`).waitFor();

    // 4. The palette lookup: a workflow run id lands on its run, a Jaeger URL on its trace; both
    // are then the first items of the lookup, with what they found.
    await lookUpTrace(page, codeRun.workflowRunId);
    await webviewFrame(page).locator('.summary .run-error', { hasText: `${codeRun.failingNodeTitle!}:` }).waitFor({ timeout: 30_000 });
    await lookUpTrace(page, `http://localhost:16686/trace/${succeededRun.appTraceId}`);
    await webviewFrame(page).locator('.summary h1', { hasText: `succeeded ${succeededRun.appName}` }).waitFor({ timeout: 30_000 });
    await startCommand(page, 'Dify Trace: Open Trace…');
    const lookup = await quickInputTitled(page, 'Dify Trace: Open Trace');
    await lookup.getByText('Recent lookups').first().waitFor();
    await quickPickRow(page, `http://localhost:16686/trace/${succeededRun.appTraceId}`).filter({ hasText: `${succeededRun.appName} · workflow · succeeded` }).waitFor();
    await quickPickRow(page, codeRun.workflowRunId).filter({ hasText: `${codeRun.appName} · workflow · failed` }).waitFor();
    await screenshot(page, 'explorer-recent-lookups');
    await page.keyboard.press('Escape');
    await lookup.waitFor({ state: 'hidden' });

    // 5. A trace id printed in the terminal is a link to the lookup (Ctrl+click).
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Terminal: Create New Terminal');
    const terminal = page.locator('.terminal-wrapper.active .xterm');
    await terminal.waitFor();
    await terminal.click();
    // The command line does not read `trace_id=<id>` (printf joins it), so the link clicked is in the output.
    await page.keyboard.type(`echo "trace_id=$(printf '%s' ${pluginRun.appTraceId})"\n`);
    await clickTerminalLink(page, terminal, `trace_id=${pluginRun.appTraceId}`, pluginRun.appTraceId);
    await webviewFrame(page).locator('.summary h1', { hasText: `failed ${pluginRun.appName}` }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'explorer-terminal-link');
    await runCommand(page, 'View: Hide Panel');
    // Focus back in the side bar (empty space under the runs), away from the webview and terminal.
    await sidebar.locator('.monaco-list').first().click({ position: { x: 100, y: 500 } });

    // 6. Grouping by conversation: the chat runs of Order Support each have one; workflows do not.
    await runCommand(page, 'Dify Trace: Clear Filter');
    await appRow(otherApp, '4 runs · 2 failed').waitFor();
    await startCommand(page, 'Dify Trace: Group Runs By…');
    await quickInputTitled(page, 'Group Runs');
    await quickPickRow(page, 'By Conversation').click();
    await rows.filter({ hasText: `${otherApp} · conversation` }).first().waitFor();
    await rows.filter({ hasText: `${pluginRun.appName} · no conversation` }).waitFor();
    await screenshot(page, 'explorer-by-conversation');
    await startCommand(page, 'Dify Trace: Group Runs By…');
    await quickInputTitled(page, 'Group Runs');
    await quickPickRow(page, 'By App').click();
    await appRow(otherApp, '4 runs · 2 failed').waitFor();

    // 7. Export the plugin run from its context menu, restart the trace server (its memory is
    // emptied), import the file: the run is back, with its linked trace, and opens.
    const exportPath = join(exportDir, 'plugin-run.jsonl');
    await pluginRow.click({ button: 'right' });
    await page.locator('.context-view .monaco-menu .action-label', { hasText: /^Export Run…$/ }).waitFor();
    // By keyboard, as in runsAndTrace.test.ts: the last item (after Go to Source).
    await page.keyboard.press('ArrowUp');
    await page.locator('.context-view .monaco-menu .action-item.focused', { hasText: /^Export Run…$/ }).waitFor();
    await page.keyboard.press('Enter');
    await chooseFile(page, 'Export Run', exportPath, 'OK');
    await waitForNotification(page, /^Exported \d+ spans?( and \d+ log records?)? to /);
    await runCommand(page, 'Notifications: Hide Notifications');
    const lines = readFileSync(exportPath, 'utf8').trim().split('\n');
    assert.ok(lines.length >= 1 && lines.every((l) => JSON.parse(l) !== null), 'the export is JSON Lines');
    assert.ok(lines[0]!.includes(pluginRun.infraTraceId), 'the linked infrastructure trace is exported with the run');
    await runCommand(page, 'Dify Trace: Restart Trace Server');
    await sidebar.getByText('No Dify runs yet').waitFor({ timeout: 60_000 });
    await startCommand(page, 'Dify Trace: Import Traces from File…');
    await chooseFile(page, 'Import Traces', exportPath, 'Import');
    await webviewFrame(page).locator('.summary h1', { hasText: `failed ${pluginRun.appName}` }).waitFor({ timeout: 30_000 });
    await webviewFrame(page).locator('.summary', { hasText: '1 linked trace(s)' }).waitFor();
    await appRow(pluginRun.appName, '1 run · 1 failed').waitFor();
    await waitForNotification(page, /^Imported \d+ spans/);
    await runCommand(page, 'Notifications: Hide Notifications');
    await screenshot(page, 'explorer-imported');

    // 8. Live: a run arrives while a run is selected; the selection stays.
    await openViewContainer(page, 'Dify Trace Explorer');
    const imported = pluginRow;
    await imported.click();
    await postCorpusCases(endpoint, ['aliyun/error-llm-connection']);
    await appRow(otherApp, '1 run · 1 failed').waitFor({ timeout: 30_000 });
    assert.equal(await imported.getAttribute('aria-selected'), 'true', 'the selected run stays selected when runs arrive');
    // Paused: the next run is counted, not listed, until "N new runs" is clicked.
    await clickViewButton('Pause Live Updates');
    await viewButton('Resume Live Updates').waitFor();
    await postCorpusCases(endpoint, ['aliyun/error-http-status']);
    const newRuns = rows.filter({ hasText: '1 new run — show' });
    await newRuns.waitFor({ timeout: 30_000 });
    await appRow(otherApp, '1 run · 1 failed').waitFor();
    await screenshot(page, 'explorer-paused');
    await newRuns.click();
    await appRow(otherApp, '2 runs · 2 failed').waitFor();
    await newRuns.waitFor({ state: 'detached' });
    await clickViewButton('Resume Live Updates');
    await viewButton('Pause Live Updates').waitFor();

    // 9. The status bar item opens the Runs view.
    await runCommand(page, 'View: Close Primary Side Bar');
    await sidebar.waitFor({ state: 'hidden' });
    await page.locator('.statusbar').getByText(`Dify 127.0.0.1:${receiverPort}`).click();
    await appRow(otherApp, '2 runs · 2 failed').waitFor();
    await screenshot(page, 'explorer-status-bar');

    assert.ok(existsSync(exportPath));
    assert.deepEqual(collectActivationErrors(server.logsDir()), []);
  }, server);
});

/** Drags the sash on the side bar's right edge by `by` pixels. */
async function widenSideBar(page: Page, sidebar: Locator, by: number): Promise<void> {
  const bar = (await sidebar.boundingBox())!;
  const right = bar.x + bar.width;
  for (const sash of await page.locator('.monaco-sash.vertical').all()) {
    const box = await sash.boundingBox();
    if (box === null || Math.abs(box.x + box.width / 2 - right) > 4) continue;
    const y = bar.y + bar.height / 2;
    await page.mouse.move(box.x + box.width / 2, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + by, y, { steps: 8 });
    await page.mouse.up();
    break;
  }
  assert.ok((await sidebar.boundingBox())!.width > bar.width, 'the side bar is wider');
}

/** Toggles a multi-select quick pick row (its checkbox) that shows `count`. */
async function toggle(row: Locator, count: string): Promise<void> {
  await row.filter({ hasText: count }).waitFor();
  const box = row.getByRole('checkbox');
  const before = await box.isChecked();
  await box.click();
  await assertEventually(async () => (await box.isChecked()) !== before);
}

async function assertEventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * VS Code's own file dialog (the web workbench has no native one): once it lists its first folder
 * (it sets its path then), type the path and press its button (`OK` to save, the open label to open).
 */
async function chooseFile(page: Page, title: string, path: string, button: string): Promise<void> {
  const dialog = await quickInputTitled(page, title);
  const parentRow = dialog.locator('.quick-input-list .label-name', { hasText: /^\.\.$/ });
  await parentRow.first().waitFor();
  const input = dialog.locator('input.input');
  await input.fill(path);
  await assertEventually(async () => (await input.inputValue()) === path);
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** The little of the DOM that the terminal row's measurement reads (the tests compile without the DOM library). */
interface RenderedNode {
  textContent: string | null;
  querySelectorAll(selector: string): ArrayLike<RenderedNode>;
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
}

/**
 * Ctrl+click on `id` inside the terminal line that reads `lineText`. The DOM renderer writes a line
 * as spans of monospace text, so the id's centre is found proportionally inside its span. The
 * pointer rests on the id (the link providers run on hover), and the click is made once the link's
 * hover shows.
 */
async function clickTerminalLink(page: Page, terminal: Locator, lineText: string, id: string): Promise<void> {
  const row = terminal.locator('.xterm-rows > div', { hasText: lineText }).last();
  await row.waitFor();
  // The renderer rewrites a row's spans when it redraws (the cursor blinks, the prompt returns), so
  // the span is found and measured in one step inside the page, and again if it was replaced.
  let box: { x: number; y: number } | undefined;
  await assertEventually(async () => {
    box = await row.evaluate((element: unknown, wanted: string) => {
      const spans = Array.from((element as RenderedNode).querySelectorAll('span')).filter((s) => (s.textContent ?? '').includes(wanted));
      const span = spans[spans.length - 1];
      if (!span) return undefined;
      const text = span.textContent ?? '';
      const rect = span.getBoundingClientRect();
      if (rect.width === 0) return undefined;
      const centre = text.lastIndexOf(wanted) + wanted.length / 2;
      return { x: rect.x + (rect.width * centre) / text.length, y: rect.y + rect.height / 2 };
    }, id).catch(() => undefined);
    return box !== undefined;
  });
  const at = box!;
  await page.mouse.move(at.x, at.y);
  // The link is there once its hover shows (the providers ran); Ctrl then makes it activatable.
  await page.getByText('Open this trace in Dify Trace Explorer').waitFor({ timeout: 15_000 });
  await page.keyboard.down('Control');
  try {
    await page.mouse.move(at.x + 2, at.y);
    await page.mouse.click(at.x + 2, at.y);
  } finally {
    await page.keyboard.up('Control');
  }
}

