import type { Locator, Page } from 'playwright-core';

/**
 * Picks a command in the palette by its exact title and returns at once: for commands that open
 * their own quick input (`runCommand` waits for the quick input to close, which these keep open).
 */
export async function startCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('F1');
  await input.waitFor();
  await page.keyboard.type(title);
  await page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) })
    .first()
    .click();
}

/** The open quick input, once its title reads `title`. */
export async function quickInputTitled(page: Page, title: string | RegExp): Promise<Locator> {
  const widget = page.locator('.quick-input-widget').filter({ has: page.locator('.quick-input-title', { hasText: title }) });
  await widget.waitFor();
  return widget;
}

/** A row of the open quick pick by its exact label. */
export function quickPickRow(page: Page, label: string): Locator {
  return page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
    .first();
}

/**
 * "Dify Trace: Open Trace…" from the palette, driven by hand: a malformed id first (the quick pick
 * says what it expects), then `text`, then Enter on the item that looks it up.
 */
export async function lookUpTrace(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await startCommand(page, 'Dify Trace: Open Trace…');
  await quickInputTitled(page, 'Dify Trace: Open Trace');
  // The text itself: a list row is reused, and keeps a hidden detail element with the old text.
  const expected = page.locator('.quick-input-list').getByText('Expected a trace id (32 hex digits');
  await input.fill('run-3');
  await expected.waitFor();
  await input.fill(text);
  // Enter takes the active item: wait until it is the lookup of `text`, not the message.
  await expected.waitFor({ state: 'hidden' });
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'look up this' }).waitFor();
  await input.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
