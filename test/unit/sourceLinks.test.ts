// Stack traces to source locations (src/server/sourceLinks): over the demo's real-shaped plugin and
// sandbox failures, real CPython / Node.js / Go output captured for this test, and bad input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as corpusErrors from '../corpus/errors';
import { pluginErrorLogBody, pluginInvokeErrorMessage } from '../demo/apiLogs';
import { PLUGIN, PLUGIN_EXCEPTION, PLUGIN_SOURCE, PLUGIN_TRACEBACK, PLUGIN_WORKING_DIR } from '../demo/plugin';
import { CODE_FAILING_LINE, ITINERARY_CODE } from '../demo/sandbox';
import { findEmbeddedLiterals } from '../../src/server/sourceLinks/embeddedLiterals';
import { findTracebacks } from '../../src/server/sourceLinks/findTracebacks';
import { parseGoPanics } from '../../src/server/sourceLinks/goPanic';
import { parseNodeStacks } from '../../src/server/sourceLinks/nodeStack';
import { isPythonUserCode, locatePluginFile } from '../../src/server/sourceLinks/pluginPaths';
import { parsePythonTracebacks } from '../../src/server/sourceLinks/pythonTraceback';
import { inferRunnerOffset, markSandboxUserFrames, userCodePosition } from '../../src/server/sourceLinks/sandboxLines';
import type { ParsedStack, StackFrame } from '../../src/shared/stackFrame';
import { innermostUserFrame } from '../../src/server/sourceLinks/stackFrames';

const only = (stacks: readonly ParsedStack[]): ParsedStack => {
  assert.equal(stacks.length, 1, JSON.stringify(stacks, null, 1));
  return stacks[0] as ParsedStack;
};
const at = (stack: ParsedStack, index: number): StackFrame => {
  const frame = stack.frames.at(index);
  assert.ok(frame, `frame ${index}`);
  return frame;
};

describe('plugin traceback (test/demo/plugin.ts)', () => {
  const stack = only(parsePythonTracebacks(PLUGIN_TRACEBACK));

  it('keeps every frame, marks SDK frames in the venv as not user code, and reads the exception', () => {
    assert.equal(stack.frames.length, 4);
    assert.deepEqual(stack.frames.map((f) => f.isUserCode), [false, false, false, true]);
    assert.deepEqual(stack.frames.map((f) => f.function), ['_execute_request_in_thread', '_execute_request', 'invoke_tool', '_invoke']);
    assert.equal(stack.exceptionType, PLUGIN_EXCEPTION.type);
    assert.equal(stack.message, PLUGIN_EXCEPTION.message);
    // The caret line (~~~^^^) is not taken for the source line.
    assert.equal(at(stack, -1).text, PLUGIN_SOURCE.lineText.trim());
  });

  it('maps the failing frame to the plugin identity and the workspace file at the failing line', () => {
    const frame = innermostUserFrame(stack);
    assert.ok(frame);
    assert.equal(frame.file, `${PLUGIN_WORKING_DIR}/${PLUGIN_SOURCE.file}`);
    const location = locatePluginFile(frame.file);
    assert.deepEqual(location, {
      pluginIdentity: { author: PLUGIN.author, name: PLUGIN.name, version: PLUGIN.version },
      checksum: PLUGIN.checksum,
      workingDir: PLUGIN_WORKING_DIR,
      relativePath: PLUGIN_SOURCE.file,
      isUserCode: true,
    });
    const source = readFileSync(join(__dirname, '../..', PLUGIN_SOURCE.repoRoot, location.relativePath), 'utf8').split('\n');
    assert.equal(source[frame.line - 1], PLUGIN_SOURCE.lineText);
  });

  it('maps a venv frame to the plugin but not to user code', () => {
    const location = locatePluginFile(at(stack, 0).file);
    assert.equal(location?.relativePath, '.venv/lib/python3.12/site-packages/dify_plugin/core/server/io_server.py');
    assert.equal(location?.isUserCode, false);
  });
});

