// What a real Dify 1.13.3 sent (test/recorded/dify-1.13.3), replayed into the extension in a real
// VS Code whose workspace holds the apps' exported DSLs and the plugin project: the Runs view names
// the node inside the Iteration where the error started, Go to Source opens that Code node's line
// in the DSL, and a plugin failure without a traceback (remote-debug mode) opens the tool's _invoke
// and says the exact line is unknown.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadRecordedCorpus, postRecordedBody } from '../recorded/recordedCorpus';
import { findFreePort, startCodeServer } from './harness/codeServer.js';
import { collectActivationErrors } from './harness/extensionHostLogs.js';
import { extensionVsix } from './harness/extensionVsix.js';
import { openViewContainer, openWorkbench, screenshot, screenshotOnFailure, waitForNotification, webviewFrame } from './harness/workbench.js';

test('a recorded Dify 1.13.3: the failing Iteration item and the remote-debug plugin go to their source', { timeout: 300_000 }, async (t) => {
  const corpus = loadRecordedCorpus('dify-1.13.3');
  const receiverPort = await findFreePort();
  const server = await startCodeServer({ workspaceDir: corpus.workspace, userSettings: { 'difyTrace.receiver.port': receiverPort }, vsixPath: extensionVsix() });
  t.after(() => server.stop());
  const workbench = await openWorkbench(server, { name: 'recorded-dify' });
  t.after(() => workbench.close());
  const { page } = workbench;
  const sidebar = page.locator('[id="workbench.parts.sidebar"]');
  const statusBar = page.locator('.statusbar');
  await screenshotOnFailure(page, 'recorded-dify', async () => {
    await openViewContainer(page, 'Dify Trace Explorer');
    await statusBar.getByText(`Dify 127.0.0.1:${receiverPort}`).waitFor({ timeout: 60_000 });
    const refused: string[] = [];
    for (const body of corpus.bodies) {
      const status = await postRecordedBody(`http://127.0.0.1:${receiverPort}`, body);
      if (status < 200 || status > 299) refused.push(`${body.path} → ${status}`);
    }
    assert.deepEqual(refused, [], 'the receiver takes every body Dify sent');
    t.diagnostic(`replayed ${corpus.bodies.length} request bodies`);
    // Every run is listed before any row is clicked: while runs still arrive, the app groups move
    // (they are ordered by their latest run) and a click can land on the row that moved under it.
    await sidebar.getByText(`${corpus.runs.size} runs (embedded).`).waitFor({ timeout: 60_000 });

    // The Iteration's failing item is named where its error started, with the item, not the Iteration.
    const rows = sidebar.locator('.monaco-list-row');
    const iterationApp = rows.filter({ hasText: 'wf-iteration-fail-aliyun' });
    await iterationApp.waitFor({ timeout: 30_000 });
    if ((await iterationApp.getAttribute('aria-expanded')) === 'false') await iterationApp.click();
    // Both exporters' runs read the same (Phoenix records the item index, Aliyun's comes from the items' order).
    await sidebar.getByRole('treeitem', { name: /^wf-iteration-fail-phoenix .*failed · at Check Item \(item 13 of Process Items\) · code sandbox error/ }).waitFor({ timeout: 30_000 });
    const iterationRun = sidebar.getByRole('treeitem', { name: /^wf-iteration-fail-aliyun .*failed · at Check Item \(item 13 of Process Items\) · code sandbox error/ });
    await iterationRun.waitFor({ timeout: 30_000 });
    await screenshot(page, 'recorded-runs');

    await iterationRun.click();
    await page.locator('.tabs-container .tab.active', { hasText: 'wf-iteration-fail-aliyun · failed' }).waitFor({ timeout: 30_000 });
    const frame = webviewFrame(page);
    const selected = frame.locator('.row[role="treeitem"][aria-selected="true"][data-status="error"]');
    await selected.filter({ hasText: 'Check Item' }).waitFor({ timeout: 30_000 });
    await frame.getByRole('button', { name: 'Go to Source' }).click();
    const dslName = 'wf-iteration-fail-aliyun.yml';
    // The node's code is one double-quoted scalar: line 3 of the code ("raise ValueError") starts on the DSL line that holds it.
    const dsl = readFileSync(join(corpus.workspace, 'dsl', dslName), 'utf8').split('\n');
    const dslLine = dsl.findIndex((l) => l.includes('raise ValueError'));
    assert.ok(dslLine >= 0);
    await page.locator('.tabs-container .tab.active', { hasText: dslName }).waitFor({ timeout: 30_000 });
    await statusBar.getByText(new RegExp(`Ln ${dslLine + 1}, Col ${dsl[dslLine]!.indexOf('raise ValueError') + 1}\\b`)).waitFor({ timeout: 30_000 });
    await screenshot(page, 'recorded-iteration-go-to-source');

    // The plugin ran in remote-debug mode: no traceback in the traces, so the tool's _invoke opens
    // and the message says the exact line is unknown.
    await openViewContainer(page, 'Dify Trace Explorer');
    const pluginApp = rows.filter({ hasText: 'wf-plugin-error-aliyun' });
    if ((await pluginApp.getAttribute('aria-expanded')) === 'false') await pluginApp.click();
    const pluginRun = sidebar.getByRole('treeitem', { name: /^wf-plugin-error-aliyun .*failed · at Look Up Warehouse · plugin error/ });
    await pluginRun.waitFor({ timeout: 30_000 });
    await pluginRun.click({ button: 'right' });
    await page.locator('.context-view .monaco-menu .action-label', { hasText: /^Go to Source$/ }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'stock_lookup.py' }).waitFor({ timeout: 30_000 });
    const tool = readFileSync(join(corpus.workspace, 'inventory-plugin', 'tools', 'stock_lookup.py'), 'utf8').split('\n');
    const invoke = tool.findIndex((l) => l.includes('def _invoke('));
    await statusBar.getByText(new RegExp(`Ln ${invoke + 1}, Col`)).waitFor({ timeout: 30_000 });
    await waitForNotification(page, /exact line is unknown/);
    await screenshot(page, 'recorded-plugin-go-to-source');

    assert.deepEqual(collectActivationErrors(server.logsDir()), []);
  }, server);
});
