// The workflow performance view in a real VS Code (issue 15): the demo's three runs and their
// history (22 runs of one app, one made slow by the demo plugin). The Runs view marks the slow run
// and its tooltip names the node and span to blame; the performance view, opened from the palette,
// names the plugin runtime span that made it slow, shows the table of per-node figures, walks the
// chart by keyboard, and opens the slow run from its figure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APP, PLUGIN_RUNTIME_SPAN, SLOW_RUN } from '../demo/demoRuns';
import { emitDemoTraces } from '../demo/emitDemoTraces';
import { PLUGIN_RUNTIME_SERVICE } from '../demo/services';
import { findFreePort } from './harness/codeServer.js';
import { openDemoWorkbench } from './harness/demoWorkbench.js';
import { collectActivationErrors } from './harness/extensionHostLogs.js';
import { quickInputTitled, quickPickRow, startCommand } from './harness/quickInput.js';
import { openViewContainer, screenshot, screenshotOnFailure, webviewFrame } from './harness/workbench.js';

test('Workflow performance: the run the plugin made slow is marked in the Runs view and named with its plugin runtime span in the performance view', { timeout: 300_000 }, async (t) => {
  const receiverPort = await findFreePort();
  const { page, server } = await openDemoWorkbench(t, 'workflow-performance', receiverPort);
  const sidebar = page.locator('[id="workbench.parts.sidebar"]');
  await screenshotOnFailure(page, 'workflow-performance', async () => {
    await openViewContainer(page, 'Dify Trace Explorer');
    await sidebar.getByText('No Dify runs yet').waitFor({ timeout: 60_000 });
    const summary = await emitDemoTraces({ endpoint: `http://127.0.0.1:${receiverPort}`, history: true });
    const slowStart = summary.history.find((r) => r.index === SLOW_RUN.index)!.startMs;

    // The Runs view: the slow run says where its time went, in its row and its tooltip.
    const slowRow = sidebar.locator('.monaco-list-row', { hasText: `slow in Get Weather → ${PLUGIN_RUNTIME_SPAN}` });
    await slowRow.waitFor({ timeout: 60_000 });
    assert.equal(await sidebar.locator('.monaco-list-row', { hasText: 'slow in' }).count(), 1, 'one run of 22 is above the p95');
    assert.match((await slowRow.getAttribute('aria-label')) ?? '', new RegExp(new Date(slowStart).toLocaleTimeString('en-US').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await slowRow.hover();
    const hover = page.locator('.monaco-hover', { hasText: 'Held up most by' });
    await hover.waitFor({ timeout: 30_000 });
    // MarkdownString.appendText keeps spaces as no-break spaces.
    const hoverText = (await hover.innerText()).replaceAll('\u00a0', ' ');
    assert.match(hoverText, /Slow: .* above the p95 of .* over 22 runs of this app/);
    assert.ok(hoverText.includes(`node Get Weather, span ${PLUGIN_RUNTIME_SPAN} (${PLUGIN_RUNTIME_SERVICE}, plugin runtime)`), hoverText);
    await screenshot(page, 'workflow-performance-runs');
    await page.keyboard.press('Escape');

    // The performance view, from the palette: pick the app.
    await startCommand(page, 'Dify Trace: Show Workflow Performance');
    await quickInputTitled(page, 'Dify Trace: Show Workflow Performance');
    await quickPickRow(page, APP.name).click();
    await page.locator('.tabs-container .tab.active', { hasText: `Performance: ${APP.name}` }).waitFor({ timeout: 30_000 });
    const view = webviewFrame(page);
    await view.locator('table.nodes tbody tr').first().waitFor({ timeout: 60_000 });
    assert.match(await view.locator('.perf-header .figures').innerText(), /^22 runs · p50 .* · p95 .* · slowest /);

    // The slowest run first, named with the node and the plugin runtime span that made it slow.
    const first = view.locator('.slowest li').first();
    assert.ok(await first.locator('.badge', { hasText: 'slower than p95' }).isVisible());
    const blame = await first.locator('.blame').innerText();
    assert.ok(blame.startsWith(`Get Weather → ${PLUGIN_RUNTIME_SPAN} (${PLUGIN_RUNTIME_SERVICE}, plugin runtime)`), blame);
    assert.equal(await view.locator('.slowest .badge').count(), 1);

    // The table: one row per node in run order; the blamed node is the one charted, its time mostly the plugin's.
    const titles = await view.locator('table.nodes tbody th .node-name').allInnerTexts();
    assert.deepEqual(titles, ['Start', 'Plan Trip', 'Search Travel Guides', 'Get Weather', 'Build Itinerary', 'End']);
    const weatherRow = view.locator('table.nodes tbody tr', { has: view.locator('.node-name', { hasText: 'Get Weather' }) });
    assert.equal(await weatherRow.locator('.node-name').getAttribute('aria-pressed'), 'true');
    assert.match(await weatherRow.locator('.split-bar').getAttribute('aria-label') ?? '', /^plugin runtime \d+%/);
    assert.match(await view.locator('.node-charts h2').first().innerText(), /^Get Weather: time per run/);
    assert.equal(await view.locator('.node-charts circle.point').count(), 22);
    assert.equal(await view.locator('.node-charts circle.point.slow').count(), 1);
    assert.equal(await view.locator('.node-charts circle.point.failed').count(), 1, 'run 2 failed in the tool');
    await screenshot(page, 'workflow-performance');

    // Keyboard: Down moves to the next row's name; Enter charts that node instead.
    await weatherRow.locator('.node-name').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await view.locator('.node-charts h2', { hasText: /^Build Itinerary: time per run/ }).waitFor();
    // The chart walks its points with the arrow keys and says which run each is.
    await view.locator('.node-charts svg[tabindex="0"]').focus();
    await page.keyboard.press('Home');
    assert.match(await view.locator('.node-charts [aria-live]').innerText(), /in Build Itinerary, ok; run .*succeeded/);

    // The slow run's figure opens it: Get Weather's slowest time is the slow run's.
    await weatherRow.locator('.node-name').click();
    await weatherRow.locator('td.figure button[aria-label^="Slowest of Get Weather"]').click();
    await page.locator('.tabs-container .tab.active', { hasText: `Trace ${SLOW_RUN.appTraceId.slice(0, 8)}` }).waitFor({ timeout: 30_000 });
    assert.deepEqual(collectActivationErrors(server.logsDir()), []);
  }, server);
});
