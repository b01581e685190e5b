/**
 * The minimap's picture of a whole trace as a grid of device pixels, computed without a DOM:
 * x is time, y is the depth-first index squeezed into the rows (like Jaeger UI's minimap). Each
 * span adds +1/-1 to a difference array of its row and kind, so 100k spans cost one pass plus one
 * pass over the pixels, never one rectangle per span. render/minimap.ts paints the result.
 */

export interface MinimapData {
  readonly count: number;
  readonly totalUs: number;
  /** Microseconds relative to the trace start, per depth-first index. */
  readonly startUs: ArrayLike<number>;
  readonly durationUs: ArrayLike<number>;
  /** `statusCodes` index: 2 = error. */
  readonly status: ArrayLike<number>;
  /** `OutlineFlag` bits: 1 = critical. */
  readonly flags: ArrayLike<number>;
}

/** What a pixel shows; a higher kind wins when spans of several kinds share a pixel. */
export const MinimapCell = { empty: 0, span: 1, critical: 2, error: 3 } as const;

export interface MinimapRaster {
  readonly width: number;
  readonly rows: number;
  /** `MinimapCell` per pixel, row-major. */
  readonly cells: Uint8Array;
  /** 1 where an error span covers the column: drawn as marks in their own strip, so errors show by position, not colour alone. */
  readonly errorColumns: Uint8Array;
  /** 1 where a critical-path span covers the column. */
  readonly criticalColumns: Uint8Array;
}

const errorStatus = 2;
const criticalFlag = 1;

/** Rasterises `data` into `width` × `rows` pixels. Spans of bad or missing times are drawn at 0, one pixel wide. */
export function rasterizeMinimap(data: MinimapData, width: number, rows: number): MinimapRaster {
  const w = Math.max(0, Math.floor(width));
  const h = Math.max(0, Math.floor(rows));
  const count = Math.max(0, Math.min(data.count, data.startUs.length, data.durationUs.length));
  const cells = new Uint8Array(w * h);
  const errorColumns = new Uint8Array(w);
  const criticalColumns = new Uint8Array(w);
  if (w === 0 || h === 0 || count === 0) return { width: w, rows: h, cells, errorColumns, criticalColumns };

  const stride = w + 1;
  // Kinds 0 span, 1 critical, 2 error, each rows × (width + 1) counters; then the two column strips.
  const diff = new Int32Array(3 * h * stride);
  const errorDiff = new Int32Array(stride);
  const criticalDiff = new Int32Array(stride);
  const present = new Uint8Array(3);
  const scale = data.totalUs > 0 ? w / data.totalUs : 0;
  const rowsPerSpan = h / count;
  // With fewer spans than rows each span gets a band; a 1 px gap keeps neighbouring bands apart.
  const gap = rowsPerSpan >= 3 ? 1 : 0;
  for (let i = 0; i < count; i++) {
    const start = data.startUs[i]!;
    const duration = data.durationUs[i]!;
    const x0 = Number.isFinite(start) ? Math.min(w - 1, Math.max(0, Math.floor(start * scale))) : 0;
    const end = Number.isFinite(duration) && duration > 0 ? Math.ceil((start + duration) * scale) : 0;
    const x1 = Math.min(w, Math.max(x0 + 1, end));
    const isError = data.status[i] === errorStatus;
    const isCritical = ((data.flags[i] ?? 0) & criticalFlag) !== 0;
    const kind = isError ? 2 : isCritical ? 1 : 0;
    present[kind] = 1;
    const rowStart = Math.floor(i * rowsPerSpan);
    const rowEnd = Math.max(rowStart + 1, Math.floor((i + 1) * rowsPerSpan) - gap);
    for (let r = rowStart; r < rowEnd && r < h; r++) {
      const base = (kind * h + r) * stride;
      diff[base + x0]!++;
      diff[base + x1]!--;
    }
    if (isError) {
      errorDiff[x0]!++;
      errorDiff[x1]!--;
    }
    if (isCritical) {
      criticalDiff[x0]!++;
      criticalDiff[x1]!--;
    }
  }

  // One prefix-sum pass per kind present, later kinds painting over earlier ones (error wins).
  for (let kind = 0; kind < 3; kind++) {
    if (!present[kind]) continue;
    const cell = kind + 1;
    for (let r = 0; r < h; r++) {
      const base = (kind * h + r) * stride;
      const rowBase = r * w;
      let covered = 0;
      for (let x = 0; x < w; x++) {
        covered += diff[base + x]!;
        if (covered > 0) cells[rowBase + x] = cell;
      }
    }
  }
  let errorRun = 0;
  let criticalRun = 0;
  for (let x = 0; x < w; x++) {
    errorRun += errorDiff[x]!;
    criticalRun += criticalDiff[x]!;
    errorColumns[x] = errorRun > 0 ? 1 : 0;
    criticalColumns[x] = criticalRun > 0 ? 1 : 0;
  }
  return { width: w, rows: h, cells, errorColumns, criticalColumns };
}
