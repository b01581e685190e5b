import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import type { CodeServer } from './codeServer.js';
import { resolveHostTools } from './hostTools.js';
import { testResultsDir } from './repoPaths.js';

export interface WorkbenchOptions {
  /** Names the browser console log: `test-results/<name>.console.log`. */
  readonly name?: string;
  /** Until the workbench DOM and status bar are there (cold first load is ~10-20 s on 2 cores). */
  readonly timeoutMs?: number;
}

export interface Workbench {
  readonly browser: Browser;
  readonly page: Page;
  readonly consoleLogPath: string;
  close(): Promise<void>;
}

const CHROMIUM_ARGS = [
  '--no-sandbox', // required as root
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ACTION_TIMEOUT_MS = 30_000;

export async function openWorkbench(server: Pick<CodeServer, 'url' | 'workspaceDir'>, opts: WorkbenchOptions = {}): Promise<Workbench> {
  const timeout = opts.timeoutMs ?? 90_000;
  const name = opts.name ?? 'workbench';
  const consoleLogPath = join(testResultsDir(), `${name}.console.log`);
  const consoleLog = createWriteStream(consoleLogPath);
  const browser = await chromium.launch({ executablePath: resolveHostTools().chromiumPath, headless: true, args: CHROMIUM_ARGS });
  const close = async (): Promise<void> => {
    await browser.close();
    await new Promise<void>((resolve) => consoleLog.end(resolve));
  };
  let page: Page | undefined;
  try {
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
    page.on('console', (message) => consoleLog.write(`[${message.type()}] ${message.text()}\n`));
    page.on('pageerror', (error) => consoleLog.write(`[pageerror] ${error.stack ?? error.message}\n`));
    const url = new URL(server.url);
    url.searchParams.set('folder', server.workspaceDir);
    await page.goto(url.toString(), { timeout });
    await page.locator('.monaco-workbench').waitFor({ timeout });
    await page.locator('.statusbar').waitFor({ timeout });
    return { browser, page, consoleLogPath, close };
  } catch (error) {
    // What the page showed when it did not get ready, next to the console log.
    await page?.screenshot({ path: join(testResultsDir(), `${name}-not-ready.png`) }).catch(() => undefined);
    await close();
    throw error;
  }
}

/**
 * Opens a view container from the activity bar. Contributed containers appear only once the extension
 * host has scanned extensions, hence the long default wait. Clicking an already open container would
 * close the side bar, so it is clicked only when not `checked`.
 */
export async function openViewContainer(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const label = `a[aria-label^="${cssString(title)}"]`;
  const link = page.locator(`.activitybar .action-item ${label}`);
  const openLink = page.locator(`.activitybar .action-item.checked ${label}`);
  await link.waitFor({ timeout: timeoutMs });
  if ((await openLink.count()) === 0) {
    await link.click();
  }
  await openLink.waitFor({ timeout: ACTION_TIMEOUT_MS });
}

/** Runs a command by its exact palette title ("Category: Title") and waits for the palette to close. */
export async function runCommand(page: Page, title: string, timeoutMs = ACTION_TIMEOUT_MS): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('F1');
  await input.waitFor({ timeout: timeoutMs });
  await page.keyboard.type(title);
  // The exact title: Enter would take the first row, which may be a "recently used" near-match.
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) })
    .first();
  await row.waitFor({ timeout: timeoutMs });
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** The content frame of the visible webview (the last one when several are visible). */
export function webviewFrame(page: Page): FrameLocator {
  return page
    .locator('iframe.webview.ready')
    .filter({ visible: true })
    .last()
    .contentFrame()
    .locator('iframe#active-frame')
    .contentFrame();
}

/** Saves `test-results/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(testResultsDir(), `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * The messages in the notification center. Toasts are not reliably rendered headless, the center is.
 */
export async function readNotifications(page: Page): Promise<string[]> {
  await runCommand(page, 'Notifications: Show Notifications');
  const center = page.locator('.notifications-center');
  await center.waitFor({ timeout: ACTION_TIMEOUT_MS });
  return center.locator('.notification-list-item-message').allInnerTexts();
}

/** Waits until the notification center shows a message matching `text`, and returns that message. */
export async function waitForNotification(page: Page, text: string | RegExp, timeoutMs = ACTION_TIMEOUT_MS): Promise<string> {
  await runCommand(page, 'Notifications: Show Notifications');
  const message = page.locator('.notifications-center .notification-list-item-message', { hasText: text }).last();
  await message.waitFor({ timeout: timeoutMs });
  return message.innerText();
}

function cssString(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Runs `body`; when it throws, saves `test-results/<name>-failure.png` first, so a red run can be
 * looked at, and with `server` adds the end of the extension's own log (the trace server's too) to
 * the error: a CI run shows what the extension was doing when the test gave up.
 */
export async function screenshotOnFailure<T>(page: Page, name: string, body: () => Promise<T>, server?: CodeServer): Promise<T> {
  try {
    return await body();
  } catch (error) {
    await screenshot(page, `${name}-failure`).catch(() => undefined);
    if (server !== undefined && error instanceof Error) error.message += `\n--- end of the extension's log ---\n${extensionLogTail(server)}`;
    throw error;
  }
}

/** The last lines of the extension's output channel log, or why there is none. */
export function extensionLogTail(server: CodeServer, lines = 60): string {
  try {
    const logsDir = server.logsDir();
    const logs = readdirSync(logsDir)
      .filter((dir) => dir.startsWith('exthost'))
      .flatMap((dir) => {
        const own = join(logsDir, dir, 'dify-trace.dify-trace-explorer');
        return existsSync(own) ? readdirSync(own).filter((f) => f.endsWith('.log')).map((f) => join(own, f)) : [];
      });
    if (logs.length === 0) return '(no log of the extension)';
    return logs.map((path) => `${path}:\n${readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')}`).join('\n');
  } catch (e) {
    return `(could not read the extension's log: ${String(e)})`;
  }
}

/**
 * The element's box once it is laid out. A virtualized list (the span tree) replaces its rows as it
 * scrolls and re-renders, so a row found a moment ago may be gone when measured: it is found and
 * measured again until a box comes back.
 */
export async function boxOf(locator: Locator, timeoutMs = ACTION_TIMEOUT_MS): Promise<{ x: number; y: number; width: number; height: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await locator.waitFor({ state: 'visible', timeout: Math.max(1, deadline - Date.now()) });
    const box = await locator.boundingBox().catch(() => null);
    if (box !== null) return box;
    if (Date.now() > deadline) throw new Error(`no box for ${locator.toString()} within ${timeoutMs} ms`);
  }
}
