import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MinimapCell, rasterizeMinimap, type MinimapData } from '../../webview/src/layout/minimapRaster';

function data(spans: ReadonlyArray<[start: number, duration: number, status?: number, flags?: number]>, totalUs: number): MinimapData {
  return {
    count: spans.length,
    totalUs,
    startUs: spans.map((s) => s[0]),
    durationUs: spans.map((s) => s[1]),
    status: spans.map((s) => s[2] ?? 0),
    flags: spans.map((s) => s[3] ?? 0),
  };
}

const row = (raster: ReturnType<typeof rasterizeMinimap>, r: number): number[] => Array.from(raster.cells.subarray(r * raster.width, (r + 1) * raster.width));

describe('rasterizeMinimap', () => {
  it('puts each span in its band of rows, x by time', () => {
    const raster = rasterizeMinimap(data([[0, 100], [50, 50, 2], [20, 10, 0, 1]], 100), 10, 3);
    assert.deepEqual(row(raster, 0), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(row(raster, 1), [0, 0, 0, 0, 0, 3, 3, 3, 3, 3]);
    assert.deepEqual(row(raster, 2), [0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(raster.errorColumns), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    assert.deepEqual(Array.from(raster.criticalColumns), [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  });
  it('squeezes many spans into few rows, the highest kind winning a pixel', () => {
    const raster = rasterizeMinimap(data([[0, 10], [0, 10, 0, 1], [0, 10, 2], [0, 10]], 10), 2, 2);
    assert.deepEqual(row(raster, 0), [MinimapCell.critical, MinimapCell.critical]);
    assert.deepEqual(row(raster, 1), [MinimapCell.error, MinimapCell.error]);
  });
  it('gives few spans tall bands with a gap between them', () => {
    const raster = rasterizeMinimap(data([[0, 10], [0, 10]], 10), 1, 8);
    assert.deepEqual(Array.from(raster.cells), [1, 1, 1, 0, 1, 1, 1, 0]);
  });
  it('draws zero, negative, NaN and out-of-range times as at least one pixel inside the grid', () => {
    const raster = rasterizeMinimap(data([[0, 0], [-50, 10], [Number.NaN, Number.NaN], [500, 100], [90, 1000]], 100), 10, 5);
    assert.deepEqual(row(raster, 0), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(row(raster, 1), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(row(raster, 2), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(row(raster, 3), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(row(raster, 4), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });
  it('handles a zero-length trace, no spans and an empty canvas', () => {
    assert.deepEqual(row(rasterizeMinimap(data([[0, 0], [0, 0]], 0), 4, 1), 0), [1, 0, 0, 0]);
    assert.equal(rasterizeMinimap(data([], 100), 4, 2).cells.every((c) => c === 0), true);
    assert.equal(rasterizeMinimap(data([[0, 10]], 10), 0, 0).cells.length, 0);
    // count larger than the columns (chunks still arriving) reads only what is there.
    const partial = { ...data([[0, 10]], 10), count: 5 };
    assert.deepEqual(Array.from(rasterizeMinimap(partial, 2, 1).cells), [1, 1]);
  });
  it('rasterises 100k spans at 2x density in well under 50 ms', () => {
    const count = 100_000;
    const startUs = new Float64Array(count);
    const durationUs = new Float64Array(count);
    const status = new Uint8Array(count);
    const flags = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      startUs[i] = (i * 37) % 3_000_000;
      durationUs[i] = i % 100 === 0 ? 3_000_000 - startUs[i]! : 5_000;
      status[i] = i % 997 === 0 ? 2 : 1;
      flags[i] = i % 50 === 0 ? 1 : 0;
    }
    const trace = { count, totalUs: 3_000_000, startUs, durationUs, status, flags };
    rasterizeMinimap(trace, 2400, 96);
    const started = performance.now();
    const raster = rasterizeMinimap(trace, 2400, 96);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 40, `took ${elapsed.toFixed(1)} ms`);
    assert.ok(raster.cells.includes(MinimapCell.error) && raster.cells.includes(MinimapCell.critical));
  });
});