describe('findTracebacks', () => {
  const expected = parsePythonTracebacks(PLUGIN_TRACEBACK);

  it('undoes the Python repr, the JSON string and the JSON of the API log line (test/demo/apiLogs.ts)', () => {
    assert.deepEqual(findTracebacks(pluginErrorLogBody()), expected);
    assert.deepEqual(findTracebacks(pluginInvokeErrorMessage()), expected);
  });

  it('reads the layers as literals: the payload is a dict with the daemon JSON as a string', () => {
    const [outer] = findEmbeddedLiterals(pluginErrorLogBody());
    assert.ok(outer && typeof outer.value === 'object' && outer.value !== null && 'message' in outer.value);
    const daemon: unknown = JSON.parse(String(outer.value.message));
    assert.ok(typeof daemon === 'object' && daemon !== null && 'message' in daemon);
    const sdk: unknown = JSON.parse(String(daemon.message));
    assert.deepEqual(sdk, { args: { traceback: PLUGIN_TRACEBACK }, error_type: PLUGIN_EXCEPTION.type, message: PLUGIN_EXCEPTION.message });
  });

  it('finds the traceback in a Go-escaped (\\u003c) payload and in plain text among other text', () => {
    const goEscaped = JSON.stringify({ args: { traceback: PLUGIN_TRACEBACK } }).replaceAll('<', '\\u003c');
    assert.deepEqual(findTracebacks(goEscaped), expected);
    assert.deepEqual(findTracebacks(`Failed to invoke tool: ${PLUGIN_TRACEBACK}\nwhile running node "Weather"`), expected);
  });

  it('finds stacks only in the corpus errors that carry one (test/corpus/errors.ts)', () => {
    const withStacks = Object.entries(corpusErrors)
      .filter(([, error]) => findTracebacks(error.text).length > 0)
      .map(([name]) => name)
      .sort();
    assert.deepEqual(withStacks, ['sandboxFd3', 'sandboxJs', 'sandboxString']);
  });

  it('returns no frames and does not throw on unparseable text', () => {
    const bad = [
      '',
      'Traceback (most recent call last):',
      '{"traceback": "Traceback (most recent call last):\\n  File \\"x.py\\", line',
      '['.repeat(100_000),
      `{'a': '${'\\'.repeat(7)}`,
      '    at ',
      'goroutine 1 [running]:\n\t:0',
      "{'message': '\\U0011ffff'}",
    ];
    for (const text of bad) assert.deepEqual(findTracebacks(text), [], text.slice(0, 40));
  });
});

describe('sandbox Python (Code node)', () => {
  it('maps the <fd3> frame to the Code node line and drops the wrapper and prescript frames', () => {
    const stack = only(findTracebacks(corpusErrors.sandboxFd3.text));
    assert.equal(stack.exceptionType, 'ZeroDivisionError');
    assert.deepEqual(stack.frames.map((f) => [f.file === '<fd3>', f.function]), [[false, '<module>'], [true, '<module>'], [true, 'main']]);
    assert.equal(at(stack, 0).isUserCode, false); // /var/sandbox/.../tmp/<uuid>.py
    const marked = markSandboxUserFrames(stack, 'python3', ITINERARY_CODE);
    assert.deepEqual(marked.frames.map((f) => f.isUserCode), [false, false, true]);
    assert.deepEqual(userCodePosition(at(stack, -1), 'python3', ITINERARY_CODE), { line: CODE_FAILING_LINE });
    assert.equal(userCodePosition(at(stack, 1), 'python3', ITINERARY_CODE), undefined);
    assert.match(ITINERARY_CODE.split('\n')[CODE_FAILING_LINE - 1] ?? '', /\/\/ len\(days\)/);
  });

  it('reads the older <string> frames and stops at the text after the exception', () => {
    const stack = only(findTracebacks(corpusErrors.sandboxString.text));
    assert.equal(stack.exceptionType, 'KeyError');
    assert.equal(stack.message, "'items'");
    // Runner line 13 is main(**inputs_obj) = U + 9, so the user code has U = 4 lines.
    const code = 'def main(args):\n    x = 1\n    return {"n": args["items"]}\n';
    assert.deepEqual(markSandboxUserFrames(stack, 'python3', code).frames.map((f) => f.isUserCode), [false, false, true]);
    assert.deepEqual(userCodePosition(at(stack, -1), 'python3', code), { line: 3 });
  });
});

