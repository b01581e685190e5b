/**
 * The minimap: the whole trace on a canvas (x time, y depth-first order, errors and the critical
 * path in their own colours and strips), with the shown time window as a draggable, focusable
 * overlay. Drag it to move, drag its edges to resize, drag elsewhere to draw a new window, click
 * elsewhere to centre the window there, double-click to show everything. Keys on the focused
 * overlay: ←/→ pan (Shift: a whole window), PageUp/PageDown pan a window, +/= and - zoom, 0/Home reset.
 *
 * Wiring (main.ts): create it above the time axis with the outline's columns
 * (`{ count, totalUs: header.endUs - header.startUs, startUs, durationUs, status, flags }`) and call
 * `setData` again as chunks arrive; `onWindow` is the one place the time window changes (the same
 * handler as the axis's reset and timelineZoom): it stores the window, calls
 * `spanTree.setTimeWindow`, `timeAxis.update`, persists `toFractions(w)`, and calls `setWindow(w)`
 * here (a no-op for the overlay that is being dragged).
 */
import { formatDuration } from '../../../src/model/units';
import { MinimapCell, rasterizeMinimap, type MinimapData, type MinimapRaster } from '../layout/minimapRaster';
import { clampWindow, fullWindow, isFull, minWidthUs, panBy, windowForKey, type TimeWindow } from '../layout/timeWindow';

export type { MinimapData } from '../layout/minimapRaster';

export interface MinimapView {
  setWindow(window: TimeWindow): void;
  setData(data: MinimapData): void;
  dispose(): void;
}

type DragMode = 'move' | 'start' | 'end' | 'new';

interface Drag {
  readonly mode: DragMode;
  readonly pointerId: number;
  readonly originX: number;
  readonly origin: TimeWindow;
  readonly anchorUs: number;
  moved: boolean;
}

/** Pointer travel (CSS px) below which a press is a click, not a drag. */
const clickSlop = 3;

