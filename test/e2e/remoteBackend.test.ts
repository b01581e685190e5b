// A team's traces in Jaeger, opened in a real VS Code: what a real Dify 1.13.3 sent
// (test/recorded/dify-1.13.3) is in a real Jaeger v1.75.0 (scripts/ensure-jaeger.sh, cached), the
// extension is pointed at it through difyTrace.backends, "Dify Trace: Choose Backend…" picks it, and
// the Runs view lists the recording's runs from Jaeger, says what it fetched, and opens a failed run
// with its infrastructure half, as it does for the receiver's runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadRecordedCorpus, postRecordedBody } from '../recorded/recordedCorpus';
import { startJaeger } from '../backends/jaegerProcess';
import { startCodeServer } from './harness/codeServer.js';
import { extensionVsix } from './harness/extensionVsix.js';
import { quickInputTitled, quickPickRow, startCommand } from './harness/quickInput.js';
import { openViewContainer, openWorkbench, screenshot, screenshotOnFailure, waitForNotification, webviewFrame } from './harness/workbench.js';

test('runs stored in a real Jaeger are listed from it and open with their linked trace', { timeout: 600_000 }, async (t) => {
  const built = spawnSync('bash', [join(import.meta.dirname, '..', '..', 'scripts', 'ensure-jaeger.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const binary = built.stdout.trim().split('\n').at(-1);
  assert.ok(built.status === 0 && binary, 'scripts/ensure-jaeger.sh built Jaeger');
  const jaeger = await startJaeger(binary, { maxTraces: 100_000 });
  t.after(() => jaeger.stop());
  const corpus = loadRecordedCorpus('dify-1.13.3');
  for (const body of corpus.bodies) {
    if (/\/v1\/traces$|\/api\/otlp\/traces$/.test(body.path)) assert.equal(await postRecordedBody(jaeger.otlp, { ...body, path: '/v1/traces' }), 200);
  }

  // The recording is from 2026-12-02: the listing looks back far enough to hold it, whatever today is.
  // A second backend that refuses us (a Jaeger behind a proxy that wants credentials): the Runs view
  // says why and offers the next step.
  const locked = createServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'missing bearer token' })));
  locked.listen(0, '127.0.0.1');
  await once(locked, 'listening');
  t.after(() => locked.close());
  const lockedUrl = `http://127.0.0.1:${(locked.address() as AddressInfo).port}`;
  const backends = [
    { id: 'staging-jaeger', kind: 'jaeger', url: jaeger.query, searchLimit: 20_000, lookbackHours: 24 * 365 * 20 },
    { id: 'locked-jaeger', kind: 'jaeger', url: lockedUrl },
  ];
  const server = await startCodeServer({ workspaceDir: corpus.workspace, userSettings: { 'difyTrace.backends': backends, 'difyTrace.receiver.enabled': false }, vsixPath: extensionVsix() });
  t.after(() => server.stop());
  const workbench = await openWorkbench(server, { name: 'remote-backend' });
  t.after(() => workbench.close());
  const { page } = workbench;
  const sidebar = page.locator('[id="workbench.parts.sidebar"]');
  await screenshotOnFailure(page, 'remote-backend', async () => {
    await openViewContainer(page, 'Dify Trace Explorer');
    await startCommand(page, 'Dify Trace: Choose Backend…');
    await quickInputTitled(page, 'Dify Trace: Choose Backend');
    await quickPickRow(page, 'staging-jaeger').click();

    // Every run of the recording (Jaeger holds no Langfuse runs: that exporter does not send OTLP).
    const otlpRuns = [...corpus.runs.values()].filter((r) => r.exporter !== 'langfuse').length;
    await sidebar.getByText(`${otlpRuns} runs (staging-jaeger).`).waitFor({ timeout: 120_000 });
    await sidebar.getByText(/From Jaeger at http:\/\/127\.0\.0\.1:\d+: the \d[\d,]* traces that started/).waitFor();
    await screenshot(page, 'remote-backend-runs');

    const rows = sidebar.locator('.monaco-list-row');
    const pluginApp = rows.filter({ hasText: 'wf-plugin-error-aliyun' });
    await pluginApp.waitFor({ timeout: 30_000 });
    if ((await pluginApp.getAttribute('aria-expanded')) === 'false') await pluginApp.click();
    const pluginRun = sidebar.getByRole('treeitem', { name: /^wf-plugin-error-aliyun .*failed · at Look Up Warehouse · plugin error/ });
    await pluginRun.waitFor({ timeout: 30_000 });
    await pluginRun.click();
    await page.locator('.tabs-container .tab.active', { hasText: 'wf-plugin-error-aliyun · failed' }).waitFor({ timeout: 60_000 });
    const frame = webviewFrame(page);
    // The failing node from the app-level half, selected as the root cause, and its Trace Link into the
    // infrastructure half that was fetched from Jaeger with it: the plugin daemon's span.
    await frame.locator('.row[role="treeitem"][aria-selected="true"][data-status="error"]', { hasText: 'Look Up Warehouse' }).waitFor({ timeout: 60_000 });
    await frame.getByText('1 linked trace(s)').waitFor();
    await frame.getByText(/Plugin daemon span: .*\(dify-plugin-daemon\)/).waitFor({ timeout: 30_000 });
    await screenshot(page, 'remote-backend-run');

    // Add Backend…: the URL, the suggested name, a connection test against the real Jaeger, then the
    // Runs view lists from the backend just added. Its lookback is the default 24 h, so what it lists
    // depends on the day the test runs (the recording is from 2026-12-02): the runs with what was
    // fetched, or the remote backend's empty view.
    await startCommand(page, 'Dify Trace: Add Backend…');
    await quickInputTitled(page, 'Add Backend (1/3): kind');
    await quickPickRow(page, 'Jaeger').click();
    const urlInput = await quickInputTitled(page, 'Add Backend (2/3): Jaeger URL');
    await urlInput.locator('input').fill(jaeger.query);
    await page.keyboard.press('Enter');
    const nameInput = await quickInputTitled(page, 'Add Backend (3/3): name');
    assert.equal(await nameInput.locator('input').inputValue(), 'jaeger', 'a name suggested from the URL');
    await page.keyboard.press('Enter');
    await waitForNotification(page, /^Jaeger at http:\/\/127\.0\.0\.1:\d+ answered \(.*\)\. Added "jaeger" to difyTrace\.backends\.$/, 60_000);
    await sidebar.getByText(/\d runs? \(jaeger\)\./).or(sidebar.getByText(/No Dify runs in the chosen remote backend/)).waitFor({ timeout: 60_000 });
    assert.equal(await sidebar.getByText('Listing runs from jaeger failed').count(), 0, 'the trace server knew the new backend before the view listed it');
    await screenshot(page, 'remote-backend-added');

    // A backend that refuses the request: the view says which and why, and offers Set Backend Credentials.
    await startCommand(page, 'Dify Trace: Choose Backend…');
    await quickInputTitled(page, 'Dify Trace: Choose Backend');
    await quickPickRow(page, 'locked-jaeger').click();
    await sidebar.getByText(/Listing runs from locked-jaeger failed: Jaeger at http:\/\/127\.0\.0\.1:\d+ \(GET \/api\/v3\/traces\) refused the credentials \(HTTP 401\): missing bearer token/).waitFor({ timeout: 60_000 });
    const setCredentials = sidebar.getByRole('treeitem', { name: /^Set Backend Credentials…/ });
    await setCredentials.waitFor();
    await screenshot(page, 'remote-backend-refused');
    await setCredentials.click();
    await quickInputTitled(page, 'Dify Trace: Set Backend Credentials');
    await page.keyboard.press('Escape');
  }, server);
});
