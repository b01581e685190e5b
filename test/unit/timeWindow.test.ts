import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  clampWindow,
  formatTick,
  fromFractions,
  fullWindow,
  isFull,
  minWidthUs,
  niceTicks,
  panBy,
  tickStep,
  toFractions,
  windowForKey,
  zoomAround,
  type TimeWindow,
} from '../../webview/src/layout/timeWindow';

const total = 3_400_000;
const width = (w: TimeWindow): number => w.endUs - w.startUs;

function assertValid(w: TimeWindow, totalUs: number): void {
  assert.ok(Number.isFinite(w.startUs) && Number.isFinite(w.endUs), `finite: ${JSON.stringify(w)}`);
  assert.ok(w.startUs >= 0 && w.endUs <= Math.max(0, totalUs) + 1e-6 && w.startUs <= w.endUs, `inside: ${JSON.stringify(w)}`);
}

describe('fullWindow and clampWindow', () => {
  it('covers the trace, and a zero, negative or NaN total gives an empty window at 0', () => {
    assert.deepEqual(fullWindow(total), { startUs: 0, endUs: total });
    assert.deepEqual(fullWindow(0), { startUs: 0, endUs: 0 });
    assert.deepEqual(fullWindow(-5), { startUs: 0, endUs: 0 });
    assert.deepEqual(fullWindow(Number.NaN), { startUs: 0, endUs: 0 });
  });
  it('orders, widens to the minimum and moves inside the trace', () => {
    assert.deepEqual(clampWindow({ startUs: 200, endUs: 100 }, 1000), { startUs: 100, endUs: 200 });
    assert.deepEqual(clampWindow({ startUs: -50, endUs: 100 }, 1000), { startUs: 0, endUs: 150 });
    assert.deepEqual(clampWindow({ startUs: 900, endUs: 1200 }, 1000), { startUs: 700, endUs: 1000 });
    assert.deepEqual(clampWindow({ startUs: -10, endUs: 5000 }, 1000), { startUs: 0, endUs: 1000 });
    assert.deepEqual(clampWindow({ startUs: 500, endUs: 500 }, 1000), { startUs: 500, endUs: 501 });
    assert.deepEqual(clampWindow({ startUs: Number.NaN, endUs: Number.POSITIVE_INFINITY }, 1000), { startUs: 0, endUs: 1000 });
    assert.deepEqual(clampWindow({ startUs: 5, endUs: 10 }, 0), { startUs: 0, endUs: 0 });
  });
  it('minimum width is 1 µs, a 100,000th of a long trace, never more than the trace', () => {
    assert.equal(minWidthUs(1000), 1);
    assert.equal(minWidthUs(1e9), 10_000);
    assert.equal(minWidthUs(0.5), 0.5);
    assert.equal(minWidthUs(0), 0);
    assert.equal(minWidthUs(-1), 0);
  });
});

