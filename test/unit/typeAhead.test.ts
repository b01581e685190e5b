import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyTypeAhead, isTypeAheadKey, spaceContinuesTypeAhead, typeAheadAdd, typeAheadMatch, typeAheadResetMs } from '../../webview/src/layout/typeAhead';

const names = ['workflow', 'Code', 'http GET', 'LLM gpt-4o', 'Loop', 'code check'];
const key = (k: string, mods: Partial<{ ctrlKey: boolean; altKey: boolean; metaKey: boolean }> = {}) => ({ key: k, ctrlKey: false, altKey: false, metaKey: false, ...mods });

describe('typeAhead', () => {
  it('accepts printable characters only, not Space or with Ctrl/Alt/Meta', () => {
    assert.equal(isTypeAheadKey(key('a')), true);
    assert.equal(isTypeAheadKey(key('É')), true);
    assert.equal(isTypeAheadKey(key(' ')), false);
    assert.equal(isTypeAheadKey(key('ArrowDown')), false);
    assert.equal(isTypeAheadKey(key('a', { ctrlKey: true })), false);
    assert.equal(isTypeAheadKey(key('a', { altKey: true })), false);
    assert.equal(isTypeAheadKey(key('a', { metaKey: true })), false);
  });

  it('builds the prefix and resets it after the timeout (clock passed in)', () => {
    let s = typeAheadAdd(emptyTypeAhead, 'l', 1_000);
    s = typeAheadAdd(s, 'o', 1_000 + typeAheadResetMs);
    assert.equal(s.prefix, 'lo');
    s = typeAheadAdd(s, 'c', 1_000 + 2 * typeAheadResetMs + 1);
    assert.equal(s.prefix, 'c');
  });

  it('matches the prefix case-insensitively from the next row, cycling', () => {
    assert.equal(typeAheadMatch(names, 'c', 0), 1);
    assert.equal(typeAheadMatch(names, 'C', 1), 5);
    assert.equal(typeAheadMatch(names, 'c', 5), 1);
    assert.equal(typeAheadMatch(names, 'l', -1), 3);
    assert.equal(typeAheadMatch(names, 'x', 0), -1);
    assert.equal(typeAheadMatch([], 'a', 0), -1);
    assert.equal(typeAheadMatch(names, '', 0), -1);
  });

  it('a longer prefix keeps the current row while it matches, else moves on', () => {
    assert.equal(typeAheadMatch(names, 'llm', 3), 3);
    assert.equal(typeAheadMatch(names, 'lo', 3), 4);
    assert.equal(typeAheadMatch(names, 'CODE C', 1), 5);
    assert.equal(typeAheadMatch(names, 'http g', 0), 2);
  });

  it('the same character repeated cycles through rows starting with it', () => {
    assert.equal(typeAheadMatch(names, 'cc', 1), 5);
    assert.equal(typeAheadMatch(names, 'ccc', 5), 1);
  });

  it('Space continues a prefix only while it is being typed; otherwise it toggles', () => {
    assert.equal(spaceContinuesTypeAhead(emptyTypeAhead, 0), false);
    const s = typeAheadAdd(emptyTypeAhead, 'p', 1_000);
    assert.equal(spaceContinuesTypeAhead(s, 1_000 + typeAheadResetMs), true);
    assert.equal(spaceContinuesTypeAhead(s, 1_001 + typeAheadResetMs), false);
    const typed = [...'ost /p'].reduce((t, c, i) => typeAheadAdd(t, c, 1_100 + i * 100), s);
    assert.equal(typed.prefix, 'post /p');
    assert.equal(typeAheadMatch(['POST /v1', 'POST /plugin'], typed.prefix, 0), 1);
  });
});