describe('sandbox JavaScript (Code node)', () => {
  it('parses eval frames of the corpus error (a runner from before PR #27867) and maps them with offset 2', () => {
    const stack = only(parseNodeStacks(corpusErrors.sandboxJs.text));
    assert.equal(stack.exceptionType, 'TypeError');
    assert.equal(stack.message, "Cannot read properties of undefined (reading 'reduce')");
    assert.deepEqual(stack.frames.map((f) => [f.file.startsWith('/var/sandbox/') ? 'prescript' : f.file, f.line, f.column, f.function, f.isUserCode]), [
      ['<anonymous>', 5, 27, 'main', true],
      ['<anonymous>', 12, 18, 'eval', true],
      ['prescript', 38, 1, 'Object.<anonymous>', false],
    ]);
    assert.equal(at(stack, 0).text, 'const total = args.items.reduce((a, b) => a + b.price, 0);');
    const code = ['function main(args) {', '  // sum', '  const total = args.items.reduce((a, b) => a + b.price, 0);', '  return { total };', '}'].join('\n');
    assert.deepEqual(userCodePosition(at(stack, 0), 'javascript', code, 2), { line: 3, column: 27 });
    assert.equal(userCodePosition(at(stack, 1), 'javascript', code, 2), undefined); // the runner's main(inputs_obj) call
    assert.equal(userCodePosition(at(stack, 2), 'javascript', code, 2), undefined);
  });

  /** Runs a runner script the way dify-sandbox's prescript does (eval of fd 3) and returns Node's stderr. */
  function runLikeSandbox(runner: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-js-'));
    const runnerFile = join(dir, 'runner.js');
    writeFileSync(runnerFile, runner);
    const fd3 = openSync(runnerFile, 'r');
    const child = spawnSync(process.execPath, ['-e', "eval(require('fs').readFileSync(3, 'utf8'))"], { stdio: ['ignore', 'pipe', 'pipe', fd3], encoding: 'utf8', timeout: 10_000 });
    closeSync(fd3);
    rmSync(dir, { recursive: true });
    return child.stderr;
  }
  const jsCode = ['function main({ items }) {', '  let sum = 0;', '  for (const item of items) sum += item.price.amount;', '  return { sum };', '}'].join('\n');

  it("maps a real Node error from Dify's current runner (user code on its first line, langgenius/dify PR #27867) run the way dify-sandbox's prescript runs it", () => {
    // Runner of langgenius/dify api/core/helper/code_executor/javascript/javascript_transformer.py since PR #27867 (checked in 1.13.3).
    const runner = `${jsCode}\n\nvar inputs_obj = { items: [{ price: {} }, {}] }\n\nvar output_obj = main(inputs_obj)\n\nvar output_json = JSON.stringify(output_obj)\n`;
    const stderr = runLikeSandbox(runner);
    const stack = only(findTracebacks(stderr));
    assert.equal(stack.exceptionType, 'TypeError');
    const offset = inferRunnerOffset('javascript', jsCode, stack.frames[0], stderr);
    assert.equal(offset, 0, 'the printed source line names the current runner');
    const user = markSandboxUserFrames(stack, 'javascript', jsCode, offset).frames.find((f) => f.isUserCode);
    assert.ok(user);
    assert.deepEqual(userCodePosition(user, 'javascript', jsCode, offset)?.line, 3);
    assert.equal(user.function, 'main');
  });

  it("maps a real Node error from the runner before PR #27867 (leading empty line and comment, offset 2)", () => {
    const runner = `\n// declare main function\n${jsCode}\n\n// decode and prepare input object\nvar inputs_obj = { items: [{ price: {} }, {}] }\n\n// execute main function\nvar output_obj = main(inputs_obj)\n`;
    const stderr = runLikeSandbox(runner);
    const stack = only(findTracebacks(stderr));
    const offset = inferRunnerOffset('javascript', jsCode, stack.frames[0], stderr);
    assert.equal(offset, 2);
    const user = markSandboxUserFrames(stack, 'javascript', jsCode, offset).frames.find((f) => f.isUserCode);
    assert.deepEqual(user && userCodePosition(user, 'javascript', jsCode, offset)?.line, 3);
  });

  it('keeps the source excerpt of an eval SyntaxError as a frame (Node 20.20 output)', () => {
    const text = ['<anonymous_script>:4', '', '', '', 'SyntaxError: Unexpected end of input', '    at Object.<anonymous> (/var/sandbox/sandbox-nodejs/tmp/a.js:2:9)', '    at node:internal/main/run_main_module:28:49'].join('\n');
    const stack = only(parseNodeStacks(text));
    assert.deepEqual(stack.frames.map((f) => [f.file, f.line, f.isUserCode]), [['<anonymous>', 4, true], ['/var/sandbox/sandbox-nodejs/tmp/a.js', 2, false], ['node:internal/main/run_main_module', 28, false]]);
    assert.deepEqual(userCodePosition(at(stack, 0), 'javascript', 'function main() {\n  return {\n', 2), { line: 2 });
  });
});

