// Compare Runs in a real VS Code (issue 15): the demo's failing plugin run compared with the last
// success of its app from the Runs view's context menu; the comparison opens on the first node
// where the runs took another path (Get Weather), and Enter diffs its inputs in VS Code's diff editor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_RUNS } from '../demo/demoRuns';
import { emitDemoTraces } from '../demo/emitDemoTraces';
import { findFreePort } from './harness/codeServer.js';
import { openDemoWorkbench } from './harness/demoWorkbench.js';
import { collectActivationErrors } from './harness/extensionHostLogs.js';
import { quickInputTitled } from './harness/quickInput.js';
import { openViewContainer, screenshot, screenshotOnFailure } from './harness/workbench.js';

const lastSuccess = DEMO_RUNS[0];
const pluginRun = DEMO_RUNS[1];

test('Compare with Last Success: the failing run against the last success, on the first diverging node, its inputs in the diff editor', { timeout: 300_000 }, async (t) => {
  const receiverPort = await findFreePort();
  const { page, server } = await openDemoWorkbench(t, 'compare-runs', receiverPort);
  const sidebar = page.locator('[id="workbench.parts.sidebar"]');
  const pluginRow = sidebar.locator(`.monaco-list-row[aria-label^="${pluginRun.appName} "]`, { hasText: `failed · at ${pluginRun.failingNodeTitle!}` });
  await screenshotOnFailure(page, 'compare-runs', async () => {
    await openViewContainer(page, 'Dify Trace Explorer');
    await sidebar.getByText('No Dify runs yet').waitFor({ timeout: 60_000 });
    await emitDemoTraces({ endpoint: `http://127.0.0.1:${receiverPort}` });
    await pluginRow.waitFor({ timeout: 60_000 });

    await pluginRow.click({ button: 'right' });
    await page.locator('.context-view .monaco-menu .action-label', { hasText: /^Compare with Last Success$/ }).waitFor();
    // By keyboard, as in the other context menu tests: the item after Go to Source.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.locator('.context-view .monaco-menu .action-item.focused', { hasText: /^Compare with Last Success$/ }).waitFor();
    await page.keyboard.press('Enter');
    const pick = await quickInputTitled(page, new RegExp(`^${pluginRun.appName}: .* \\(failed\\) compared with .* \\(succeeded\\)$`));
    // Opened on the first node that took another path: the failing tool, ok then, failed now, with its error.
    const active = pick.locator('.quick-input-list .monaco-list-row.focused');
    await active.filter({ hasText: pluginRun.failingNodeTitle! }).waitFor();
    const activeText = await active.innerText();
    assert.match(activeText, /ok → failed/);
    assert.match(activeText, /now: .*KeyError/);
    // The nodes before it ran in both; those after it only in the last success.
    const rowsText = await pick.locator('.quick-input-list .monaco-list-row').allInnerTexts();
    const before = ['Start', 'Plan Trip', 'Search Travel Guides'];
    assert.ok(before.every((title, i) => rowsText[i]?.trim().startsWith(title)), `the rows begin ${JSON.stringify(rowsText.slice(0, 3))}`);
    assert.ok(rowsText.slice(-2).every((text) => text.includes('only in the run before')), `the last rows ${JSON.stringify(rowsText.slice(-2))}`);
    await screenshot(page, 'compare-runs');

    // Enter: the node's inputs, the last success on the left, this run on the right.
    await page.keyboard.press('Enter');
    const diff = page.locator('.monaco-diff-editor');
    await page.locator('.tabs-container .tab.active', { hasText: `${pluginRun.failingNodeTitle!} inputs: succeeded run ↔ failed run` }).waitFor({ timeout: 30_000 });
    await diff.locator('.editor.original .view-lines', { hasText: lastSuccess.inputs.destination }).waitFor({ timeout: 30_000 });
    await diff.locator('.editor.modified .view-lines', { hasText: pluginRun.inputs.destination }).waitFor();
    // Off the Runs view, whose hover would cover the diff.
    await page.mouse.move(1000, 950);
    await screenshot(page, 'compare-runs-diff');

    // Two runs selected in the Runs view: "Compare with…" compares them with each other, the older first.
    const codeRun = DEMO_RUNS[2];
    const codeRow = sidebar.locator(`.monaco-list-row[aria-label^="${codeRun.appName} "]`, { hasText: `failed · at ${codeRun.failingNodeTitle!}` });
    await codeRow.click();
    await pluginRow.click({ modifiers: ['ControlOrMeta'] });
    await sidebar.locator('.monaco-list-row.selected').nth(1).waitFor();
    assert.equal(await sidebar.locator('.monaco-list-row.selected').count(), 2);
    await pluginRow.click({ button: 'right' });
    await page.locator('.context-view .monaco-menu .action-label', { hasText: /^Compare with…$/ }).waitFor();
    // By keyboard again: a click on a context menu item does not reach it here.
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    await page.locator('.context-view .monaco-menu .action-item.focused', { hasText: /^Compare with…$/ }).waitFor();
    await page.keyboard.press('Enter');
    const pair = await quickInputTitled(page, new RegExp(`^${codeRun.appName}: .* \\(failed\\) compared with .* \\(failed\\)$`));
    // Run 3 (now) got past the tool that failed in run 2 (before): Get Weather is the first difference.
    await pair.locator('.quick-input-list .monaco-list-row.focused', { hasText: pluginRun.failingNodeTitle! }).waitFor();
    assert.match(await pair.locator('.quick-input-list .monaco-list-row.focused').innerText(), /failed → ok/);
    await page.keyboard.press('Escape');

    assert.deepEqual(collectActivationErrors(server.logsDir()), []);
  }, server);
});
