/**
 * A failing Code node as a script that runs it the way Dify's runner does (Replay Code Node, issue
 * 16). Dify's Python3TemplateTransformer and JavascriptTemplateTransformer
 * (api/core/helper/code_executor/{python3,javascript}/*_transformer.py) put the node's code first,
 * then decode the inputs and call `main(**inputs)` (Python) or `main(inputs)` (JavaScript) and print
 * the result; here the inputs are the ones the trace recorded. The code comes first and unchanged,
 * so the user's line N is the file's line N, as it is in the DSL and in Go to Source.
 */

export type ReplayLanguage = 'python3' | 'javascript';

export interface CodeNodeScriptInput {
  readonly language: ReplayLanguage;
  readonly code: string;
  /** The node's inputs as the trace recorded them: a JSON object. */
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly nodeTitle: string;
  readonly appName: string;
  readonly runId: string;
  /** The file the inputs go to when they are too large to read comfortably in the script, relative to the script. */
  readonly sideFileName: string;
  /** Input keys the trace cut or redacted, marked in the script. */
  readonly cutInputs?: readonly string[];
}

export interface CodeNodeScript {
  readonly text: string;
  /** The inputs as JSON, when they go to the side file. */
  readonly sideFile?: string;
  /** Lines of the node's code: lines above this are the user's. */
  readonly codeLines: number;
}

/** Inputs larger than this go to a side file. */
export const INLINE_INPUTS_LIMIT = 16 * 1024;

/** One line of a comment: no line breaks from titles or keys (they would end the comment). */
const oneLine = (text: string): string => text.replace(/[\r\n\u2028\u2029]+/g, ' ').slice(0, 200);

export function codeNodeScript(input: CodeNodeScriptInput): CodeNodeScript {
  const code = input.code.replace(/\r\n/g, '\n').replace(/\n*$/, '\n');
  const codeLines = code.split('\n').length - 1;
  const json = JSON.stringify(input.inputs, null, 2);
  const inline = json.length <= INLINE_INPUTS_LIMIT;
  const about = [
    `Replay of Code node "${oneLine(input.nodeTitle)}" of app "${oneLine(input.appName)}", run ${oneLine(input.runId)}, written by Dify Trace Explorer.`,
    `Above: the node's code as the app's DSL holds it, unchanged (its line numbers are the node's).`,
    `Below: what Dify's runner does around it, with the inputs the trace recorded${inline ? '' : ` (in ${input.sideFileName})`}.`,
    ...(input.cutInputs !== undefined && input.cutInputs.length > 0 ? [`The trace cut or redacted these inputs, so they may differ from what ran: ${input.cutInputs.map(oneLine).join(', ')}.`] : []),
  ];
  if (input.language === 'python3') {
    // A raw triple-quoted string holds JSON text as it is (escapes included, for json.loads to read):
    // JSON text never has three quotes in a row, nor ends in a backslash.
    const load = inline ? `_dify_json.loads(r"""\n${json}\n""")` : `_dify_json.loads((_dify_pathlib.Path(__file__).parent / ${JSON.stringify(input.sideFileName)}).read_text(encoding="utf-8"))`;
    const lines = [
      '',
      ...about.map((l) => `# ${l}`),
      'import json as _dify_json',
      ...(inline ? [] : ['import pathlib as _dify_pathlib']),
      `_dify_inputs = ${load}`,
      '_dify_result = main(**_dify_inputs)',
      'print(_dify_json.dumps(_dify_result, indent=4, ensure_ascii=False))',
    ];
    return { text: `${code}${lines.join('\n')}\n`, ...(inline ? {} : { sideFile: `${json}\n` }), codeLines };
  }
  // JSON text is a JavaScript expression (since ES2019 also with U+2028 and U+2029 in strings).
  const load = inline ? json : `JSON.parse(require('node:fs').readFileSync(require('node:path').join(__dirname, ${JSON.stringify(input.sideFileName)}), 'utf8'))`;
  const lines = ['', ...about.map((l) => `// ${l}`), `const __difyInputs = ${load};`, 'const __difyResult = main(__difyInputs);', 'console.log(JSON.stringify(__difyResult, null, 4));'];
  return { text: `${code}${lines.join('\n')}\n`, ...(inline ? {} : { sideFile: `${json}\n` }), codeLines };
}

/** How a replay ended, read from what the interpreter printed. */
export interface ReplayOutcome {
  readonly failed: boolean;
  /** `ZeroDivisionError: integer division or modulo by zero`. */
  readonly exception?: string;
  /** The line of the script (so of the node's code, when within it) where it was raised. */
  readonly line?: number;
}

/**
 * The exception and the innermost line of `scriptName` in a Python traceback or a Node.js stack,
 * from the interpreter's stderr.
 */
export function replayOutcome(language: ReplayLanguage, exitCode: number, stderr: string, scriptName: string): ReplayOutcome {
  if (exitCode === 0) return { failed: false };
  const lines = stderr.replace(/\r\n/g, '\n').split('\n');
  const escaped = scriptName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (language === 'python3') {
    const block = lastTraceback(lines);
    // A syntax error is printed without a "Traceback" header: its last unindented line names it.
    const exception = block.exception ?? [...lines].reverse().find((l) => /^[A-Za-z_][\w.]*(?:Error|Exception)(?::|$)/.test(l))?.trim();
    if (block.text === '') block.text = stderr;
    const frames = [...block.text.matchAll(new RegExp(`File "[^"]*${escaped}", line (\\d+)`, 'g'))];
    const line = frames.at(-1)?.[1];
    return { failed: true, ...(exception ? { exception } : {}), ...(line ? { line: Number(line) } : {}) };
  }
  const exception = lines.find((l) => /^(?:Uncaught )?[A-Za-z_$][\w$.]*(?:Error|Exception)?: /.test(l))?.replace(/^Uncaught /, '');
  const frame = new RegExp(`${escaped}:(\\d+)(?::\\d+)?`).exec(stderr);
  return { failed: true, ...(exception ? { exception: exception.trim() } : {}), ...(frame?.[1] ? { line: Number(frame[1]) } : {}) };
}

/**
 * The last Python traceback that ended the program: its frames' text and its exception line. Those
 * after "Exception ignored in" are the interpreter's shutdown noise (gevent, which the plugin SDK
 * loads, prints some), not the failure.
 */
function lastTraceback(lines: readonly string[]): { text: string; exception?: string } {
  let found: { text: string; exception?: string } = { text: '' };
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== 'Traceback (most recent call last):') continue;
    const ignored = /^Exception ignored/.test(lines[i - 1] ?? '');
    let end = i + 1;
    while (end < lines.length && /^\s/.test(lines[end]!)) end++;
    if (!ignored) found = { text: lines.slice(i, end).join('\n'), ...(lines[end]?.trim() ? { exception: lines[end]!.trim() } : {}) };
    i = end;
  }
  return found;
}

/** The exception's type: `ZeroDivisionError` of `ZeroDivisionError: integer division ...`. */
export const exceptionType = (exception: string | undefined): string | undefined => exception?.match(/^([\w.$]+)/)?.[1];