describe('Python tracebacks', () => {
  /** CPython 3.11.7 output of a chained failure (raise … from e, then an error while handling it), captured for this test. */
  const CHAINED = [
    'Traceback (most recent call last):',
    '  File "/tmp/chain.py", line 6, in parse',
    '    return load(raw)',
    '           ^^^^^^^^^',
    '  File "/tmp/chain.py", line 3, in load',
    '    return json.loads(raw)',
    '           ^^^^^^^^^^^^^^^',
    '  File "/root/.pyenv/versions/3.11.7/lib/python3.11/json/__init__.py", line 346, in loads',
    '    return _default_decoder.decode(s)',
    '           ^^^^^^^^^^^^^^^^^^^^^^^^^^',
    '  File "/root/.pyenv/versions/3.11.7/lib/python3.11/json/decoder.py", line 353, in raw_decode',
    '    obj, end = self.scan_once(s, idx)',
    '               ^^^^^^^^^^^^^^^^^^^^^^',
    'json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)',
    '',
    'The above exception was the direct cause of the following exception:',
    '',
    'Traceback (most recent call last):',
    '  File "/tmp/chain.py", line 11, in main',
    '    parse("{")',
    '  File "/tmp/chain.py", line 8, in parse',
    '    raise RuntimeError("bad payload") from e',
    'RuntimeError: bad payload',
    '',
    'During handling of the above exception, another exception occurred:',
    '',
    'Traceback (most recent call last):',
    '  File "/tmp/chain.py", line 14, in <module>',
    '    main()',
    '  File "/tmp/chain.py", line 13, in main',
    '    {}["missing"]',
    '    ~~^^^^^^^^^^^',
    "KeyError: 'missing'",
  ].join('\n');

  it('gives one stack per chained exception, in printed order, with every frame', () => {
    const stacks = parsePythonTracebacks(CHAINED);
    assert.deepEqual(stacks.map((s) => [s.exceptionType, s.frames.length]), [['json.decoder.JSONDecodeError', 4], ['RuntimeError', 2], ['KeyError', 2]]);
    assert.deepEqual(stacks[0]?.frames.map((f) => f.isUserCode), [true, true, false, false]);
    assert.deepEqual(stacks.map((s) => s.frames.at(-1)?.text), ['obj, end = self.scan_once(s, idx)', 'raise RuntimeError("bad payload") from e', '{}["missing"]']);
    assert.equal(stacks[0]?.message, 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)');
  });

  it('keeps the frames of a truncated traceback, without an exception', () => {
    const cut = PLUGIN_TRACEBACK.slice(0, PLUGIN_TRACEBACK.indexOf('/tools/get_weather.py'));
    const stack = only(findTracebacks(cut));
    assert.equal(stack.frames.length, 3);
    assert.equal(stack.exceptionType, undefined);
    const cutMidText = PLUGIN_TRACEBACK.split('\n').slice(0, 9).join('\n');
    assert.equal(only(parsePythonTracebacks(cutMidText)).frames.at(-1)?.text, 'high = day["max_temp_c"]');
  });

  it('reads Windows paths: a Windows working dir maps to the plugin, the Windows stdlib and venv do not count as user code', () => {
    const text = [
      'Traceback (most recent call last):',
      '  File "C:\\dify\\cwd\\acme\\weather-0.0.1@0af3\\.venv\\Lib\\site-packages\\dify_plugin\\plugin.py", line 574, in _execute_request',
      '  File "C:\\dify\\cwd\\acme\\weather-0.0.1@0af3\\tools\\get_weather.py", line 28, in _invoke',
      '  File "C:\\Users\\dev\\AppData\\Local\\Programs\\Python\\Python312\\Lib\\json\\decoder.py", line 353, in raw_decode',
      'ValueError: x',
    ].join('\r\n');
    const stack = only(findTracebacks(text));
    assert.deepEqual(stack.frames.map((f) => f.isUserCode), [false, true, false]);
    assert.deepEqual(locatePluginFile(at(stack, 1).file), {
      pluginIdentity: { author: 'acme', name: 'weather', version: '0.0.1' },
      checksum: '0af3',
      workingDir: 'C:/dify/cwd/acme/weather-0.0.1@0af3',
      relativePath: 'tools/get_weather.py',
      isUserCode: true,
    });
  });
});