describe('zoomAround', () => {
  it('zooms in keeping the centre time at the same place', () => {
    const w = zoomAround(fullWindow(1000), 1000, 250, 2);
    assert.deepEqual(w, { startUs: 125, endUs: 625 });
    const again = zoomAround(w, 1000, 375, 2);
    assert.equal(width(again), 250);
    // 375 was halfway through [125, 625]; it stays halfway.
    assert.equal((375 - again.startUs) / width(again), 0.5);
  });
  it('zooming out stops at the whole trace, and out then in round-trips', () => {
    const w = zoomAround({ startUs: 400, endUs: 600 }, 1000, 500, 0.5);
    assert.deepEqual(w, { startUs: 300, endUs: 700 });
    assert.deepEqual(zoomAround(w, 1000, 500, 2), { startUs: 400, endUs: 600 });
    assert.deepEqual(zoomAround(w, 1000, 500, 0.001), fullWindow(1000));
    assert.ok(isFull(zoomAround(w, 1000, 500, 0.001), 1000));
  });
  it('zooming out near an edge shifts the window back inside', () => {
    const w = zoomAround({ startUs: 0, endUs: 100 }, 1000, 0, 0.25);
    assert.deepEqual(w, { startUs: 0, endUs: 400 });
    const right = zoomAround({ startUs: 900, endUs: 1000 }, 1000, 1000, 0.25);
    assert.deepEqual(right, { startUs: 600, endUs: 1000 });
  });
  it('stops at the minimum width', () => {
    let w = fullWindow(total);
    for (let i = 0; i < 100; i++) w = zoomAround(w, total, 1_000_000, 10);
    assert.equal(width(w), minWidthUs(total));
    assertValid(w, total);
    assert.ok(w.startUs <= 1_000_000 && w.endUs >= 1_000_000);
  });
  it('clamps a centre outside the window, ignores bad factors, survives a zero total', () => {
    assert.deepEqual(zoomAround(fullWindow(1000), 1000, -500, 2), { startUs: 0, endUs: 500 });
    assert.deepEqual(zoomAround(fullWindow(1000), 1000, 5000, 2), { startUs: 500, endUs: 1000 });
    assert.deepEqual(zoomAround({ startUs: 100, endUs: 200 }, 1000, 150, 0), { startUs: 100, endUs: 200 });
    assert.deepEqual(zoomAround({ startUs: 100, endUs: 200 }, 1000, 150, -2), { startUs: 100, endUs: 200 });
    assert.deepEqual(zoomAround({ startUs: 100, endUs: 200 }, 1000, 150, Number.NaN), { startUs: 100, endUs: 200 });
    assert.deepEqual(zoomAround({ startUs: 100, endUs: 200 }, 1000, Number.NaN, 2), { startUs: 125, endUs: 175 });
    assert.deepEqual(zoomAround(fullWindow(0), 0, 0, 4), { startUs: 0, endUs: 0 });
    assert.deepEqual(zoomAround(fullWindow(0), -1, 10, 0.5), { startUs: 0, endUs: 0 });
  });
});

describe('panBy', () => {
  it('moves keeping the width and stops at both ends', () => {
    assert.deepEqual(panBy({ startUs: 100, endUs: 200 }, 1000, 50), { startUs: 150, endUs: 250 });
    assert.deepEqual(panBy({ startUs: 100, endUs: 200 }, 1000, -500), { startUs: 0, endUs: 100 });
    assert.deepEqual(panBy({ startUs: 100, endUs: 200 }, 1000, 5000), { startUs: 900, endUs: 1000 });
    assert.deepEqual(panBy(fullWindow(1000), 1000, 300), fullWindow(1000));
    assert.deepEqual(panBy({ startUs: 100, endUs: 200 }, 1000, Number.NaN), { startUs: 100, endUs: 200 });
    assert.deepEqual(panBy(fullWindow(0), 0, 10), { startUs: 0, endUs: 0 });
  });
});

describe('fractions', () => {
  it('round-trips and marks the full window as full', () => {
    const w = { startUs: 340_000, endUs: 1_700_000 };
    assert.deepEqual(toFractions(w, total), [0.1, 0.5]);
    const back = fromFractions(toFractions(w, total), total);
    assert.ok(Math.abs(back.startUs - w.startUs) < 1e-6 && Math.abs(back.endUs - w.endUs) < 1e-6);
    assert.ok(isFull(fromFractions([0, 1], total), total));
    assert.ok(!isFull(w, total));
    assert.ok(isFull(fullWindow(0), 0));
  });
  it('scales to a new total (the layout changed) and rejects malformed state', () => {
    assert.deepEqual(fromFractions([0.25, 0.5], 2000), { startUs: 500, endUs: 1000 });
    assert.deepEqual(fromFractions(undefined, 1000), fullWindow(1000));
    assert.deepEqual(fromFractions([], 1000), fullWindow(1000));
    assert.deepEqual(fromFractions([0.5], 1000), fullWindow(1000));
    assert.deepEqual(fromFractions([0.6, 0.4], 1000), fullWindow(1000));
    assert.deepEqual(fromFractions([Number.NaN, 1], 1000), fullWindow(1000));
    assert.deepEqual(fromFractions([-0.5, 2], 1000), fullWindow(1000));
    assert.deepEqual(fromFractions([0.2, 0.4], 0), { startUs: 0, endUs: 0 });
    assert.deepEqual(toFractions(fullWindow(0), 0), [0, 1]);
    assert.deepEqual(toFractions({ startUs: -100, endUs: 5000 }, 1000), [0, 1]);
  });
});