export function createMinimap(container: HTMLElement, data: MinimapData, onWindow: (w: TimeWindow) => void): MinimapView {
  const doc = container.ownerDocument;
  const root = container.appendChild(doc.createElement('div'));
  root.className = 'minimap';
  root.title = 'Whole trace: red marks at the top are errors, the line at the bottom is the critical path';
  const canvas = root.appendChild(doc.createElement('canvas'));
  canvas.setAttribute('aria-hidden', 'true');
  const before = root.appendChild(doc.createElement('div'));
  before.className = 'minimap-shade before';
  const after = root.appendChild(doc.createElement('div'));
  after.className = 'minimap-shade after';
  const overlay = root.appendChild(doc.createElement('div'));
  overlay.className = 'minimap-window';
  overlay.tabIndex = 0;
  overlay.setAttribute('role', 'slider');
  overlay.setAttribute('aria-label', 'Time window');
  overlay.setAttribute('aria-valuemin', '0');
  overlay.setAttribute('aria-valuemax', '100');
  overlay.setAttribute('aria-keyshortcuts', 'ArrowLeft ArrowRight PageUp PageDown + - 0 Home');
  overlay.title = 'Drag to move, drag an edge to resize; ←/→ pan, + and - zoom, 0 shows the whole trace';
  for (const side of ['start', 'end']) overlay.appendChild(doc.createElement('div')).className = `minimap-handle ${side}`;

  let trace = data;
  let current = fullWindow(trace.totalUs);
  let drag: Drag | undefined;
  let pending: TimeWindow | undefined;
  let paintScheduled = false;
  /** The picture is out of date (new data); a resize is noticed by the canvas size. */
  let dirty = true;
  /** Resolved once per theme: reading computed styles and a probe canvas is not free. */
  let colours: Colours | undefined;

  const total = (): number => Math.max(0, trace.totalUs);
  const showWindow = (): void => {
    const t = total();
    const left = t > 0 ? (current.startUs / t) * 100 : 0;
    const width = t > 0 ? ((current.endUs - current.startUs) / t) * 100 : 100;
    overlay.style.left = `${left}%`;
    overlay.style.width = `${width}%`;
    before.style.width = `${left}%`;
    after.style.width = `${Math.max(0, 100 - left - width)}%`;
    root.classList.toggle('full', isFull(current, t));
    overlay.setAttribute('aria-valuenow', String(Math.round(left)));
    overlay.setAttribute('aria-valuetext', `${formatDuration(current.startUs)} – ${formatDuration(current.endUs)} of ${formatDuration(t)}`);
  };
  /** Moves the overlay now; tells main once per frame (a drag fires more pointer events than frames). */
  const change = (w: TimeWindow): void => {
    current = clampWindow(w, total());
    showWindow();
    if (pending === undefined) requestAnimationFrame(() => {
      const next = pending;
      pending = undefined;
      if (next) onWindow(next);
    });
    pending = current;
  };

  const paint = (): void => {
    paintScheduled = false;
    const ratio = doc.defaultView?.devicePixelRatio ?? 1;
    const width = Math.round(canvas.clientWidth * ratio);
    const height = Math.round(canvas.clientHeight * ratio);
    if (width === 0 || height === 0) return;
    if (!dirty && canvas.width === width && canvas.height === height) return;
    dirty = false;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const context = canvas.getContext('2d');
    if (!context) return;
    const strips = stripGeometry(height, ratio);
    const raster = rasterizeMinimap(trace, width, strips.bandRows);
    colours ??= themeColours(root);
    context.putImageData(toImage(context, raster, strips, colours), 0, 0);
  };
  const schedulePaint = (): void => {
    if (paintScheduled) return;
    paintScheduled = true;
    requestAnimationFrame(paint);
  };

  const timeAt = (clientX: number): number => {
    const rect = root.getBoundingClientRect();
    return rect.width > 0 ? Math.min(1, Math.max(0, (clientX - rect.left) / rect.width)) * total() : 0;
  };
  const onPointerDown = (event: PointerEvent): void => {
    if (event.button !== 0 || drag) return;
    const target = event.target instanceof Element ? event.target : null;
    // A full window covers the whole minimap and cannot move: a drag on it draws a new window.
    const inside = target?.closest('.minimap-window') && !isFull(current, total());
    const mode: DragMode = target?.closest('.minimap-handle.start') ? 'start' : target?.closest('.minimap-handle.end') ? 'end' : inside ? 'move' : 'new';
    drag = { mode, pointerId: event.pointerId, originX: event.clientX, origin: current, anchorUs: timeAt(event.clientX), moved: false };
    root.setPointerCapture(event.pointerId);
    overlay.classList.add('dragging');
    overlay.focus({ preventScroll: true });
    event.preventDefault();
  };
  const onPointerMove = (event: PointerEvent): void => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    if (!drag.moved && Math.abs(event.clientX - drag.originX) < clickSlop) return;
    drag.moved = true;
    const t = timeAt(event.clientX);
    const { origin } = drag;
    const min = minWidthUs(total());
    if (drag.mode === 'move') change(panBy(origin, total(), t - drag.anchorUs));
    else if (drag.mode === 'start') change({ startUs: Math.min(t, origin.endUs - min), endUs: origin.endUs });
    else if (drag.mode === 'end') change({ startUs: origin.startUs, endUs: Math.max(t, origin.startUs + min) });
    else change({ startUs: Math.min(drag.anchorUs, t), endUs: Math.max(drag.anchorUs, t) });
  };
  const onPointerUp = (event: PointerEvent): void => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    // A click beside the window centres the window there.
    if (!drag.moved && drag.mode === 'new') change(panBy(current, total(), drag.anchorUs - (current.startUs + current.endUs) / 2));
    drag = undefined;
    overlay.classList.remove('dragging');
    if (root.hasPointerCapture(event.pointerId)) root.releasePointerCapture(event.pointerId);
  };
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const next = windowForKey(event.key, event.shiftKey, current, total());
    if (!next) return;
    event.preventDefault();
    event.stopPropagation();
    change(next);
  };

  root.addEventListener('pointerdown', onPointerDown);
  root.addEventListener('pointermove', onPointerMove);
  root.addEventListener('pointerup', onPointerUp);
  root.addEventListener('pointercancel', onPointerUp);
  root.addEventListener('dblclick', () => change(fullWindow(total())));
  overlay.addEventListener('keydown', onKeyDown);
  const resizeObserver = new ResizeObserver(schedulePaint);
  resizeObserver.observe(root);
  // VS Code swaps the theme by changing the body's class and the root's CSS variables: repaint in the new colours.
  const themeObserver = new MutationObserver(() => {
    colours = undefined;
    dirty = true;
    schedulePaint();
  });
  themeObserver.observe(doc.body, { attributes: true, attributeFilter: ['class'] });
  themeObserver.observe(doc.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });

  showWindow();
  schedulePaint();
  return {
    setWindow(w) {
      if (drag?.moved) return;
      current = clampWindow(w, total());
      showWindow();
    },
    setData(next) {
      trace = next;
      dirty = true;
      current = clampWindow(current, total());
      showWindow();
      schedulePaint();
    },
    dispose() {
      resizeObserver.disconnect();
      themeObserver.disconnect();
      root.remove();
    },
  };
}