describe('plugin paths', () => {
  it('splits hyphenated names from pre-release versions', () => {
    const location = locatePluginFile('/app/storage/cwd/lang-genius/my-cool_tool-1.20.3-beta1@9f86d0/provider/my_tool.py');
    assert.deepEqual(location?.pluginIdentity, { author: 'lang-genius', name: 'my-cool_tool', version: '1.20.3-beta1' });
    assert.equal(location?.relativePath, 'provider/my_tool.py');
  });

  it('returns undefined for paths not under the daemon layout', () => {
    for (const path of [
      '/home/dev/weather-plugin/tools/get_weather.py', // remote-debug plugin: already a local path
      '/app/storage/cwd/acme/weather/tools/get_weather.py', // no version@checksum
      '/app/storage/cwd/acme/weather-latest@abc/tools/get_weather.py',
      `${PLUGIN_WORKING_DIR}`, // the directory itself, no file
      '<fd3>',
      '',
    ]) {
      assert.equal(locatePluginFile(path), undefined, path);
    }
  });

  it('marks the stdlib, frozen modules, venvs and the SDK as not user code', () => {
    assert.equal(isPythonUserCode('/usr/local/lib/python3.12/json/decoder.py'), false);
    assert.equal(isPythonUserCode('<frozen runpy>'), false);
    assert.equal(isPythonUserCode('/srv/plugin/venv/lib/python3.12/site-packages/requests/models.py'), false);
    assert.equal(isPythonUserCode('/usr/lib/python3/dist-packages/yaml/__init__.py'), false);
    assert.equal(isPythonUserCode('/home/dev/src/dify_plugin/plugin.py'), false);
    assert.equal(isPythonUserCode('/home/dev/weather-plugin/tools/get_weather.py'), true);
    assert.equal(isPythonUserCode('/home/dev/python/lib/helpers.py'), true);
  });
});

