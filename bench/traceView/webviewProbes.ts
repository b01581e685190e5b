/**
 * In-page probes run inside the trace panel's webview frame. They are strings because this
 * project's Node tsconfig has no DOM types. Selectors are only the tree's accessible structure:
 * `.tree[role=tree]`, rows `.row[role=treeitem]` with `aria-level`, `aria-expanded`,
 * `aria-selected`, `aria-setsize` (rows in the tree now), and the tree's keyboard handling.
 */

/** The expression that runs `probe` (a function's source) on `arg` in the page. */
export function call(probe: string, arg: Readonly<Record<string, unknown>>): string {
  return `(${probe})(${JSON.stringify(arg)})`;
}

export const TREE = '.tree[role=tree]';
export const ROW = '.tree .row[role=treeitem]';

/**
 * Dispatches one key on the focused tree and returns ms until the selected row's `aria-expanded`
 * reads `expect` and the tree's row count (`aria-setsize`) changed, plus the next animation frame
 * and a macrotask (the frame is painted). Also the row counts before and after.
 */
export const TOGGLE_PROBE = `async ({ key, shift, expect, timeoutMs }) => {
  const tree = document.querySelector(${JSON.stringify(TREE)});
  tree.focus();
  const sizeNow = () => Number(tree.querySelector('.row[role=treeitem]')?.getAttribute('aria-setsize') ?? NaN);
  const selected = () => tree.querySelector('.row[role=treeitem][aria-selected=true]');
  const before = sizeNow();
  const t0 = performance.now();
  tree.dispatchEvent(new KeyboardEvent('keydown', { key, shiftKey: shift, bubbles: true, cancelable: true }));
  const done = () => selected()?.getAttribute('aria-expanded') === expect && sizeNow() !== before;
  if (!done()) {
    await new Promise((resolve, reject) => {
      const observer = new MutationObserver(() => { if (done()) { observer.disconnect(); clearTimeout(timer); resolve(); } });
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error('no change within ' + timeoutMs + ' ms (rows ' + sizeNow() + ', expanded ' + selected()?.getAttribute('aria-expanded') + ')')); }, timeoutMs);
      observer.observe(tree, { subtree: true, childList: true, attributes: true });
    });
  }
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return { ms: performance.now() - t0, rowsBefore: before, rowsAfter: sizeNow() };
}`;

/**
 * Moves the selection with ArrowDown/ArrowRight, one key per frame, to the `occurrence`-th row at
 * `level` named `name` below the selected row; returns whether it got there.
 */
export const SELECT_BY_NAME_PROBE = `async ({ name, level, occurrence, maxSteps }) => {
  const tree = document.querySelector(${JSON.stringify(TREE)});
  tree.focus();
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const selected = () => tree.querySelector('.row[role=treeitem][aria-selected=true]');
  let seen = 0;
  for (let step = 0; step < maxSteps; step++) {
    tree.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true, cancelable: true }));
    await frame();
    const row = selected();
    if (!row) return { ok: false, reason: 'no selected row' };
    const rowLevel = Number(row.getAttribute('aria-level'));
    if (rowLevel < level) return { ok: false, reason: 'left the parent at step ' + step };
    if (rowLevel === level && row.querySelector('.name')?.textContent === name && seen++ === occurrence) return { ok: true, steps: step + 1 };
  }
  return { ok: false, reason: 'not found in ' + maxSteps + ' steps' };
}`;

/** Presses one key on the tree and waits a frame. */
export const KEY_PROBE = `async ({ key, shift }) => {
  const tree = document.querySelector(${JSON.stringify(TREE)});
  tree.focus();
  tree.dispatchEvent(new KeyboardEvent('keydown', { key, shiftKey: shift, bubbles: true, cancelable: true }));
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const row = tree.querySelector('.row[role=treeitem][aria-selected=true]');
  return { level: Number(row?.getAttribute('aria-level')), expanded: row?.getAttribute('aria-expanded') ?? null, rows: Number(row?.getAttribute('aria-setsize')), name: row?.querySelector('.name')?.textContent ?? null };
}`;

/**
 * Scrolls the tree by `step` px in every animation frame for `durationMs`. Per frame: the interval
 * between frames (rAF timestamps: 16.7 ms at 60 Hz when every frame is made in time, a multiple
 * when frames are dropped), and the Long Animation Frames (over 50 ms of work for one frame: the
 * scroll handler's re-render, style, layout, paint) seen meanwhile.
 */
export const SCROLL_PROBE = `async ({ step, durationMs }) => {
  const tree = document.querySelector(${JSON.stringify(TREE)});
  const intervals = [];
  const longFrames = [];
  let observer;
  try {
    observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) longFrames.push({ duration: e.duration, blockingDuration: e.blockingDuration }); });
    observer.observe({ type: 'long-animation-frame', buffered: false });
  } catch { observer = undefined; }
  const firstName = () => tree.querySelector('.row[role=treeitem] .name')?.textContent ?? '';
  const startTop = tree.scrollTop;
  const nameBefore = firstName();
  await new Promise((resolve) => {
    let last = 0;
    let end = 0;
    const onFrame = (t) => {
      if (last === 0) end = t + durationMs; else intervals.push(t - last);
      last = t;
      if (t >= end) { resolve(); return; }
      tree.scrollTop += step;
      requestAnimationFrame(onFrame);
    };
    requestAnimationFrame(onFrame);
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer?.disconnect();
  return { intervals, longFrames, longFramesObserved: observer !== undefined, scrolledPx: tree.scrollTop - startTop, firstRowChanged: firstName() !== nameBefore };
}`;

/** Frame pacing with nothing to do: the rAF intervals for `durationMs` without scrolling (the baseline). */
export const IDLE_FRAMES_PROBE = `async ({ durationMs }) => {
  const intervals = [];
  await new Promise((resolve) => {
    let last = 0;
    let end = 0;
    const onFrame = (t) => {
      if (last === 0) end = t + durationMs; else intervals.push(t - last);
      last = t;
      if (t >= end) resolve(); else requestAnimationFrame(onFrame);
    };
    requestAnimationFrame(onFrame);
  });
  return intervals;
}`;

/** The panel's summary header text (what it says about the spans shown). */
export const SUMMARY_PROBE = `(() => (document.querySelector('header.summary, .summary')?.textContent ?? '').replace(/\\s+/g, ' ').trim().slice(0, 400))()`;
