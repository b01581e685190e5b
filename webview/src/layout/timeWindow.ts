/**
 * The time window of the trace view: which part of the trace's time the timeline column shows.
 * Pure and DOM-free. Times are microseconds relative to the trace start, within `[0, totalUs]`.
 *
 * Wiring (main.ts): keep the current `TimeWindow` in state, starting from
 * `fromFractions(state.timeWindow, totalUs)`; on every change call `spanTree.setTimeWindow(w.startUs, w.endUs)`,
 * `timeAxis.update(w)`, `minimap.setWindow(w)` and persist `toFractions(w, totalUs)` as
 * `WebviewState.timeWindow` (fractions survive a re-layout whose duration changed).
 */

export interface TimeWindow {
  readonly startUs: number;
  readonly endUs: number;
}

/** A trace of zero length still gets a well-formed (empty) window. */
function cleanTotal(totalUs: number): number {
  return Number.isFinite(totalUs) && totalUs > 0 ? totalUs : 0;
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

/**
 * The narrowest window: 1 µs (the data's resolution), or a 100,000th of the trace so that zooming a
 * long trace stops where bars still have width; never more than the trace.
 */
export function minWidthUs(totalUs: number): number {
  const total = cleanTotal(totalUs);
  return Math.min(total, Math.max(1, total / 100_000));
}

export function fullWindow(totalUs: number): TimeWindow {
  return { startUs: 0, endUs: cleanTotal(totalUs) };
}

/** Any window made valid: ordered, at least `minWidthUs` wide, inside `[0, totalUs]`. */
export function clampWindow(window: TimeWindow, totalUs: number): TimeWindow {
  const total = cleanTotal(totalUs);
  let start = finiteOr(window.startUs, 0);
  let end = finiteOr(window.endUs, total);
  if (end < start) [start, end] = [end, start];
  const width = Math.min(total, Math.max(minWidthUs(total), end - start));
  start = Math.min(Math.max(0, start), total - width);
  return { startUs: start, endUs: start + width };
}

/** True when the window shows the whole trace (within float noise of a fractions round trip). */
export function isFull(window: TimeWindow, totalUs: number): boolean {
  const total = cleanTotal(totalUs);
  const slack = total * 1e-9;
  return window.startUs <= slack && window.endUs >= total - slack;
}

/**
 * Zooms by `factor` (> 1 zooms in, < 1 out) keeping `centerUs` at the same place on screen, so the
 * time under the pointer stays under it. Invalid factors leave the window as it is.
 */
export function zoomAround(window: TimeWindow, totalUs: number, centerUs: number, factor: number): TimeWindow {
  const total = cleanTotal(totalUs);
  const current = clampWindow(window, total);
  if (!(factor > 0) || !Number.isFinite(factor)) return current;
  const width = current.endUs - current.startUs;
  const center = Math.min(Math.max(finiteOr(centerUs, current.startUs + width / 2), current.startUs), current.endUs);
  const ratio = width > 0 ? (center - current.startUs) / width : 0.5;
  const nextWidth = Math.min(total, Math.max(minWidthUs(total), width / factor));
  return clampWindow({ startUs: center - ratio * nextWidth, endUs: center - ratio * nextWidth + nextWidth }, total);
}

/** Moves the window by `deltaUs` (negative: earlier), keeping its width, stopping at the trace's ends. */
export function panBy(window: TimeWindow, totalUs: number, deltaUs: number): TimeWindow {
  const current = clampWindow(window, totalUs);
  const delta = finiteOr(deltaUs, 0);
  return clampWindow({ startUs: current.startUs + delta, endUs: current.endUs + delta }, totalUs);
}

/** The window as fractions of the trace (what `WebviewState.timeWindow` persists). */
export function toFractions(window: TimeWindow, totalUs: number): readonly [number, number] {
  const total = cleanTotal(totalUs);
  if (total === 0) return [0, 1];
  const w = clampWindow(window, total);
  return [w.startUs / total, w.endUs / total];
}

/** Persisted fractions back to a window; anything malformed (old or hand-edited state) gives the full window. */
export function fromFractions(fractions: readonly number[] | undefined, totalUs: number): TimeWindow {
  const total = cleanTotal(totalUs);
  const start = fractions?.[0];
  const end = fractions?.[1];
  if (start === undefined || end === undefined || !Number.isFinite(start) || !Number.isFinite(end) || end <= start) return fullWindow(total);
  return clampWindow({ startUs: Math.max(0, start) * total, endUs: Math.min(1, end) * total }, total);
}

/** Zoom per key press: three presses are a bit more than 3×. */
export const keyZoomFactor = 1.5;

/**
 * The window a key on the minimap's time-window slider asks for (`KeyboardEvent.key`), or undefined
 * for keys it leaves alone: ←/→ pan a tenth of the window (Shift: a whole window), PageUp/PageDown a
 * whole window, +/= and -/_ zoom around the middle, 0 and Home show the whole trace.
 */
export function windowForKey(key: string, shift: boolean, window: TimeWindow, totalUs: number): TimeWindow | undefined {
  const width = window.endUs - window.startUs;
  const centre = (window.startUs + window.endUs) / 2;
  switch (key) {
    case 'ArrowLeft':
      return panBy(window, totalUs, -width * (shift ? 1 : 0.1));
    case 'ArrowRight':
      return panBy(window, totalUs, width * (shift ? 1 : 0.1));
    case 'PageUp':
      return panBy(window, totalUs, -width);
    case 'PageDown':
      return panBy(window, totalUs, width);
    case '+':
    case '=':
      return zoomAround(window, totalUs, centre, keyZoomFactor);
    case '-':
    case '_':
      return zoomAround(window, totalUs, centre, 1 / keyZoomFactor);
    case '0':
    case 'Home':
      return fullWindow(totalUs);
    default:
      return undefined;
  }
}

/**
 * A 1, 2 or 5 × 10ⁿ step giving about `count` ticks over `widthUs`: the nice step nearest the exact
 * one on a log scale (d3-array's rule), so 5.04 ticks' worth gets 5 ticks, not 2.
 */
export function tickStep(widthUs: number, count: number): number {
  const raw = widthUs / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled >= Math.sqrt(50) ? 10 : scaled >= Math.sqrt(10) ? 5 : scaled >= Math.SQRT2 ? 2 : 1) * power;
}