describe('Go panics', () => {
  /** go1.26.8, GOTRACEBACK=all, an index out of range in a goroutine: captured for this test. */
  const PANIC = [
    'panic: runtime error: index out of range [5] with length 2',
    '',
    'goroutine 4 [running]:',
    'main.(*cfg).pick(...)',
    '\t/tmp/gop/main.go:8',
    'main.main.func1()',
    '\t/tmp/gop/main.go:17 +0x45',
    'created by main.main in goroutine 1',
    '\t/tmp/gop/main.go:14 +0x65',
    '',
    'goroutine 1 [runnable]:',
    'sync.runtime_SemacquireWaitGroup(0x16ce6a8f2040?, 0xe0?)',
    '\t/usr/local/go/src/runtime/sema.go:114 +0x2e',
    'sync.(*WaitGroup).Wait(0x16ce6a8f00b0)',
    '\t/usr/local/go/src/sync/waitgroup.go:206 +0x85',
    'main.main()',
    '\t/tmp/gop/main.go:19 +0x6f',
    'exit status 2',
  ].join('\n');

  it('gives one stack per goroutine, the panic on the one that panicked', () => {
    const [panicked, waiting, ...rest] = findTracebacks(PANIC);
    assert.equal(rest.length, 0);
    assert.ok(panicked && waiting);
    assert.equal(panicked.exceptionType, 'panic');
    assert.equal(panicked.message, 'runtime error: index out of range [5] with length 2');
    assert.deepEqual(panicked.frames.map((f) => [f.function, f.line, f.isUserCode]), [['main.(*cfg).pick', 8, true], ['main.main.func1', 17, true], ['created by main.main', 14, true]]);
    assert.equal(waiting.exceptionType, undefined);
    assert.deepEqual(waiting.frames.map((f) => f.isUserCode), [false, false, true]);
  });

  it('ignores text without a goroutine header', () => {
    assert.deepEqual(parseGoPanics('panic: boom\n\nmain.main()\n\t/x.go:1'), []);
    assert.deepEqual(parseGoPanics(corpusErrors.pluginDaemonUnavailable.text), []);
  });
});

describe('runner offset of a JavaScript Code node (Dify releases differ)', () => {
  const code = "function main({rows}) {\n    const codes = {UK: 'GB'}\n    return { rows: rows.map(r => codes[r.country].toLowerCase()) }\n}\n";
  const frame = (line: number, column?: number): StackFrame => ({ file: '<anonymous>', line, ...(column === undefined ? {} : { column }), isUserCode: true });

  it("follows the source line Node printed above the error", () => {
    // Runner line 4: user line 4 with today's runner (offset 0), line 2 with the runner before PR #27867 (offset 2), line 3 with the oldest (offset 1).
    const printed = '<anonymous_script>:4\n    return { rows: rows.map(r => codes[r.country].toLowerCase()) }\n              ^\n\nTypeError: x';
    assert.equal(inferRunnerOffset('javascript', code, frame(4, 50), printed), 1);
    const current = '<anonymous_script>:4\n    const codes = {UK: \'GB\'}\n\nTypeError: x';
    assert.equal(inferRunnerOffset('javascript', code, frame(4, 5), current), 2);
    const today = '<anonymous_script>:3\n    return { rows: rows.map(r => codes[r.country].toLowerCase()) }\n\nTypeError: x';
    assert.equal(inferRunnerOffset('javascript', code, frame(3, 50), today), 0);
  });

  it('falls back to the column fitting its line, then to the newest runner', () => {
    assert.equal(inferRunnerOffset('javascript', code, frame(4, 50), 'TypeError: x'), 1, 'column 50 does not fit user line 2 (24 characters)');
    assert.equal(inferRunnerOffset('javascript', code, frame(4, 3), 'TypeError: x'), 2, 'both fit: the newest');
    assert.equal(inferRunnerOffset('javascript', code, undefined, ''), 0, 'nothing to go by: the current runner');
    assert.equal(inferRunnerOffset('python3', code, frame(4), ''), 0);
  });

  it("tells Python runners apart by the line of the runner's call of main() (Dify 1.9.2's runner starts two lines later)", () => {
    const py = 'def main(a: int, b: int) -> dict:\n    return {"q": a / b}\n';
    const at = (line: number, fn: string): StackFrame => ({ file: '<string>', line, function: fn, isUserCode: true });
    // U = 3 lines (the trailing newline counts): the call is runner line 12 today, 14 on the older runner.
    assert.equal(inferRunnerOffset('python3', py, at(2, 'main'), '', [at(2, 'main'), at(12, '<module>')]), 0);
    assert.equal(inferRunnerOffset('python3', py, at(4, 'main'), '', [at(4, 'main'), at(14, '<module>')]), 2);
    assert.equal(inferRunnerOffset('python3', py, at(4, 'main'), '', [at(4, 'main'), at(30, '<module>')]), 0, 'no runner fits: the current one');
  });
});
