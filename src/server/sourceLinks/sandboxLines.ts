/**
 * Lines in a Code node's sandbox traceback back to the node's own code. Dify pastes the user's code
 * into a runner script (langgenius/dify api/core/helper/code_executor/{python3,javascript}/*_transformer.py,
 * plain str.replace of the placeholder) and dify-sandbox executes the runner, so a frame's line is a
 * runner line:
 * - Python: since langgenius/dify PR #27867 the code replaces the runner's first line, user line N ==
 *   runner line N; before it (recorded on Dify 1.9.2) the runner started with an empty line and
 *   `# declare main function`, so runner line = user line + 2. Runner lines past the code's U lines
 *   (U = code.split('\n').length) are the wrapper: the module-level `main(**inputs_obj)` call is
 *   U + 9 + offset, which tells the two apart. Frames read `File "<fd3>"` (current sandbox,
 *   exec(compile(code, "<fd3>", "exec"))) or `File "<string>"`.
 * - JavaScript: frames are the eval'd runner, `<anonymous>:LINE:COL`; columns are unchanged. The
 *   runner changed across releases: since langgenius/dify PR #27867 (merged 2025-11-05; checked on a
 *   recorded Dify 1.13.3) the code is the runner's first line (offset 0); before, the runner started
 *   with an empty line and `// declare main function` (offset 2), and older ones without the empty
 *   line (offset 1, langgenius/dify@0f5077a). The source line Node prints tells them apart.
 */
import type { ParsedStack, StackFrame } from '../../shared/stackFrame';

export type CodeLanguage = 'python3' | 'javascript';

/** runner line − user line, for the runners of current Dify. */
export const RUNNER_LINE_OFFSET: Readonly<Record<CodeLanguage, number>> = { python3: 0, javascript: 0 };

/** Every runner offset a Dify release used, newest first (JavaScript: 0 since PR #27867, 2 before it, 1 before the runner gained its leading empty line). */
export const RUNNER_LINE_OFFSETS: Readonly<Record<CodeLanguage, readonly number[]>> = { python3: [0, 2], javascript: [0, 2, 1] };

/** Runner lines from the end of the user's code to the Python runner's `main(**inputs_obj)` call (python3_transformer.py). */
const PYTHON_CALL_AFTER_CODE = 9;

/**
 * Node prints the source line of an uncaught error above the message: `<anonymous_script>:4` (or
 * `evalmachine.<anonymous>:4`) and the line's text. The text names the runner line for certain.
 */
const NODE_ERROR_SOURCE = /^(?:<anonymous_script>|evalmachine\.<anonymous>|<anonymous>):(\d+)\r?\n(.*)$/m;

/**
 * Which runner offset a failure agrees with, when the API's Dify release is not known. Python: the one
 * that puts the runner's call of main() where the runner has it. JavaScript: the one that
 * puts the source line Node printed on the same user line, else the newest under which the innermost
 * frame's column lies inside its line, else the newest.
 */
export function inferRunnerOffset(language: CodeLanguage, userCode: string, innermost: StackFrame | undefined, errorText: string, runnerFrames: readonly StackFrame[] = []): number {
  const offsets = RUNNER_LINE_OFFSETS[language];
  if (offsets.length === 1) return offsets[0]!;
  const lines = userCode.split('\n');
  if (language === 'python3') {
    // The runner's module-level frame is its call of main(), at a line fixed relative to the code's end.
    const call = runnerFrames.find((f) => f.function === '<module>' && isRunnerFrame(f, language));
    const offset = call === undefined ? undefined : call.line - lines.length - PYTHON_CALL_AFTER_CODE;
    return offset !== undefined && offsets.includes(offset) ? offset : offsets[0]!;
  }
  const printed = NODE_ERROR_SOURCE.exec(errorText);
  if (printed) {
    const runnerLine = Number(printed[1]);
    const text = (printed[2] ?? '').trim();
    const agreeing = offsets.find((o) => text !== '' && lines[runnerLine - o - 1]?.trim() === text);
    if (agreeing !== undefined) return agreeing;
  }
  if (innermost?.column !== undefined) {
    const fits = offsets.filter((o) => {
      const line = lines[innermost.line - o - 1];
      return line !== undefined && innermost.column! <= line.length;
    });
    // The newest runner under which the column lies inside its line.
    if (fits.length > 0) return fits[0]!;
  }
  return offsets[0]!;
}

export interface UserCodePosition {
  /** 1-based line in the Code node's code as stored in the DSL. */
  readonly line: number;
  readonly column?: number;
}

/** Whether the frame is in the runner script (user code or wrapper), as opposed to the sandbox's prescript or Node internals. */
export function isRunnerFrame(frame: StackFrame, language: CodeLanguage): boolean {
  return language === 'python3' ? frame.file === '<fd3>' || frame.file === '<string>' : frame.file === '<anonymous>';
}

/**
 * The user-code line a runner frame points at, or undefined for frames outside the runner and for
 * the runner's own wrapper lines.
 */
export function userCodePosition(
  frame: StackFrame,
  language: CodeLanguage,
  userCode: string,
  offset: number = RUNNER_LINE_OFFSET[language],
): UserCodePosition | undefined {
  if (!isRunnerFrame(frame, language)) return undefined;
  const line = frame.line - offset;
  const userLines = userCode.split('\n').length;
  if (!Number.isInteger(line) || line < 1 || line > userLines) return undefined;
  return frame.column === undefined ? { line } : { line, column: frame.column };
}

/** The stack with isUserCode true exactly on the frames that land in the user's code. */
export function markSandboxUserFrames(
  stack: ParsedStack,
  language: CodeLanguage,
  userCode: string,
  offset: number = RUNNER_LINE_OFFSET[language],
): ParsedStack {
  return {
    ...stack,
    frames: stack.frames.map((frame) => ({ ...frame, isUserCode: userCodePosition(frame, language, userCode, offset) !== undefined })),
  };
}
