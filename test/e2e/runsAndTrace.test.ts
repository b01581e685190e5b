// The walking skeleton end to end in a real VS Code: the packaged extension in code-server, demo
// traces sent with the real OpenTelemetry SDK, the failing run found in the Runs view, its span
// tree opened in the webview with the failing plugin span marked as an error.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { DEMO_RUNS } from '../demo/demoRuns';
import { CODE_FAILING_LINE, ITINERARY_CODE } from '../demo/sandbox';
import { emitDemoTraces } from '../demo/emitDemoTraces';
import { findFreePort } from './harness/codeServer.js';
import { openDemoWorkbench } from './harness/demoWorkbench.js';
import { collectActivationErrors } from './harness/extensionHostLogs.js';
import { repoRoot } from './harness/repoPaths.js';
import { lookUpTrace } from './harness/quickInput.js';
import { openViewContainer, runCommand, screenshot, screenshotOnFailure, webviewFrame } from './harness/workbench.js';

const pluginRun = DEMO_RUNS[1];
const codeRun = DEMO_RUNS[2];
const succeededRun = DEMO_RUNS[0];

test('Runs view lists the demo runs and the failing run opens as a linked span tree', { timeout: 300_000 }, async (t) => {
  const receiverPort = await findFreePort();
  const grpcPort = await findFreePort();
  const { page, server } = await openDemoWorkbench(t, 'runs-and-trace', receiverPort, { 'difyTrace.receiver.grpcPort': grpcPort });
  const sidebar = page.locator('[id="workbench.parts.sidebar"]');
  await screenshotOnFailure(page, 'runs-and-trace', async () => {
    await openViewContainer(page, 'Dify Trace Explorer');
    // Empty state: the welcome content appears once the receiver is listening.
    await sidebar.getByText('No Dify runs yet').waitFor({ timeout: 60_000 });
    const statusBar = page.locator('.statusbar');
    await statusBar.getByText(`Dify 127.0.0.1:${receiverPort} · gRPC ${grpcPort}`).waitFor();
    await screenshot(page, 'runs-empty');

    // The infrastructure half over OTLP/gRPC, as Dify sends it with OTEL_EXPORTER_OTLP_PROTOCOL=grpc;
    // the app-level half over OTLP/HTTP. The runtime span checked below comes only through gRPC.
    const summary = await emitDemoTraces({ endpoint: `http://127.0.0.1:${receiverPort}`, grpcEndpoint: `http://127.0.0.1:${grpcPort}` });
    t.diagnostic(`sent ${summary.totalSpans} spans in ${summary.exportRequests} export requests`);

    const rows = sidebar.locator('.monaco-list-row');
    const failedPluginRow = rows.filter({ hasText: `failed · at ${pluginRun.failingNodeTitle}` });
    await failedPluginRow.waitFor({ timeout: 30_000 });
    await rows.filter({ hasText: `failed · at ${codeRun.failingNodeTitle}` }).waitFor();
    await rows.filter({ hasText: 'succeeded' }).waitFor();
    // One app row, then one row per demo run: the linked infrastructure traces are not listed twice.
    await rows.filter({ hasText: new RegExp(`${pluginRun.appName}\\s*3 runs · 2 failed`) }).waitFor();
    assert.equal(await sidebar.locator('.monaco-list-row[aria-level="2"]').count(), 3);
    await screenshot(page, 'runs-listed');

    await failedPluginRow.click();
    const frame = webviewFrame(page);
    const tree = frame.locator('[role="tree"]');
    await tree.waitFor({ timeout: 30_000 });
    const errorRows = frame.locator('.row[role="treeitem"][data-status="error"]');
    // The root cause is selected on open: the plugin runtime span of the linked infrastructure
    // trace (Trace Link), deeper than the failing tool node of the app-level trace.
    const runtimeSpan = pluginRun.failingSpans.find((s) => s.traceId === pluginRun.infraTraceId)!;
    const runtimeRow = errorRows.filter({ hasText: runtimeSpan.name }).first();
    await runtimeRow.waitFor();
    assert.equal(await runtimeRow.getAttribute('aria-selected'), 'true', 'the root cause is selected on open');
    assert.match(await runtimeRow.innerText(), /\(error, root cause\)/, 'error and root cause are stated in words, not colour alone');
    await frame.locator('.details h2', { hasText: runtimeSpan.name }).waitFor();
    const pluginFile = pluginRun.failure?.kind === 'plugin' ? pluginRun.failure.pluginFile : '';
    await frame.locator('.details .stacktrace', { hasText: pluginFile }).waitFor();
    await frame.locator('.summary', { hasText: '1 linked trace(s)' }).waitFor();
    // The header names the root cause and its kind, a plugin error.
    await frame.locator('.root-cause-line', { hasText: `Root cause (plugin error): ${runtimeSpan.name} in ${runtimeSpan.service}` }).waitFor();
    await screenshot(page, 'trace-failing-plugin');

    // Go to Source: the plugin's tool file opens beside the panel at the failing line of the
    // traceback, found through the workspace's manifest.yaml (author acme, name weather).
    const pluginLine = pluginRun.failure?.kind === 'plugin' ? pluginRun.failure.pluginLine : 0;
    const fileName = pluginFile.split('/').at(-1)!;
    await frame.getByRole('button', { name: 'Go to Source' }).click();
    await page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor({ timeout: 30_000 });
    await statusBar.getByText(new RegExp(`Ln ${pluginLine}, Col`)).waitFor({ timeout: 30_000 });
    await page.locator('.monaco-editor .view-lines', { hasText: 'max_temp_c' }).first().waitFor();
    await screenshot(page, 'go-to-source');
    // The trace server publishes a diagnostic on the failing line (workspace manifest → file): the
    // Problems panel lists it under the tool file with the exception, and the line has a squiggle.
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    const problems = page.locator('.markers-panel');
    await problems.getByText(fileName).first().waitFor({ timeout: 30_000 });
    await problems.locator('.monaco-list-row', { hasText: pluginRun.failure?.kind === 'plugin' ? pluginRun.failure.exceptionType : 'KeyError' }).first().waitFor({ timeout: 30_000 });
    await problems.locator('.monaco-list-row', { hasText: `[Ln ${pluginLine},` }).first().waitFor();
    await page.locator('.monaco-editor .squiggly-error').first().waitFor();
    await screenshot(page, 'diagnostic');
    // A CodeLens on the tool's `_invoke`: the three demo runs called the tool, run 2's call failed.
    // VS Code asks for an editor's CodeLens once its text has focus (the Problems panel has it now).
    await page.locator('.monaco-editor .view-lines', { hasText: 'max_temp_c' }).first().click();
    const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: /^3 runs · p95 \d+(\.\d+)? (s|ms) · 1 error$/ });
    await lens.waitFor({ timeout: 30_000 });
    await screenshot(page, 'codelens');
    await lens.locator('a').first().click();
    const toolRuns = page.locator('.quick-input-widget', { hasText: 'Latest runs of acme/weather/weather · get_weather' });
    await toolRuns.waitFor();
    assert.equal(await toolRuns.locator('.monaco-list-row').count(), 3, 'the lens lists the three runs that called the tool');
    await page.keyboard.press('Escape');
    // Back to the panel for the steps below.
    await page.locator('.tabs-container .tab', { hasText: `${pluginRun.appName} · failed` }).click();
    await frame.locator('.details h2', { hasText: runtimeSpan.name }).waitFor();

    // The failing tool node of the app-level trace is marked too; selecting it shows its error.
    const toolRow = errorRows.filter({ hasText: pluginRun.failingNodeTitle! }).first();
    await toolRow.click();
    await frame.locator('.details h2', { hasText: pluginRun.failingNodeTitle! }).waitFor();
    assert.equal(await toolRow.getAttribute('aria-selected'), 'true');
    await screenshot(page, 'trace-tool-node');

    // In-trace search: Ctrl+F in the panel focuses the search box; Enter selects the next match
    // (its ancestors expanded) and says which of how many; Escape clears. The critical path has a legend.
    await frame.locator('.legend', { hasText: 'Critical path' }).waitFor();
    await page.keyboard.press('Control+f');
    const searchBox = frame.getByRole('searchbox', { name: 'Find spans by name, attribute key or value' });
    await searchBox.waitFor();
    await frame.locator('.trace-search input[type="search"]:focus').waitFor({ timeout: 5_000 }); // Ctrl+F focused it
    await searchBox.fill(runtimeSpan.name);
    await searchBox.press('Enter');
    await frame.locator('.row[aria-selected="true"]', { hasText: runtimeSpan.name }).waitFor();
    await frame.locator('.details h2', { hasText: runtimeSpan.name }).waitFor();
    await frame.locator('.search-status', { hasText: /^1 of \d+$/ }).waitFor();
    await screenshot(page, 'trace-search');
    await searchBox.press('Escape');
    assert.equal(await searchBox.inputValue(), '');
    await toolRow.click();
    await frame.locator('.details h2', { hasText: pluginRun.failingNodeTitle! }).waitFor();

    // Trace Link, span by span: from the tool node to the plugin daemon span that served it, and back.
    const daemonSpanName = 'POST /plugin/:tenant_id/dispatch/tool/invoke';
    await frame.getByRole('button', { name: `Plugin daemon span: ${daemonSpanName} (dify-plugin-daemon)` }).click();
    await frame.locator('.details h2', { hasText: daemonSpanName }).waitFor();
    assert.equal(await frame.locator('.row[aria-selected="true"]', { hasText: daemonSpanName }).count(), 1, 'the daemon span is selected');
    await screenshot(page, 'trace-link-daemon');
    await frame.getByRole('button', { name: `App-level span: ${pluginRun.failingNodeTitle!} (${pluginRun.appName})` }).click();
    await frame.locator('.details h2', { hasText: pluginRun.failingNodeTitle! }).waitFor();
    assert.equal(await toolRow.getAttribute('aria-selected'), 'true', 'back on the tool node');

    // Collapse all leaves only the root rows (the selection moves to its root); Expand all brings the rows back.
    const treeRows = frame.locator('.row[role="treeitem"]');
    const rowsBefore = await treeRows.count();
    await frame.getByRole('button', { name: 'Collapse all' }).click();
    await frame.locator('.row[role="treeitem"][aria-level="1"][aria-selected="true"]').waitFor();
    const rootRows = await frame.locator('.row[role="treeitem"][aria-level="1"]').count();
    assert.ok(rootRows > 0);
    assert.equal(await treeRows.count(), rootRows, 'only the root rows remain');
    await screenshot(page, 'trace-collapse-all');
    await frame.getByRole('button', { name: 'Expand all' }).click();
    await frame.locator('.row[role="treeitem"][aria-level="2"]').first().waitFor();
    assert.equal(await frame.locator('.row[role="treeitem"][aria-expanded="false"]').count(), 0, 'nothing collapsed');
    assert.ok((await treeRows.count()) >= Math.min(rowsBefore, rootRows + 1), 'the rows are back');
    await toolRow.click();
    await frame.locator('.details h2', { hasText: pluginRun.failingNodeTitle! }).waitFor();
    // Type-ahead: typing a span name in the focused tree selects the next row that starts with it.
    await frame.locator('.tree[role="tree"]:focus').waitFor({ timeout: 5_000 });
    await page.keyboard.type(daemonSpanName.toLowerCase());
    await frame.locator('.row[aria-selected="true"]', { hasText: daemonSpanName }).waitFor();
    await frame.locator('.details h2', { hasText: daemonSpanName }).waitFor();
    await toolRow.click();
    await frame.locator('.details h2', { hasText: pluginRun.failingNodeTitle! }).waitFor();

    // The names column narrowed by keyboard: kept with the panel, as the selection is.
    const nameDivider = (f: typeof frame) => f.getByRole('separator', { name: 'Divider between span names and timeline' });
    await nameDivider(frame).focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
    await frame.locator('.split-sash[aria-valuenow="35"]').waitFor();

    // After a window reload the panel comes back (serializer) and the traces with it: the trace
    // server restarted with the window and read them from its database (node:sqlite in the
    // extension's global storage), so nothing is sent again. The selection the webview persisted is kept.
    await runCommand(page, 'Developer: Reload Window');
    const restored = webviewFrame(page);
    const restoredToolRow = restored.locator('.row[role="treeitem"][data-status="error"]', { hasText: pluginRun.failingNodeTitle! }).first();
    await restoredToolRow.waitFor({ timeout: 60_000 });
    assert.equal(await restoredToolRow.getAttribute('aria-selected'), 'true', 'the selection survived the reload (not the root-cause default)');
    assert.equal(await nameDivider(restored).getAttribute('aria-valuenow'), '35', 'the names column kept its width');
    await screenshot(page, 'trace-after-reload');
    // The Runs view lists the runs again, and the status bar says they are kept on disk.
    await openViewContainer(page, 'Dify Trace Explorer');
    await sidebar.locator('.monaco-list-row').filter({ hasText: `failed · at ${pluginRun.failingNodeTitle}` }).waitFor({ timeout: 30_000 });
    await sidebar.locator('.monaco-list-row').filter({ hasText: `failed · at ${codeRun.failingNodeTitle}` }).waitFor();
    await screenshot(page, 'runs-after-reload');

    // The palette lookup: a workflow run id lands on its run, a Jaeger URL on the trace it names.
    await lookUpTrace(page, codeRun.workflowRunId);
    await webviewFrame(page).locator('.summary .run-error', { hasText: `${codeRun.failingNodeTitle!}:` }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'open-trace-by-run-id');
    // Go to Source on the failing Code node, by keyboard: Enter on the selected root cause opens
    // the app's exported DSL at line 4 of the node's code, inside Dify's double-quoted scalar.
    const codeFrame = webviewFrame(page);
    const codeRoot = codeFrame.locator('.row[role="treeitem"][aria-selected="true"][data-status="error"]');
    await codeRoot.waitFor();
    await codeFrame.locator('[role="tree"]').press('Enter');
    const dslName = 'travel-assistant.yml';
    const dsl = readFileSync(join(repoRoot(), 'test', 'demo', 'workspace', dslName), 'utf8').split('\n');
    const failingStatement = ITINERARY_CODE.split('\n')[CODE_FAILING_LINE - 1]!.trim().slice(0, 20);
    const dslLine = dsl.findIndex((l) => l.includes(failingStatement));
    assert.ok(dslLine >= 0, `"${failingStatement}" is in the DSL`);
    await page.locator('.tabs-container .tab.active', { hasText: dslName }).waitFor({ timeout: 30_000 });
    await statusBar.getByText(`Ln ${dslLine + 1}, Col ${dsl[dslLine]!.indexOf(failingStatement) + 1}`).waitFor({ timeout: 30_000 });
    // The statement is in view (the editor scrolled sideways to it) and selected.
    await page.locator('.monaco-editor .view-lines', { hasText: failingStatement }).first().waitFor();
    await page.locator('.monaco-editor .selected-text').first().waitFor();
    await screenshot(page, 'go-to-source-code-node');
    // The same line carries the run's diagnostic in the DSL file.
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    await problems.getByText(dslName).first().waitFor({ timeout: 30_000 });
    await problems.locator('.monaco-list-row', { hasText: `[Ln ${dslLine + 1},` }).first().waitFor();

    // Go to Source from the Runs view's context menu on the plugin run.
    await openViewContainer(page, 'Dify Trace Explorer');
    await failedPluginRow.click({ button: 'right' });
    await page.locator('.context-view .monaco-menu .action-label', { hasText: /^Go to Source$/ }).waitFor();
    // The menu is driven by keyboard, as a keyboard user would (its only item: Go to Source).
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor({ timeout: 30_000 });
    await statusBar.getByText(new RegExp(`Ln ${pluginLine}, Col`)).waitFor({ timeout: 30_000 });

    // And from the panel's own context menu on a span row (VS Code's webview/context menu, fed by
    // the row's data-vscode-context): the Code node's root cause row again, the DSL again.
    await page.locator('.tabs-container .tab.active', { hasText: `${codeRun.appName} · failed` }).click();
    const selectedRow = webviewFrame(page).locator('.row[role="treeitem"][aria-selected="true"]');
    await selectedRow.click({ button: 'right' });
    await page.locator('.context-view .monaco-menu .action-label', { hasText: /^Go to Source$/ }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: dslName }).waitFor({ timeout: 30_000 });
    await statusBar.getByText(`Ln ${dslLine + 1}, Col ${dsl[dslLine]!.indexOf(failingStatement) + 1}`).waitFor({ timeout: 30_000 });

    await lookUpTrace(page, `http://localhost:16686/trace/${succeededRun.appTraceId}`);
    await webviewFrame(page).locator('.summary h1', { hasText: `succeeded ${succeededRun.appName}` }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'open-trace-by-jaeger-url');

    assert.deepEqual(collectActivationErrors(server.logsDir()), []);
  }, server);
});

