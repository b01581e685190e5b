// The pure parts of the details pane: JSON trees, the attribute filter, stack frames as links, node inputs/outputs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SourceFrame, SourceLocation, SourceStack } from '../../src/shared/lspProtocol';
import { attributeMatches, filterCountText, searchableAttributes } from '../../webview/src/layout/attributeFilter';
import { copyTextOf, jsonContainerOf, jsonEntries, jsonLeafText, jsonParseLimit, jsonSummary, parseJsonText } from '../../src/shared/jsonValue';
import { nodeInputsOutputs } from '../../src/shared/nodeInputsOutputs';
import { frameLabel, locationPath, sourceView } from '../../webview/src/layout/stackFrames';

describe('details pane: JSON values', () => {
  it('parses JSON objects and arrays below the cap, and nothing else', () => {
    assert.deepEqual(parseJsonText(' {"a": 1} '), { a: 1 });
    assert.deepEqual(parseJsonText('[1, "x"]'), [1, 'x']);
    for (const text of ['', '42', '"s"', 'null', '{oops}', '[1,', 'plain text']) assert.equal(parseJsonText(text), undefined, text);
    assert.equal(parseJsonText(`[${'1,'.repeat(jsonParseLimit / 2)}1]`), undefined);
    assert.deepEqual(jsonContainerOf(['structured']), ['structured']);
    assert.equal(jsonContainerOf(3), undefined);
    assert.equal(jsonContainerOf(null), undefined);
  });

  it('pages entries, summarises containers and writes leaves as JSON', () => {
    const big = Array.from({ length: 250 }, (_, i) => i);
    assert.equal(jsonEntries(big).length, 100);
    assert.deepEqual(jsonEntries(big, 240, 100).map(([k]) => k), ['240', '241', '242', '243', '244', '245', '246', '247', '248', '249']);
    assert.deepEqual(jsonEntries({ b: 1, a: 2 }), [['b', 1], ['a', 2]]);
    assert.equal(jsonSummary(big), '[250 items]');
    assert.equal(jsonSummary({ a: 1 }), '{1 key}');
    assert.deepEqual([jsonLeafText('1'), jsonLeafText(1), jsonLeafText(null), jsonLeafText(true)], ['"1"', '1', 'null', 'true']);
    assert.equal(copyTextOf('as is'), 'as is');
    assert.equal(copyTextOf({ a: [1] }), '{\n  "a": [\n    1\n  ]\n}');
  });
});

describe('details pane: attribute filter', () => {
  const rows = searchableAttributes({ 'http.url': 'https://Example.com', 'gen_ai.request.model': 'gpt-4o', nested: { Key: 'Deep' }, count: 3 });
  const keys = (query: string) => rows.filter((r) => attributeMatches(r, query)).map((r) => r.key);

  it('sorts by key and matches key or value case-insensitively; blank matches all', () => {
    assert.deepEqual(keys(''), ['count', 'gen_ai.request.model', 'http.url', 'nested']);
    assert.deepEqual(keys('  '), keys(''));
    assert.deepEqual(keys('EXAMPLE'), ['http.url']);
    assert.deepEqual(keys('gen_ai'), ['gen_ai.request.model']);
    assert.deepEqual(keys('deep'), ['nested']);
    assert.deepEqual(keys('3'), ['count']);
    assert.deepEqual(keys('nothing'), []);
  });

  it('counts "3 of 14"', () => {
    assert.equal(filterCountText(3, 14, 'x'), '3 of 14');
    assert.equal(filterCountText(14, 14, ''), '14');
    assert.equal(filterCountText(1, 1200, 'x'), '1 of 1,200');
  });
});

describe('details pane: stack frames as links', () => {
  const frame = (file: string, line: number, fn: string, isUserCode: boolean): SourceFrame => ({ file, line, function: fn, isUserCode });
  const location = (label: string, frameDepth: number): SourceLocation => ({
    uri: 'file:///w/tools/a%20b.py',
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    via: 'workspacePath',
    label,
    frameDepth,
  });

  it('matches a location to the frame with its label and depth among user frames, innermost first (Python prints it last)', () => {
    const python: SourceStack = {
      language: 'python',
      exceptionType: 'KeyError',
      message: "'max_temp_c'",
      frames: [frame('/venv/lib/sdk.py', 10, 'run', false), frame('tools/a.py', 5, 'main', true), frame('/venv/lib/x.py', 2, 'wrap', false), frame('tools/a.py', 28, '_invoke', true)],
    };
    const innermost = location('tools/a.py:28 in _invoke', 0);
    const caller = location('tools/a.py:5 in main', 1);
    const dsl = { ...location('Code node "Build", line 4', 0), via: 'dslCode' as const };
    const view = sourceView({ stacks: [python], locations: [innermost, caller, dsl] });
    assert.equal(view.stacks[0]?.title, "KeyError: 'max_temp_c'");
    assert.deepEqual(view.stacks[0]?.frames.map((f) => f.locations), [[], [caller], [], [innermost]]);
    assert.deepEqual(view.otherLocations, [dsl]);
  });

  it('counts depth from the first user frame for Node.js and Go, and does not link a label at the wrong depth', () => {
    const js: SourceStack = { language: 'javascript', frames: [frame('/w/a.js', 3, 'f', true), frame('/w/a.js', 3, 'f', true)] };
    const deeper = location('/w/a.js:3 in f', 1);
    const view = sourceView({ stacks: [js], locations: [deeper] });
    assert.deepEqual(view.stacks[0]?.frames.map((f) => f.locations.length), [0, 1]);
    assert.equal(view.stacks[0]?.title, 'javascript stack');
  });

  it('labels frames like the server (plugin-relative path when the frame is in a plugin)', () => {
    assert.equal(frameLabel({ file: '/app/storage/cwd/a/b/tools/x.py', line: 2, isUserCode: true, plugin: { author: 'a', name: 'b', version: '1', relativePath: 'tools/x.py' } }), 'tools/x.py:2');
    assert.equal(locationPath(location('x', 0)), '/w/tools/a b.py');
  });
});

describe('details pane: node inputs and outputs', () => {
  it('takes the first exporter key present, skipping empty values', () => {
    assert.deepEqual(nodeInputsOutputs({ 'input.value': '{"q": 1}', 'output.value': '' }), { inputs: { key: 'input.value', value: '{"q": 1}' } });
    assert.deepEqual(nodeInputsOutputs({ 'langfuse.observation.input': '{}', 'langfuse.observation.output': 'null', 'langfuse.observation.metadata.dify.outputs': '{"a": 1}' }), {
      inputs: { key: 'langfuse.observation.input', value: '{}' },
      outputs: { key: 'langfuse.observation.metadata.dify.outputs', value: '{"a": 1}' },
    });
    assert.deepEqual(nodeInputsOutputs({}), {});
  });
});
