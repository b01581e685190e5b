import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatDuration } from '../../src/model/units';

it('formatDuration moves to the next unit before rounding would print 1000 of the smaller one', () => {
  assert.equal(formatDuration(850), '850 µs');
  assert.equal(formatDuration(999.6), '1.00 ms');
  assert.equal(formatDuration(12_345), '12.3 ms');
  assert.equal(formatDuration(999_499), '999 ms');
  assert.equal(formatDuration(999_500), '1.00 s');
  assert.equal(formatDuration(4_560_000), '4.56 s');
  assert.equal(formatDuration(59_950_000), '1 min 0 s');
  assert.equal(formatDuration(125_000_000), '2 min 5 s');
  assert.equal(formatDuration(-5), '0 µs');
});