interface Strips {
  /** Device-pixel rows: error marks on top, then the span band, then the critical-path line. */
  readonly errorRows: number;
  readonly bandTop: number;
  readonly bandRows: number;
  readonly criticalTop: number;
  readonly criticalRows: number;
}

function stripGeometry(height: number, ratio: number): Strips {
  const errorRows = Math.max(2, Math.round(5 * ratio));
  const criticalRows = Math.max(1, Math.round(3 * ratio));
  const gap = Math.max(1, Math.round(ratio));
  const bandTop = errorRows + gap;
  const bandRows = Math.max(1, height - bandTop - criticalRows - gap);
  return { errorRows, bandTop, bandRows, criticalTop: bandTop + bandRows + gap, criticalRows };
}

type Rgba = readonly [number, number, number, number];

interface Colours {
  readonly span: Rgba;
  readonly critical: Rgba;
  readonly error: Rgba;
}

/** The theme's chart colours as RGBA bytes, resolved by letting a 1×1 canvas parse the CSS value. */
function themeColours(element: HTMLElement): Colours {
  const style = getComputedStyle(element);
  const probe = element.ownerDocument.createElement('canvas');
  probe.width = 1;
  probe.height = 1;
  const context = probe.getContext('2d', { willReadFrequently: true });
  const resolve = (name: string, fallback: string): Rgba => {
    if (!context) return [128, 128, 128, 255];
    context.clearRect(0, 0, 1, 1);
    context.fillStyle = fallback;
    context.fillStyle = style.getPropertyValue(name).trim() || fallback;
    context.fillRect(0, 0, 1, 1);
    const [r = 0, g = 0, b = 0, a = 0] = context.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a];
  };
  const text = style.color || 'gray';
  return { span: resolve('--vscode-charts-blue', text), critical: resolve('--vscode-charts-orange', text), error: resolve('--vscode-charts-red', text) };
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** An RGBA colour as one 32-bit pixel of `ImageData` seen through a `Uint32Array`. */
function packed([r, g, b, a]: Rgba): number {
  return littleEndian ? ((a << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
}

/** One write per pixel through a 32-bit view: 2,000 × 96 device pixels take about a millisecond. */
function toImage(context: CanvasRenderingContext2D, raster: MinimapRaster, strips: Strips, colours: Colours): ImageData {
  const { width } = raster;
  const image = context.createImageData(width, strips.criticalTop + strips.criticalRows);
  const pixels = new Uint32Array(image.data.buffer);
  const byCell = new Uint32Array(4);
  byCell[MinimapCell.span] = packed(colours.span);
  byCell[MinimapCell.critical] = packed(colours.critical);
  byCell[MinimapCell.error] = packed(colours.error);
  const bandStart = strips.bandTop * width;
  const cells = raster.cells;
  for (let p = 0; p < cells.length; p++) pixels[bandStart + p] = byCell[cells[p]!]!;
  const error = byCell[MinimapCell.error]!;
  const critical = byCell[MinimapCell.critical]!;
  // An error mark is at least 3 device pixels wide: one failed span among 100k must still be seen.
  for (let x = 0; x < width; x++) {
    if (raster.errorColumns[x]) for (let m = Math.max(0, x - 1); m <= Math.min(width - 1, x + 1); m++) for (let y = 0; y < strips.errorRows; y++) pixels[y * width + m] = error;
    if (raster.criticalColumns[x]) for (let y = 0; y < strips.criticalRows; y++) pixels[(strips.criticalTop + y) * width + x] = critical;
  }
  return image;
}
