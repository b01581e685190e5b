// The trace view at scale, in a real VS Code: a generated 100k-span failing Dify run (app-level
// trace + linked infrastructure trace) is sent to the embedded receiver, opened from the palette,
// searched, walked with the keyboard, and the screenshot shows the critical path and the root cause.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { largeDifyTrace, postLargeTrace } from '../largeTrace/largeTrace';
import { findFreePort } from './harness/codeServer.js';
import { openDemoWorkbench } from './harness/demoWorkbench.js';
import { lookUpTrace } from './harness/quickInput.js';
import { boxOf, openViewContainer, screenshot, screenshotOnFailure, webviewFrame } from './harness/workbench.js';

test('a 100k-span Dify trace opens, is searched and walked by keyboard, with its critical path and root cause shown', { timeout: 600_000 }, async (t) => {
  const trace = largeDifyTrace({ spanTarget: 100_000 });
  t.diagnostic(`generated ${trace.spanCount} spans in ${trace.batches.length} batches`);
  const receiverPort = await findFreePort();
  const { page, server } = await openDemoWorkbench(t, 'large-trace', receiverPort);
  const sidebar = page.locator('[id="workbench.parts.sidebar"]');
  await screenshotOnFailure(page, 'large-trace', async () => {
    await openViewContainer(page, 'Dify Trace Explorer');
    await sidebar.getByText('No Dify runs yet').waitFor({ timeout: 60_000 });
    await postLargeTrace(`http://127.0.0.1:${receiverPort}`, trace);
    // The run is listed once its spans are in (the Runs view row says it failed).
    await sidebar.locator('.monaco-list-row', { hasText: 'failed' }).first().waitFor({ timeout: 120_000 }).catch(async (error: unknown) => {
      const rows = await sidebar.locator('.monaco-list-row').allInnerTexts().catch(() => []);
      throw new Error(`the run was not listed as failed; the Runs view shows: ${JSON.stringify(rows)}`, { cause: error });
    });

    const opened = Date.now();
    await lookUpTrace(page, trace.appTraceId);
    const frame = webviewFrame(page);
    const tree = frame.locator('.tree[role="tree"]');
    await tree.waitFor({ timeout: 120_000 });
    // Figures, not assertions (speed is measured in bench/): where the time to the first rows went.
    const marks = await tree.evaluate(() => performance.getEntriesByType('mark').map((m) => `${m.name} ${Math.round(m.startTime)}`).join(', '));
    t.diagnostic(`palette → rows visible ${Date.now() - opened} ms; in the webview (ms since its navigation): ${marks}`);
    // The rows it opens on are drawn first, then the whole trace replaces them.
    await frame.locator('.preview-note').waitFor({ state: 'detached', timeout: 120_000 });
    assert.deepEqual(await tree.evaluate(() => performance.getEntriesByType('mark').map((m) => m.name).filter((n) => n === 'difyTrace:preview' || n === 'difyTrace:allRows')), ['difyTrace:preview', 'difyTrace:allRows']);
    // The whole run is laid out: both traces, every span counted in the header.
    await frame.locator('.summary .facts-line', { hasText: `${trace.spanCount.toLocaleString('en-US')} spans` }).waitFor({ timeout: 60_000 });
    await frame.locator('.summary', { hasText: '1 linked trace(s)' }).waitFor();

    // The root cause is revealed and selected on open, stated in words; the critical path is drawn and has a legend.
    const selected = frame.locator('.row[role="treeitem"][aria-selected="true"]');
    await selected.filter({ hasText: '(error, root cause)' }).waitFor();
    assert.match(await selected.innerText(), new RegExp(escapeRegExp(trace.rootCause.name)));
    await frame.locator('.details h2', { hasText: trace.rootCause.name }).waitFor({ timeout: 30_000 });
    // Revealed in the middle of the tree, not at an edge.
    const treeBox = await boxOf(tree);
    const rootCauseBox = await boxOf(selected);
    const middle = (rootCauseBox.y + rootCauseBox.height / 2 - treeBox.y) / treeBox.height;
    assert.ok(middle > 0.3 && middle < 0.7, `the root cause row sits at ${Math.round(middle * 100)}% of the tree's height`);
    await frame.locator('.legend', { hasText: 'Critical path' }).waitFor();
    assert.ok((await frame.locator('.row.critical .cp-segment').count()) > 0, 'critical path segments are drawn');
    // Only the visible window is in the DOM, not 100k rows.
    const domRows = await frame.locator('.row[role="treeitem"]').count();
    assert.ok(domRows > 0 && domRows < 200, `${domRows} rows in the DOM`);
    await screenshot(page, 'large-trace-root-cause');

    // Search: a token that only one attribute value of one span holds.
    await tree.focus();
    await page.keyboard.press('Control+f');
    const searchBox = frame.getByRole('searchbox', { name: 'Find spans by name, attribute key or value' });
    await frame.locator('.trace-search input[type="search"]:focus').waitFor({ timeout: 5_000 });
    await searchBox.fill(trace.searchTarget.text);
    await frame.locator('.search-status', { hasText: /^1 match$/ }).waitFor({ timeout: 30_000 });
    // Keyboard: Enter goes to the match (its collapsed iteration group expanded), Escape twice back to the tree.
    await searchBox.press('Enter');
    await selected.filter({ hasText: trace.searchTarget.name }).waitFor();
    await frame.locator('.search-status', { hasText: '1 of 1' }).waitFor();
    await frame.locator('.details h2', { hasText: trace.searchTarget.name }).waitFor({ timeout: 30_000 });
    // A late span of the run arrives while the user is on that match: the panel is shown again with
    // it, and the match stays the current one, the search box keeps the keyboard.
    const outlinesShown = () => frame.locator('body').evaluate(() => performance.getEntriesByName('difyTrace:outline').length);
    const shownBefore = await outlinesShown();
    // One second into the run (largeTrace.ts starts it at 2026-05-20 09:00 UTC): the run's time range stays the same.
    const lateStart = String(BigInt(Date.UTC(2026, 4, 20, 9, 0, 1)) * 1_000_000n);
    const late = await fetch(`http://127.0.0.1:${receiverPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'late-exporter' } }] }, scopeSpans: [{ spans: [{ traceId: trace.appTraceId, spanId: '00000000000000a1', name: 'late span', kind: 1, startTimeUnixNano: lateStart, endTimeUnixNano: String(BigInt(lateStart) + 1_000_000n) }] }] }] }),
    });
    assert.equal(late.status, 200);
    await frame.locator('.summary .facts-line', { hasText: `${(trace.spanCount + 1).toLocaleString('en-US')} spans` }).waitFor({ timeout: 60_000 });
    assert.ok((await outlinesShown()) > shownBefore, 'the panel was shown again with the late span');
    // Each layout the panel got was a new one: a run reported changed only because its classification
    // caught up (for this panel's own layout, say) does not send the same 100k spans again.
    const outlineIds = await frame.locator('body').evaluate(() => performance.getEntriesByName('difyTrace:outline').map((m) => String((m as unknown as { detail?: unknown }).detail)));
    t.diagnostic(`layouts sent to the panel: ${outlineIds.join(', ')}`);
    assert.equal(new Set(outlineIds).size, outlineIds.length, `a layout was sent twice: ${outlineIds.join(', ')}`);
    await frame.locator('.search-status', { hasText: '1 of 1' }).waitFor();
    await selected.filter({ hasText: trace.searchTarget.name }).waitFor();
    await frame.locator('.trace-search input[type="search"]:focus').waitFor({ timeout: 5_000 });
    await screenshot(page, 'large-trace-search');
    await searchBox.press('Escape');
    await searchBox.press('Escape');
    await frame.locator('.tree[role="tree"]:focus').waitFor({ timeout: 5_000 });
    const matchLevel = Number(await selected.getAttribute('aria-level'));
    const matchPos = Number(await selected.getAttribute('aria-posinset'));
    // Down and Up move one row; Left goes to the parent; Right comes back down to the first child.
    await page.keyboard.press('ArrowDown');
    await frame.locator(`.row[aria-selected="true"][aria-posinset="${matchPos + 1}"]`).waitFor();
    await page.keyboard.press('ArrowUp');
    await frame.locator(`.row[aria-selected="true"][aria-posinset="${matchPos}"]`).waitFor();
    // Left on an expanded span collapses it first; Left again goes to its parent.
    if ((await selected.getAttribute('aria-expanded')) === 'true') {
      await page.keyboard.press('ArrowLeft');
      await frame.locator(`.row[aria-selected="true"][aria-posinset="${matchPos}"][aria-expanded="false"]`).waitFor();
    }
    await page.keyboard.press('ArrowLeft');
    await frame.locator(`.row[aria-selected="true"][aria-level="${matchLevel - 1}"]`).waitFor();
    // Shift+Left collapses all below the parent, Shift+Right expands it all again.
    const rowsSetSize = async (): Promise<number> => Number(await selected.getAttribute('aria-setsize'));
    const before = await rowsSetSize();
    await page.keyboard.press('Shift+ArrowLeft');
    await frame.locator('.row[aria-selected="true"][aria-expanded="false"]').waitFor();
    assert.ok((await rowsSetSize()) < before, 'collapsing hides rows');
    await page.keyboard.press('Shift+ArrowRight');
    await frame.locator('.row[aria-selected="true"][aria-expanded="true"]').waitFor();
    // End and Home reach the last and the first of the visible rows.
    await page.keyboard.press('End');
    const last = await rowsSetSize();
    await frame.locator(`.row[aria-selected="true"][aria-posinset="${last}"]`).waitFor();
    await page.keyboard.press('Home');
    await frame.locator('.row[aria-selected="true"][aria-posinset="1"]').waitFor();

    // Back to the root cause from the header, then zoom the time axis around it (Ctrl+wheel over its
    // bar): the screenshot shows the root cause with the critical path's segments on the bars.
    await frame.locator('.root-cause-line button').click();
    const rootCauseRow = selected.filter({ hasText: '(error, root cause)' });
    await rootCauseRow.waitFor();
    await frame.locator('.details h2', { hasText: trace.rootCause.name }).waitFor({ timeout: 30_000 });
    const slider = frame.getByRole('slider', { name: 'Time window' });
    const wholeTrace = await slider.getAttribute('aria-valuetext');
    const bar = await boxOf(rootCauseRow.locator('.bar'));
    await page.mouse.move(bar.x + bar.width / 2, bar.y + bar.height / 2);
    await page.keyboard.down('Control');
    for (let notch = 0; notch < 12; notch++) await page.mouse.wheel(0, -200);
    await page.keyboard.up('Control');
    await frame.locator('.time-axis-reset').waitFor();
    assert.notEqual(await slider.getAttribute('aria-valuetext'), wholeTrace, 'the minimap window follows the zoom');
    assert.ok((await boxOf(rootCauseRow.locator('.bar'))).width > bar.width * 4, 'the root cause bar widened');
    await frame.locator('.row.critical .cp-segment').first().waitFor();
    await screenshot(page, 'large-trace-critical-path');

    // The two splits, by keyboard (a deep tree's names need room): names | timeline, tree | details.
    const nameDivider = frame.getByRole('separator', { name: 'Divider between span names and timeline' });
    const treeDivider = frame.getByRole('separator', { name: 'Divider between span tree and details' });
    const labelWidth = async (): Promise<number> => (await boxOf(rootCauseRow.locator('.label'))).width;
    const detailsWidth = async (): Promise<number> => (await boxOf(frame.locator('.details'))).width;
    const [labelBefore, detailsBefore] = [await labelWidth(), await detailsWidth()];
    assert.equal(await nameDivider.getAttribute('aria-valuenow'), '45');
    await nameDivider.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    await frame.locator('.split-sash[aria-valuenow="55"]').waitFor();
    assert.ok((await labelWidth()) > labelBefore * 1.1, `the names column widened: ${labelBefore} → ${await labelWidth()} px`);
    await treeDivider.focus();
    await page.keyboard.press('Shift+ArrowLeft');
    await frame.locator('.split-sash[aria-valuenow="50"]').waitFor();
    assert.ok((await detailsWidth()) > detailsBefore * 1.1, `the details widened: ${detailsBefore} → ${await detailsWidth()} px`);
    await screenshot(page, 'large-trace-splits');
    // A narrow editor: the details go below the tree.
    const viewport = page.viewportSize()!;
    await page.setViewportSize({ width: 900, height: viewport.height });
    // Browser code as a string: this project's Node tsconfig has no DOM types. Resolves once the layout is stacked.
    await frame.locator('.main').evaluate(`(main) => new Promise((resolve) => {
      const stacked = () => getComputedStyle(main).flexDirection === 'column';
      if (stacked()) return resolve();
      const observer = new ResizeObserver(() => { if (stacked()) { observer.disconnect(); resolve(); } });
      observer.observe(main);
    })`);
    const [paneBox, detailsBox] = [await boxOf(frame.locator('.tree-pane')), await boxOf(frame.locator('.details'))];
    assert.ok(detailsBox.y >= paneBox.y + paneBox.height - 1, 'the details sit below the tree');
    await screenshot(page, 'large-trace-narrow');
    await page.setViewportSize(viewport);
  }, server);
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
