import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from './codeServer.js';
import { extensionVsix } from './extensionVsix.js';
import { repoRoot } from './repoPaths.js';
import { openWorkbench } from './workbench.js';

/**
 * The set-up most e2e tests share: code-server with the packaged extension installed and the demo
 * plugin workspace open, the receiver on `receiverPort`, and a Chromium page on its workbench; both
 * stopped when the test ends. `name` names the console log and screenshots.
 */
export async function openDemoWorkbench(t: TestContext, name: string, receiverPort: number, settings: Readonly<Record<string, unknown>> = {}): Promise<{ readonly page: Page; readonly server: CodeServer }> {
  const server = await startCodeServer({
    workspaceDir: join(repoRoot(), 'test', 'demo', 'workspace'),
    userSettings: { 'difyTrace.receiver.port': receiverPort, ...settings },
    vsixPath: extensionVsix(),
  });
  t.after(() => server.stop());
  const workbench = await openWorkbench(server, { name });
  t.after(() => workbench.close());
  return { page: workbench.page, server };
}
