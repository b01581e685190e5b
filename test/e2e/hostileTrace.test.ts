// Bad input in a real VS Code: a trace whose span names carry HTML, script and SVG, a 1 MB name and
// a 1 MB attribute, a parent cycle, a span whose parent never arrives, a negative duration and a
// child from a service whose clock runs behind. The panel must show it all as text, with warnings,
// and never run what the spans carry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportRequest, SpanKind, type SpanSpec } from '../corpus/otlpJson';
import { findFreePort } from './harness/codeServer.js';
import { openDemoWorkbench } from './harness/demoWorkbench.js';
import { lookUpTrace } from './harness/quickInput.js';
import { openViewContainer, screenshot, screenshotOnFailure, webviewFrame } from './harness/workbench.js';

const traceId = 'bad0bad0bad0bad0bad0bad0bad0bad0';
const id = (n: number): string => n.toString(16).padStart(16, '0');
const t0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const htmlName = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
const svgName = `<svg onload="window.__pwned=3"><text>${'y'.repeat(1_000_000)}</text></svg>`;
const megabyte = `<b>${'z'.repeat(1_000_000)}</b>`;

const span = (n: number, name: string, startMs: number, endMs: number, extra: Partial<SpanSpec> = {}): SpanSpec => ({
  traceId, spanId: id(n), name, kind: SpanKind.INTERNAL, startMs: t0 + startMs, endMs: t0 + endMs, attributes: {}, ...extra,
});

test('a hostile trace is shown as text with warnings, and nothing it carries runs', { timeout: 300_000 }, async (t) => {
  const receiverPort = await findFreePort();
  const { page, server } = await openDemoWorkbench(t, 'hostile-trace', receiverPort);
  await screenshotOnFailure(page, 'hostile-trace', async () => {
    await openViewContainer(page, 'Dify Trace Explorer');
    await page.locator('[id="workbench.parts.sidebar"]').getByText('No Dify runs yet').waitFor({ timeout: 60_000 });
    const body = exportRequest([
      {
        resource: { 'service.name': 'api' },
        scope: { name: 'test' },
        spans: [
          span(1, 'root', 0, 1000, { kind: SpanKind.SERVER }),
          span(2, htmlName, 10, 200, { parentSpanId: id(1), status: { code: 'error', message: htmlName }, attributes: { 'input.value': megabyte } }),
          span(3, svgName, 300, 400, { parentSpanId: id(1) }),
          // A parent cycle: 4 → 5 → 4.
          span(4, 'cycle a', 500, 600, { parentSpanId: id(5) }),
          span(5, 'cycle b', 510, 590, { parentSpanId: id(4) }),
          // A parent that never arrives, and a span that ends before it starts.
          span(6, 'orphan', 700, 650, { parentSpanId: id(99) }),
        ],
      },
      // Another service whose clock runs 5 s behind: its span starts before its parent.
      { resource: { 'service.name': 'plugin-daemon' }, scope: { name: 'test' }, spans: [span(7, 'skewed child', -5000, -4900, { parentSpanId: id(1), kind: SpanKind.SERVER })] },
    ]);
    const response = await fetch(`http://127.0.0.1:${receiverPort}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(response.status, 200, await response.text());

    await lookUpTrace(page, traceId);
    const frame = webviewFrame(page);
    await frame.locator('.tree[role="tree"]').waitFor({ timeout: 60_000 });
    const warnings = frame.locator('.summary .warnings');
    for (const text of ['parent cycle', 'parent that has not arrived', 'end before they start', 'clocks of those services disagree', 'over 500 characters']) {
      await warnings.getByText(text, { exact: false }).waitFor();
    }
    // The names are text: the markup is visible as characters, and no element of it exists.
    const htmlRow = frame.locator('.row[role="treeitem"]', { hasText: '<img src=x onerror=' });
    await htmlRow.waitFor();
    assert.equal(await frame.locator('.tree img, .tree script, .tree svg, .details img, .details svg').count(), 0);
    const svgRow = frame.locator('.row[role="treeitem"]', { hasText: '<svg onload=' });
    assert.ok((await svgRow.innerText()).length < 1_000, 'a 1 MB name is cut in the tree');
    await htmlRow.click();
    await frame.locator('.details h2', { hasText: '<img src=x' }).waitFor();
    // The 1 MB value is cut with "Show all"; showing all renders it as text too.
    const showAll = frame.locator('.details button', { hasText: /^Show all/ }).first();
    await showAll.waitFor();
    await screenshot(page, 'hostile-trace');
    await showAll.click();
    assert.equal(await frame.locator('.details b').count(), 0, 'the value\'s markup is not parsed');
    assert.equal(await frame.locator('.tree').evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined, 'nothing the spans carry ran');
    // Every span is in the tree: cycles cut and the orphan shown at the top level.
    assert.equal(await frame.locator('.row[role="treeitem"]').count(), 7);
  }, server);
});
