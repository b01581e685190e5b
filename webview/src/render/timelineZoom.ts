/**
 * Wheel zoom and pan over the span tree's timeline column: Ctrl/⌘+wheel (and a trackpad pinch,
 * which Chromium sends as Ctrl+wheel) zooms around the time under the pointer; Shift+wheel or a
 * horizontal wheel pans. A plain vertical wheel is left alone, so the tree scrolls as usual, and
 * so is any wheel over the label column.
 *
 * Wiring (main.ts): `const detach = attachTimelineZoom(treeScroller, () => state.window,
 * () => totalUs, setWindow)`, where `setWindow` is the same handler the minimap's `onWindow` uses;
 * call `detach()` when the tree is replaced.
 */
import { panBy, zoomAround, type TimeWindow } from '../layout/timeWindow';

/** Zoom factor per pixel of wheel delta: a 100 px notch zooms by about 1.22×. */
const zoomPerPixel = 0.002;
const lineHeightPx = 16;

/** Wheel deltas in pixels whatever the device reports (lines from mice on some systems, pages rarely). */
function pixels(delta: number, mode: number, pagePx: number): number {
  return mode === WheelEvent.DOM_DELTA_LINE ? delta * lineHeightPx : mode === WheelEvent.DOM_DELTA_PAGE ? delta * pagePx : delta;
}

export function attachTimelineZoom(scroller: HTMLElement, getWindow: () => TimeWindow, totalUs: () => number, setWindow: (w: TimeWindow) => void): () => void {
  const onWheel = (event: WheelEvent): void => {
    const cell = event.target instanceof Element ? event.target.closest('.timeline') : null;
    if (!cell || !scroller.contains(cell)) return;
    const rect = cell.getBoundingClientRect();
    if (rect.width <= 0) return;
    const total = totalUs();
    const window = getWindow();
    const width = window.endUs - window.startUs;
    const dx = pixels(event.deltaX, event.deltaMode, rect.width);
    const dy = pixels(event.deltaY, event.deltaMode, scroller.clientHeight);
    if (event.ctrlKey || event.metaKey) {
      const fraction = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
      setWindow(zoomAround(window, total, window.startUs + fraction * width, Math.exp(-dy * zoomPerPixel)));
      event.preventDefault();
      return;
    }
    // Shift turns a vertical wheel into a horizontal one (Chromium may already have swapped the axes).
    const horizontal = event.shiftKey ? dx || dy : Math.abs(dx) > Math.abs(dy) ? dx : 0;
    if (horizontal === 0) return;
    const next = panBy(window, total, (horizontal / rect.width) * width);
    if (next.startUs === window.startUs && next.endUs === window.endUs) return;
    setWindow(next);
    event.preventDefault();
  };
  // Not passive: zoom and pan must stop the page from zooming or scrolling sideways.
  scroller.addEventListener('wheel', onWheel, { passive: false });
  return () => scroller.removeEventListener('wheel', onWheel);
}