test('a receiver port already in use is reported in the Runs view, and a new port recovers', { timeout: 300_000 }, async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => blocker.close());
  const busyPort = (blocker.address() as { port: number }).port;
  const { page, server } = await openDemoWorkbench(t, 'port-in-use', busyPort);
  const sidebar = page.locator('[id="workbench.parts.sidebar"]');
  await screenshotOnFailure(page, 'port-in-use', async () => {
    await openViewContainer(page, 'Dify Trace Explorer');
    await page.locator('.statusbar').getByText(`Dify: port ${busyPort} in use`).waitFor({ timeout: 60_000 });
    await sidebar.getByText("Another process is using the receiver's port").waitFor();
    await sidebar.getByRole('button', { name: 'Change Port' }).waitFor();
    await screenshot(page, 'port-in-use');

    // Change Port asks for a port, writes the setting, and the receiver restarts on it.
    const freePort = await findFreePort();
    await sidebar.getByRole('button', { name: 'Change Port' }).click();
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-widget', { hasText: 'Port for the embedded OTLP/HTTP receiver' }).waitFor();
    await input.fill('99999');
    await page.locator('.quick-input-widget', { hasText: 'Enter a port number between 0 and 65535' }).waitFor();
    await input.fill(String(freePort));
    await input.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await page.locator('.statusbar').getByText(`Dify 127.0.0.1:${freePort}`).waitFor({ timeout: 30_000 });
    await sidebar.getByText('No Dify runs yet').waitFor();
    const res = await fetch(`http://127.0.0.1:${freePort}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans":[]}' });
    assert.equal(res.status, 200);
    assert.deepEqual(collectActivationErrors(server.logsDir()), []);
  }, server);
});
