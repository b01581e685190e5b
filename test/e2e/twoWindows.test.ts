// Two VS Code windows on one machine (two browser windows on one code-server, each with its own
// extension host and trace server): the first holds the receiver; the second finds its port held by
// a trace server on the same trace database, says so in the status bar, and shows the runs the first
// one receives, live.
import { test } from 'node:test';
import { DEMO_RUNS } from '../demo/demoRuns';
import { emitDemoTraces } from '../demo/emitDemoTraces';
import { findFreePort } from './harness/codeServer.js';
import { openDemoWorkbench } from './harness/demoWorkbench.js';
import { openViewContainer, openWorkbench, screenshot, screenshotOnFailure } from './harness/workbench.js';

const pluginRun = DEMO_RUNS[1];

test('a second window shows the same runs, live, from the first window\'s receiver', { timeout: 300_000 }, async (t) => {
  const receiverPort = await findFreePort();
  const { page: first, server } = await openDemoWorkbench(t, 'first-window', receiverPort);
  await openViewContainer(first, 'Dify Trace Explorer');
  await first.locator('.statusbar').getByText(new RegExp(`Dify 127\\.0\\.0\\.1:${receiverPort} · gRPC \\d+`)).waitFor({ timeout: 60_000 });

  const second = await openWorkbench(server, { name: 'second-window' });
  t.after(() => second.close());
  const page = second.page;
  await screenshotOnFailure(page, 'second-window', async () => {
    await openViewContainer(page, 'Dify Trace Explorer');
    await page.locator('.statusbar').getByText(`Dify 127.0.0.1:${receiverPort} · another window`).waitFor({ timeout: 60_000 });
    const sidebar = page.locator('[id="workbench.parts.sidebar"]');
    await sidebar.getByText('No Dify runs yet').waitFor();

    // Sent to the first window's receiver; listed in the second without any action there.
    await emitDemoTraces({ endpoint: `http://127.0.0.1:${receiverPort}` });
    const rows = sidebar.locator('.monaco-list-row');
    await rows.filter({ hasText: `failed · at ${pluginRun.failingNodeTitle}` }).waitFor({ timeout: 30_000 });
    await rows.filter({ hasText: new RegExp(`${pluginRun.appName}\\s*3 runs · 2 failed`) }).waitFor();
    await screenshot(page, 'second-window-runs');
    // And the first window lists them too.
    await first.locator('[id="workbench.parts.sidebar"] .monaco-list-row', { hasText: `failed · at ${pluginRun.failingNodeTitle}` }).waitFor({ timeout: 30_000 });
  }, server);
});
