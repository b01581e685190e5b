import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LEFT_OUT, secretKeys, withoutPaths } from '../../src/dify/replay/secretValues';

it('finds recorded values that look secret by their keys, nested too, and leaves them out of a copy', () => {
  const inputs = { city: 'Paris', api_key: 'sk-1', headers: { Authorization: 'Bearer x', accept: 'json' }, token_count: 3, empty_secret: '', nested: [{ password: 'p' }] };
  // A number (token_count) or an empty value is no secret; arrays are not searched.
  assert.deepEqual(secretKeys(inputs), ['api_key', 'headers.Authorization']);
  const copy = withoutPaths(inputs, secretKeys(inputs));
  assert.deepEqual(copy, { ...inputs, api_key: LEFT_OUT, headers: { Authorization: LEFT_OUT, accept: 'json' } });
  assert.equal(inputs.api_key, 'sk-1', 'the original stays');
  assert.deepEqual(secretKeys({ city: 'Paris', days: 3 }), []);
});