describe('ticks', () => {
  it('steps are 1, 2 or 5 times a power of ten', () => {
    assert.equal(tickStep(1000, 10), 100);
    assert.equal(tickStep(3_400_000, 8), 500_000);
    assert.equal(tickStep(1500, 10), 200);
    assert.equal(tickStep(503_800, 5), 100_000);
    assert.equal(tickStep(0.8, 4), 0.2);
    assert.equal(tickStep(0, 10), 1);
    assert.equal(tickStep(-5, 10), 1);
  });
  it('lie on multiples of the step inside the window', () => {
    assert.deepEqual(niceTicks(fullWindow(1000), 5), [0, 200, 400, 600, 800, 1000]);
    assert.deepEqual(niceTicks({ startUs: 130, endUs: 470 }, 4), [200, 300, 400]);
    assert.deepEqual(niceTicks({ startUs: 5, endUs: 5 }, 4), [5]);
    assert.deepEqual(niceTicks(fullWindow(0), 4), [0]);
    const fine = niceTicks({ startUs: 1_000_000.1, endUs: 1_000_000.9 }, 4);
    assert.ok(fine.length >= 3 && fine.every((t) => t >= 1_000_000.1 && t <= 1_000_000.9));
  });
  it('labels: one unit per axis, no float noise, no trailing zeros', () => {
    const step = tickStep(total, 8);
    const labels = niceTicks(fullWindow(total), 8).map((t) => formatTick(t, step, total));
    assert.deepEqual(labels, ['0 s', '0.5 s', '1 s', '1.5 s', '2 s', '2.5 s', '3 s']);
    assert.equal(formatTick(250_000, 50_000, 900_000), '250 ms');
    assert.equal(formatTick(0, 50_000, 900_000), '0 ms');
    assert.equal(formatTick(0.30000000000000004 * 1000, 100, 900), '300 µs');
    assert.equal(formatTick(1_000_110, 10, 1_200_000), '1.00011 s');
    assert.equal(formatTick(-0, 100, 900), '0 µs');
  });
});

describe('windowForKey', () => {
  const w = { startUs: 400, endUs: 600 };
  it('pans, zooms around the middle and resets', () => {
    assert.deepEqual(windowForKey('ArrowRight', false, w, 1000), { startUs: 420, endUs: 620 });
    assert.deepEqual(windowForKey('ArrowLeft', true, w, 1000), { startUs: 200, endUs: 400 });
    assert.deepEqual(windowForKey('PageDown', false, w, 1000), { startUs: 600, endUs: 800 });
    assert.deepEqual(windowForKey('PageUp', false, { startUs: 100, endUs: 300 }, 1000), { startUs: 0, endUs: 200 });
    const zoomedIn = windowForKey('+', false, w, 1000)!;
    assert.ok(Math.abs(width(zoomedIn) - 200 / 1.5) < 1e-9 && Math.abs((zoomedIn.startUs + zoomedIn.endUs) / 2 - 500) < 1e-9);
    assert.deepEqual(windowForKey('=', false, w, 1000), zoomedIn);
    assert.deepEqual(windowForKey('-', false, w, 1000), { startUs: 350, endUs: 650 });
    assert.deepEqual(windowForKey('0', false, w, 1000), fullWindow(1000));
    assert.deepEqual(windowForKey('Home', false, w, 1000), fullWindow(1000));
  });
  it('leaves other keys alone', () => {
    assert.equal(windowForKey('ArrowUp', false, w, 1000), undefined);
    assert.equal(windowForKey('a', false, w, 1000), undefined);
    assert.equal(windowForKey('Enter', false, w, 1000), undefined);
  });
});
