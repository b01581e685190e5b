// Proves the e2e harness end to end without our extension: code-server starts, Chromium shows the
// workbench, the Explorer is there, a screenshot is written, and everything stops again.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCodeServer } from './harness/codeServer.js';
import { collectActivationErrors } from './harness/extensionHostLogs.js';
import { repoRoot } from './harness/repoPaths.js';
import { openViewContainer, openWorkbench, screenshot } from './harness/workbench.js';

test('e2e harness: code-server serves a workbench that Chromium can drive', { timeout: 180_000 }, async (t) => {
  const demoWorkspace = join(repoRoot(), 'test', 'demo', 'workspace');
  const tempWorkspace = existsSync(demoWorkspace) ? undefined : mkdtempSync(join(tmpdir(), 'dte-smoke-ws-'));
  const workspaceDir = tempWorkspace ?? demoWorkspace;
  const started = Date.now();
  const lap = (what: string): void => t.diagnostic(`${what} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const server = await startCodeServer({ workspaceDir, userSettings: {} });
  try {
    lap('code-server /healthz');
    const workbench = await openWorkbench(server, { name: 'harness-smoke' });
    try {
      lap('workbench ready');
      const explorer = workbench.page.locator('.activitybar .action-item a[aria-label^="Explorer"]');
      assert.equal(await explorer.count(), 1, 'the Explorer activity bar item exists');
      await openViewContainer(workbench.page, 'Explorer');
      // The file tree fills in after the view opens; wait for a real entry before the screenshot.
      const entry = readdirSync(workspaceDir).find((name) => !name.startsWith('.'));
      const rows = workbench.page.locator('[id="workbench.parts.sidebar"] .monaco-list-row');
      await (entry === undefined ? rows.first() : rows.filter({ hasText: entry })).waitFor();
      const shot = await screenshot(workbench.page, 'harness-smoke');
      assert.ok(existsSync(shot));
      lap('screenshot');
      assert.deepEqual(collectActivationErrors(server.logsDir()), []);
    } finally {
      await workbench.close();
    }
  } finally {
    await server.stop();
    if (tempWorkspace !== undefined) {
      rmSync(tempWorkspace, { recursive: true, force: true });
    }
    lap('stopped');
  }
});
