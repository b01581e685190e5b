import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseDotEnv } from '../../src/shared/dotEnv';

it('reads a plugin .env: comments, export, quotes, spaces, values with = and #', () => {
  const text = ['# remote debugging', 'INSTALL_METHOD=remote', 'export api_base = "http://127.0.0.1:8080/v1?x=1"', "API_KEY='se#cret'", 'PLAIN=value # comment', 'not a line', 'EMPTY='].join('\n');
  assert.deepEqual(parseDotEnv(text), { INSTALL_METHOD: 'remote', api_base: 'http://127.0.0.1:8080/v1?x=1', API_KEY: 'se#cret', PLAIN: 'value', EMPTY: '' });
});
