// Replay Code Node on a JavaScript Code node, in a real VS Code (issue 16): what a real Dify 1.13.3
// sent for a workflow whose "Parse Order JS" node failed (TypeError on line 4 of its code), replayed
// into the extension with the app's exported DSL in the workspace. The replay starts under VS Code's
// own JavaScript debugger and stops on line 4 of the replay file, which is line 4 of the node's code.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadRecordedCorpus, postRecordedBody } from '../recorded/recordedCorpus';
import { findFreePort, startCodeServer } from './harness/codeServer.js';
import { collectActivationErrors } from './harness/extensionHostLogs.js';
import { extensionVsix } from './harness/extensionVsix.js';
import { quickInputTitled, quickPickRow, startCommand } from './harness/quickInput.js';
import { openViewContainer, openWorkbench, screenshot, screenshotOnFailure } from './harness/workbench.js';

const APP = 'wf-code-js-error-aliyun';
const FAILING_LINE = 4;

test('Replay Code Node: a recorded failing JavaScript node stops in VS Code\'s debugger on its failing line', { timeout: 300_000 }, async (t) => {
  const corpus = loadRecordedCorpus('dify-1.13.3');
  const run = [...corpus.runs.values()].find((r) => r.app_name === APP);
  assert.equal(run?.code_failure?.language, 'javascript');
  assert.equal(run.code_failure.user_line, FAILING_LINE, 'the recording says line 4 failed');
  const receiverPort = await findFreePort();
  const server = await startCodeServer({ workspaceDir: corpus.workspace, userSettings: { 'difyTrace.receiver.port': receiverPort }, vsixPath: extensionVsix() });
  t.after(() => server.stop());
  // The corpus workspace is the repository's own: the replay goes when the test ends.
  t.after(() => rmSync(join(corpus.workspace, '.dify-trace'), { recursive: true, force: true }));
  const workbench = await openWorkbench(server, { name: 'replay-js-code-node' });
  t.after(() => workbench.close());
  const { page } = workbench;
  const sidebar = page.locator('[id="workbench.parts.sidebar"]');
  await screenshotOnFailure(page, 'replay-js-code-node', async () => {
    await openViewContainer(page, 'Dify Trace Explorer');
    await page.locator('.statusbar').getByText(`Dify 127.0.0.1:${receiverPort}`).waitFor({ timeout: 60_000 });
    for (const body of corpus.bodies) await postRecordedBody(`http://127.0.0.1:${receiverPort}`, body);
    await sidebar.getByText(`${corpus.runs.size} runs (embedded).`).waitFor({ timeout: 60_000 });
    // From the palette: it offers the runs that failed in a Code node.
    await startCommand(page, 'Dify Trace: Replay Code Node');
    await quickInputTitled(page, 'Dify Trace: Replay Code Node');
    await quickPickRow(page, `${APP} · Parse Order JS`).click();

    // The debugger stops in the replay on the node's line 4.
    await page.locator('.tabs-container .tab.active', { hasText: 'parse-order-js.js' }).waitFor({ timeout: 60_000 });
    const editor = page.locator('.editor-group-container .monaco-editor').first();
    await editor.locator('.debug-top-stack-frame-line').waitFor({ timeout: 60_000 });
    await page.locator('.debug-toolbar').waitFor();
    const script = readFileSync(join(corpus.workspace, '.dify-trace', 'replays', run.workflow_run_id, 'parse-order-js.js'), 'utf8').split('\n');
    assert.match(script[FAILING_LINE - 1] ?? '', /customer\.address\.city/, 'line 4 of the replay is the node\'s failing line');
    // The paused frame is main, in the replay file, at line 4.
    await page.locator('.debug-call-stack', { hasText: 'Paused On Breakpoint' }).waitFor({ timeout: 30_000 });
    const frame = page.locator('.debug-call-stack .monaco-list-row', { hasText: 'main' }).first();
    assert.match(await frame.innerText(), new RegExp(`main[\\s\\S]*\\b${FAILING_LINE}:\\d+`));
    await screenshot(page, 'replay-js-code-node');
    await page.keyboard.press('Shift+F5');
    assert.deepEqual(collectActivationErrors(server.logsDir()), []);
  }, server);
});
