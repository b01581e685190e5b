// Replay Tool Call in a real VS Code (issue 16): the demo's run 2 failed in the weather plugin's
// get_weather (KeyError 'max_temp_c' on tools/get_weather.py line 28: the weather service answered
// without that key). The plugin's venv holds the real dify_plugin SDK from PyPI
// (scripts/ensure-plugin-venv.sh); its .env points the tool at a weather service on loopback that
// answers as the real one did. From the run's context menu the tool is built as the SDK builds it,
// called with the parameters the trace recorded, in a terminal with the plugin's interpreter, and
// fails as the run did; the credentials reach it from .env and are not written into the replay.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { DEMO_RUNS } from '../demo/demoRuns';
import { emitDemoTraces } from '../demo/emitDemoTraces';
import { PLUGIN_SOURCE } from '../demo/plugin';
import { findFreePort } from './harness/codeServer.js';
import { openDemoWorkbench } from './harness/demoWorkbench.js';
import { collectActivationErrors } from './harness/extensionHostLogs.js';
import { repoRoot } from './harness/repoPaths.js';
import { openViewContainer, screenshot, screenshotOnFailure, waitForNotification } from './harness/workbench.js';

const pluginRun = DEMO_RUNS[1];
const API_KEY = 'replay-test-key-7f3a';

test('Replay Tool Call: the failed plugin call runs again with the plugin\'s venv and the real dify_plugin SDK, and raises the same KeyError at the same line', { timeout: 600_000 }, async (t) => {
  const venvPython = spawnSync('bash', [join(repoRoot(), 'scripts', 'ensure-plugin-venv.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  assert.equal(venvPython.status, 0, 'scripts/ensure-plugin-venv.sh made the SDK environment');
  const venv = dirname(dirname(venvPython.stdout.trim()));

  // The weather service as it answered run 2: its days carry `maxtemp_c`, not `max_temp_c`.
  const requests: IncomingMessage[] = [];
  const weather = createServer((req, res) => {
    requests.push(req);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ forecast: { days: [{ date: '2026-12-04', summary: 'Sunny', maxtemp_c: 11, mintemp_c: 3 }] } }));
  });
  await new Promise<void>((resolve) => weather.listen(0, '127.0.0.1', resolve));
  t.after(() => weather.close());

  const receiverPort = await findFreePort();
  const { page, server } = await openDemoWorkbench(t, 'replay-tool-call', receiverPort);
  // The demo workspace is the repository's own: the venv link, .env and replays go when the test ends.
  const plugin = join(server.workspaceDir, 'weather-plugin');
  t.after(() => {
    for (const made of [join(plugin, '.venv'), join(plugin, '.env'), join(server.workspaceDir, '.dify-trace')]) rmSync(made, { recursive: true, force: true });
  });
  symlinkSync(venv, join(plugin, '.venv'), 'dir');
  writeFileSync(join(plugin, '.env'), `# credentials for replays\napi_base=http://127.0.0.1:${(weather.address() as AddressInfo).port}\nAPI_KEY="${API_KEY}"\n`);

  const sidebar = page.locator('[id="workbench.parts.sidebar"]');
  const pluginRow = sidebar.locator(`.monaco-list-row[aria-label^="${pluginRun.appName} "]`, { hasText: `failed · at ${pluginRun.failingNodeTitle!}` });
  await screenshotOnFailure(page, 'replay-tool-call', async () => {
    await openViewContainer(page, 'Dify Trace Explorer');
    await sidebar.getByText('No Dify runs yet').waitFor({ timeout: 60_000 });
    await emitDemoTraces({ endpoint: `http://127.0.0.1:${receiverPort}` });
    await pluginRow.waitFor({ timeout: 60_000 });

    await pluginRow.click({ button: 'right' });
    await page.locator('.context-view .monaco-menu .action-label', { hasText: /^Replay Tool Call$/ }).waitFor();
    // By keyboard: Go to Source, the three compare items, Replay Code Node, then Replay Tool Call.
    for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowDown');
    await page.locator('.context-view .monaco-menu .action-item.focused', { hasText: /^Replay Tool Call$/ }).waitFor();
    await page.keyboard.press('Enter');

    await page.locator('.tabs-container .tab', { hasText: 'get-weather.py' }).waitFor({ timeout: 60_000 });
    await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    const message = await waitForNotification(page, /The replay of get_weather failed/, 120_000);
    assert.equal(message.replaceAll('\u00a0', ' ').match(/The replay of .*/)?.[0], `The replay of get_weather failed as the run did: KeyError: 'max_temp_c' at line ${PLUGIN_SOURCE.line}.`);
    await screenshot(page, 'replay-tool-call');

    // The tool called the weather service with the recorded parameters and the .env's credentials.
    assert.equal(requests.length, 1);
    const url = new URL(requests[0]!.url ?? '', 'http://x');
    assert.deepEqual([url.pathname, url.searchParams.get('q'), url.searchParams.get('days'), url.searchParams.get('units')], ['/v1/forecast', pluginRun.inputs.destination, String(pluginRun.inputs.trip_days), pluginRun.inputs.units]);
    assert.equal(requests[0]!.headers.authorization, `Bearer ${API_KEY}`);
    // On disk: the replay, git-ignored, without the credentials.
    const replays = join(server.workspaceDir, '.dify-trace', 'replays', pluginRun.workflowRunId);
    assert.deepEqual(readdirSync(replays), ['get-weather.py']);
    const script = readFileSync(join(replays, 'get-weather.py'), 'utf8');
    assert.ok(!script.includes(API_KEY) && script.includes('from tools.get_weather import GetWeatherTool'));
    assert.ok(existsSync(join(server.workspaceDir, '.dify-trace', '.gitignore')));
    assert.deepEqual(collectActivationErrors(server.logsDir()), []);
  }, server);
});
