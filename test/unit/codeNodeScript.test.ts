// Replay Code Node's script (issue 16): the node's code first and unchanged, then Dify's runner with
// the recorded inputs. Each script is run with the real interpreter (python3, node) and must fail
// on the node's own line, as in the trace; inputs with quotes, backslashes, line breaks and
// non-ASCII text survive; large inputs go to a side file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { codeNodeScript, exceptionType, INLINE_INPUTS_LIMIT, replayOutcome, type CodeNodeScriptInput, type ReplayLanguage } from '../../src/dify/replay/codeNodeScript';
import { CODE_FAILING_LINE, ITINERARY_CODE } from '../demo/sandbox';

const dir = mkdtempSync(join(tmpdir(), 'code-node-replay-'));

function run(language: ReplayLanguage, input: Omit<CodeNodeScriptInput, 'language' | 'nodeTitle' | 'appName' | 'runId' | 'sideFileName'>, name: string): { status: number; stdout: string; stderr: string; script: ReturnType<typeof codeNodeScript> } {
  const file = `${name}.${language === 'python3' ? 'py' : 'js'}`;
  const script = codeNodeScript({ language, nodeTitle: 'Build "Itinerary"\n# not a comment', appName: 'Travel Assistant', runId: 'run-3', sideFileName: `${name}.inputs.json`, ...input });
  writeFileSync(join(dir, file), script.text);
  if (script.sideFile !== undefined) writeFileSync(join(dir, `${name}.inputs.json`), script.sideFile);
  const result = spawnSync(language === 'python3' ? 'python3' : process.execPath, [join(dir, file)], { encoding: 'utf8' });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, script };
}

const tokyoInputs = { forecast: [{ city: 'Tokyo', units: 'metric', forecast: [] }], places: '- Senso-ji Temple\n- Shibuya Crossing\n- Meiji Shrine' };

describe('codeNodeScript (Replay Code Node)', () => {
  it('runs the demo\'s failing Python node with run 3\'s inputs and fails on its line 4, as the trace says', () => {
    const { status, stderr, script } = run('python3', { code: ITINERARY_CODE, inputs: tokyoInputs }, 'itinerary');
    assert.ok(script.text.startsWith(ITINERARY_CODE), 'the code first, unchanged');
    assert.equal(script.codeLines, ITINERARY_CODE.split('\n').length - 1);
    const outcome = replayOutcome('python3', status, stderr, 'itinerary.py');
    assert.deepEqual(outcome, { failed: true, exception: 'ZeroDivisionError: integer division or modulo by zero', line: CODE_FAILING_LINE });
    assert.equal(exceptionType(outcome.exception), 'ZeroDivisionError');
  });

  it('prints main()\'s result as Dify does when the inputs make it pass', () => {
    const inputs = { ...tokyoInputs, forecast: [{ forecast: [{ date: '2026-12-04', summary: 'sunny', low: 3, high: 11 }] }] };
    const { status, stdout, stderr } = run('python3', { code: ITINERARY_CODE, inputs }, 'itinerary-ok');
    assert.equal(status, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), { itinerary: '2026-12-04 (sunny, 3..11): Senso-ji Temple, Shibuya Crossing, Meiji Shrine' });
    assert.deepEqual(replayOutcome('python3', 0, stderr, 'itinerary-ok.py'), { failed: false });
  });

  it('keeps quotes, backslashes, triple quotes, line breaks and non-ASCII text of the inputs intact, in both languages', () => {
    const tricky = { text: 'He said "hi" \\ \'\'\' """ ${x} `tick`\n\u2028東京 🍣', n: 3, tail: 'ends in a backslash \\', quotes: '""', empty: '' };
    const python = run('python3', { code: 'def main(**inputs) -> dict:\n    return inputs\n', inputs: tricky }, 'tricky');
    assert.equal(python.status, 0, python.stderr);
    assert.deepEqual(JSON.parse(python.stdout), tricky);
    const js = run('javascript', { code: 'function main(inputs) {\n  return inputs;\n}\n', inputs: tricky }, 'tricky');
    assert.equal(js.status, 0, js.stderr);
    assert.deepEqual(JSON.parse(js.stdout), tricky);
  });

  it('runs a JavaScript node with main(inputs), as Dify\'s runner does, and fails on the node\'s own line', () => {
    const code = ['function main({ items }) {', '  const first = items[0];', '  return { name: first.name.toUpperCase() };', '}', ''].join('\n');
    const { status, stderr } = run('javascript', { code, inputs: { items: [{}] } }, 'upper');
    const outcome = replayOutcome('javascript', status, stderr, 'upper.js');
    assert.equal(outcome.failed, true);
    assert.equal(outcome.line, 3);
    assert.equal(exceptionType(outcome.exception), 'TypeError');
  });

  it('puts large inputs in a side file, and marks inputs the trace cut', () => {
    const big = { text: 'x'.repeat(INLINE_INPUTS_LIMIT + 10) };
    const { status, stdout, script } = run('python3', { code: 'def main(text: str) -> dict:\n    return {"n": len(text)}\n', inputs: big, cutInputs: ['text'] }, 'big');
    assert.equal(status, 0);
    assert.deepEqual(JSON.parse(stdout), { n: big.text.length });
    assert.ok(script.sideFile !== undefined && !script.text.includes('xxxx'), 'the inputs are not in the script');
    assert.match(script.text, /cut or redacted these inputs, so they may differ from what ran: text\./);
  });

  it('cannot end its comment early through a node title with a line break', () => {
    const { script } = run('python3', { code: 'def main() -> dict:\n    return {}\n', inputs: {} }, 'title');
    assert.ok(script.text.includes('Replay of Code node "Build "Itinerary" # not a comment"'));
    assert.ok(!/^# not a comment/m.test(script.text));
  });
});

describe('replayOutcome (what the interpreter printed)', () => {
  it('takes the traceback that ended the program, not the shutdown noise after it', () => {
    const stderr = [
      'Traceback (most recent call last):',
      '  File "/w/.dify-trace/replays/r/get-weather.py", line 30, in <module>',
      '    for message in tool._invoke(parameters):',
      '  File "/w/weather-plugin/tools/get_weather.py", line 28, in _invoke',
      '    high = day["max_temp_c"]',
      "KeyError: 'max_temp_c'",
      'Exception ignored in: <function _removeHandlerRef at 0x7f>',
      'Traceback (most recent call last):',
      '  File "/usr/lib/python3.11/threading.py", line 164, in acquire',
      'RuntimeError: greenlet is being finalized',
    ].join('\n');
    assert.deepEqual(replayOutcome('python3', 1, stderr, 'get_weather.py'), { failed: true, exception: "KeyError: 'max_temp_c'", line: 28 });
  });

  it('reads a syntax error, which has no traceback header', () => {
    const stderr = '  File "/w/x.py", line 3\n    def main(:\n             ^\nSyntaxError: invalid syntax\n';
    assert.deepEqual(replayOutcome('python3', 1, stderr, 'x.py'), { failed: true, exception: 'SyntaxError: invalid syntax', line: 3 });
  });
});