/** Round tick positions inside the window, about `count` of them, ascending. */
export function niceTicks(window: TimeWindow, count: number): number[] {
  const start = finiteOr(window.startUs, 0);
  const end = Math.max(start, finiteOr(window.endUs, start));
  if (end === start) return [start];
  const step = tickStep(end - start, count);
  const ticks: number[] = [];
  // Integer multiples of the step, so float error never accumulates across ticks.
  // `|| 0` turns -0 (ceil of a tiny negative) into 0.
  for (let k = Math.ceil(start / step - 1e-9) || 0; k * step <= end + step * 1e-9; k++) ticks.push(k * step);
  return ticks;
}

const units = [
  { size: 1, suffix: 'µs' },
  { size: 1_000, suffix: 'ms' },
  { size: 1_000_000, suffix: 's' },
] as const;

/**
 * A tick label: "0 ms", "250 ms", "1.5 s". One unit for the whole axis (from the window's end), with
 * as many decimals as the step needs, so neighbouring labels always differ.
 */
export function formatTick(us: number, stepUs: number, windowEndUs: number): string {
  const unit = windowEndUs >= 1_000_000 ? units[2] : windowEndUs >= 1_000 ? units[1] : units[0];
  const stepInUnit = stepUs / unit.size;
  const decimals = stepInUnit > 0 && Number.isFinite(stepInUnit) ? Math.min(6, Math.max(0, -Math.floor(Math.log10(stepInUnit) + 1e-9))) : 0;
  // Number(toFixed) drops trailing zeros ("1.50" → "1.5") and float noise.
  const value = Number((us / unit.size).toFixed(decimals));
  return `${Object.is(value, -0) ? 0 : value} ${unit.suffix}`;
}
