// The duty cycle that keeps diagnostics and CodeLens from eating the trace server while traces pour in.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { dutyCycled } from '../../src/server/throttle';

it('runs one pass at a time with what came meanwhile, and waits ten times a pass before the next', async () => {
  const passes: { items: string[]; start: number; end: number }[] = [];
  let finished: () => void = () => {};
  const done = new Promise<void>((resolve) => (finished = resolve));
  const cycle = dutyCycled<string>(10, async (items) => {
    const start = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 30));
    passes.push({ items, start, end: performance.now() });
    if (passes.length === 2) finished();
  });
  cycle.add(['a']);
  // These come while the first pass runs, and right after it: one second pass takes them all.
  await new Promise((resolve) => setTimeout(resolve, 5));
  cycle.add(['b', 'c']);
  cycle.add(['c', 'd']);
  await done;
  cycle.dispose();
  assert.deepEqual(passes.map((p) => p.items), [['a'], ['b', 'c', 'd']]);
  const cost = passes[0]!.end - passes[0]!.start;
  assert.ok(passes[1]!.start - passes[0]!.end >= 9 * cost, `waited ${Math.round(passes[1]!.start - passes[0]!.end)} ms after a ${Math.round(cost)} ms pass`);
});
