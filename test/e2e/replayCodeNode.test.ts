// Replay Code Node in a real VS Code (issue 16): the demo's run 3 failed in its Python Code node
// ("Build Itinerary", ZeroDivisionError on line 4). From the run's context menu the replay is
// written into the workspace (git-ignored) with the node's code from the app's DSL and the inputs
// the trace recorded, run with python3 in a terminal, and its outcome compared with the trace.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEMO_RUNS } from '../demo/demoRuns';
import { emitDemoTraces } from '../demo/emitDemoTraces';
import { CODE_FAILING_LINE, ITINERARY_CODE } from '../demo/sandbox';
import { findFreePort } from './harness/codeServer.js';
import { openDemoWorkbench } from './harness/demoWorkbench.js';
import { collectActivationErrors } from './harness/extensionHostLogs.js';
import { openViewContainer, screenshot, screenshotOnFailure, waitForNotification } from './harness/workbench.js';

const codeRun = DEMO_RUNS[2];

test('Replay Code Node: the failing Python node runs again in a terminal and fails as in the trace', { timeout: 300_000 }, async (t) => {
  const receiverPort = await findFreePort();
  const { page, server } = await openDemoWorkbench(t, 'replay-code-node', receiverPort);
  const replays = join(server.workspaceDir, '.dify-trace');
  // The demo workspace is the repository's own: what the replay writes there goes when the test ends.
  t.after(() => rmSync(replays, { recursive: true, force: true }));
  const sidebar = page.locator('[id="workbench.parts.sidebar"]');
  const codeRow = sidebar.locator(`.monaco-list-row[aria-label^="${codeRun.appName} "]`, { hasText: `failed · at ${codeRun.failingNodeTitle!}` });
  await screenshotOnFailure(page, 'replay-code-node', async () => {
    await openViewContainer(page, 'Dify Trace Explorer');
    await sidebar.getByText('No Dify runs yet').waitFor({ timeout: 60_000 });
    await emitDemoTraces({ endpoint: `http://127.0.0.1:${receiverPort}` });
    await codeRow.waitFor({ timeout: 60_000 });

    await codeRow.click({ button: 'right' });
    await page.locator('.context-view .monaco-menu .action-label', { hasText: /^Replay Code Node$/ }).waitFor();
    // By keyboard, as the other context menu tests: Go to Source, the three compare items, then Replay.
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
    await page.locator('.context-view .monaco-menu .action-item.focused', { hasText: /^Replay Code Node$/ }).waitFor();
    await page.keyboard.press('Enter');

    // The replay's file opens, then its terminal takes the focus; the palette (which shows the
    // notifications) opens from the editor.
    await page.locator('.tabs-container .tab', { hasText: 'build-itinerary.py' }).waitFor({ timeout: 60_000 });
    await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    const message = await waitForNotification(page, /The replay of Build Itinerary failed/, 60_000);
    assert.equal(message.replaceAll('\u00a0', ' ').match(/The replay of .*/)?.[0], `The replay of ${codeRun.failingNodeTitle!} failed as the run did: ZeroDivisionError: integer division or modulo by zero at line ${CODE_FAILING_LINE}.`);
    await page.locator('.terminal-tabs-entry, .single-terminal-tab, .terminal-tab', { hasText: 'Replay: Build Itinerary' }).first().waitFor({ timeout: 30_000 }).catch(async () => {
      // One terminal shows its name in the panel title instead of a tab list.
      await page.locator('.panel .title', { hasText: 'Replay: Build Itinerary' }).waitFor({ timeout: 10_000 });
    });
    await screenshot(page, 'replay-code-node');

    // On disk: the node's code first, unchanged, then the runner; git-ignored.
    const script = join(replays, 'replays', codeRun.workflowRunId, 'build-itinerary.py');
    assert.ok(existsSync(script), script);
    assert.ok(readFileSync(script, 'utf8').startsWith(ITINERARY_CODE));
    assert.match(readFileSync(join(replays, '.gitignore'), 'utf8'), /^\*$/m);
    assert.deepEqual(collectActivationErrors(server.logsDir()), []);
  }, server);
});
